"""Where the data lives. Everything else (company, settings) is in the database."""
from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "Mostrador"
ENV_HOME = "MOSTRADOR_HOME"


def default_data_dir() -> Path:
    """`MOSTRADOR_HOME` if set, else the per-user data folder of the platform."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


class DataDir:
    """The layout of one data folder: one SQLite file, the certificate, logs."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root).expanduser() if root else default_data_dir()

    @property
    def db_path(self) -> Path:
        return self.root / "mostrador.db"

    @property
    def certs(self) -> Path:
        return self.root / "certs"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def cert_path(self, ruc: str) -> Path:
        return self.certs / f"{ruc}.p12"

    def ensure(self) -> "DataDir":
        for p in (self.root, self.certs, self.logs):
            p.mkdir(parents=True, exist_ok=True)
        try:  # the .p12 is encrypted, but keep the folder private anyway
            os.chmod(self.certs, 0o700)
        except OSError:
            pass
        return self
