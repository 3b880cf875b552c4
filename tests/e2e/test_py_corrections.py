"""Correction of a DE that SIFEN rejected (REFERENCE §6.4), end to end against the simulated
SIFEN: the same CDC re-signed as version 2 and approved once; a change to a CDC field refused
with the way out (inutilización of the number and a new DE)."""
from __future__ import annotations

import json
import random
import sqlite3
from contextlib import ExitStack
from dataclasses import replace
from datetime import timedelta

import pytest

from app.core.errors import ValidationError
from app.fiscal.py import qr, verify as py_verify, xml_build
from app.fiscal.py import corrections as corrections_py
from app.fiscal.py import event_requests as events_py
from app.pos import checkout
from app.fiscal.py.demo import demo_py_sale
from app.pos.runtime import make_worker
from app.fiscal.py.sandbox import Emitter
from app.store import documents, settings
from app.store.db import transaction
from test_py_flow import _run_events, drain, py_shop, run_cli  # noqa: F401  (py_shop is a fixture)

WRONG_TIMBRADO = "87654321"


def set_timbrado(session, timbrado: str) -> None:
    """What the settings screen does: store the company; the session reads it again."""
    with transaction(session.conn):
        settings.save_company(session.conn, replace(session.company, timbrado=timbrado))
    session.__dict__.pop("company", None)  # Session.company is a cached_property


def rejected_sale(session, sandbox, seed: int):
    """A factura SIFEN rejects with 1101: the shop's timbrado is not the one SIFEN holds."""
    ruc = session.company.ruc.split("-")[0]
    sandbox.emitters[ruc] = Emitter(session.company.razon_social, frozenset({"*"}), session.company.timbrado)
    set_timbrado(session, WRONG_TIMBRADO)
    body = demo_py_sale(session.company, random.Random(seed), 2)
    doc = checkout.issue(session, body, "invoices")
    drain(session, [doc.document_id])
    row = documents.get(session.conn, doc.document_id)
    assert row["status"] == "rejected" and json.loads(row["last_messages"])[0]["codigo"] == "1101"
    return doc, body


def fix_timbrado(session, sandbox):
    set_timbrado(session, sandbox.emitters[session.company.ruc.split("-")[0]].timbrado)


