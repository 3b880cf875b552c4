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


def test_wrong_pins_lock_the_login_for_a_while(conn, monkeypatch):
    users.create_user(conn, "Ana", "cajero", "4821")
    clock = [1_000_000.0]
    monkeypatch.setattr(users, "_now", lambda: clock[0])
    for _ in range(users.MAX_ATTEMPTS):
        assert users.authenticate(conn, "0000", name="Ana") is None
    # locked: even the right PIN is refused, without looking at it
    assert users.authenticate(conn, "4821", name="Ana") is None
    assert users.lockout_message(conn, name="Ana") == \
        "Demasiados PIN incorrectos: espere 5 minutos antes de volver a intentarlo."
    assert users.authenticate(conn, "4821", name="Otro") is None  # other scopes are not locked...
    assert users.lockout_message(conn, name="Otro") is None
    clock[0] += users.LOCK_SECONDS + 1
    assert users.authenticate(conn, "4821", name="Ana").name == "Ana"
    assert users.lockout_message(conn, name="Ana") is None


def test_lockouts_grow_and_survive_a_restart(tmp_path, monkeypatch):
    path = tmp_path / "m.db"
    c = connect(path)
    users.create_user(c, "Sup", "supervisor", "2468")
    clock = [1_000_000.0]
    monkeypatch.setattr(users, "_now", lambda: clock[0])
    for _ in range(users.MAX_ATTEMPTS):
        assert users.authorize(c, "1111") is None
    assert users.locked_for(c, "approve") == users.LOCK_SECONDS
    c.close()
    c = connect(path)  # a restart does not reset the count
    assert users.authorize(c, "2468") is None
    clock[0] += users.LOCK_SECONDS + 1
    for _ in range(users.MAX_ATTEMPTS):
        assert users.authorize(c, "1111") is None
    assert users.locked_for(c, "approve") == 2 * users.LOCK_SECONDS  # the second lock-out is longer
    clock[0] += 2 * users.LOCK_SECONDS + 1
    assert users.authorize(c, "2468").name == "Sup"
    assert users.lockout_message(c, approve=True) is None
    c.close()
