"""Sales reports: per day, per hour, per payment method, per tax rate, top products, CSV export.

Everything is read from what was issued: the sale's request (`sales.request_json`: the till's
`Sale` or an input dialect's body), read back by the country's till rules (`issued_lines`), joined
to its document, leaving out cancelled documents.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.core import status as st
from app.core.errors import ConfigurationError
from app.core.money import ZERO
from app.fiscal import registry
from app.pos.cart import TAX_CATEGORIES, payment_label, rules_for
from app.fiscal.home_amounts import HomeAmounts, line_scale


def today_in(tz: tzinfo, now: datetime | None = None) -> date:
    """The shop's calendar day: the reports' days are the authority's, not the machine's zone."""
    return (now or datetime.now(timezone.utc)).astimezone(tz).date()


def zone_for(country: str) -> tzinfo:
    """The time zone the country's authority dates documents in (UTC for an unknown country)."""
    try:
        return ZoneInfo(registry.country(country).timezone)
    except ConfigurationError:
        return ZoneInfo("UTC")


CREDIT_NOTES = "credit-notes"


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    amount: Decimal
    extra: Decimal = ZERO  # tax value for the per-rate report, quantity for top products


@dataclass
class _Sale:
    at: datetime
    total: Decimal
    body: dict
    sale_id: int
    country: str
    foreign: bool = False  # a document in another currency than the till's (`total` converted)


def _sales(conn: sqlite3.Connection, start: date, end: date, tz: tzinfo, kind: str = "invoices") -> list[_Sale]:
    """The documents of `kind` issued in the period (invoices; 'credit-notes' to subtract them), their
    totals in the till's currency (app/fiscal/home_amounts.py: a USD document counted once, at its rate)."""
    lo = datetime.combine(start, time.min, tz).astimezone(timezone.utc)
    hi = datetime.combine(end + timedelta(days=1), time.min, tz).astimezone(timezone.utc)
    rows = conn.execute(
        "SELECT s.id, s.created_at, s.country, d.id AS doc_id, d.total, d.currency, s.request_json "
        "FROM sales s JOIN documents d ON d.sale_id = s.id "
        "WHERE d.kind=? AND d.version=1 AND d.status <> ? "
        "AND julianday(s.created_at) >= julianday(?) AND julianday(s.created_at) < julianday(?) ORDER BY s.id",
        (kind, st.CANCELLED, lo.isoformat(), hi.isoformat())).fetchall()
    out = []
    home = HomeAmounts(conn)
    for r in rows:
        try:
            body = json.loads(r["request_json"])
        except ValueError:
            body = {}
        out.append(_Sale(datetime.fromisoformat(r["created_at"]).astimezone(tz),
                         home.home(r["total"], r["doc_id"], r["country"], r["currency"]), body, r["id"], r["country"],
                         r["currency"] != rules_for(r["country"]).money.code))
    return out


def _lines(s: _Sale):
    """The sale's lines as its country's rules read them back ([] for an unreadable request)."""
    try:
        return rules_for(s.country).issued_lines(s.body)
    except (ValueError, KeyError, TypeError, ArithmeticError, ConfigurationError):
        return []


def _scale(s: _Sale, lines) -> Decimal:
    """What a line's amounts are multiplied by to be in the till's currency: 1, or for a document in
    another currency its total in the till's currency over what its lines add up to (the request's
    lines may be in that currency, API, or in the till's before conversion, a till sale)."""
    return line_scale(s.total, lines) if s.foreign else Decimal(1)


def by_day(conn, start: date, end: date, tz: tzinfo) -> list[Row]:
    acc: dict[str, list] = {}
    day = start
    while day <= end:  # every day shows, with zero when nothing was sold
        acc[day.strftime("%d/%m/%Y")] = [0, ZERO]
        day += timedelta(days=1)
    for s in _sales(conn, start, end, tz):
        a = acc.setdefault(s.at.strftime("%d/%m/%Y"), [0, ZERO])
        a[0] += 1
        a[1] += s.total
    for s in _sales(conn, start, end, tz, CREDIT_NOTES):  # net of credit notes
        acc.setdefault(s.at.strftime("%d/%m/%Y"), [0, ZERO])[1] -= s.total
    return [Row(k, c, t) for k, (c, t) in acc.items()]


def by_hour(conn, start: date, end: date, tz: tzinfo) -> list[Row]:
    acc = {h: [0, ZERO] for h in range(24)}
    for s in _sales(conn, start, end, tz):
        acc[s.at.hour][0] += 1
        acc[s.at.hour][1] += s.total
    for s in _sales(conn, start, end, tz, CREDIT_NOTES):
        acc[s.at.hour][1] -= s.total
    return [Row(f"{h:02d}:00", c, t) for h, (c, t) in acc.items()]


