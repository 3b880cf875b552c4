"""API keys: shown once, stored only as a SHA-256 hash, tied to the company, maybe to a dialect."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from app.core.errors import NotFoundError, ValidationError
from app.store.db import transaction

PREFIX = "api_key_"  # FacturaSend's spelling; every dialect accepts it


@dataclass(frozen=True)
class ApiKey:
    name: str
    tenant: str
    company_ruc: str
    dialect: str | None
    key_hash: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create(conn: sqlite3.Connection, name: str, company_ruc: str, dialect: str | None = None,
           *, dialects: tuple[str, ...] = ()) -> dict:
    """A new key: {'key', 'tenant', 'name', 'dialect'}; the key itself is never stored."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError("El nombre de la clave debe tener entre 1 y 64 caracteres", field="NAME")
    if dialect is not None and dialects and dialect not in dialects:
        raise ValidationError(f"Dialecto desconocido: {dialect} (válidos: {', '.join(dialects)})", field="dialect")
    key = PREFIX + secrets.token_urlsafe(32)
    tenant = secrets.token_hex(6)
    with transaction(conn):
        if conn.execute("SELECT 1 FROM api_keys WHERE name=?", (name,)).fetchone():
            raise ValidationError(f"Ya existe una clave llamada {name}", field="NAME")
        conn.execute(
            "INSERT INTO api_keys(name, key_hash, prefix, tenant, company_ruc, dialect, created_at) "
            "VALUES (?,?,?,?,?,?,?)",
            (name, hash_key(key), key[:12], tenant, company_ruc, dialect, _now()))
    return {"key": key, "tenant": tenant, "name": name, "dialect": dialect}


def listing(conn: sqlite3.Connection) -> list[dict]:
    rows = conn.execute("SELECT name, prefix, tenant, dialect, created_at, revoked_at, last_used_at "
                        "FROM api_keys ORDER BY id").fetchall()
    return [{"name": r["name"], "prefix": r["prefix"] + "…", "tenant": r["tenant"], "dialect": r["dialect"],
             "created_at": r["created_at"], "revoked": r["revoked_at"] is not None,
             "last_used_at": r["last_used_at"]} for r in rows]


def revoke(conn: sqlite3.Connection, name: str) -> None:
    with transaction(conn):
        cur = conn.execute("UPDATE api_keys SET revoked_at=? WHERE name=? AND revoked_at IS NULL", (_now(), name))
        if cur.rowcount == 0:
            raise NotFoundError(f"No hay ninguna clave activa llamada {name}")


def lookup(conn: sqlite3.Connection, key: str | None) -> ApiKey | None:
    """The active key whose hash matches `key`, or None."""
    if not key:
        return None
    h = hash_key(key)
    row = conn.execute("SELECT name, tenant, company_ruc, dialect, key_hash FROM api_keys "
                       "WHERE key_hash=? AND revoked_at IS NULL", (h,)).fetchone()
    if row is None or not hmac.compare_digest(row["key_hash"], h):
        return None
    return ApiKey(row["name"], row["tenant"], row["company_ruc"], row["dialect"], row["key_hash"])


def touch(conn: sqlite3.Connection, key_hash: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE api_keys SET last_used_at=? WHERE key_hash=?", (_now(), key_hash))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
