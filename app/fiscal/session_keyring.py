"""A keyring backend that lives in this process's memory only.

Used by demo mode on machines with no OS keyring: the throwaway certificate's password is
never written anywhere, and is gone when the process ends (demo mode then makes a new
certificate). Never used for a real certificate.
"""
from __future__ import annotations

from keyring.backend import KeyringBackend


class SessionKeyring(KeyringBackend):
    priority = 1  # never auto-selected (not registered); set explicitly by demo mode only

    def __init__(self):
        super().__init__()
        self._secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self._secrets.get((service, username))

    def set_password(self, service, username, password):
        self._secrets[(service, username)] = password

    def delete_password(self, service, username):
        self._secrets.pop((service, username), None)