def by_payment(conn, start: date, end: date, tz: tzinfo) -> list[Row]:
    """Per payment method, net of the money given back with credit notes (refunds)."""
    acc: dict[str, list] = {}
    home = HomeAmounts(conn)
    for kind, sign in (("invoices", 1), (CREDIT_NOTES, -1)):
        ids = [s.sale_id for s in _sales(conn, start, end, tz, kind)]
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            for r in conn.execute("SELECT p.method, p.amount, s.country, d.id AS doc_id, d.currency FROM payments p "
                                  "JOIN sales s ON s.id = p.sale_id JOIN documents d ON d.sale_id = s.id "
                                  f"WHERE d.version=1 AND p.sale_id IN ({','.join('?' * len(part))})", part):
                a = acc.setdefault(payment_label(r["country"], r["method"]), [0, ZERO])
                a[0] += sign > 0
                a[1] += sign * home.home(r["amount"], r["doc_id"], r["country"], r["currency"])
    return [Row(k, c, t) for k, (c, t) in sorted(acc.items(), key=lambda kv: -kv[1][1])]


def by_tax(conn, start: date, end: date, tz: tzinfo) -> list[Row]:
    """Per IVA rate: number of sales, taxable base, tax value (each sale's sums rounded to its currency)."""
    acc: dict[str, list] = {}
    for kind, sign in (("invoices", 1), (CREDIT_NOTES, -1)):  # net of credit notes
        for s in _sales(conn, start, end, tz, kind):
            money = rules_for(s.country).money
            sums: dict[str, list] = {}
            lines = _lines(s)
            scale = _scale(s, lines)
            for ln in lines:
                g = sums.setdefault(ln.tax_category, [ZERO, ZERO])
                g[0] += ln.base * scale
                g[1] += ln.tax * scale
            for code, (base, tax) in sums.items():
                a = acc.setdefault(code, [0, ZERO, ZERO])
                a[0] += sign > 0
                a[1] += sign * money.round(base)
                a[2] += sign * money.round(tax)
    label = lambda c: TAX_CATEGORIES[c].label if c in TAX_CATEGORIES else f"IVA código {c}"  # noqa: E731
    return [Row(label(k), c, b, v) for k, (c, b, v) in sorted(acc.items())]


def top_products(conn, start: date, end: date, tz: tzinfo, limit: int = 10) -> list[Row]:
    """Best sellers by amount without tax; `extra` is the quantity sold."""
    acc: dict[str, list] = {}
    for s in _sales(conn, start, end, tz):
        lines = _lines(s)
        scale = _scale(s, lines)
        for ln in lines:
            key = f"{ln.code} {ln.name}".strip()
            a = acc.setdefault(key, [0, ZERO, ZERO])
            a[0] += 1
            a[1] += ln.base if not s.foreign else rules_for(s.country).money.round(ln.base * scale)
            a[2] += ln.quantity
    ranked = sorted(acc.items(), key=lambda kv: (-kv[1][1], kv[0]))[:limit]
    return [Row(k, c, t, q) for k, (c, t, q) in ranked]


REPORTS = {
    "day": ("Ventas por día", by_day, ("Día", "Ventas", "Total {currency}")),
    "hour": ("Ventas por hora", by_hour, ("Hora", "Ventas", "Total {currency}")),
    "payment": ("Por forma de pago", by_payment, ("Forma de pago", "Pagos", "Total {currency}")),
    "tax": ("Por tarifa de IVA", by_tax, ("Tarifa", "Ventas", "Base imponible", "IVA")),
    "top": ("Productos más vendidos", top_products, ("Producto", "Líneas", "Total sin IVA", "Cantidad")),
}


def header_for(kind: str, country: str) -> tuple[str, ...]:
    """The report's column names in the shop's currency."""
    _, _, header = REPORTS[kind]
    unit = rules_for(country).money.unit
    return tuple(h.format(currency=unit) for h in header)


def to_csv(kind: str, rows: list[Row], country: str = "") -> str:
    header = header_for(kind, country)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for r in rows:
        cells = [r.label, r.count, f"{r.amount:.2f}"]
        if len(header) == 4:
            cells.append(f"{r.extra:.2f}" if kind == "tax" else f"{r.extra.normalize():f}")
        w.writerow(cells)
    return out.getvalue()
