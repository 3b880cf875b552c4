"""Errors that carry a Spanish message for people and a structure for programs."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field. `field` is a dotted path as the input spells it
    (e.g. ``items[2].quantity``); `message` is Spanish, for people; `code` is for programs."""

    field: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "code": self.code}


class MostradorError(Exception):
    """Base of every error we raise on purpose. `str()` is a Spanish sentence."""

    code = "error"

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self)}


class ValidationError(MostradorError):
    """Input that cannot become a document. Carries every field error found, not just the first."""

    code = "validation"

    def __init__(self, errors: list[FieldError] | FieldError | str, field: str = ""):
        if isinstance(errors, str):
            errors = [FieldError(field, errors)]
        elif isinstance(errors, FieldError):
            errors = [errors]
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in self.errors))

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self), "errors": [e.as_dict() for e in self.errors]}


class ConfigurationError(MostradorError):
    """The company, certificate or settings are missing or inconsistent."""

    code = "configuration"


class CertificateError(MostradorError):
    """The PKCS#12 cannot be used to sign (wrong password, expired, wrong RUC, no signing key)."""

    code = "certificate"


class ClockError(MostradorError):
    """The machine's clock is obviously wrong; we refuse to sign."""

    code = "clock"


class TransportError(MostradorError):
    """The authority could not be reached or answered something that is not its protocol.
    Always retryable."""

    code = "transport"


class NotFoundError(MostradorError):
    code = "not_found"


class OutputPathError(MostradorError):
    """An output path (`--out`, `--pdf`) that cannot be used: an existing file without
    --force, a file where a folder is expected, a folder that cannot be created."""

    code = "output_path"


class StorageError(MostradorError, sqlite3.OperationalError):
    """The data cannot be written or read: disk full, read-only folder, database locked, an
    input/output error. Nothing already stored is lost; retry once the cause is gone. Also an
    `sqlite3.OperationalError`, so code that retries on a busy database keeps doing so."""

    code = "storage"


class StorageFullError(StorageError):
    code = "storage_full"


class StorageReadOnlyError(StorageError):
    code = "storage_read_only"


class StorageLockedError(StorageError):
    code = "storage_locked"


class CorruptDatabaseError(MostradorError, sqlite3.DatabaseError):
    """The database file is damaged. Nothing is signed until it is restored from a backup
    (`mostrador restore`)."""

    code = "corrupt_database"


class PinLockedError(MostradorError):
    """Too many wrong PINs in a row: PIN checks are refused for a while."""

    code = "pin_locked"


@dataclass
class ErrorCollector:
    """Accumulates field errors so a validator reports them all at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field_, message, code))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
