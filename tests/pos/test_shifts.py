"""Shifts: one open per till, float, cash movements, X report from real issued sales,
close with a count → Z report; closed shifts are immutable and numbered."""
from __future__ import annotations

import sqlite3
from decimal import Decimal as D

import pytest

from app.config import DataDir
from app.core.errors import ValidationError
from app.pos import catalog, shifts, till
from app.pos.cart import Cart, settle


@pytest.fixture
def session(tmp_path):
    pytest.importorskip("app.fiscal.ec.backend")
    from app.pos.demo import create_demo_company

    s = create_demo_company(DataDir(tmp_path / "d"), "EC")
    catalog.seed_demo_catalog(s.conn)
    yield s
    s.close()


def sell(session, codes, tenders, point="001"):
    cart = Cart()
    for c in codes:
        cart.add(catalog.find_product(session.conn, c))
    total = cart.totals().total
    s = settle(total, [(m, total if a is None else D(a)) for m, a in tenders])
    return till.complete_sale(session, cart, s, cashier="Ana", establishment="001", point=point)


def test_a_shift_from_open_to_z(session):
    conn = session.conn
    with pytest.raises(ValidationError, match="caja está cerrada"):
        sell(session, ["PAN"], [("efectivo", None)])
    shift = shifts.open_shift(conn, "001", "001", "Ana", "25.00")
    with pytest.raises(ValidationError, match="Ya hay un turno abierto"):
        shifts.open_shift(conn, "001", "001", "Ana", "0")
    other = shifts.open_shift(conn, "001", "002", "Beto", "0")  # another till may be open meanwhile
    sell(session, ["PAN", "ARROZ1"], [("efectivo", "10")])  # 3.65
    sell(session, ["CAFE"], [("tarjeta_credito", None)])  # 4.25: the shelf price (issue #9)
    sell(session, ["COLA3"], [("efectivo", None)], point="002")  # not this till's
    shifts.cash_movement(conn, shift.id, "in", "5", "Sencillo del banco", "Ana")
    shifts.cash_movement(conn, shift.id, "out", "1.50", "Agua para la tienda", "Ana")
    with pytest.raises(ValidationError, match="motivo"):
        shifts.cash_movement(conn, shift.id, "out", "1", " ", "Ana")
    x = shifts.report(conn, shift.id)
    assert x.sales_count == 2 and x.sales_total == D("7.90")
    assert x.expected_cash == D("25") + D("3.65") + D("5") - D("1.50")
    assert {m.method: m.expected for m in x.methods} == {"01": D("32.15"), "19": D("4.25")}
    assert x.pending_documents == 3 - 1  # this till's two, both still waiting for the SRI
    assert any("sin autorizar" in w for w in shifts.closing_warnings(conn, shift.id))

    z = shifts.close_shift(conn, shift.id, denominations={"20": 1, "10": 1, "1": 2}, other_counts={"19": "4.25"},
                           closed_by="Ana")
    by = {m.method: m for m in z.methods}
    assert by["01"].counted == D("32") and by["01"].difference == D("-0.15")
    assert by["19"].difference == 0 and z.total_difference == D("-0.15")
    text = shifts.report_text(shifts.stored_z(conn, shift.id))
    assert "INFORME Z" in text and "Turno N.º" in text and "-0.15" in text
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE shifts SET closed_by='otro' WHERE id=?", (shift.id,))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM shifts WHERE id=?", (shift.id,))
    with pytest.raises(ValidationError, match="ya está cerrado"):
        shifts.close_shift(conn, shift.id, denominations={}, other_counts={}, closed_by="Ana")
    nxt = shifts.open_shift(conn, "001", "001", "Ana", "0")
    assert nxt.id > shift.id and shifts.report(conn, nxt.id).sales_count == 0
    assert other.is_open


def test_count_validation():
    assert shifts.count_cash({"0.25": 3, "100": 1}) == D("100.75")
    with pytest.raises(ValidationError):
        shifts.count_cash({"3": 1})
    with pytest.raises(ValidationError):
        shifts.count_cash({"1": -1})


def test_sales_from_the_api_are_not_in_the_drawer(session):
    from app.pos import checkout

    conn = session.conn
    shift = shifts.open_shift(conn, "001", "001", "Ana", "0")
    body = {"emisor": {"establecimiento": {"codigo": "001", "punto_emision": "001"}},
            "items": [{"cantidad": 1, "codigo_principal": "PAN", "descripcion": "Pan de molde", "precio_unitario": "2.30",
                       "impuestos": [{"codigo": "2", "codigo_porcentaje": "0"}]}],
            "pagos": [{"medio": "efectivo", "total": "2.30"}]}
    r = checkout.issue(session, body, "invoices", source="api")
    assert [tuple(x) for x in conn.execute("SELECT method, amount FROM payments WHERE sale_id=?", (r.sale_id,))] == [
        ("01", "2.30")]  # the request's own payments
    sell(session, ["PAN"], [("efectivo", None)])
    rep = shifts.report(conn, shift.id)
    assert rep.sales_count == 1 and rep.expected_cash == D("2.30")
