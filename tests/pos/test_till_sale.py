"""The till speaks the domain: the cart's `Sale`, stored as itself, read back by the country's
rules for credit notes; money formats; one check of returned quantities."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal as D

import pytest

from app.config import DataDir
from app.core import status
from app.core.errors import ValidationError
from app.core.sale import Party, Payment, Sale, SaleLine
from app.fiscal import registry
from app.pos import catalog, credit_notes, shifts, till
from app.pos.cart import Cart, settle


def test_sale_record_round_trip():
    sale = Sale(lines=(SaleLine("A", "Arroz", D("1.5"), D("1.35"), True, "0", D("10")),),
                buyer=Party("05", "1710034065", "María", "m@x.ec"),
                payments=(Payment("cheque", D("2"), {"numero": "12", "banco": "Pichincha"}),),
                currency="USD", establishment="001", point="002", tendered=D("5"), change=D("3"), cashier="Ana",
                issued_at=datetime(2026, 1, 5, 10, tzinfo=timezone.utc))
    record = json.loads(json.dumps(sale.as_dict()))
    assert Sale.is_record(record) and not Sale.is_record({"items": []})
    assert Sale.from_dict(record) == sale


def test_money_formats():
    usd, pyg = registry.country("EC").till().money, registry.country("PY").till().money
    assert usd.money(D("1234.5")) == "$ 1234.50" and usd.parse("1,50") == D("1.50") and usd.change_word == "cambio"
    assert pyg.money(D("7000000")) == "Gs. 7.000.000" and pyg.parse("150.000") == D(150000)
    assert pyg.change_word == "vuelto" and pyg.places == 0
    with pytest.raises(ValueError, match="guaraníes no llevan decimales"):
        pyg.parse("1,5")


@pytest.fixture
def session(tmp_path):
    from app.pos.demo import create_demo_company

    s = create_demo_company(DataDir(tmp_path / "d"), "EC")
    catalog.seed_demo_catalog(s.conn)
    shifts.open_shift(s.conn, "001", "001", "Ana", "0")
    yield s
    s.close()


def test_a_till_sale_is_stored_as_a_sale_and_credited_line_by_line(session):
    conn = session.conn
    cart = Cart(country="EC")
    cart.add(catalog.find_product(conn, "CAFE"), D(3))
    cart.add(catalog.find_product(conn, "PAN"))
    cart.buyer = Party("05", "1710034065", "María Fernanda Andrade")
    total = cart.totals().total
    done = till.complete_sale(session, cart, settle(total, [("efectivo", total)], country="EC"), cashier="Ana",
                              establishment="001", point="001")
    doc_id = done.result.document_id
    request = till.document_request(conn, doc_id)
    assert Sale.is_record(request) and request["sale"]["buyer"]["identification"] == "1710034065"
    with pytest.raises(ValidationError, match="autorizada"):
        credit_notes.creditable_lines(conn, doc_id)
    conn.execute("UPDATE documents SET status=? WHERE id=?", (status.AUTHORIZED, doc_id))
    lines = credit_notes.creditable_lines(conn, doc_id)
    assert [(ln.code, ln.sold, ln.available, ln.tax_code) for ln in lines] == [
        ("CAFE", D(3), D(3), "4"), ("PAN", D(1), D(1), "0")]
    with pytest.raises(ValidationError, match="como máximo 3"):
        credit_notes.chosen_lines(conn, doc_id, {0: D(4)})
    with pytest.raises(ValidationError, match="al menos una línea"):
        credit_notes.chosen_lines(conn, doc_id, {0: D(0)})
    shown = till.credit_notes_for("EC").total_of(credit_notes.build_body(conn, doc_id, {0: D(2)}, "Devolución"))
    note = till.issue_credit_note(session, doc_id, {0: D(2)}, "Devolución", user="Ana")
    assert note.document.total == shown == D("8.50")
    assert [ln.available for ln in credit_notes.creditable_lines(conn, doc_id)] == [D(1), D(1)]
