"""Paraguay events beyond cancelación/inutilización, end to end against the simulated SIFEN:
actualización de datos del transporte of our own nota de remisión (outbox `event:<id>`), and
the receptor events (notificación, conformidad, disconformidad, desconocimiento) on DEs that a
supplier issued to the shop (queued in `py_receptor_events`, migration 0004)."""
from __future__ import annotations

import json
import random
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from app.core.errors import ValidationError
from app.fiscal.py import xml_build
from app.fiscal.py.backend import PyBackend
from app.fiscal.py.client import SifenClient
from app.fiscal.py.certificate import PROFILE as PY_CERTIFICATE
from app.fiscal.signing import generate_test_p12, load_identity
from app.fiscal.py import event_requests as events_py
from app.pos import checkout
from app.fiscal.py.demo import demo_py_sale
from app.pos.runtime import make_worker
from app.fiscal.py.sandbox import Emitter
from app.store import documents
from app.fiscal.py.transport import drain_receptor_events
from test_py_flow import _run_events, cases, drain, py_shop  # noqa: F401  (py_shop is a fixture)

SUPPLIER_RUC = "80033303-9"


def _local(moment: datetime) -> str:
    return xml_build.local_naive(moment).isoformat()


def supplier_de(session, sandbox, seed: int) -> tuple[str, datetime]:
    """A factura issued TO the shop by another taxpayer, approved by the sandbox: (CDC, issued)."""
    supplier = replace(session.company, ruc=SUPPLIER_RUC)
    sandbox.emitters[SUPPLIER_RUC.split("-")[0]] = Emitter(supplier.razon_social, frozenset({"*"}), None)
    identity = load_identity(generate_test_p12(ruc=SUPPLIER_RUC, holder="PROVEEDOR DE PRUEBA", password="x",
                                               profile=PY_CERTIFICATE), "x")
    backend = PyBackend()
    draft = backend.parse(demo_py_sale(supplier, random.Random(seed), 2), "invoices", supplier)
    signed = backend.sign(draft, seed, identity, supplier)
    client = SifenClient.for_environment("sandbox", sandbox_url=sandbox.url)
    try:
        assert client.send_de(signed.xml).result.approved
    finally:
        client.close()
    return signed.key, signed.issued_at


def receptor_body(session, cdc, issued, **extra) -> dict:
    return {"cdc": cdc, "fechaEmision": _local(issued), "fechaRecepcion": _local(issued + timedelta(minutes=5)),
            "tipoReceptor": 1, "nombre": session.company.razon_social, "ruc": session.company.ruc, **extra}


def codes(ev) -> list[str]:
    return [m["codigo"] for m in json.loads(ev["messages"] or "[]")]


def test_transport_update_of_a_waybill(py_shop):
    session, sandbox = py_shop
    first = checkout.issue(session, demo_py_sale(session.company, random.Random(21), 1), "invoices")
    drain(session, [first.document_id])
    nre = checkout.issue(session, cases(first.key, session.company.ruc)["waybills"], "waybills")
    assert drain(session, [nre.document_id])[0][nre.document_id] == "authorized"

    bodies = [{"cdc": nre.key, "motivo": 2, "chofer": {"nombre": "Pedro Otro", "documentoNumero": "7654321"}},
              {"cdc": nre.key, "motivo": 1, "entrega": {"departamento": 1, "ciudad": 1, "direccion": "Depósito sur",
                                                         "numeroCasa": 55}},
              {"cdc": nre.key, "motivo": 4, "vehiculo": {"tipo": "Camion", "marca": "Scania", "documentoTipo": 2,
                                                          "numeroMatricula": "XYZ987"}}]
    for body in bodies:
        eid = events_py.request_event(session, "datostransporte", body)
        ev = _run_events(session, eid)
        assert ev["status"] == "registered" and ev["kind"] == "transporte", ev
        assert codes(ev) == ["0600"]
    assert documents.get(session.conn, nre.document_id)["status"] == "authorized"
    history = [e["detail"] for e in documents.events(session.conn, nre.document_id)]
    assert sum("Actualización de datos del transporte registrada" in h for h in history) == 3

    # refused locally: an invoice without transport, an unsupported motive, missing driver data
    with pytest.raises(ValidationError, match="no tiene datos de transporte"):
        events_py.request_event(session, "datostransporte", {**bodies[0], "cdc": first.key})
    with pytest.raises(ValidationError, match="motivo 3"):
        events_py.request_event(session, "datostransporte", {"cdc": nre.key, "motivo": 3})
    with pytest.raises(ValidationError, match="chofer.documentoNumero"):
        events_py.request_event(session, "datostransporte", {"cdc": nre.key, "motivo": 2,
                                                             "chofer": {"nombre": "Sin Documento"}})

    # SIFEN's own rule: once cancelled, no transport update (queued before the cancelación was sent)
    cancel = events_py.request_cancellation(session, nre.key, "Remisión anulada por error")
    late = events_py.request_event(session, "datostransporte", bodies[0])
    assert _run_events(session, cancel)["status"] == "registered"
    ev = _run_events(session, late)
    assert ev["status"] == "rejected" and codes(ev) == ["4003"]
    assert documents.get(session.conn, nre.document_id)["status"] == "cancelled"


