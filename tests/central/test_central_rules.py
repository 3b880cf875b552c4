"""The central server in a thread on a real PostgreSQL: enrolment and pinning, the written conflict
rules, bad input answered in Spanish, and a register that keeps selling with the central down."""
from __future__ import annotations

import os
import threading
import time

import psycopg
import pytest

from app.central import admin, replica
from app.central.server import CentralServer
from app.central.store import CentralStore
from app.central.tls import PinnedClient
from app.cli import main
from app.config import DataDir
from app.core import status as st
from app.core.errors import TransportError, ValidationError
from app.pos.demo import create_demo_company
from app.store.db import transaction


@pytest.fixture
def server(pg, tmp_path):
    name = f"rules_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(pg.dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    dsn = pg.dsn.rsplit("/", 1)[0] + f"/{name}"
    srv = CentralServer(dsn, tmp_path / "central", host="127.0.0.1", port=0)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    srv.url = f"https://127.0.0.1:{srv.server_address[1]}/#sha256={srv.fingerprint}"
    srv.store_ = CentralStore(dsn)
    yield srv
    srv.shutdown()
    srv.server_close()
    srv.store_.close()


def joined_register(server, tmp_path, name: str):
    session = create_demo_company(DataDir(tmp_path / name))
    code = server.store_.new_enrolment(name)
    admin.join(session.conn, server.url, code)
    return session


def test_a_code_joins_once_and_only_the_pinned_server_is_trusted(server, tmp_path):
    code = server.store_.new_enrolment("Caja A")
    other = server.url[:-64] + "0" * 64
    with pytest.raises(TransportError, match="huella distinta"):
        PinnedClient(other).call("POST", "/v1/join", {"code": code})
    answer = PinnedClient(server.url).call("POST", "/v1/join", {"code": code})  # the code was not spent
    assert answer["name"] == "Caja A" and len(answer["token"]) > 30
    with pytest.raises(TransportError, match="no es válido o ya se usó"):
        PinnedClient(server.url).call("POST", "/v1/join", {"code": code})
    with pytest.raises(TransportError, match="Credencial de caja no válida"):
        PinnedClient(server.url, "not-a-token").call("POST", "/v1/pull", {"since": 0})
    with pytest.raises(TransportError, match="Tabla desconocida"):
        PinnedClient(server.url, answer["token"]).call("POST", "/v1/push", {"table": "x", "rows": []})
    with pytest.raises(ValidationError):
        server.store_.new_enrolment("Caja A")  # that name is taken by a joined register


def test_the_authoritys_latest_answer_wins_whatever_order_it_arrives_in(server, tmp_path):
    session = joined_register(server, tmp_path, "Caja S")
    store = server.store_
    rid = store.conn.execute("SELECT id FROM registers WHERE name='Caja S'").fetchone()[0]
    store.conn.commit()
    doc = {"id": 7, "country": "XX", "kind": "invoices", "doc_code": "01", "key": "K7", "version": 1,
           "number": "001-101-7", "ambiente": "1", "establishment": "001", "point": "101", "sequential": 7,
           "issued_at": "2026-01-01T10:00:00+00:00", "total": "1.00", "currency": "USD", "buyer_id": "9",
           "buyer_name": "X", "status": str(st.AUTHORIZED), "status_event": 5}
    import base64
    import hashlib

    doc["xml"] = base64.b64encode(b"<x/>").decode()
    doc["xml_sha256"] = hashlib.sha256(b"<x/>").hexdigest()
    store.ingest(rid, "documents", [doc])
    late = {"id": 3, "document_id": 7, "at": "2026-01-01T10:00:01+00:00", "status": str(st.SENT),
            "detail": "recibida", "doc_status": str(st.SENT)}
    store.ingest(rid, "document_events", [dict(late, status_event=3)])
    assert store.documents()[0]["status"] == st.AUTHORIZED
    # bytes that do not match their digest are refused, and nothing of the batch is kept
    bad = dict(doc, id=8, key="K8", xml_sha256="0" * 64)
    with pytest.raises(ValidationError, match="alterados"):
        store.ingest(rid, "documents", [dict(doc, id=9, key="K9"), bad])
    assert [d["key"] for d in store.documents()] == ["K7"]
    session.close()


def test_customers_merge_by_identification_and_the_catalogue_comes_from_the_centre(server, tmp_path):
    store = server.store_
    store.conn.execute("INSERT INTO customers(identification, id_type, name) VALUES ('0912345678', '05', "
                       "'CLIENTE CENTRAL')")
    store.conn.commit()
    store.put_products([{"code": "P1", "name": "Pan", "price": "0.30", "tax_category": "0"}])
    a = joined_register(server, tmp_path, "Caja A")
    with transaction(a.conn):
        a.conn.execute("INSERT INTO customers(id_type, identification, name, email, updated_at) VALUES "
                       "('05', '0912345678', 'NOMBRE LOCAL', 'cliente@example.com', 'x')")
        a.conn.execute("UPDATE products SET price='9.99' WHERE code='P1'")  # a local edit loses
    rep = replica.Replicator(a.setting(replica.URL_KEY), replica.token(a.conn), min_interval=0)
    assert rep.run_pass(a.conn) > 0
    merged = store.conn.execute("SELECT name, email FROM customers WHERE identification='0912345678'").fetchone()
    assert merged == ("CLIENTE CENTRAL", "cliente@example.com")
    store.put_products([{"code": "P1", "name": "Pan", "price": "0.35", "tax_category": "0"}])
    rep.run_pass(a.conn)
    assert a.conn.execute("SELECT price FROM products WHERE code='P1'").fetchone()[0] == "0.35"
    b = joined_register(server, tmp_path, "Caja B")
    assert replica.Replicator(b.setting(replica.URL_KEY), replica.token(b.conn), min_interval=0).run_pass(b.conn) > 0
    row = b.conn.execute("SELECT name, email FROM customers WHERE identification='0912345678'").fetchone()
    assert tuple(row) == ("CLIENTE CENTRAL", "cliente@example.com")
    a.close()
    b.close()


def test_with_the_central_down_a_pass_fails_quietly_and_backs_off(server, tmp_path):
    session = joined_register(server, tmp_path, "Caja D")
    url = session.setting(replica.URL_KEY)
    server.shutdown()
    server.server_close()
    rep = replica.Replicator(url, replica.token(session.conn), timeout=2, min_interval=0)
    assert rep.run_pass(session.conn) == 0 and "Sin conexión" in rep.last_error
    assert rep.failures == 1 and rep.next_try > time.monotonic()
    assert rep.run_pass(session.conn) == 0 and rep.failures == 1  # backing off: no network at all
    session.close()


def test_cli_errors_are_spanish_and_structured(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "c"), "central", "enrol", "Caja"]) == 3
    assert "central serve" in capsys.readouterr().err
    create_demo_company(DataDir(tmp_path / "r")).close()
    assert main(["--data-dir", str(tmp_path / "r"), "central", "join", "http://x/", "CODE"]) == 2
    assert "https://HOST:PUERTO/#sha256=" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path / "r"), "central", "sync"]) == 3
    assert "no está unida" in capsys.readouterr().err
