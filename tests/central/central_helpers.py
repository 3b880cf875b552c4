"""Helpers the central tests import by a name no other test folder uses (several folders have a
`conftest`, so `from conftest import …` depends on which one pytest imported last)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_app(env: dict, *args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "app", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"mostrador {' '.join(args)} → {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc
