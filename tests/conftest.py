"""Fixtures for every test: an in-memory keyring (never a plaintext one), Qt offscreen."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import keyring
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = Path(__file__).resolve().parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

from memory_keyring import MemoryKeyring  # noqa: E402


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def subprocess_env(tmp_path_factory):
    """Environment for a `python -m app` subprocess: file keyring outside any data dir."""
    kr = tmp_path_factory.mktemp("keyring") / "keyring.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(SUPPORT), env.get("PYTHONPATH", "")])
    env["PYTHON_KEYRING_BACKEND"] = "file_keyring.FileKeyring"
    env["MOSTRADOR_TEST_KEYRING_FILE"] = str(kr)
    env.pop("MOSTRADOR_HOME", None)
    return env
