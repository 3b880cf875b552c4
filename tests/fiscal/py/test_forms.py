"""Paraguay's "Nuevo documento" forms (app/fiscal/py/forms.py), without the dialog: what a person
types -> `form.build` -> `checkout.issue` on a demo data folder -> the worker -> the simulated
SIFEN on loopback approves it; it verifies and prints (ticket and KuDE A4). The receptor events
are signed, queued and registered by the sandbox; refusals name the form field to fix."""
from __future__ import annotations

import random
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from app.config import DataDir
from app.core.errors import ValidationError
from app.devices.layout import layout
from app.fiscal import registry
from app.fiscal.forms import CHOICE, ESTABLISHMENT, POINT, Forms, check_values
from app.fiscal.py import event_requests, qr, verify as py_verify, xml_build
from app.fiscal.py.backend import PyBackend
from app.fiscal.py.certificate import PROFILE as PY_CERTIFICATE
from app.fiscal.py.client import SifenClient
from app.fiscal.py.demo import demo_py_sale
from app.fiscal.py.sandbox import Emitter, SifenSandbox
from app.fiscal.py.transport import SANDBOX_URL_KEY, drain_receptor_events, sandbox_accepts
from app.fiscal.signing import generate_test_p12, load_identity
from app.pos import checkout, printing
from app.pos.demo import create_demo_company
from app.pos.runtime import make_worker
from app.store import documents, settings
from app.store.db import transaction

SUPPLIER_RUC = "80033303-9"
FINAL = ("authorized", "rejected", "cancelled")


@pytest.fixture
def shop(tmp_path):
    session = create_demo_company(DataDir(tmp_path / "data"), "PY")
    sandbox = SifenSandbox(accepted_rucs=sandbox_accepts(session.company), db_path=str(tmp_path / "sifen.db"),
                           lote_processing_seconds=0.3, block_seconds=60)
    sandbox.start()
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "sync.max_backoff_seconds", 0.2)
        settings.put(session.conn, "py.lote_first_poll_seconds", 0.4)
        settings.put(session.conn, "py.lote_poll_seconds", 0.3)
    yield session, sandbox
    sandbox.stop()
    assert sandbox.errors == []
    session.close()


def drain(session, ids, timeout=20.0) -> dict:
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        deadline = time.monotonic() + timeout
        while True:
            worker.run_once()
            status = {i: documents.get(session.conn, i)["status"] for i in ids}
            if all(s in FINAL for s in status.values()) or time.monotonic() > deadline:
                return status
            time.sleep(0.05)


def form(form_id: str):
    return registry.country("PY").forms().by_id(form_id)


def typed(f, company, now, tables=None, **values) -> dict:
    """What the dialog hands `build`: every field's default unless typed, the tables, each text
    through the contract's kind check (which must pass), and the till's series."""
    header = {x.name: (x.default(company, now) if x.default else "") for x in f.fields}
    header.update(values)
    rows = {t.name: [{c.name: row.get(c.name, c.default(company, now) if c.default else "") for c in t.columns}
                     for row in (tables or {}).get(t.name, [])] for t in f.tables}
    out, problems = check_values(f, header, rows)
    assert problems == [], problems
    return {**out, ESTABLISHMENT: "001", POINT: "002"}


def issue(session, f, values, now):
    body, kind = f.build(values, session.company, now)
    return checkout.issue(session, body, kind, source="form", now=now), kind


def ticket_text(session, key) -> str:
    _row, t = printing.ticket(session, key)
    return " ".join("\n".join(r.text for r in layout(t, 48) if r.code is None).split())


