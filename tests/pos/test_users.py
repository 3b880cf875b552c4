"""Users and PINs: scrypt hashes, roles, approval by a supervisor's PIN, append-only audit."""
from __future__ import annotations

import sqlite3

import pytest

from app.core.errors import ValidationError
from app.pos import audit, users
from app.store.db import connect


@pytest.fixture
def conn(tmp_path):
    c = connect(tmp_path / "m.db")
    yield c
    c.close()


def test_pin_is_hashed_with_scrypt_and_salted(conn):
    a = users.create_user(conn, "Ana", "cajero", "4821")
    b = users.create_user(conn, "Beto", "cajero", "4821")
    ha, hb = (r[0] for r in conn.execute("SELECT pin_hash FROM users ORDER BY id"))
    assert ha.startswith("scrypt$16384$8$1$") and "4821" not in ha
    assert ha != hb  # different salts
    assert users.pin_matches("4821", ha) and not users.pin_matches("4822", ha)
    assert users.authenticate(conn, "4821", name="Beto") == b
    assert users.authenticate(conn, "0000") is None
    assert a.role == "cajero" and not a.can_approve


def test_only_supervisors_approve(conn):
    users.create_user(conn, "Caja", "cajero", "1357")
    sup = users.create_user(conn, "Sup", "supervisor", "2468")
    adm = users.create_user(conn, "Adm", "administrador", "9753")
    assert users.authorize(conn, "1357") is None
    assert users.authorize(conn, "2468") == sup
    assert users.authorize(conn, "9753") == adm and adm.is_admin
    users.set_active(conn, sup.id, False)
    assert users.authorize(conn, "2468") is None


@pytest.mark.parametrize("pin", ["12", "123456789", "12a4", "7777"])
def test_weak_pins_refused(conn, pin):
    with pytest.raises(ValidationError):
        users.create_user(conn, "X", "cajero", pin)


def test_duplicate_names_and_roles(conn):
    users.create_user(conn, "Ana", "cajero", "4821")
    with pytest.raises(ValidationError, match="Ya existe"):
        users.create_user(conn, "Ana", "supervisor", "4822")
    with pytest.raises(ValidationError, match="Rol desconocido"):
        users.create_user(conn, "Eva", "gerente", "4822")


def test_audit_log_is_append_only(conn):
    audit.record(conn, "discount", "Ana", {"to": 25}, approved_by="Sup")
    [e] = audit.entries(conn)
    assert e["action"] == "discount" and e["approved_by"] == "Sup" and e["detail"] == {"to": 25}
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE audit_log SET actor='x'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM audit_log")
