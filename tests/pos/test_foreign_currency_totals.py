"""One rule for the totals of a document in another currency (app/fiscal/home_amounts.py): the till
and the API/CLI path both store `documents.total`, `sales.total` and the payments in the
document's currency with its code; Reportes, Caja and the X/Z report count a USD document once,
in guaraníes at the rate its signed XML states (dTotalGs)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.config import DataDir
from app.core.sale import Party, Payment, Sale, SaleLine
from app.pos import checkout, reports, shifts
from app.store import documents

ZONE = ZoneInfo("America/Asuncion")
FE_USD = Path(__file__).parents[1] / "fiscal" / "py" / "expected" / "fe_usd.input.json"


@pytest.fixture
def session(tmp_path):
    from app.pos.demo import create_demo_company

    s = create_demo_company(DataDir(tmp_path / "data"), "PY")
    yield s
    s.close()


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def total_gs(session, doc_id) -> D:
    xml = bytes(documents.get(session.conn, doc_id)["xml"])
    return D(re.search(rb"<dTotalGs>([0-9.]+)</dTotalGs>", xml).group(1).decode())


def till_usd_sale(session, at: datetime):
    usd = {"moneda": "USD", "cambio": "7310"}
    sale = Sale(lines=(SaleLine("ACEITE9", "Aceite", D(2), D("15900"), True, "PY10"),
                       SaleLine("LIBRO", "Libro", D(1), D("45000"), True, "PYEX")),
                buyer=Party("PY-RUC", "80069563-1", "Ferreteria Asuncion S.A."),
                payments=(Payment("efectivo", D("76800"), usd),), currency="PYG", establishment="001", point="001",
                issued_at=at)
    return checkout.issue_sale(session, sale, source="pos", now=at)


def api_usd_invoice(session, at: datetime):
    body = json.loads(FE_USD.read_text(encoding="utf-8"))
    body.pop("numero", None)
    body["fecha"] = at.astimezone(ZONE).replace(tzinfo=None).isoformat()
    body["condicion"] = {"tipo": 1, "entregas": [{"tipo": 1, "monto": "396.04", "moneda": "USD", "cambio": 7300.5}]}
    return checkout.issue(session, body, "invoices", source="api", now=at)


def test_both_paths_store_the_document_currency_and_reports_add_guaranies(session):
    shift = shifts.open_shift(session.conn, "001", "001", "Ana", "100000")
    at = now() + timedelta(seconds=1)  # after the shift opened
    a = till_usd_sale(session, at)
    b = api_usd_invoice(session, at)
    rows = {r["id"]: r for r in session.conn.execute(
        "SELECT d.id, d.total, d.currency, s.total AS sale_total, s.currency AS sale_currency "
        "FROM documents d JOIN sales s ON s.id = d.sale_id")}
    # one rule, both paths: the document's own total and currency code
    assert (D(rows[a.document_id]["total"]), rows[a.document_id]["currency"]) == (D("10.52"), "USD")
    assert (D(rows[b.document_id]["total"]), rows[b.document_id]["currency"]) == (D("396.04"), "USD")
    for r in rows.values():
        assert (r["sale_total"], r["sale_currency"]) == (r["total"], r["currency"])
    pays = session.conn.execute("SELECT p.amount FROM payments p WHERE p.sale_id=?", (a.sale_id,)).fetchall()
    assert [p[0] for p in pays] == ["10.52"]

    gs_a, gs_b = total_gs(session, a.document_id), total_gs(session, b.document_id)
    assert gs_a == D("76901")  # 10,52 × 7.310
    day = at.astimezone(ZONE).date()
    # Reportes: each document once, in guaraníes at its rate
    assert sum(r.amount for r in reports.by_day(session.conn, day, day, ZONE)) == gs_a + gs_b
    assert sum(r.count for r in reports.by_day(session.conn, day, day, ZONE)) == 2
    assert sum(r.amount for r in reports.by_hour(session.conn, day, day, ZONE)) == gs_a + gs_b
    by_payment = {r.label: r.amount for r in reports.by_payment(session.conn, day, day, ZONE)}
    # (the PY API path stores no payments rows: its entregas live in the XML only)
    assert by_payment == {"Efectivo": gs_a}, by_payment
    taxes = reports.by_tax(session.conn, day, day, ZONE)
    # bases and taxes in guaraníes: they add up to the two totals within a guaraní per rate and sale
    assert abs(sum(r.amount + r.extra for r in taxes) - (gs_a + gs_b)) <= 2, taxes
    assert all(r.amount > 1000 for r in taxes), taxes  # not the dollar amounts
    top = {r.label: r.amount for r in reports.top_products(session.conn, day, day, ZONE)}
    # exento lines: what they weigh of the document's total in guaraníes (19,99 USD of 396,04)
    assert top["U-2 Exento en dólares"] == round(D("19.99") * gs_b / D("396.04")), top
    assert abs(top["LIBRO Libro"] - D("45000")) <= 100, top  # 6,16 USD × 7.310 = 45.030

    # Caja (X/Z): only the till's own sale, once, in guaraníes; its cash at the same value
    rep = shifts.report(session.conn, shift.id)
    assert (rep.sales_count, rep.sales_total) == (1, gs_a)
    assert rep.expected_cash == D("100000") + gs_a