def check_approved_and_printed(session, sandbox, result, kind, title):
    status = drain(session, [result.document_id])
    row = documents.get(session.conn, result.document_id)
    assert status[result.document_id] == "authorized", row["last_messages"]
    assert row["kind"] == kind and sandbox.state(row["key"]) == "approved"
    assert all(f.ok for f in py_verify.verify(bytes(row["xml"]), csc=qr.TEST_CSC["0001"])), kind
    assert title in ticket_text(session, row["key"])
    pdf = printing.a4_pdf(session, row["key"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    return row


def test_the_facet_offers_the_documents_and_receptor_events():
    facet = registry.country("PY").forms()
    assert isinstance(facet, Forms)
    assert [f.id for f in facet.forms] == ["py-afe", "py-nde", "py-nre", "py-notificacion", "py-conformidad",
                                           "py-disconformidad", "py-desconocimiento"]
    assert [f.issues_document for f in facet.forms] == [True] * 3 + [False] * 4
    assert all(f.perform is not None for f in facet.forms if not f.issues_document)
    # geography from SIFEN's tables: every city, named with its distrito and departamento
    city = next(x for x in form("py-afe").fields if x.name == "vendedor_ciudad")
    assert city.kind == CHOICE and len(city.choices) > 6000
    assert ("1", "ASUNCION (DISTRITO) — ASUNCION (DISTRITO), CAPITAL") in city.choices


@pytest.mark.parametrize("form_id,fields", [("py-afe", "AFE_FIELDS"), ("py-nde", "NDE_FIELDS"),
                                            ("py-nre", "NRE_FIELDS")])
def test_every_refusal_path_maps_to_a_field_of_its_form(form_id, fields):
    from app.fiscal.py import forms as py_forms

    f = form(form_id)
    names = {x.name for x in f.fields}
    for path in getattr(py_forms, fields):
        table, row, name = f.field_for_error(path)
        assert table is None and name in names, (path, name)
    columns = {c.name for c in f.tables[0].columns}
    for path in ("codigo", "descripcion", "cantidad", "unidadMedida", "precioUnitario", "iva"):
        table, row, name = f.field_for_error(f"items[3].{path}")
        assert (table, row) == ("items", 3) and name in columns, (path, name)
    assert f.field_for_error("nada") is None


def test_guaranies_typed_with_thousand_dots():
    from app.fiscal.py.forms import _gs

    assert [_gs(t) for t in ("1.000", "12.500.000", "2500", "1.5", "")] == ["1000", "12500000", "2500", "1.5", ""]


def test_autofactura_from_the_form_is_approved_verified_and_printed(shop):
    session, sandbox = shop
    now = datetime.now(timezone.utc)
    f = form("py-afe")
    values = typed(f, session.company, now, vendedor_documento="1234567", vendedor_nombre="Vendedor Rural",
                   vendedor_direccion="Compañía San José", vendedor_ciudad="1", lugar_direccion="Mercado 4",
                   constancia_numero="12345678901", constancia_control="ABCD1234",
                   tables={"items": [{"codigo": "C-1", "descripcion": "Mandioca", "cantidad": "120", "unidad": "83",
                                      "precio": "2500"},
                                     {"codigo": "C-2", "descripcion": "Huevos", "cantidad": "30", "precio": "1000"}]})
    result, kind = issue(session, f, values, now)
    assert kind == "purchase-settlements"
    row = check_approved_and_printed(session, sandbox, result, kind, "Autofactura")
    assert row["number"].startswith("001-002-")  # the till's series, as the dialog gives it
    xml = bytes(row["xml"])
    assert b"<dNomVen>Vendedor Rural</dNomVen>" in xml and b"<dDesDepVen>CAPITAL</dDesDepVen>" in xml
    assert b"<dTotGralOpe>330000</dTotGralOpe>" in xml  # the payment is the items' total, computed
    assert b"<dRucRec>" + session.company.ruc.split("-")[0].encode() + b"</dRucRec>" in xml  # 1317


def test_nota_de_debito_from_the_form(shop):
    session, sandbox = shop
    now = datetime.now(timezone.utc)
    invoice = checkout.issue(session, {
        "tipoDocumento": 1, "establecimiento": 1, "punto": "001", "tipoImpuesto": 1, "moneda": "PYG",
        "cliente": {"contribuyente": True, "ruc": "80013884-8", "razonSocial": "CLIENTE EJEMPLO S.A.",
                    "tipoOperacion": 1, "pais": "PRY", "tipoContribuyente": 2},
        "items": [{"codigo": "A-1", "descripcion": "Producto", "unidadMedida": 77, "cantidad": 2,
                   "precioUnitario": 55000, "ivaTipo": 1, "ivaBase": 100, "iva": 10}],
        "condicion": {"tipo": 2, "credito": {"tipo": 1, "plazo": "30 días"}}}, "invoices", now=now)
    drain(session, [invoice.document_id])
    inv = documents.get(session.conn, invoice.document_id)
    assert inv["buyer_id"] == "80013884-8"
    f = form("py-nde")
    items = [{"codigo": "INT", "descripcion": "Intereses por mora", "cantidad": "1", "precio": "55000", "iva": "10"},
             {"codigo": "LIB", "descripcion": "Recargo exento", "cantidad": "2", "precio": "1500", "iva": "0"}]
    # the buyer must be the invoice's: checked against our own document, field named
    wrong = typed(f, session.company, now, cdc=inv["key"], receptor="3456780", nombre="Otra Persona",
                  tables={"items": items})
    with pytest.raises(ValidationError) as exc:
        issue(session, f, wrong, now)
    assert f.field_for_error(exc.value.errors[0].field) == (None, None, "receptor")
    values = typed(f, session.company, now, cdc=inv["key"], receptor=inv["buyer_id"], nombre=inv["buyer_name"],
                   tables={"items": items})
    result, kind = issue(session, f, values, now)
    assert kind == "debit-notes"
    row = check_approved_and_printed(session, sandbox, result, kind, "Nota de Débito")
    assert inv["key"].encode() in bytes(row["xml"]) and b"<dTotGralOpe>58000</dTotGralOpe>" in bytes(row["xml"])


def test_nota_de_remision_from_the_form_then_its_transport_update(shop):
    session, sandbox = shop
    now = datetime.now(timezone.utc)
    f = form("py-nre")
    today = xml_build.local_naive(now).date()
    values = typed(f, session.company, now, motivo="7", kms="25", fin=(today + timedelta(days=1)).isoformat(),
                   entrega_direccion="Sucursal norte", entrega_numero="200", entrega_ciudad="1",
                   vehiculo_tipo="Camion", vehiculo_marca="Volvo", vehiculo_matricula="ABC123",
                   chofer_documento="1234567", chofer_nombre="Juan Chofer", chofer_direccion="Luque",
                   tables={"items": [{"codigo": "A-1", "descripcion": "Cajas de yerba", "cantidad": "20"}]})
    assert values["salida_direccion"] == "AVDA. MCAL. LOPEZ 1234" and values["salida_ciudad"] == "1"
    result, kind = issue(session, f, values, now)
    assert kind == "waybills"
    row = check_approved_and_printed(session, sandbox, result, kind, "Nota de Remisión")
    assert b"<iMotEmiNR>7</iMotEmiNR>" in bytes(row["xml"]) and b"<dNroMatVeh>ABC123</dNroMatVeh>" in bytes(row["xml"])
    assert "Motivo del traslado: Traslado entre locales de la empresa" in ticket_text(session, row["key"])

    # Documentos: the transport update of this NRE, as the button does it
    actions = registry.country("PY").actions()
    update = next(a for a in actions.document_actions if a.id == "transporte")
    doc = documents.get(session.conn, result.document_id)
    assert update.applies(doc, now)
    invoice = checkout.issue(session, demo_py_sale(session.company, random.Random(8), 1), "invoices")
    drain(session, [invoice.document_id])
    assert not update.applies(documents.get(session.conn, invoice.document_id), now)  # no transport in it
    with pytest.raises(ValidationError, match="chofer"):
        update.perform(session, doc, {"cambio": "chofer", "datos": "Pedro Otro"}, now)
    done = update.perform(session, doc, {"cambio": "chofer", "datos": "Pedro Otro, 7654321"}, now)
    assert "en cola" in done
    update.perform(session, doc, {"cambio": "vehiculo", "datos": "Camion, Scania, XYZ987"}, now)
    update.perform(session, doc, {"cambio": "entrega", "datos": "Depósito sur, 55, luque"}, now)
    for _ in range(20):
        with ExitStack() as st:
            make_worker(session, st).run_once()
        evs = session.conn.execute("SELECT status FROM py_events WHERE document_id=? AND kind='transporte'",
                                   (result.document_id,)).fetchall()
        if all(e[0] != "signed" for e in evs):
            break
    assert [e[0] for e in evs] == ["registered"] * 3
    assert b"<dNomChof>Pedro Otro</dNomChof>" in session.conn.execute(
        "SELECT xml FROM py_events WHERE document_id=? AND kind='transporte' ORDER BY id LIMIT 1",
        (result.document_id,)).fetchone()[0]


def test_refusals_name_the_form_field(shop):
    session, _sandbox = shop
    now = datetime.now(timezone.utc)
    nre = form("py-nre")
    values = typed(nre, session.company, now, motivo="7", kms="25", entrega_direccion="Sucursal norte",
                   entrega_ciudad="1", entrega_departamento="11", vehiculo_tipo="Camion", vehiculo_marca="Volvo",
                   vehiculo_matricula="ABC123", chofer_documento="1234567", chofer_nombre="Juan Chofer",
                   chofer_direccion="Luque", tables={"items": [{"codigo": "A-1", "descripcion": "Cajas",
                                                                "cantidad": "0"}]})
    with pytest.raises(ValidationError) as exc:
        issue(session, nre, values, now)
    assert nre.field_for_error(exc.value.errors[0].field) == (None, None, "entrega_departamento")
    values["entrega_departamento"] = ""
    with pytest.raises(ValidationError) as exc:
        issue(session, nre, values, now)
    assert nre.field_for_error(exc.value.errors[0].field) == ("items", 0, "cantidad")
    values["items"][0]["cantidad"] = "2"
    values["fin"] = (xml_build.local_naive(now).date() - timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="2110") as exc:
        issue(session, nre, values, now)
    assert nre.field_for_error(exc.value.errors[0].field) == (None, None, "fin")
    afe = form("py-afe")
    with pytest.raises(ValidationError) as exc:
        issue(session, afe, typed(afe, session.company, now, vendedor_direccion="X", vendedor_ciudad="1",
                                  vendedor_distrito="2", vendedor_documento="1234567", vendedor_nombre="Ana",
                                  constancia_numero="1", constancia_control="A",
                                  tables={"items": [{"codigo": "C", "descripcion": "Papa", "precio": "1000"}]}), now)
    assert afe.field_for_error(exc.value.errors[0].field) == (None, None, "vendedor_distrito")
    with pytest.raises(ValidationError) as exc:
        issue(session, afe, typed(afe, session.company, now, vendedor_direccion="X", vendedor_ciudad="1",
                                  vendedor_documento="1234567", vendedor_nombre="Ana", constancia_numero="1",
                                  constancia_control="A",
                                  tables={"items": [{"codigo": "C", "descripcion": "Papa", "precio": "10.5"}]}), now)
    fields = {afe.field_for_error(e.field) for e in exc.value.errors}
    assert {(None, None, "vendedor_nombre"), ("items", 0, "precio")} <= fields
    assert session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0  # nothing consumed


def supplier_de(session, sandbox, seed: int) -> str:
    """A factura issued TO the shop by another taxpayer, approved by the sandbox: its CDC."""
    supplier = replace(session.company, ruc=SUPPLIER_RUC)
    sandbox.emitters[SUPPLIER_RUC.split("-")[0]] = Emitter(supplier.razon_social, frozenset({"*"}), None)
    identity = load_identity(generate_test_p12(ruc=SUPPLIER_RUC, holder="PROVEEDOR DE PRUEBA", password="x",
                                               profile=PY_CERTIFICATE), "x")
    backend = PyBackend()
    signed = backend.sign(backend.parse(demo_py_sale(supplier, random.Random(seed), 2), "invoices", supplier),
                          seed, identity, supplier)
    client = SifenClient.for_environment("sandbox", sandbox_url=sandbox.url)
    try:
        assert client.send_de(signed.xml).result.approved
    finally:
        client.close()
    return signed.key


def test_receptor_events_from_the_forms_are_registered(shop):
    session, sandbox = shop
    now = datetime.now(timezone.utc)
    cdc, other = supplier_de(session, sandbox, 31), supplier_de(session, sandbox, 32)
    done = []
    for form_id, cdc_, values in (("py-notificacion", cdc, {"total": "120500"}),
                                  ("py-conformidad", cdc, {"tipo": "2"}),
                                  ("py-disconformidad", cdc, {"motivo": "Mercadería incompleta"}),
                                  ("py-desconocimiento", other, {"motivo": "No compramos esto"})):
        f = form(form_id)
        message = f.perform(session, typed(f, session.company, now, cdc=cdc_, **values), now)
        assert "en cola para SIFEN" in message
        done.append((form_id[3:], int(message.split("n.º ")[1].split()[0])))
    assert drain_receptor_events(session) == 4
    for kind, row_id in done:
        ev = event_requests.receptor_event_status(session, row_id)
        assert ev["kind"] == kind and ev["status"] == "registered" and "0600" in ev["messages"], ev
    # refused before signing, with the field to fix
    f = form("py-disconformidad")
    with pytest.raises(ValidationError) as exc:
        f.perform(session, typed(f, session.company, now, cdc=cdc[:43] + str((int(cdc[43]) + 1) % 10),
                                 motivo="Mercadería incompleta"), now)
    assert f.field_for_error(exc.value.errors[0].field) == (None, None, "cdc")
    with pytest.raises(ValidationError) as exc:
        f.perform(session, typed(f, session.company, now, cdc=other, motivo="Mal"), now)
    assert f.field_for_error(exc.value.errors[0].field) == (None, None, "motivo")
    f = form("py-notificacion")
    tomorrow = (xml_build.local_naive(now).date() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="futura"):
        f.perform(session, typed(f, session.company, now, cdc=other, total="1", fecha_recepcion=tomorrow), now)
    assert session.conn.execute("SELECT COUNT(*) FROM py_receptor_events").fetchone()[0] == 4
