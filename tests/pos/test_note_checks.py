"""Credit and debit notes checked against our own documents whatever path they come by (here
`checkout.issue`, what the CLI `issue` and the local API call), and numbering that follows the
date (app/pos/note_checks.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.config import DataDir
from app.core.errors import ValidationError
from app.fiscal.ec.demo import BUYERS, PRODUCTS, invoice_body
from app.pos import checkout
from app.pos.demo import create_demo_company

GYE = timezone(timedelta(hours=-5))


@pytest.fixture
def session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), "EC")
    yield s
    s.close()


def counts(conn):
    return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("sales", "documents", "outbox"))


def invoice(session, buyer=BUYERS[0], qty="2", now=None):
    body = invoice_body(session.company, [(PRODUCTS[1], Decimal(qty), Decimal(0)), (PRODUCTS[0], Decimal(1), Decimal(0))])
    tipo, ident, name, email = buyer
    body["comprador"] = {"tipo_identificacion": tipo, "identificacion": ident, "razon_social": name, "email": email}
    return checkout.issue(session, body, "invoices", now=now)


def note_body(session, inv, *, qty="2", buyer=BUYERS[0], number=None, day=None):
    body = invoice_body(session.company, [(PRODUCTS[1], Decimal(qty), Decimal(0))])
    del body["pagos"], body["totales"]
    tipo, ident, name, email = buyer
    body["comprador"] = {"tipo_identificacion": tipo, "identificacion": ident, "razon_social": name, "email": email}
    issued = inv.document.issued_at.astimezone(GYE).date() if day is None else day
    body.update(tipo_documento_modificado="01", numero_documento_modificado=number or inv.document.number,
                fecha_emision_documento_modificado=issued.isoformat(), motivo="Devolución")
    return body


def refused_field(session, body, kind="credit-notes") -> str:
    before = counts(session.conn)
    with pytest.raises(ValidationError) as exc:
        checkout.issue(session, body, kind)
    assert counts(session.conn) == before  # nothing stored, no number consumed
    return exc.value.errors[0].field


def test_credit_note_within_what_is_left(session):
    inv = invoice(session)
    first = checkout.issue(session, note_body(session, inv, qty="1"), "credit-notes")
    assert not any("no fue emitido por Mostrador" in w for w in first.warnings)
    checkout.issue(session, note_body(session, inv, qty="1"), "credit-notes")  # the rest of that line
    assert first.document.sequential == 1
    # nothing of the oil is left to credit beyond the rice line's value
    assert refused_field(session, note_body(session, inv, qty="2")) == "totales"


def test_credit_note_worth_100_times_its_invoice_refused(session):
    inv = invoice(session)
    assert refused_field(session, note_body(session, inv, qty="200")) == "totales"


def test_credit_note_for_another_buyer_refused(session):
    inv = invoice(session)
    assert refused_field(session, note_body(session, inv, buyer=BUYERS[1])) == "comprador.identificacion"


def test_credit_note_on_consumidor_final_invoice_refused(session):
    inv = invoice(session, buyer=("07", "9999999999999", "CONSUMIDOR FINAL", ""), qty="1")
    assert refused_field(session, note_body(session, inv, qty="1")) == "comprador.identificacion"


def test_credit_note_with_wrong_invoice_date_refused(session):
    inv = invoice(session)
    wrong = inv.document.issued_at.astimezone(GYE).date() - timedelta(days=1)
    assert refused_field(session, note_body(session, inv, day=wrong)) == "fecha_emision_documento_modificado"


def test_number_we_never_issued_refused_and_foreign_one_warned(session):
    inv = invoice(session)
    assert refused_field(session, note_body(session, inv, number="001-001-000000099")) == "numero_documento_modificado"
    foreign = checkout.issue(session, note_body(session, inv, number="002-001-000000077"), "credit-notes")
    assert any("no fue emitido por Mostrador" in w for w in foreign.warnings)


def test_debit_note_checked_for_buyer_too(session):
    inv = invoice(session)
    body = note_body(session, inv, buyer=BUYERS[1])
    del body["items"]
    body["motivos"] = [{"razon": "Interés por mora", "valor": "1.00"}]
    body["totales"] = {"total_sin_impuestos": "1.00", "impuestos": [
        {"codigo": "2", "codigo_porcentaje": "4", "base_imponible": "1.00", "valor": "0.15"}]}
    body["pagos"] = [{"medio": "efectivo", "total": "1.15"}]
    assert refused_field(session, body, "debit-notes") == "comprador.identificacion"


def test_numbering_follows_the_date(session):
    now = datetime.now(timezone.utc)
    invoice(session, now=now)
    body = invoice_body(session.company, [(PRODUCTS[0], Decimal(1), Decimal(0))])
    body["fecha_emision"] = (now.astimezone(GYE) - timedelta(days=2)).isoformat()
    before = counts(session.conn)
    with pytest.raises(ValidationError) as exc:
        checkout.issue(session, body, "invoices", now=now + timedelta(seconds=1))
    assert exc.value.errors[0].field == "fecha_emision" and "numeración" in exc.value.errors[0].message
    assert counts(session.conn) == before


def test_py_credit_note_above_its_invoice_refused(tmp_path):
    import random

    from app.fiscal.py.demo import demo_py_sale

    s = create_demo_company(DataDir(tmp_path / "py"), "PY")
    try:
        body = demo_py_sale(s.company, random.Random(4), 4)  # n=4: PYG, an identified buyer, contado
        inv = checkout.issue(s, body, "invoices")
        nce = {k: body[k] for k in ("establecimiento", "punto", "tipoImpuesto", "moneda", "cliente")}
        nce.update(tipoDocumento=5, notaCreditoDebito={"motivo": 2}, documentoAsociado={"formato": 1, "cdc": inv.key},
                   items=[{"codigo": "X", "descripcion": "Devolución", "unidadMedida": 77, "cantidad": 1,
                           "precioUnitario": str(inv.document.total + 1_000_000), "ivaTipo": 1, "ivaBase": 100,
                           "iva": 10}])
        assert refused_field(s, nce) == "items"
        nce["items"][0]["precioUnitario"] = str(inv.document.total)
        assert checkout.issue(s, nce, "credit-notes").document.total == inv.document.total
        nce["items"][0]["precioUnitario"] = "1"
        assert refused_field(s, nce) == "items"  # nothing is left to credit
    finally:
        s.close()


def test_client_security_code_used_once_per_de(tmp_path):
    import random

    from app.fiscal.py.demo import demo_py_sale

    s = create_demo_company(DataDir(tmp_path / "py"), "PY")
    try:
        body = {**demo_py_sale(s.company, random.Random(4), 4), "codigoSeguridadAleatorio": "123456789"}
        first = checkout.issue(s, body, "invoices")
        second = checkout.issue(s, body, "invoices")
        assert first.key[34:43] == "123456789" and not any("ya se usó" in w for w in first.warnings)
        assert second.key[34:43] != "123456789"
        assert any("123456789 ya se usó" in w for w in second.warnings)
    finally:
        s.close()