def test_rejected_de_corrected_with_the_same_cdc(py_shop, subprocess_env, tmp_path):
    session, sandbox = py_shop
    doc, body = rejected_sale(session, sandbox, 61)
    fix_timbrado(session, sandbox)  # the field at fault (gTimb/dNumTim) is not part of the CDC
    corrected = json.loads(json.dumps(body))
    corrected["items"][0]["descripcion"] = "Descripción corregida"

    ok = checkout.issue(session, demo_py_sale(session.company, random.Random(62), 3), "invoices")
    assert drain(session, [ok.document_id])[0][ok.document_id] == "authorized"
    with pytest.raises(ValidationError, match="Solo se corrige un documento rechazado"):
        corrections_py.correct_rejected(session, ok.key, corrected)

    result = corrections_py.correct_rejected(session, doc.key, corrected)
    assert result.key == doc.key and result.version == 2 and result.previous_id == doc.document_id
    assert result.number == doc.document.number
    new, old = documents.get(session.conn, result.document_id), documents.get(session.conn, doc.document_id)
    assert new["status"] == "signed" and old["status"] == "rejected"
    assert bytes(new["xml"]) != bytes(old["xml"]) and b"Descripci\xc3\xb3n corregida" in bytes(new["xml"])
    assert documents.by_key(session.conn, doc.key)["id"] == result.document_id  # the live version
    assert session.conn.execute("SELECT COUNT(*) FROM outbox WHERE document_id=? AND action='send' AND "
                                "state='pending'", (result.document_id,)).fetchone()[0] == 1

    status, _ = drain(session, [result.document_id])
    assert status[result.document_id] == "authorized"
    assert documents.get(session.conn, doc.document_id)["status"] == "rejected"  # history kept
    assert sandbox.state(doc.key) == "approved"
    assert sandbox.reception_log(doc.key) == [("recibe", "1101"), ("recibe", "0260")]  # approved once
    assert all(f.ok for f in py_verify.verify(bytes(new["xml"]), csc=qr.TEST_CSC["0001"]))
    live = documents.by_key(session.conn, doc.key)
    assert live["version"] == 2 and live["status"] == "authorized" and live["authorization_number"]
    # `mostrador export` gives the live (corrected, approved) version; `documents` lists both
    data = str(session.data.root)
    res = run_cli(subprocess_env, "--data-dir", data, "export", doc.key, "--out", str(tmp_path / "live.xml"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "live.xml").read_bytes() == bytes(new["xml"])
    res = run_cli(subprocess_env, "--data-dir", data, "documents", "--json")
    assert res.returncode == 0, res.stderr
    mine = [d for d in json.loads(res.stdout) if d["clave"] == doc.key]
    assert sorted((d["version"], d["estado"]) for d in mine) == [(1, "rejected"), (2, "authorized")]
    # the old version is no longer the live one: it cannot be corrected again
    with pytest.raises(ValidationError, match="authorized"):
        corrections_py.correct_rejected(session, doc.key, corrected)


def test_changing_a_cdc_field_is_refused_then_inutilized_and_reissued(py_shop):
    session, sandbox = py_shop
    doc, body = rejected_sale(session, sandbox, 71)
    fix_timbrado(session, sandbox)
    day_before = xml_build.local_naive(doc.document.issued_at - timedelta(days=1)).isoformat()
    for change, what in (({"fecha": day_before}, "la fecha de emisión"),
                         ({"punto": "001", "establecimiento": 2}, "el establecimiento"),
                         ({"codigoSeguridadAleatorio": "123456789"}, "el código de seguridad"),
                         ({"numero": 5}, "el número")):
        with pytest.raises(ValidationError, match="debe inutilizarse") as err:
            corrections_py.correct_rejected(session, doc.key, {**body, **change})
        assert what in str(err.value)
    assert session.conn.execute("SELECT COUNT(*) FROM documents WHERE key=?", (doc.key,)).fetchone()[0] == 1

    # a bad body inutilizes nothing
    with pytest.raises(ValidationError):
        corrections_py.inutilize_and_reissue(session, doc.key, {**body, "items": []}, commit=checkout.commit)
    assert session.conn.execute("SELECT COUNT(*) FROM py_events").fetchone()[0] == 0

    out = corrections_py.inutilize_and_reissue(session, doc.key, {**body, "fecha": None}, commit=checkout.commit)
    new = out.issued
    assert new.key != doc.key and new.document.sequential == doc.document.sequential + 1
    status, _ = drain(session, [new.document_id])
    assert status[new.document_id] == "authorized"
    ev = _run_events(session, out.inutilization_event_id)
    assert ev["status"] == "registered" and ev["kind"] == "inutilizacion" and "0600" in ev["messages"]
    assert documents.get(session.conn, doc.document_id)["status"] == "rejected"
    # once in inutilización, the old number can be neither corrected nor inutilized again
    with pytest.raises(ValidationError, match="inutilización"):
        corrections_py.correct_rejected(session, doc.key, body)
    with ExitStack() as stack:
        make_worker(session, stack).run_once()
    assert sandbox.state(new.key) == "approved" and sandbox.state(doc.key) == "rejected"


def test_correction_is_one_transaction(py_shop):
    """If queueing the job fails (here a real SQLite abort), nothing of the new version remains."""
    session, sandbox = py_shop
    doc, body = rejected_sale(session, sandbox, 81)
    fix_timbrado(session, sandbox)
    session.conn.execute("CREATE TEMP TRIGGER outbox_full BEFORE INSERT ON outbox "
                         "BEGIN SELECT RAISE(ABORT, 'disco lleno'); END")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="disco lleno"):
            corrections_py.correct_rejected(session, doc.key, body)
    finally:
        session.conn.execute("DROP TRIGGER outbox_full")
    assert session.conn.execute("SELECT COUNT(*) FROM documents WHERE key=?", (doc.key,)).fetchone()[0] == 1
    assert documents.by_key(session.conn, doc.key)["status"] == "rejected"
    assert len(documents.events(session.conn, doc.document_id)) == len(
        [e for e in documents.events(session.conn, doc.document_id) if "Corregido" not in e["detail"]])
    result = corrections_py.correct_rejected(session, doc.key, body)  # and then it works
    assert drain(session, [result.document_id])[0][result.document_id] == "authorized"
