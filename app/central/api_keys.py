"""The central API's keys (`mostrador central api-key`): like a register's (app/api/keys.py:
shown once, stored only as a SHA-256 hash, the same `api_key_` spelling every dialect accepts),
kept in the central PostgreSQL and tied to one company (RUC): a key reads the documents of the
registers that issue for that company, and nothing else."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from app.central.store import CentralStore
from app.core.errors import NotFoundError, ValidationError

PREFIX = "api_key_"


@dataclass(frozen=True)
class CentralKey:
    name: str
    tenant: str
    company_ruc: str
    dialect: str | None
    key_hash: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create(store: CentralStore, name: str, company_ruc: str, dialect: str | None = None,
           *, dialects: tuple[str, ...] = ()) -> dict:
    """A new key: {'key', 'tenant', 'name', 'ruc', 'dialect'}; the key itself is never stored."""
    name = (name or "").strip()
    ruc = (company_ruc or "").strip()
    if not name or len(name) > 64:
        raise ValidationError("El nombre de la clave debe tener entre 1 y 64 caracteres", field="NAME")
    if not ruc:
        raise ValidationError("Indique el RUC de la empresa cuyos documentos leerá la clave", field="--ruc")
    if dialect is not None and dialects and dialect not in dialects:
        raise ValidationError(f"Dialecto desconocido: {dialect} (válidos: {', '.join(dialects)})", field="--dialect")
    key = PREFIX + secrets.token_urlsafe(32)
    tenant = secrets.token_hex(6)
    with store.tx() as c:
        if c.execute("SELECT 1 FROM api_keys WHERE name=%s", (name,)).fetchone():
            raise ValidationError(f"Ya existe una clave llamada {name}", field="NAME")
        c.execute("INSERT INTO api_keys(name, key_hash, prefix, tenant, company_ruc, dialect) "
                  "VALUES (%s,%s,%s,%s,%s,%s)", (name, hash_key(key), key[:12], tenant, ruc, dialect))
    return {"key": key, "tenant": tenant, "name": name, "ruc": ruc, "dialect": dialect}


def revoke(store: CentralStore, name: str) -> None:
    with store.tx() as c:
        cur = c.execute("UPDATE api_keys SET revoked_at=now() WHERE name=%s AND revoked_at IS NULL", (name,))
        if cur.rowcount == 0:
            raise NotFoundError(f"No hay ninguna clave activa llamada {name}")


def lookup(store: CentralStore, key: str | None) -> CentralKey | None:
    """The active key whose hash matches `key`, or None."""
    if not key:
        return None
    h = hash_key(key)
    row = store.conn.execute("SELECT name, tenant, company_ruc, dialect, key_hash FROM api_keys "
                             "WHERE key_hash=%s AND revoked_at IS NULL", (h,)).fetchone()
    if row is None or not hmac.compare_digest(row[4], h):
        return None
    return CentralKey(*row)


def touch(store: CentralStore, key_hash: str) -> None:
    store.conn.execute("UPDATE api_keys SET last_used_at=now() WHERE key_hash=%s", (key_hash,))
