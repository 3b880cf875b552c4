"""Output paths given on the command line (`--out`, `--pdf`), checked before any work is done.

- `output_file(path, default_name)`: a folder (existing, or spelled with a trailing slash) gets
  `default_name` inside it; a missing parent folder is created; an existing file is refused
  unless `force`.
- `output_folder(path)`: created when missing; refused when it is a file or cannot be written.
- `write_file(path, data)`: writes through a temporary file and renames, so a full disk never
  leaves half a file behind.
Every refusal is an `OutputPathError` (or a `StorageError` for a full / read-only disk) with a
Spanish message; never a traceback.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.core.errors import MostradorError, OutputPathError


def _storage(exc: OSError, path: Path) -> MostradorError:
    from app.store.health import translate

    return translate(exc) or OutputPathError(f"No se puede usar {path}: {exc.strerror or exc}")


def output_folder(path: str | Path, *, create: bool = True) -> Path:
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"{folder} es un archivo, no una carpeta: indique una carpeta para los archivos.")
    if not folder.exists():
        if not create:
            raise OutputPathError(f"La carpeta {folder} no existe.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise OutputPathError(f"No se puede crear la carpeta {folder}: una parte de la ruta es un archivo.") from None
        except OSError as exc:
            raise _storage(exc, folder) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"No hay permiso para escribir en la carpeta {folder}.")
    return folder


def output_file(path: str | Path, default_name: str, *, force: bool = False) -> Path:
    raw = str(path)
    target = Path(raw).expanduser()
    if target.is_dir() or raw.endswith(("/", os.sep)):
        target = output_folder(target) / default_name
    else:
        output_folder(target.parent if str(target.parent) else ".")
    if target.exists() and not force:
        raise OutputPathError(f"El archivo {target} ya existe: use --force para reemplazarlo.")
    return target


def existing_files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def write_file(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _storage(exc, path) from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
