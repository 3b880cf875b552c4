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

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    def ensure(self) -> "DataDir":
        """Creates the folder and keeps it private to the user: folders 0700, files 0600 (the
        database, its -wal/-shm, the certificate, logs, backups). On Windows `chmod` cannot say
        this; the per-user data folder (%LOCALAPPDATA%) already inherits an ACL that gives access
        only to the user, SYSTEM and Administrators, and we do not widen it."""
        for p in (self.root, self.certs, self.logs):
            p.mkdir(mode=0o700, parents=True, exist_ok=True)
        private(self.root)
        return self


def private(root: Path) -> None:
    """chmod 0700 on `root` and its folders, 0600 on their files (POSIX; best effort: a file we
    do not own or a read-only disk is left as it is)."""
    if os.name != "posix":
        return
    folders = [root] + [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()]
    for folder in folders:
        _chmod(folder, 0o700)
        for f in folder.iterdir():
            if f.is_file() and not f.is_symlink():
                _chmod(f, 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError:
        pass
