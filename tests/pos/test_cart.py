"""The cart: the EC builder's arithmetic, prices with IVA, consumidor final, payments, and
the Dátil body the real backend accepts."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.config import DataDir
from app.pos.cart import (FINAL_CONSUMER, Buyer, BuyerRequired, Cart, CartLine, detect_id_type,
                          identification_errors, settle)
from app.pos.catalog import Product
from app.pos.demo import DEMO_EC


def p(code, price, tax="4", with_tax=True):
    return Product(code, f"Producto {code}", D(price), tax, with_tax)


def test_line_arithmetic_is_the_builders():
    line = CartLine("A", "A", D(3), D("3.15"), True, "4", discount_percent=D(10))
    assert line.unit_price == D("2.739130")  # 3.15 / 1.15, 6 decimals
    assert line.discount == D("0.82")  # round(3 × 2.739130 × 10 %, 2)
    assert line.base == D("7.40")  # round(8.21739 − 0.82, 2)
    assert line.tax_value == D("1.11")  # round(7.40 × 15 %, 2)
    no_tax = CartLine("B", "B", D("1.5"), D("2.00"), False, "5")
    assert no_tax.unit_price == D("2.000000") and no_tax.base == D("3.00") and no_tax.tax_value == D("0.15")


def test_totals_per_tax_rate_and_body_shape():
    cart = Cart()
    cart.add(p("ACE", "3.15"), D(3))
    cart.add(p("ARR", "1.35", "0"))
    cart.add(p("CEM", "8.90", "5"))
    cart.add(p("REC", "5.00", "6"))
    cart.lines[0].discount_percent = D(10)
    t = cart.totals()
    assert t.by_tax == {"4": (D("7.40"), D("1.11")), "0": (D("1.35"), D("0.00")),
                        "5": (D("8.48"), D("0.42")), "6": (D("5.00"), D("0.00"))}
    assert t.total == D("7.40") + D("1.35") + D("8.48") + D("5.00") + D("1.11") + D("0.42")
    body = cart.to_datil_body(DEMO_EC, "001", "002")
    assert body["ambiente"] == 1 and body["tipo_emision"] == 1
    assert body["emisor"]["establecimiento"] == {"codigo": "001", "punto_emision": "002",
                                                 "direccion": DEMO_EC.establishment("001").address}
    assert body["comprador"] == {"tipo_identificacion": "07", "identificacion": "9999999999999",
                                 "razon_social": "CONSUMIDOR FINAL"}
    assert body["totales"]["importe_total"] == t.total and body["totales"]["propina"] == 0
    assert body["totales"]["descuento"] == D("0.82")
    assert [i["codigo_porcentaje"] for i in body["totales"]["impuestos"]] == ["0", "4", "5", "6"]
    item = body["items"][0]
    assert item["impuestos"][0] == {"codigo": "2", "codigo_porcentaje": "4", "tarifa": D("15.00"),
                                    "base_imponible": D("7.40"), "valor": D("1.11")}
    assert body["pagos"] == [{"medio": "efectivo", "total": t.total}]


def test_the_real_backend_accepts_the_body(tmp_path):
    pytest.importorskip("app.fiscal.ec.backend")
    from app.pos import checkout
    from app.pos.demo import create_demo_company

    session = create_demo_company(DataDir(tmp_path / "d"), "EC")
    cart = Cart()
    for code, price, tax in (("A", "3.15", "4"), ("B", "1.35", "0"), ("C", "8.90", "5"), ("D", "2.00", "7"),
                             ("E", "4.99", "10")):
        cart.add(p(code, price, tax), D(2))
    cart.lines[2].discount_percent = D("7.5")
    cart.buyer = Buyer("05", "1710034065", "María Andrade")
    total = cart.totals().total
    s = settle(total, [("tarjeta_credito", D("10")), ("efectivo", total)])
    body = cart.to_datil_body(session.company, "001", "001", s.payments)
    r = checkout.issue(session, body, "invoices", source="pos", payments=s.sri_payments())
    assert r.document.total == total
    xml = r.document.xml
    assert f"<importeTotal>{total}</importeTotal>".encode() in xml
    assert b"<codigoPorcentaje>10</codigoPorcentaje>" in xml and b"<identificacionComprador>1710034065<" in xml
    session.close()


def test_consumidor_final_limit():
    cart = Cart()
    cart.add(p("C", "25.00"), D(2))
    assert cart.totals().total == D("50.00")
    assert cart.buyer_problem() is None  # up to USD 50.00 inclusive
    cart.add(p("X", "0.01", "0"))
    assert "supera USD 50.00" in cart.buyer_problem()
    with pytest.raises(BuyerRequired):
        cart.to_datil_body(DEMO_EC, "001", "001")
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
    assert FINAL_CONSUMER.is_final_consumer


def test_settle_split_and_change():
    s = settle(D("22.06"), [("efectivo", D("10")), ("tarjeta_credito", D("15"))])
    assert s.payments == [("tarjeta_credito", D("15.00")), ("efectivo", D("7.06"))]
    assert s.tendered == D("25.00") and s.change == D("2.94") and s.complete
    assert s.sri_payments() == [("19", D("15.00")), ("01", D("7.06"))]
    short = settle(D("10.00"), [("efectivo", D("4"))])
    assert short.missing == D("6.00") and not short.complete
    with pytest.raises(ValueError, match="supera el saldo"):
        settle(D("10.00"), [("tarjeta_debito", D("12"))])
    with pytest.raises(ValueError, match="mayor que cero"):
        settle(D("10.00"), [("efectivo", D("0"))])


def test_scanning_again_adds_to_the_last_line():
    cart = Cart()
    cart.add(p("A", "1.00"))
    cart.add(p("A", "1.00"), D(2))
    cart.add(p("B", "1.00"))
    cart.add(p("A", "1.00"))
    assert [(ln.code, ln.quantity) for ln in cart.lines] == [("A", 3), ("B", 1), ("A", 1)]
    with pytest.raises(ValueError):
        cart.add(p("A", "1.00"), D(0))
