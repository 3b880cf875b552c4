"""The cart in an Ecuador shop: the EC builder's arithmetic, prices with IVA, consumidor final,
payments, and the Sale the real backend turns into a factura."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.config import DataDir
from app.core.sale import SaleLine
from app.fiscal.ec import backend as ec_backend
from app.fiscal.ec.demo import DEMO_EC
from app.fiscal.ec.till import FACET as EC, FINAL_CONSUMER, detect_id_type, identification_errors, line_amounts
from app.pos.cart import Buyer, BuyerRequired, Cart, CartLine, settle
from app.pos.catalog import Product


EC_BACKEND = ec_backend.FACET


def p(code, price, tax="4", with_tax=True):
    return Product(code, f"Producto {code}", D(price), tax, with_tax)


def test_line_arithmetic_is_the_builders():
    a = line_amounts(SaleLine("A", "A", D(3), D("3.15"), True, "4", D(10)))
    assert a.unit_price == D("2.739130")  # 3.15 / 1.15, 6 decimals
    assert a.discount == D("0.82")  # round(3 × 2.739130 × 10 %, 2)
    assert a.base == D("7.40")  # round(8.21739 − 0.82, 2)
    assert a.tax == D("1.11")  # round(7.40 × 15 %, 2)
    no_tax = line_amounts(SaleLine("B", "B", D("1.5"), D("2.00"), False, "5"))
    assert no_tax.unit_price == D("2.000000") and no_tax.base == D("3.00") and no_tax.tax == D("0.15")
    line = CartLine("A", "A", D(3), D("3.15"), True, "4", discount_percent=D(10))  # without a cart
    assert line.unit_price == D("2.739130") and line.total == D("8.51")


def test_totals_per_tax_rate_and_the_factura_model():
    cart = Cart(country="EC")
    cart.add(p("ACE", "3.15"), D(3))
    cart.add(p("ARR", "1.35", "0"))
    cart.add(p("CEM", "8.90", "5"))
    cart.add(p("REC", "5.00", "6"))
    cart.lines[0].discount_percent = D(10)
    t = cart.totals()
    assert t.by_tax == {"4": (D("7.40"), D("1.11")), "0": (D("1.35"), D("0.00")),
                        "5": (D("8.48"), D("0.42")), "6": (D("5.00"), D("0.00"))}
    assert t.total == D("7.40") + D("1.35") + D("8.48") + D("5.00") + D("1.11") + D("0.42")
    s = settle(t.total, [("efectivo", t.total)], country="EC")
    sale = cart.checked_sale(s, establishment="001", point="002")
    draft = EC_BACKEND.draft_from_sale(sale, DEMO_EC)
    doc = draft.model
    assert (draft.kind, draft.series.doc_code, draft.series.establishment, draft.series.point) == (
        "invoices", "01", "001", "002")
    assert (doc.buyer.id_type, doc.buyer.id, doc.buyer.name) == ("07", "9999999999999", "CONSUMIDOR FINAL")
    assert draft.total == doc.total == t.total and doc.tip == 0 and doc.discount == D("0.82")
    assert sorted(x.codigo_porcentaje for x in doc.taxes) == ["0", "4", "5", "6"]
    tax = doc.lines[0].taxes[0]
    assert (tax.codigo, tax.codigo_porcentaje, tax.tarifa, tax.base, tax.valor) == (
        "2", "4", D("15"), D("7.40"), D("1.11"))
    assert draft.payments == [("01", t.total)]


def test_the_real_backend_issues_the_sale(tmp_path):
    from app.pos import checkout
    from app.pos.demo import create_demo_company

    session = create_demo_company(DataDir(tmp_path / "d"), "EC")
    cart = Cart(country="EC")
    for code, price, tax in (("A", "3.15", "4"), ("B", "1.35", "0"), ("C", "8.90", "5"), ("D", "2.00", "7"),
                             ("E", "4.99", "10")):
        cart.add(p(code, price, tax), D(2))
    cart.lines[2].discount_percent = D("7.5")
    cart.buyer = Buyer("05", "1710034065", "María Andrade")
    total = cart.totals().total
    s = settle(total, [("tarjeta_credito", D("10")), ("efectivo", total)], country="EC")
    r = checkout.issue_sale(session, cart.checked_sale(s, establishment="001", point="001"))
    assert r.document.total == total
    assert [tuple(x) for x in session.conn.execute("SELECT method, amount FROM payments WHERE sale_id=? ORDER BY n",
                                                   (r.sale_id,))] == [("19", "10.00"), ("01", str(total - 10))]
    xml = r.document.xml
    assert f"<importeTotal>{total}</importeTotal>".encode() in xml
    assert b"<codigoPorcentaje>10</codigoPorcentaje>" in xml and b"<identificacionComprador>1710034065<" in xml
    session.close()


def test_consumidor_final_limit():
    cart = Cart(country="EC")
    cart.add(p("C", "25.00"), D(2))
    assert cart.totals().total == D("50.00")
    assert cart.buyer_problem() is None  # up to USD 50.00 inclusive
    cart.add(p("X", "0.01", "0"))
    assert "supera USD 50.00" in cart.buyer_problem()
    total = cart.totals().total
    with pytest.raises(BuyerRequired):
        cart.checked_sale(settle(total, [("efectivo", total)], country="EC"), establishment="001", point="001")
    cart.buyer = Buyer("05", "1710034065", "María Andrade")
    assert cart.buyer_problem() is None
    cart.buyer = Buyer("05", "1710034065", "")
    assert "nombre" in cart.buyer_problem()


def test_identification_types_and_check_digits():
    assert detect_id_type("1710034065") == "05"
    assert detect_id_type("1790011674001") == "04"
    assert detect_id_type("9999999999999") == "07"
    assert detect_id_type("AB123456") == "06"
    assert identification_errors("05", "1710034065") == []
    errs = identification_errors("05", "1710034066")
    assert errs and "verificador" in errs[0]
    assert identification_errors("04", "171003406") == ["El RUC debe tener 13 dígitos"]
    assert identification_errors("07", "9999999999999") == []
    assert EC.is_anonymous(FINAL_CONSUMER) and not EC.is_anonymous(Buyer("05", "1710034065", "María"))


def test_settle_split_and_change():
    s = settle(D("22.06"), [("efectivo", D("10")), ("tarjeta_credito", D("15"))], country="EC")
    assert s.payments == [("tarjeta_credito", D("15.00")), ("efectivo", D("7.06"))]
    assert s.tendered == D("25.00") and s.change == D("2.94") and s.complete
    assert s.authority_payments() == [("19", D("15.00")), ("01", D("7.06"))]
    short = settle(D("10.00"), [("efectivo", D("4"))], country="EC")
    assert short.missing == D("6.00") and not short.complete
    with pytest.raises(ValueError, match="supera el saldo"):
        settle(D("10.00"), [("tarjeta_debito", D("12"))], country="EC")
    with pytest.raises(ValueError, match="mayor que cero"):
        settle(D("10.00"), [("efectivo", D("0"))], country="EC")


def test_scanning_again_adds_to_the_last_line():
    cart = Cart(country="EC")
    cart.add(p("A", "1.00"))
    cart.add(p("A", "1.00"), D(2))
    cart.add(p("B", "1.00"))
    cart.add(p("A", "1.00"))
    assert [(ln.code, ln.quantity) for ln in cart.lines] == [("A", 3), ("B", 1), ("A", 1)]
    with pytest.raises(ValueError):
        cart.add(p("A", "1.00"), D(0))
