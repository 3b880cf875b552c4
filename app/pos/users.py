"""Users of the till with a PIN (hashed with scrypt) and a role that gates sensitive actions.

A PIN has 4 to 8 digits, so the slow hash alone does not stop someone trying them all:
after MAX_ATTEMPTS wrong PINs in a row (per user at the login, per till for the approval of a
supervisor) PIN checks are refused for LOCK_SECONDS, doubling with each further lock-out up to
an hour. While locked, `authenticate` / `authorize` answer None without looking at the PIN, and
`lockout_message` says for how long (the attempts are kept in `settings`, so restarting the
program does not reset them)."""
from __future__ import annotations

import hashlib
import hmac
import os
import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from app.core.errors import ValidationError
from app.store.db import transaction

ROLES = ("cajero", "supervisor", "administrador")
ROLE_LABELS = {"cajero": "Cajero", "supervisor": "Supervisor", "administrador": "Administrador"}
# scrypt cost: ~15 ms per check on a small PC; PINs are short, so the cost is what protects them
_N, _R, _P = 2**14, 8, 1
MAX_ATTEMPTS = 5
LOCK_SECONDS = 300
MAX_LOCK_SECONDS = 3600
_now = time.time


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
    """The active user whose PIN this is (of `name` when given), or None (also while locked out)."""
    scope = f"user:{name}" if name else "login"
    if locked_for(conn, scope):
        return None
    sql = "SELECT * FROM users WHERE active=1" + (" AND name=?" if name else "")
    found = next((_user(row) for row in conn.execute(sql, (name,) if name else ())
                  if pin_matches(pin, row["pin_hash"])), None)
    _count_attempt(conn, scope, found is not None)
    return found


def authorize(conn: sqlite3.Connection, pin: str) -> User | None:
    """The supervisor or administrator whose PIN this is, or None (also while locked out)."""
    if locked_for(conn, "approve"):
        return None
    found = next((_user(row) for row in conn.execute(
        "SELECT * FROM users WHERE active=1 AND role IN ('supervisor','administrador')")
        if pin_matches(pin, row["pin_hash"])), None)
    _count_attempt(conn, "approve", found is not None)
    return found


def _lock_state(conn: sqlite3.Connection, scope: str) -> dict:
    row = conn.execute("SELECT value FROM settings WHERE key=?", (f"pin.lockout.{scope}",)).fetchone()
    try:
        return json.loads(row[0]) if row else {}
    except ValueError:
        return {}


def locked_for(conn: sqlite3.Connection, scope: str) -> int:
    """Seconds left of the lock-out of `scope` ("user:<name>", "login", "approve"); 0 if none."""
    return max(0, int(_lock_state(conn, scope).get("until", 0) - _now() + 0.999))


def lockout_message(conn: sqlite3.Connection, *, name: str | None = None, approve: bool = False) -> str | None:
    """The Spanish sentence for a locked PIN check, or None when it is not locked."""
    left = locked_for(conn, "approve" if approve else (f"user:{name}" if name else "login"))
    if not left:
        return None
    minutes = (left + 59) // 60
    return (f"Demasiados PIN incorrectos: espere {minutes} minuto{'s' if minutes != 1 else ''} "
            "antes de volver a intentarlo.")


def _count_attempt(conn: sqlite3.Connection, scope: str, ok: bool) -> None:
    state = _lock_state(conn, scope)
    if ok and not state:
        return
    key = f"pin.lockout.{scope}"
    if ok:
        change = ("DELETE FROM settings WHERE key=?", (key,))
    else:
        failures, locks = state.get("failures", 0) + 1, state.get("locks", 0)
        until = state.get("until", 0)
        if failures >= MAX_ATTEMPTS:
            locks += 1
            until = _now() + min(MAX_LOCK_SECONDS, LOCK_SECONDS * 2 ** (locks - 1))
            failures = 0
        value = json.dumps({"failures": failures, "locks": locks, "until": until})
        change = ("INSERT INTO settings(key, value) VALUES(?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))
    if conn.in_transaction:
        conn.execute(*change)
    else:
        with transaction(conn):
            conn.execute(*change)


DEMO_USERS = (("Cajero Demo", "cajero", "1234"), ("Supervisora Demo", "supervisor", "2468"),
              ("Administrador Demo", "administrador", "9753"))


def ensure_demo_users(conn: sqlite3.Connection) -> None:
    """Demo mode users (PINs printed in the demo banner; never in a real company)."""
    if conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]:
        return
    with transaction(conn):
        for name, role, pin in DEMO_USERS:
            create_user(conn, name, role, pin, in_transaction=True)
