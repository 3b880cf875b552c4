"""The till's `Sale` → SIFEN factura for a sale charged in US dollars (payments carrying 'moneda'
and 'cambio') and for a sale on credit (a 'credito' payment with cuotas or a term): the XML
validates, the amounts follow SIFEN's foreign-currency and credit rules, bad input is refused in
Spanish before anything is stored."""
from __future__ import annotations

import calendar
from datetime import date, datetime, timezone
from decimal import Decimal as D

import pytest

from app.config import DataDir
from app.core.errors import ValidationError
from app.core.sale import Party, Payment, Sale, SaleLine
from app.fiscal.py import credit_plan, schema
from app.pos import checkout
from app.pos.demo import create_demo_company

# a 31st of January after today (any date the tests run on): cuotas fall on the months' last days
NOW = datetime(datetime.now(timezone.utc).year + 1, 1, 31, 15, 0, tzinfo=timezone.utc)
BUYER = Party("PY-RUC", "80069563-1", "Ferreteria Asuncion S.A.")


@pytest.fixture
def session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), "PY")
    yield s
    s.close()


def sale(payments, buyer=BUYER, lines=None) -> Sale:
    lines = lines or (SaleLine("ACEITE9", "Aceite", D(2), D("15900"), True, "PY10"),
                      SaleLine("LIBRO", "Libro", D(1), D("45000"), True, "PYEX"))
    return Sale(lines=tuple(lines), buyer=buyer, payments=tuple(payments), currency="PYG",
                establishment="001", point="001", issued_at=NOW)


def xml_of(session, s) -> bytes:
    r = checkout.issue_sale(session, s, now=NOW)
    xml = bytes(session.conn.execute("SELECT xml FROM documents WHERE id=?", (r.document_id,)).fetchone()[0])
    assert schema.validate(xml) == []
    return xml


def test_usd_two_payments_share_the_total(session):
    usd = {"moneda": "USD", "cambio": "7310"}
    xml = xml_of(session, sale([Payment("tarjeta_debito", D("30000"), {**usd, "marca": "Visa"}),
                                Payment("efectivo", D("46800"), usd)]))
    # 15.900 / 7.310 = 2,18 (×2 = 4,36); 45.000 / 7.310 = 6,16: total 10,52 = 76.901 Gs.
    assert b"<dTotGralOpe>10.52</dTotGralOpe>" in xml and b"<dTotalGs>76901</dTotalGs>" in xml
    # the payments keep their proportion of the guaraní amounts; the last absorbs the rounding
    assert b"<dMonTiPag>4.11</dMonTiPag>" in xml and b"<dMonTiPag>6.41</dMonTiPag>" in xml


def test_one_currency_per_sale(session):
    with pytest.raises(ValidationError, match="una sola moneda"):
        checkout.issue_sale(session, sale([Payment("tarjeta_debito", D("30000"), {"moneda": "USD", "cambio": "7310"}),
                                           Payment("efectivo", D("46800"))]), now=NOW)
    with pytest.raises(ValidationError, match="Tipo de cambio"):
        checkout.issue_sale(session, sale([Payment("efectivo", D("76800"), {"moneda": "USD", "cambio": "x"})]), now=NOW)
    assert session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0


def test_credit_with_a_down_payment_and_cuotas_on_month_ends(session):
    xml = xml_of(session, sale([Payment("efectivo", D("16800")), Payment("credito", D("60000"), {"cuotas": "4"})]))
    assert b"<iCondOpe>2</iCondOpe>" in xml and b"<dMonEnt>16800</dMonEnt>" in xml
    assert b"<dMonTiPag>16800</dMonTiPag>" in xml  # the cash handed over at the counter
    dues = [x.split(b"</dVencCuo>")[0].decode() for x in xml.split(b"<dVencCuo>")[1:]]
    y = NOW.year
    assert dues == [f"{y}-02-{calendar.monthrange(y, 2)[1]}", f"{y}-03-31", f"{y}-04-30", f"{y}-05-31"]
    assert xml.count(b"<dMonCuota>15000</dMonCuota>") == 4


def test_credit_term_and_refusals(session):
    xml = xml_of(session, sale([Payment("credito", D("76800"), {"plazo": "30"})]))
    assert b"<iCondCred>1</iCondCred>" in xml and b"<dPlazoCre>30 d\xc3\xadas</dPlazoCre>" in xml
    anon = Party("PY-INN", "0", "Sin Nombre")
    for payments, buyer, words in (
            ([Payment("credito", D("76800"), {"plazo": "30"})], anon, "identifique al cliente"),
            ([Payment("credito", D("76800"), {})], BUYER, "cuotas o el plazo"),
            ([Payment("credito", D("76800"), {"cuotas": "3", "plazo": "30"})], BUYER, "no ambos"),
            ([Payment("credito", D("76800"), {"cuotas": "1000"})], BUYER, "de 1 a 999")):
        with pytest.raises(ValidationError, match=words):
            checkout.issue_sale(session, sale(payments, buyer), now=NOW)


def test_cuotas_split_last_absorbs():
    c = credit_plan.plan({"cuotas": "3"}, D("100000"), currency="PYG", places=0, issued=date(2031, 1, 15))
    assert [q.amount for q in c.installments] == [D("33333"), D("33333"), D("33334")]
    assert [q.due for q in c.installments] == [date(2031, 2, 15), date(2031, 3, 15), date(2031, 4, 15)]
    c = credit_plan.plan({"cuotas": "3"}, D("10.00"), currency="USD", places=2, issued=date(2031, 11, 30))
    assert [q.amount for q in c.installments] == [D("3.33"), D("3.33"), D("3.34")]
    assert c.installments[2].due == date(2032, 2, 29)
