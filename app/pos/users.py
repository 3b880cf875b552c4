"""Users of the till with a PIN (hashed with scrypt) and a role that gates sensitive actions."""
from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from app.core.errors import ValidationError
from app.store.db import transaction

ROLES = ("cajero", "supervisor", "administrador")
ROLE_LABELS = {"cajero": "Cajero", "supervisor": "Supervisor", "administrador": "Administrador"}
# scrypt cost: ~15 ms per check on a small PC; PINs are short, so the cost is what protects them
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    active: bool = True

    @property
    def can_approve(self) -> bool:
        """Supervisors and administrators authorise discounts, price changes and deletions."""
        return self.role in ("supervisor", "administrador")

    @property
    def is_admin(self) -> bool:
        return self.role == "administrador"


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(bytes.fromhex(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(digest))


def pin_problem(pin: str) -> str | None:
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        return "El PIN debe tener entre 4 y 8 dígitos"
    if len(set(pin)) == 1:
        return "El PIN no puede repetir un solo dígito"
    return None


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["name"], row["role"], bool(row["active"]))


def create_user(conn: sqlite3.Connection, name: str, role: str, pin: str, *, in_transaction: bool = False) -> User:
    name = name.strip()
    errors = []
    if not name:
        errors.append("El nombre del usuario es obligatorio")
    if role not in ROLES:
        errors.append(f"Rol desconocido: {role}")
    problem = pin_problem(pin)
    if problem:
        errors.append(problem)
    if errors:
        raise ValidationError("; ".join(errors), field="usuario")
    def write():
        if conn.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone():
            raise ValidationError(f"Ya existe un usuario llamado {name}", field="usuario")
        cur = conn.execute("INSERT INTO users(name, role, pin_hash, active, created_at) VALUES (?,?,?,1,?)",
                           (name, role, hash_pin(pin), datetime.now(timezone.utc).isoformat(timespec="seconds")))
        return User(int(cur.lastrowid), name, role)
    if in_transaction:
        return write()
    with transaction(conn):
        return write()


def set_pin(conn: sqlite3.Connection, user_id: int, pin: str) -> None:
    problem = pin_problem(pin)
    if problem:
        raise ValidationError(problem, field="pin")
    with transaction(conn):
        conn.execute("UPDATE users SET pin_hash=? WHERE id=?", (hash_pin(pin), user_id))


def set_active(conn: sqlite3.Connection, user_id: int, active: bool) -> None:
    with transaction(conn):
        conn.execute("UPDATE users SET active=? WHERE id=?", (int(active), user_id))


def list_users(conn: sqlite3.Connection, *, include_inactive: bool = False) -> list[User]:
    sql = "SELECT * FROM users" + ("" if include_inactive else " WHERE active=1") + " ORDER BY name"
    return [_user(r) for r in conn.execute(sql)]


def authenticate(conn: sqlite3.Connection, pin: str, *, name: str | None = None) -> User | None:
    """The active user whose PIN this is (of `name` when given), or None."""
    sql = "SELECT * FROM users WHERE active=1" + (" AND name=?" if name else "")
    for row in conn.execute(sql, (name,) if name else ()):
        if pin_matches(pin, row["pin_hash"]):
            return _user(row)
    return None


def authorize(conn: sqlite3.Connection, pin: str) -> User | None:
    """The supervisor or administrator whose PIN this is, or None."""
    for row in conn.execute("SELECT * FROM users WHERE active=1 AND role IN ('supervisor','administrador')"):
        if pin_matches(pin, row["pin_hash"]):
            return _user(row)
    return None


DEMO_USERS = (("Cajero Demo", "cajero", "1234"), ("Supervisora Demo", "supervisor", "2468"),
              ("Administrador Demo", "administrador", "9753"))


def ensure_demo_users(conn: sqlite3.Connection) -> None:
    """Demo mode users (PINs printed in the demo banner; never in a real company)."""
    if conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]:
        return
    with transaction(conn):
        for name, role, pin in DEMO_USERS:
            create_user(conn, name, role, pin, in_transaction=True)
