"""A Paraguayan sale at the point-of-sale level: SIFEN arithmetic, the buyer rules (RUC check
digit, innominado below 7.000.000 Gs, NT-024), the factura model built from the Sale, and
the setup checks for a SIFEN company."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.core.errors import CertificateError
from app.fiscal import signing
from app.fiscal.py import backend as py_backend
from app.fiscal.py.certificate import PROFILE as PY_CERTIFICATE
from app.pos import setup
from app.pos.cart import Buyer, BuyerRequired, Cart, settle
from app.pos.catalog import Product
from app.fiscal.py.demo import DEMO_PY


def cart_of(*items) -> Cart:
    cart = Cart(country="PY")
    for code, price, cat, qty in items:
        cart.add(Product(code, f"Producto {code}", Decimal(price), cat), Decimal(qty))
    return cart


def test_totals_follow_sifen_arithmetic():
    cart = cart_of(("A", "15900", "PY10", 2), ("B", "24500", "PY5", 1), ("C", "45000", "PYEX", 1))
    t = cart.totals()
    assert t.total == Decimal("101300")
    assert t.by_tax == {"PY10": (Decimal("31800"), Decimal("2891")), "PY5": (Decimal("24500"), Decimal("1167")),
                        "PYEX": (Decimal("45000"), Decimal("0"))}
    cart.lines[0].discount_percent = Decimal("10")  # 1.590 Gs per unit
    assert cart.lines[0].total == Decimal("28620") and cart.totals().discount == Decimal("3180")


def test_an_ecuador_product_is_refused_in_a_paraguay_sale():
    with pytest.raises(ValueError, match="no es de Paraguay"):
        cart_of(("X", "1.50", "4", 1))


def test_innominado_limit_nt024():
    below = cart_of(("TV", "6999999", "PY10", 1))
    assert below.buyer.id_type == "PY-INN" and below.buyer_problem() is None
    at = cart_of(("TV", "7000000", "PY10", 1))
    assert "no puede ser innominada" in at.buyer_problem() and "Gs. 7.000.000" in at.buyer_problem()
    with pytest.raises(BuyerRequired):
        at.checked_sale(settle(Decimal("7000000"), [("efectivo", Decimal("7000000"))], country="PY"),
                        establishment="001", point="001")
    at.buyer = Buyer("PY-CI", "3456789", "María Benítez")
    assert at.buyer_problem() is None


def test_ruc_check_digit_and_name():
    cart = cart_of(("A", "1000", "PY10", 1))
    cart.buyer = Buyer("PY-RUC", "80069563-2", "Empresa S.A.")
    assert "dígito verificador incorrecto (corresponde 1)" in cart.buyer_problem()
    cart.buyer = Buyer("PY-RUC", "80069563", "Empresa S.A.")
    assert "falta el dígito verificador" in cart.buyer_problem()
    cart.buyer = Buyer("PY-RUC", "80069563-1", "Emp")
    assert "al menos 4 letras" in cart.buyer_problem()
    cart.buyer = Buyer("PY-CI", "1.234.567", "Juan Pérez")
    assert "sin puntos" in cart.buyer_problem()


def test_the_factura_model_of_the_sale():
    cart = cart_of(("A", "15900", "PY10", "1.5"), ("B", "45000", "PYEX", 1))
    cart.buyer = Buyer("PY-RUC", "80069563-1", "Ferretería Asunción S.A.", "compras@ferre.com.py")
    total = cart.totals().total
    s = settle(total, [("tarjeta_credito", Decimal("20000")), ("cheque", Decimal("30000")),
                       ("efectivo", Decimal("50000"))], country="PY")
    backend = py_backend.FACET
    with pytest.raises(ValueError, match="número del cheque"):
        backend.draft_from_sale(cart.checked_sale(s, establishment="001", point="001"), DEMO_PY)
    s = replace(s, details={"cheque": {"numero": "778899", "banco": "Banco Itaú"}})
    draft = backend.draft_from_sale(cart.checked_sale(s, establishment="001", point="001", cashier="Ana"), DEMO_PY)
    doc = draft.model.document
    assert draft.total == total and doc.info_issuer == "Cajero: Ana"
    assert doc.currency == "PYG" and doc.condition == 1
    assert doc.receiver.contribuyente and (doc.receiver.ruc, doc.receiver.ruc_dv) == ("80069563", 1)
    assert doc.receiver.taxpayer_type == 2 and doc.receiver.operation == 1
    assert [(i.quantity, i.price, i.iva_type, i.iva_rate) for i in doc.items] == [
        (Decimal("1.5"), Decimal("15900"), 1, 10), (Decimal(1), Decimal("45000"), 3, 0)]
    assert [(p.kind, p.amount) for p in doc.payments] == [(3, Decimal("20000")), (2, Decimal("30000")),
                                                          (1, total - Decimal("50000"))]
    assert doc.payments[1].cheque_number == "00778899"
    assert s.change == Decimal("100000") - total
    assert s.authority_payments() == draft.payments == [
        ("3", Decimal("20000")), ("2", Decimal("30000")), ("1", total - Decimal("50000"))]


def test_guaranies_are_whole():
    s = settle(Decimal("17500"), [("efectivo", Decimal("20000.4"))], country="PY")
    assert s.tendered == Decimal("20000") and s.change == Decimal("2500")
    with pytest.raises(ValueError, match="Forma de pago desconocida"):
        settle(Decimal("1"), [("dinero_electronico_ec", Decimal("1"))], country="PY")


def test_setup_checks_for_a_sifen_company():
    assert setup.company_errors(DEMO_PY) == []
    bad = replace(DEMO_PY, ruc="80012345-9", timbrado="123", timbrado_start=None, actividades=(),
                  establishments=(replace(DEMO_PY.establishments[0], ciudad=None, phone="12", email=""),),
                  phone="", email="")
    fields = {e.field.split("[")[0].split(".")[0] for e in setup.company_errors(bad)}
    assert {"ruc", "timbrado", "timbrado_start", "actividades", "establishments"} <= fields
    msgs = " ".join(e.message for e in setup.company_errors(bad))
    assert "corresponde 0" in msgs and "ciudad" in msgs and "teléfono" in msgs


def test_py_certificate_matches_the_ruc_with_check_digit():
    p12 = signing.generate_test_p12(ruc="80069563-1", holder="EMPRESA S.A.", password="x1", profile=PY_CERTIFICATE)
    facts = setup.inspect_certificate(p12, "x1", "80069563-1", "PY")
    assert facts.ruc and "80069563" in facts.ruc
    with pytest.raises(CertificateError, match="no a 80012345-0"):
        setup.inspect_certificate(p12, "x1", "80012345-0", "PY")
    assert date.today() < facts.not_after.date()
