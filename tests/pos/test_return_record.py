"""The till's credit note speaks the domain: its stored request is a `Return` record (no vendor
JSON), and its signed XML is, field for field, the one a Dátil credit-note body of the same return
gives (the CLI/API path, still a valid input). Both kinds of stored request count as returned."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app import xmlsafe
from app.config import DataDir
from app.core import status
from app.core.sale import Return
from app.fiscal import registry
from app.fiscal.ec.demo import invoice_body
from app.pos import checkout, credit_notes, till
from app.pos.demo import create_demo_company
from app.store import documents

MASKED = {"claveAcceso", "secuencial", "fechaEmision", "Signature"}


@pytest.fixture
def session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), "EC")
    yield s
    s.close()


def _fields(xml: bytes) -> list[tuple[str, str]]:
    """(path, text) of every leaf, without the signature, the dates and the numbering."""
    out = []

    def walk(el, path):
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in MASKED:
            return
        here = f"{path}/{tag}" + "".join(f"[@{k}={v}]" for k, v in sorted(el.attrib.items()) if k != "id")
        kids = list(el)
        if not kids:
            out.append((here, (el.text or "").strip()))
        for k in kids:
            walk(k, here)

    walk(xmlsafe.parse_xml(xml), "")
    return out


def _invoice(session):
    body = invoice_body(session.company, [])
    body["items"] = [
        {"cantidad": "2", "codigo_principal": "ICE", "descripcion": "Producto ICE", "precio_unitario": "10.00",
         "descuento": "0.50",
         "impuestos": [{"codigo": "3", "codigo_porcentaje": "3031", "tarifa": "10", "valor": "2.00"},
                       {"codigo": "2", "codigo_porcentaje": "4", "tarifa": "15"}]},
        {"cantidad": "2", "codigo_principal": "BOT", "descripcion": "Producto BOT", "precio_unitario": "1.00",
         "descuento": "0", "impuestos": [{"codigo": "2", "codigo_porcentaje": "4"},
                                         {"codigo": "5", "codigo_porcentaje": "5001", "tarifa": "0.02"}]},
    ]
    del body["totales"], body["pagos"]
    body["comprador"] = {"tipo_identificacion": "05", "identificacion": "1710034065", "razon_social": "María",
                         "email": "maria@example.ec"}
    body["pagos"] = [{"medio": "efectivo", "total": "27.07"}]
    inv = checkout.issue(session, body, "invoices")
    documents.set_status(session.conn, inv.document_id, status.AUTHORIZED)
    return inv


def _datil_body(doc) -> dict:
    """What an API client sends for one unit of each line back (the old till body, written out)."""
    return {
        "tipo_emision": 1, "moneda": "USD",
        "emisor": {"establecimiento": {"codigo": doc["establishment"], "punto_emision": doc["point"]}},
        "comprador": {"tipo_identificacion": "05", "identificacion": "1710034065", "razon_social": "María",
                      "email": "maria@example.ec"},
        "fecha_emision_documento_modificado": doc["issued_at"], "numero_documento_modificado": doc["number"],
        "tipo_documento_modificado": "01", "motivo": "Devolución",
        "items": [
            {"cantidad": "1", "codigo_principal": "ICE", "descripcion": "Producto ICE", "precio_unitario": "10.00",
             "descuento": "0.25", "precio_total_sin_impuestos": "9.75",
             "impuestos": [{"codigo": "3", "codigo_porcentaje": "3031", "tarifa": "10", "base_imponible": "9.75",
                            "valor": "1.00"},
                           {"codigo": "2", "codigo_porcentaje": "4", "tarifa": "15", "base_imponible": "10.75",
                            "valor": "1.61"}],
             "detalles_adicionales": {"linea_factura": "0"}},
            {"cantidad": "1", "codigo_principal": "BOT", "descripcion": "Producto BOT", "precio_unitario": "1.00",
             "descuento": "0.00", "precio_total_sin_impuestos": "1.00",
             "impuestos": [{"codigo": "2", "codigo_porcentaje": "4", "tarifa": "15", "base_imponible": "1.00",
                            "valor": "0.15"},
                           {"codigo": "5", "codigo_porcentaje": "5001", "tarifa": "0.02", "base_imponible": "1.00",
                            "valor": "0.02"}],
             "detalles_adicionales": {"linea_factura": "1"}},
        ],
    }


def test_till_credit_note_is_a_return_record_with_the_body_paths_xml(session):
    inv = _invoice(session)
    doc = documents.get(session.conn, inv.document_id)
    note = till.issue_credit_note(session, inv.document_id, {0: Decimal(1), 1: Decimal(1)}, "Devolución",
                                  user="Ana", refund=None)
    stored = json.loads(session.conn.execute("SELECT request_json FROM sales WHERE id=?",
                                             (note.sale_id,)).fetchone()[0])
    assert Return.is_record(stored) and "items" not in stored and "comprador" not in stored
    assert Return.from_dict(stored) == Return.from_dict(json.loads(json.dumps(stored)))
    # the same return through the vendor-JSON input path
    api = checkout.issue(session, _datil_body(doc), "credit-notes")
    assert note.document.total == api.document.total == Decimal("13.53")
    till_fields, api_fields = _fields(note.document.xml), _fields(api.document.xml)
    assert any(p.endswith("/motivo") for p, _ in till_fields) and any("ICE" == v for _, v in till_fields)
    assert till_fields == api_fields
    # read back (reports, the central replica, the document's detail) as the body path is
    rules = registry.country("EC").till()
    api_request = json.loads(session.conn.execute("SELECT request_json FROM sales WHERE id=?",
                                                  (api.sale_id,)).fetchone()[0])
    assert rules.issued_lines(stored) == rules.issued_lines(api_request) != []
    assert rules.issued_buyer(stored) == rules.issued_buyer(api_request)
    # both kinds of stored request count as given back: one unit of each line is left
    assert [ln.available for ln in credit_notes.creditable_lines(session.conn, inv.document_id)] == [
        Decimal(0), Decimal(0)]


def test_return_record_round_trip_and_refusals(session):
    inv = _invoice(session)
    ret = credit_notes.build_return(session.conn, inv.document_id, {0: Decimal("1.5")}, "  Producto dañado ",
                                    cashier="Ana")
    record = json.loads(json.dumps(ret.as_dict()))
    assert Return.is_record(record) and not Return.is_record({"sale": {}}) and not Return.is_record([])
    assert Return.from_dict(record) == ret
    assert ret.reason == "Producto dañado" and ret.currency == "USD" and ret.cashier == "Ana"
    assert [(t.code, t.category, t.amount) for t in ret.lines[0].other_taxes] == [("3", "3031", Decimal("2.00"))]
    assert ret.quantities() == {0: Decimal("1.5")}
    count = session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    from dataclasses import replace

    from app.core.errors import ValidationError
    from app.core.sale import InvoiceRef, Party, ReturnedLine

    bad = {
        "motivo": replace(ret, reason=" "),
        "consumidor final": replace(ret, buyer=Party("07", "9999999999999", "CONSUMIDOR FINAL")),
        "establecimiento": replace(ret, invoice=InvoiceRef(**{**ret.invoice.__dict__, "establishment": "009"})),
        "cantidad": replace(ret, lines=(ReturnedLine(ret.lines[0].line, Decimal(3)),)),
        "cédula": replace(ret, buyer=Party("05", "1710034060", "María")),
        "control": replace(ret, reason="Devolución\x07"),
    }
    for what, r in bad.items():
        with pytest.raises(ValidationError):
            checkout.issue_return(session, r)
    # nothing stored, no number taken
    assert session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == count
    done = checkout.issue_return(session, ret)
    assert done.document.number.endswith("000000001") and done.document.total == credit_notes.total_of(ret, "EC")
