"""The central API (`central serve --api-port`): the register API's dialects answering the read
side from the central PostgreSQL store over every register of the key's company, over real HTTP
on loopback; issuing answered, in the dialect's envelope, with "issue at a register". And the
backfill of per-rate tax rows from the stored signed XML."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json

import pytest
import requests
from central_helpers import ROOT, run_app
from pg_cluster import free_port
from test_central_rules import server  # noqa: F401  (the in-thread central server)
from test_central_taxes_mall_customers import sell

from app.api.central import start as start_api
from app.central import admin, api_keys, replica, taxes
from app.cli import main
from app.config import DataDir
from app.pos.demo import create_demo_company
from app.pos.runtime import register_info
from app.store import settings
from app.store.db import transaction


def register(server, tmp_path, country: str, n: int, sales: int) -> dict:  # noqa: F811
    """A register of the demo company of `country` with its own punto de emisión (10n), that
    sold `sales` documents and pushed them (with its company, as the worker does)."""
    session = create_demo_company(DataDir(tmp_path / f"{country}-{n}"), country)
    company = session.company
    estab = company.establishments[0]
    point = dataclasses.replace(estab.points[0], code=f"{100 + n:03d}")
    with transaction(session.conn):
        settings.save_company(session.conn, dataclasses.replace(
            company, establishments=(dataclasses.replace(estab, points=(point,)),)))
    session.close()
    from app.pos.session import Session

    session = Session(DataDir(tmp_path / f"{country}-{n}"))
    name = f"Caja {country} {n}"
    admin.join(session.conn, server.url, server.store_.new_enrolment(name))
    sell(session, sales, seed=n * 10)
    rep = replica.Replicator(server.url, replica.token(session.conn), info=register_info(session), min_interval=0)
    assert rep.run_pass(session.conn, force=True) > 0 and rep.last_error is None, rep.last_error
    docs = {r["key"]: {"xml": bytes(r["xml"]), "number": r["number"], "request": r["request_json"]}
            for r in session.conn.execute("SELECT d.key, d.xml, d.number, s.request_json FROM documents d "
                                          "JOIN sales s ON s.id = d.sale_id")}
    out = {"name": name, "ruc": session.company.ruc, "docs": docs}
    session.close()
    return out


def central_id(server, key: str) -> int:  # noqa: F811
    return server.store_.conn.execute("SELECT id FROM documents WHERE key=%s", (key,)).fetchone()[0]


@pytest.fixture
def shops(server, tmp_path):  # noqa: F811
    regs = {"PY": [register(server, tmp_path, "PY", 1, 2), register(server, tmp_path, "PY", 2, 2)],
            "EC": [register(server, tmp_path, "EC", 1, 2), register(server, tmp_path, "EC", 2, 1)]}
    api = start_api(server.dsn, tmp_path / "central", host="127.0.0.1", port=0)
    yield regs, api
    api.stop()


def test_each_dialect_reads_every_register_of_its_company_from_the_central_store(server, shops):  # noqa: F811
    regs, api = shops
    py_key = api_keys.create(server.store_, "erp-py", regs["PY"][0]["ruc"])
    ec_key = api_keys.create(server.store_, "erp-ec", regs["EC"][0]["ruc"], "datil", dialects=("datil",))
    py_docs = {k: v for r in regs["PY"] for k, v in r["docs"].items()}
    ec_docs = {k: v for r in regs["EC"] for k, v in r["docs"].items()}
    assert len(py_docs) == 4 and len(ec_docs) == 3

    # Dátil: GET by the central id and by the clave de acceso, documents of both EC registers
    head = {"X-Key": ec_key["key"], "X-Password": "ignored-here"}
    for key, doc in ec_docs.items():
        for ident in (central_id(server, key), key):
            r = requests.get(f"{api.url}/datil/invoices/{ident}", headers=head, timeout=30)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["clave_acceso"] == key and body["numero"] == doc["number"]
            assert body["id"] == str(central_id(server, key)) and body["estado"] == "RECIBIDO"
            assert body["emisor"]["ruc"] == regs["EC"][0]["ruc"]
            assert body["correos_enviados"] == []
            sent = json.loads(doc["request"])  # the request it was issued from, echoed as on the register
            assert sent and all(body[k] == v for k, v in sent.items() if k not in ("emisor", "secuencial", "id"))
    # a PY document is not this key's company's; an unknown key; issuing
    py_first = next(iter(py_docs))
    r = requests.get(f"{api.url}/datil/invoices/{central_id(server, py_first)}", headers=head, timeout=30)
    assert r.status_code == 404 and r.json()["status"] == 404
    r = requests.get(f"{api.url}/datil/invoices/1", headers={"X-Key": "api_key_wrong"}, timeout=30)
    assert r.status_code == 401 and r.json()["error"] == "Clave de API inválida o ausente"
    before = server.store_.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    r = requests.post(f"{api.url}/datil/invoices/issue", headers=head, json={"items": []}, timeout=30)
    assert r.status_code == 422
    assert "API local de una caja" in r.json()["error"] and set(r.json()) == {"error", "status", "errores"}
    # the key is Dátil's only
    r = requests.get(f"{api.url}/dtepy/documentoset/getexpiration", headers={"x-access-token": ec_key["key"]},
                     timeout=30)
    assert r.status_code == 401 and "solo para el dialecto datil" in r.json()["message"]

    # FacturaSend: by CDC, by id, estado of several, the signed XML, the KuDE PDF
    fs = f"{api.url}/facturasend/{py_key['tenant']}"
    bearer = {"Authorization": f"Bearer {py_key['key']}"}
    for cdc, doc in py_docs.items():
        r = requests.get(f"{fs}/de/cdc/{cdc}", headers=bearer, timeout=30)
        assert r.status_code == 200 and r.json()["result"]["numero"] == doc["number"], r.text
        r = requests.get(f"{fs}/de/id/{central_id(server, cdc)}", headers=bearer, timeout=30)
        assert r.json()["result"]["cdc"] == cdc
        r = requests.get(f"{fs}/de/xml/{cdc}", headers=bearer, timeout=30)
        assert r.status_code == 200 and hashlib.sha256(r.content).digest() == hashlib.sha256(doc["xml"]).digest()
    r = requests.post(f"{fs}/de/estado", headers=bearer, timeout=30,
                      json={"cdcList": [{"cdc": c} for c in py_docs] + [{"cdc": "0" * 44}]})
    states = {d["cdc"]: d["estado"] for d in r.json()["deList"]}
    assert states == {**{c: "Generado" for c in py_docs}, "0" * 44: "Inexistente"}
    r = requests.post(f"{fs}/de/pdf", headers=bearer, json={"cdcList": [{"cdc": py_first}]}, timeout=60)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = requests.post(f"{fs}/de/pdf", headers=bearer, json={"cdcList": [{"cdc": py_first}], "format": "ticket",
                                                            "type": "base64"}, timeout=60)
    assert r.status_code == 200 and base64.b64decode(r.json()["result"]).startswith(b"%PDF")
    r = requests.post(f"{fs}/de/create", headers=bearer, json={"items": []}, timeout=30)
    assert r.status_code == 422 and r.json()["success"] is False and "caja" in r.json()["error"]

    # DTEpy: consulta by CDC (the signed XML), several, the newest over both registers only of PY
    tok = {"x-access-token": py_key["key"]}
    for cdc, doc in py_docs.items():
        r = requests.post(f"{api.url}/dtepy/documentoset/consulta", headers=tok, json={"cdc": cdc, "id": 7},
                          timeout=30)
        assert r.status_code == 200
        assert r.json()["ns2:rEnviConsDeResponse"]["ns2:xContenDE"].encode() == doc["xml"]
    r = requests.post(f"{api.url}/dtepy/documentoset/ultimosdocs", headers=tok, json={"cantidad": 100}, timeout=30)
    assert {d["ns2:Id"] for d in r.json()["documentos"]} == set(py_docs)
    r = requests.post(f"{api.url}/dtepy/documentoset", headers=tok, json={"numero": 1}, timeout=30)
    assert r.status_code == 422 and r.json()["error"] is True and "caja" in r.json()["message"]
    assert server.store_.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == before


@pytest.mark.parametrize("country", ["EC", "PY"])
def test_tax_rows_missing_from_old_pushes_are_computed_from_the_signed_xml(server, tmp_path, country,  # noqa: F811
                                                                        capsys):
    reg = register(server, tmp_path, country, 1, 5)
    store = server.store_

    def tax_rows():
        return sorted(store.conn.execute(
            "SELECT t.local_id, t.tax_category, t.label, t.rate, t.base, t.tax FROM document_taxes t "
            "JOIN registers r ON r.id = t.register_id WHERE r.name = %s", (reg["name"],)).fetchall())

    pushed = tax_rows()  # what the register sent, read from the sales by the till rules
    assert len(pushed) >= 5
    # as if pushed before the per-rate table existed: no rows, and a store from before this
    # version (no central id, no mark) brought up to date by the schema
    with store.tx() as c:
        c.execute("DELETE FROM document_taxes")
        c.execute("ALTER TABLE documents DROP COLUMN id, DROP COLUMN taxes_read")
    store.create_schema()
    assert tax_rows() == []
    ids = store.conn.execute("SELECT count(DISTINCT id) FROM documents").fetchone()[0]
    assert ids == store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
    done = taxes.backfill(store, batch=2)  # several batches
    assert done == {"documents": 5, "rows": len(pushed), "unreadable": 0}
    assert tax_rows() == pushed
    # idempotent: nothing left to do, nothing doubled; the command says so
    assert main(["central", "backfill-taxes", "--db", server.dsn, "--json"]) == 0
    assert '"documents": 0' in capsys.readouterr().out
    assert tax_rows() == pushed


def test_central_serve_with_api_port_and_a_key_from_the_cli(pg, shared_keyring, tmp_path):
    """`central serve --api-port` serves the read-only API beside the registers' service;
    `central api-key` makes its keys (shown once), bound to a company."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psycopg

    name = f"api_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(pg.dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    dsn = pg.dsn.rsplit("/", 1)[0] + f"/{name}"
    folder, api_port = tmp_path / "central-machine", free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(folder), "central", "serve", "--db", dsn,
                             "--host", "127.0.0.1", "--port", str(free_port()), "--api-port", str(api_port)],
                            env=shared_keyring, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        state = folder / "central" / "server.json"
        deadline = time.monotonic() + 60
        while not state.exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "central serve did not start"
            time.sleep(0.05)
        key = json.loads(run_app(shared_keyring, "--data-dir", str(folder), "central", "api-key", "erp",
                                 "--ruc", "80000001-1", "--dialect", "facturasend").stdout)
        assert key["key"].startswith("api_key_") and key["dialect"] == "facturasend"
        api = f"http://127.0.0.1:{api_port}"
        assert requests.get(f"{api}/", timeout=30).json()["servicio"] == "Mostrador API central (solo consultas)"
        r = requests.get(f"{api}/facturasend/{key['tenant']}/de/cdc/{'1' * 44}", timeout=30,
                         headers={"Authorization": f"Bearer {key['key']}"})
        assert r.status_code == 404 and r.json()["success"] is False
        bad = run_app(shared_keyring, "--data-dir", str(folder), "central", "api-key", "otra", "--ruc", "1",
                      "--dialect", "nada", check=False)
        assert bad.returncode != 0 and "Dialecto desconocido: nada" in bad.stderr + bad.stdout
        run_app(shared_keyring, "--data-dir", str(folder), "central", "api-key", "erp", "--revoke")
        r = requests.get(f"{api}/facturasend/{key['tenant']}/de/cdc/{'1' * 44}", timeout=30,
                         headers={"Authorization": f"Bearer {key['key']}"})
        assert r.status_code == 401
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