def test_receptor_events_on_supplier_documents(py_shop):
    session, sandbox = py_shop
    cdc, issued = supplier_de(session, sandbox, 31)
    other, other_issued = supplier_de(session, sandbox, 32)

    notif = events_py.request_event(session, "notificacion", receptor_body(session, cdc, issued, totalPYG="120500"))
    conf = events_py.request_event(session, "conformidad", {"cdc": cdc, "tipoConformidad": 2,
                                                            "fechaRecepcion": _local(issued + timedelta(hours=1))})
    disc = events_py.request_event(session, "disconformidad", {"cdc": cdc, "motivo": "Mercadería incompleta"})
    descon = events_py.request_event(session, "desconocimiento",
                                     receptor_body(session, other, other_issued, motivo="No compramos esto"))
    assert {events_py.receptor_event_status(session, i)["status"] for i in (notif, conf, disc, descon)} == {"signed"}
    # none of them is one of our documents: nothing in the documents table, nothing in the outbox
    assert session.conn.execute("SELECT COUNT(*) FROM documents WHERE key IN (?,?)", (cdc, other)).fetchone()[0] == 0
    assert drain_receptor_events(session) == 4
    for i, kind in ((notif, "notificacion"), (conf, "conformidad"), (disc, "disconformidad"),
                    (descon, "desconocimiento")):
        ev = events_py.receptor_event_status(session, i)
        assert ev["kind"] == kind and ev["status"] == "registered" and codes(ev) == ["0600"], ev
        assert ev["protocol"]
    assert drain_receptor_events(session) == 0  # nothing is sent twice

    # the manual's order rules, judged by SIFEN: a notificación after a conformidad (4113) or a
    # desconocimiento (4113), a second notificación (4101), a conformidad of a CDC SIFEN does not
    # hold (4152)
    third, third_issued = supplier_de(session, sandbox, 34)
    again = events_py.request_event(session, "notificacion", receptor_body(session, cdc, issued, totalPYG="120500"))
    after = events_py.request_event(session, "notificacion",
                                    receptor_body(session, other, other_issued, totalPYG="120500"))
    once = events_py.request_event(session, "notificacion", receptor_body(session, third, third_issued,
                                                                          totalPYG="120500"))
    unknown_cdc = cdc[:34] + "123456789"
    from app.fiscal.py.cdc import check_digit_of
    unknown_cdc = unknown_cdc[:43] + str(check_digit_of(unknown_cdc[:43]))
    unknown = events_py.request_event(session, "conformidad", {"cdc": unknown_cdc, "tipoConformidad": 1})
    assert drain_receptor_events(session) == 4
    assert codes(events_py.receptor_event_status(session, again)) == ["4113"]
    assert codes(events_py.receptor_event_status(session, after)) == ["4113"]
    assert codes(events_py.receptor_event_status(session, once)) == ["0600"]
    twice = events_py.request_event(session, "notificacion", receptor_body(session, third, third_issued,
                                                                           totalPYG="120500"))
    assert drain_receptor_events(session) == 1
    ev = events_py.receptor_event_status(session, twice)
    assert ev["status"] == "rejected" and codes(ev) == ["4101"]
    ev = events_py.receptor_event_status(session, unknown)
    assert ev["status"] == "rejected" and codes(ev) == ["4152"]

    # refused locally: our own DE, conformidad after our desconocimiento, a bad body
    own = checkout.issue(session, demo_py_sale(session.company, random.Random(33), 1), "invoices")
    drain(session, [own.document_id])
    with pytest.raises(ValidationError, match="emitido por esta empresa"):
        events_py.request_event(session, "conformidad", {"cdc": own.key, "tipoConformidad": 1})
    with pytest.raises(ValidationError, match="desconocimiento"):
        events_py.request_event(session, "conformidad", {"cdc": other, "tipoConformidad": 1})
    with pytest.raises(ValidationError, match="motivo"):
        events_py.request_event(session, "disconformidad", {"cdc": cdc})
    from app.fiscal.py import cdc as cdc_mod
    old = cdc_mod.build(1, SUPPLIER_RUC.split("-")[0], None, "001", "001", 7, 2,
                        datetime.now(timezone.utc) - timedelta(days=60), "123456789")
    with pytest.raises(ValidationError, match="45 días"):
        events_py.request_event(session, "conformidad", {"cdc": old, "tipoConformidad": 1})
    assert session.conn.execute("SELECT COUNT(*) FROM py_receptor_events WHERE cdc=?", (old,)).fetchone()[0] == 0


