"""Paraguay's till credit note speaks the domain too: its stored request is a `Return` record (no
FacturaSend JSON), and its signed NCE is, field for field, the one the FacturaSend body of the same
return gives (the CLI/API path, still a valid input) — for a till sale and for a FacturaSend
invoice whose receptor and items carry facts the domain's Party/IssuedLine do not (geo location,
trade name, unidadMedida, a partially taxed line)."""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from app import xmlsafe
from app.config import DataDir
from app.core import status
from app.core.errors import ValidationError
from app.core.sale import Party, Payment, Return, ReturnedLine, Sale, SaleLine
from app.fiscal import registry
from app.pos import checkout, credit_notes, till
from app.pos.demo import create_demo_company
from app.store import documents

# the numbering, the dates, the random security code and what follows from them
MASKED = {"Signature", "gCamFuFD", "dDVId", "dCodSeg", "dNumDoc", "dFeEmiDE", "dFecFirma"}
D = Decimal
BUYER = Party("PY-RUC", "80033303-9", "Distribuidora Guaraní S.R.L.", "compras@guarani.example.com.py")


@pytest.fixture
def session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), "PY")
    yield s
    s.close()


def _fields(xml: bytes) -> list[tuple[str, str]]:
    """(path, text) of every leaf, without the signature, the QR, the dates and the numbering."""
    out = []

    def walk(el, path):
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in MASKED:
            return
        here = f"{path}/{tag}" + "".join(f"[@{k}={v}]" for k, v in sorted(el.attrib.items()) if k != "Id")
        kids = list(el)
        if not kids:
            out.append((here, (el.text or "").strip()))
        for k in kids:
            walk(k, here)

    walk(xmlsafe.parse_xml(xml), "")
    return out


def _authorized(session, result):
    documents.set_status(session.conn, result.document_id, status.AUTHORIZED)
    return documents.get(session.conn, result.document_id)


def _till_invoice(session):
    lines = (SaleLine("YERBA1", "Yerba mate Pajarito 1 kg", D(2), D(24500), True, "PY5"),
             SaleLine("LIBRO", "Libro escolar de lectura", D(2), D(45000), True, "PYEX"),
             SaleLine("ACEITE9", "Aceite de soja 900 ml", D(3), D(15900), True, "PY10", D(10)))
    total = registry.country("PY").till().totals(lines).total
    sale = Sale(lines, BUYER, (Payment("efectivo", total),), "PYG", "001", "001", cashier="Ana")
    return _authorized(session, checkout.issue_sale(session, sale))


def _cliente() -> dict:
    return {"contribuyente": True, "ruc": "1234567-9", "razonSocial": "Juan Pérez Ayala", "tipoOperacion": 1,
            "tipoContribuyente": 1, "pais": "PRY", "nombreFantasia": "Almacén Don Juan",
            "direccion": "Calle Palma 123", "numeroCasa": 123, "departamento": 1, "distrito": 1, "ciudad": 1,
            "celular": "0981123456", "email": "juan@example.com.py", "codigo": "C0042"}


def _cli_invoice(session):
    body = {"tipoDocumento": 1, "establecimiento": "001", "punto": "001", "tipoEmision": 1, "tipoTransaccion": 1,
            "tipoImpuesto": 1, "moneda": "PYG", "cliente": _cliente(), "factura": {"presencia": 1},
            "items": [{"codigo": "CARNE", "descripcion": "Carne vacuna (kg)", "unidadMedida": 83, "cantidad": "2.5",
                       "precioUnitario": "48000", "ivaTipo": 1, "ivaBase": 100, "iva": 5},
                      {"codigo": "SERV", "descripcion": "Servicio parcialmente gravado", "unidadMedida": 77,
                       "cantidad": "2", "precioUnitario": "10000", "descuento": "500", "ivaTipo": 4,
                       "ivaBase": 30, "iva": 10},
                      {"codigo": "MANDIOCA", "descripcion": "Mandioca fresca", "unidadMedida": 83,
                       "cantidad": "3", "precioUnitario": "4000", "ivaTipo": 3, "ivaBase": 0, "iva": 0}],
            "condicion": {"tipo": 1, "entregas": [{"tipo": 1, "monto": "1000000", "moneda": "PYG"}]}}
    return _authorized(session, checkout.issue(session, body, "invoices"))


def _nce_body(doc, cliente: dict, items: list[dict], lines: list[int]) -> dict:
    """What an API client sends for the same return (the old till body, written out)."""
    return {"tipoDocumento": 5, "establecimiento": doc["establishment"], "punto": doc["point"], "tipoEmision": 1,
            "tipoImpuesto": 1, "moneda": "PYG", "cliente": cliente, "notaCreditoDebito": {"motivo": 2},
            "documentoAsociado": {"formato": 1, "cdc": doc["key"]}, "descripcion": "Devolución",
            "items": items, "extras": {"cdc_factura": doc["key"], "numero_factura": doc["number"],
                                       "lineas_factura": lines}}


def _stored(session, sale_id: int) -> dict:
    return json.loads(session.conn.execute("SELECT request_json FROM sales WHERE id=?", (sale_id,)).fetchone()[0])


