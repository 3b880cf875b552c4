"""Reports from real issued sales: per day, hour, payment, tax rate, top products, CSV."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest

from app.config import DataDir
from app.pos import catalog, reports, shifts, till
from app.pos.cart import Cart, settle


@pytest.fixture
def session(tmp_path):
    pytest.importorskip("app.fiscal.ec.backend")
    from app.pos.demo import create_demo_company

    s = create_demo_company(DataDir(tmp_path / "d"), "EC")
    catalog.seed_demo_catalog(s.conn)
    shifts.open_shift(s.conn, "001", "001", "Ana", "0")
    yield s
    s.close()


def sell(session, items, medio):
    cart = Cart()
    for code, qty in items:
        cart.add(catalog.find_product(session.conn, code), D(qty))
    total = cart.totals().total
    return till.complete_sale(session, cart, settle(total, [(medio, total)]), cashier="Ana", establishment="001",
                              point="001").result


def test_reports(session):
    conn = session.conn
    a = sell(session, [("CAFE", 2), ("PAN", 1)], "efectivo")  # 2×4.25 → base 7.39 IVA 1.11; pan 2.30
    b = sell(session, [("CEMENTO", 1)], "tarjeta_credito")  # 8.48 + 0.42
    tz = reports.zone_for("EC")
    today = datetime.now(tz).date()
    days = reports.by_day(conn, today - timedelta(days=2), today, tz)
    assert [r.count for r in days] == [0, 0, 2]
    assert days[-1].amount == a.document.total + b.document.total
    hours = reports.by_hour(conn, today, today, tz)
    assert len(hours) == 24 and sum(r.count for r in hours) == 2
    pay = {r.label: r.amount for r in reports.by_payment(conn, today, today, tz)}
    assert pay == {"Efectivo": a.document.total, "Tarjeta de crédito": b.document.total}
    tax = {r.label: (r.amount, r.extra) for r in reports.by_tax(conn, today, today, tz)}
    assert tax["IVA 15 %"] == (D("7.39"), D("1.11"))
    assert tax["IVA 0 %"] == (D("2.30"), D("0.00"))
    assert tax["IVA 5 %"] == (D("8.48"), D("0.42"))
    top = reports.top_products(conn, today, today, tz)
    assert top[0].label.startswith("CEMENTO") and top[1].label.startswith("CAFE") and top[1].extra == 2
    rows = list(csv.reader(io.StringIO(reports.to_csv("tax", reports.by_tax(conn, today, today, tz)))))
    assert rows[0] == ["Tarifa", "Ventas", "Base imponible", "IVA"]
    assert ["IVA 5 %", "1", "8.48", "0.42"] in rows
    # another day sees nothing
    assert reports.by_payment(conn, today - timedelta(days=5), today - timedelta(days=4), tz) == []