def test_receptor_events_ride_along_with_the_worker(py_shop):
    """The worker's SIFEN protocol sends due receptor events after every pass with outbox work."""
    session, sandbox = py_shop
    cdc, issued = supplier_de(session, sandbox, 41)
    conf = events_py.request_event(session, "conformidad", {"cdc": cdc, "tipoConformidad": 1})
    sale = checkout.issue(session, demo_py_sale(session.company, random.Random(42), 1), "invoices")
    with ExitStack() as stack:
        make_worker(session, stack).run_once()
    assert documents.get(session.conn, sale.document_id)["status"] == "authorized"
    ev = events_py.receptor_event_status(session, conf)
    assert ev["status"] == "registered" and codes(ev) == ["0600"]


def test_receptor_events_go_out_with_an_empty_outbox(py_shop):
    """No document of ours waiting: the worker's end-of-pass hook still sends them."""
    session, sandbox = py_shop
    cdc, issued = supplier_de(session, sandbox, 61)
    conf = events_py.request_event(session, "conformidad", {"cdc": cdc, "tipoConformidad": 1})
    assert session.conn.execute("SELECT COUNT(*) FROM outbox WHERE state='pending'").fetchone()[0] == 0
    with ExitStack() as stack:
        assert make_worker(session, stack).run_once() >= 1
    ev = events_py.receptor_event_status(session, conf)
    assert ev["status"] == "registered" and codes(ev) == ["0600"]


def test_receptor_event_retried_when_sifen_is_unreachable(py_shop):
    session, sandbox = py_shop
    cdc, issued = supplier_de(session, sandbox, 51)
    eid = events_py.request_event(session, "conformidad", {"cdc": cdc, "tipoConformidad": 1})
    sandbox.faults.inject("http503", endpoint="evento")
    assert drain_receptor_events(session) == 1
    ev = events_py.receptor_event_status(session, eid)
    assert ev["status"] == "signed" and ev["attempts"] == 1 and ev["last_error"]
    session.conn.execute("UPDATE py_receptor_events SET next_attempt_at=0 WHERE id=?", (eid,))
    assert drain_receptor_events(session) == 1
    ev = events_py.receptor_event_status(session, eid)
    assert ev["status"] == "registered" and codes(ev) == ["0600"] and ev["attempts"] == 2
