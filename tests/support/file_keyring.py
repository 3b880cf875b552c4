"""TEST-ONLY keyring backend for subprocesses (crash test, demo end to end).

It keeps secrets in the JSON file named by MOSTRADOR_TEST_KEYRING_FILE, which the tests put
OUTSIDE the data folder (the secrets test checks no file under the data folder holds the
password). Never shipped: it lives under tests/ and is selected with PYTHON_KEYRING_BACKEND.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1

    def _path(self) -> Path:
        return Path(os.environ["MOSTRADOR_TEST_KEYRING_FILE"])

    def _load(self) -> dict:
        p = self._path()
        return json.loads(p.read_text()) if p.exists() else {}

    def get_password(self, service, username):
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service, username, password):
        d = self._load()
        d[f"{service}\x00{username}"] = password
        self._path().write_text(json.dumps(d))

    def delete_password(self, service, username):
        d = self._load()
        d.pop(f"{service}\x00{username}", None)
        self._path().write_text(json.dumps(d))