def _same_note(session, doc, quantities, api_body):
    note = till.issue_credit_note(session, doc["id"], quantities, " Devolución ", user="Ana", refund=None)
    stored = _stored(session, note.sale_id)
    assert Return.is_record(stored) and "items" not in stored and "cliente" not in stored
    assert Return.from_dict(stored) == Return.from_dict(json.loads(json.dumps(stored)))
    api = checkout.issue(session, api_body, "credit-notes")
    assert note.document.total == api.document.total > 0
    till_fields, api_fields = _fields(note.document.xml), _fields(api.document.xml)
    assert any(p.endswith("/iMotEmi") and v == "2" for p, v in till_fields)
    assert any(p.endswith("/dCdCDERef") and v == doc["key"] for p, v in till_fields)
    assert till_fields == api_fields
    assert note.document.number != api.document.number
    return note, api


def test_till_sale_credit_note_is_a_return_with_the_body_paths_nce(session):
    doc = _till_invoice(session)
    cliente = {"contribuyente": True, "ruc": "80033303-9", "razonSocial": BUYER.name, "tipoOperacion": 1,
               "tipoContribuyente": 2, "pais": "PRY", "email": BUYER.email}
    items = [{"codigo": "YERBA1", "descripcion": "Yerba mate Pajarito 1 kg", "unidadMedida": 77,
              "precioUnitario": "24500", "ivaTipo": 1, "ivaBase": "100", "iva": 5, "cantidad": "1"},
             {"codigo": "LIBRO", "descripcion": "Libro escolar de lectura", "unidadMedida": 77,
              "precioUnitario": "45000", "ivaTipo": 3, "ivaBase": "0", "iva": 0, "cantidad": "1"},
             {"codigo": "ACEITE9", "descripcion": "Aceite de soja 900 ml", "unidadMedida": 77,
              "precioUnitario": "15900", "ivaTipo": 1, "ivaBase": "100", "iva": 10, "cantidad": "1",
              "descuento": "1590"}]
    note, api = _same_note(session, doc, {0: D(1), 1: D(1), 2: D(1)}, _nce_body(doc, cliente, items, [0, 1, 2]))
    assert note.document.total == D(24500 + 45000 + 15900 - 1590)
    # both kinds of stored request count as given back
    assert [ln.available for ln in credit_notes.creditable_lines(session.conn, doc["id"])] == [D(0), D(0), D(1)]


def test_facturasend_invoice_credit_note_keeps_what_the_domain_does_not_carry(session):
    doc = _cli_invoice(session)
    items = [{"codigo": "CARNE", "descripcion": "Carne vacuna (kg)", "unidadMedida": 83, "precioUnitario": "48000",
              "ivaTipo": 1, "ivaBase": 100, "iva": 5, "cantidad": "1"},
             {"codigo": "SERV", "descripcion": "Servicio parcialmente gravado", "unidadMedida": 77,
              "precioUnitario": "10000", "ivaTipo": 4, "ivaBase": 30, "iva": 10, "cantidad": "1",
              "descuento": "500"},
             {"codigo": "MANDIOCA", "descripcion": "Mandioca fresca", "unidadMedida": 83,
              "precioUnitario": "4000", "ivaTipo": 3, "ivaBase": 0, "iva": 0, "cantidad": "1"}]
    note, _api = _same_note(session, doc, {0: D(1), 1: D(1), 2: D(1)},
                            _nce_body(doc, _cliente(), items, [0, 1, 2]))
    xml = note.document.xml
    for fact in (b"<dNomFanRec>Almac\xc3\xa9n Don Juan</dNomFanRec>", b"<dCelRec>0981123456</dCelRec>",
                 b"<cUniMed>83</cUniMed>", b"<iAfecIVA>4</iAfecIVA>", b"<dPropIVA>30</dPropIVA>",
                 b"<dDirRec>Calle Palma 123</dDirRec>", b"<dCodCliente>C0042</dCodCliente>"):
        assert fact in xml, fact
    left = [ln.available for ln in credit_notes.creditable_lines(session.conn, doc["id"])]
    assert left == [D("0.5"), D(0), D(1)]


def test_py_return_round_trip_and_refusals(session):
    doc = _cli_invoice(session)
    ret = credit_notes.build_return(session.conn, doc["id"], {1: D(1)}, "  Producto dañado ", cashier="Ana")
    record = json.loads(json.dumps(ret.as_dict()))
    assert Return.from_dict(record) == ret and ret.currency == "PYG" and ret.reason == "Producto dañado"
    assert ret.lines[0].extra and ret.buyer_extra  # the country's facts, kept with the record
    count = session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    bad = {
        "motivo": replace(ret, reason=" "),
        "innominada": replace(ret, buyer=Party("PY-INN", "0", "Sin Nombre"), buyer_extra={}),
        "cantidad": replace(ret, lines=(ReturnedLine(ret.lines[0].line, D(0), extra=ret.lines[0].extra),)),
        "ivaBase": replace(ret, lines=(ReturnedLine(ret.lines[0].line, D(1),
                                                        extra={**ret.lines[0].extra, "iva_base": "100"}),)),
        "establecimiento": replace(ret, invoice=replace(ret.invoice, establishment="009")),
        "moneda": replace(ret, currency="USD"),
        "cdc": replace(ret, invoice=replace(ret.invoice, key="123")),
    }
    for what, r in bad.items():
        with pytest.raises(ValidationError) as exc:
            checkout.issue_return(session, r)
        assert what.lower() in str(exc.value).lower(), (what, str(exc.value))
    assert session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == count
    done = checkout.issue_return(session, ret)
    assert done.document.total == credit_notes.total_of(ret, "PY") == D(9500)
