"""Where the shipped data files (XSDs, WSDLs, migrations, fonts) live.

Kept in one place so a frozen build (PyInstaller) only has to change this module.
"""
from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
