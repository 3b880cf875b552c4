"""Sales reports: per day, per hour, per payment method, per tax rate, top products, CSV export.

Everything is read from what was issued: the sale's request (the Dátil body kept in
`sales.request_json`) joined to its document, leaving out cancelled documents.
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

from app.core.money import ZERO, to_decimal
from app.pos.cart import TAX_CATEGORIES, payment_label

COUNTRY_TZ = {"EC": "America/Guayaquil", "PY": "America/Asuncion"}


def zone_for(country: str) -> tzinfo:
    return ZoneInfo(COUNTRY_TZ.get(country, "UTC"))


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


def _sales(conn: sqlite3.Connection, start: date, end: date, tz: tzinfo) -> list[_Sale]:
    lo = datetime.combine(start, time.min, tz).astimezone(timezone.utc)
    hi = datetime.combine(end + timedelta(days=1), time.min, tz).astimezone(timezone.utc)
    rows = conn.execute(
        "SELECT s.id, s.created_at, d.total, s.request_json FROM sales s JOIN documents d ON d.sale_id = s.id "
        "WHERE d.kind='invoices' AND d.version=1 AND d.status <> 'cancelled' "
        "AND julianday(s.created_at) >= julianday(?) AND julianday(s.created_at) < julianday(?) ORDER BY s.id",
        (lo.isoformat(), hi.isoformat())).fetchall()
    out = []
    for r in rows:
        try:
            body = json.loads(r["request_json"])
        except ValueError:
            body = {}
        out.append(_Sale(datetime.fromisoformat(r["created_at"]).astimezone(tz), Decimal(r["total"]), body,
                         r["id"]))
    return out


def _dec(value) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError:
        return ZERO


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
    return [Row(k, c, t) for k, (c, t) in acc.items()]


def by_hour(conn, start: date, end: date, tz: tzinfo) -> list[Row]:
    acc = {h: [0, ZERO] for h in range(24)}
    for s in _sales(conn, start, end, tz):
        acc[s.at.hour][0] += 1
        acc[s.at.hour][1] += s.total
    return [Row(f"{h:02d}:00", c, t) for h, (c, t) in acc.items()]


def by_payment(conn, start: date, end: date, tz: tzinfo) -> list[Row]:
    ids = [s.sale_id for s in _sales(conn, start, end, tz)]
    acc: dict[str, list] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for r in conn.execute("SELECT p.method, p.amount, s.country FROM payments p JOIN sales s ON s.id = p.sale_id "
                              f"WHERE p.sale_id IN ({','.join('?' * len(part))})", part):
            a = acc.setdefault(payment_label(r["country"], r["method"]), [0, ZERO])
            a[0] += 1
            a[1] += Decimal(r["amount"])
    return [Row(k, c, t) for k, (c, t) in sorted(acc.items(), key=lambda kv: -kv[1][1])]


def _is_facturasend(body: dict) -> bool:
    """A Paraguayan sale body (FacturaSend `de/create`): items priced with ivaTipo."""
    items = body.get("items") or []
    return bool(items) and isinstance(items[0], dict) and "ivaTipo" in items[0]


def _py_rows(body: dict):
    """(item dicts, their SIFEN amounts, group totals) of a FacturaSend body."""
    from app.fiscal.py.totals import ItemInput, compute

    items = [it for it in body.get("items", []) if isinstance(it, dict)]
    inputs = [ItemInput(_dec(it.get("precioUnitario", 0)), _dec(it.get("cantidad", 0)), int(it.get("ivaTipo", 1)),
                        _dec(it.get("ivaBase", 100)), int(it.get("iva", 10)), _dec(it.get("descuento", 0)))
              for it in items]
    rows, totals = compute(inputs, currency=body.get("moneda") or "PYG")
    return items, rows, totals


def by_tax(conn, start: date, end: date, tz: tzinfo) -> list[Row]:
    """Per IVA rate: number of sales, taxable base, tax value."""
    acc: dict[str, list] = {}
    for s in _sales(conn, start, end, tz):
        if _is_facturasend(s.body):  # per rate: taxable base without IVA, and the IVA
            _items, _rows, t = _py_rows(s.body)
            for code, base, iva, present in (("PY10", t.base10, t.iva10, t.sub10), ("PY5", t.base5, t.iva5, t.sub5),
                                             ("PYEX", t.sub_exe, ZERO, t.sub_exe)):
                if present:
                    a = acc.setdefault(code, [0, ZERO, ZERO])
                    a[0] += 1
                    a[1] += base
                    a[2] += iva
            continue
        for t in s.body.get("totales", {}).get("impuestos", []):
            code = str(t.get("codigo_porcentaje"))
            a = acc.setdefault(code, [0, ZERO, ZERO])
            a[0] += 1
            a[1] += _dec(t.get("base_imponible", 0))
            a[2] += _dec(t.get("valor", 0))
    label = lambda c: TAX_CATEGORIES[c].label if c in TAX_CATEGORIES else f"IVA código {c}"  # noqa: E731
    return [Row(label(k), c, b, v) for k, (c, b, v) in sorted(acc.items())]


def top_products(conn, start: date, end: date, tz: tzinfo, limit: int = 10) -> list[Row]:
    """Best sellers by amount without tax; `extra` is the quantity sold."""
    acc: dict[str, list] = {}
    for s in _sales(conn, start, end, tz):
        if _is_facturasend(s.body):
            items, rows, _t = _py_rows(s.body)
            for it, r in zip(items, rows):
                key = f"{it.get('codigo', '')} {it.get('descripcion', '')}".strip()
                a = acc.setdefault(key, [0, ZERO, ZERO])
                a[0] += 1
                a[1] += r.base if r.iva_type == 1 else r.total  # without IVA
                a[2] += _dec(it.get("cantidad", 0))
            continue
        for it in s.body.get("items", []):
            key = f"{it.get('codigo_principal', '')} {it.get('descripcion', '')}".strip()
            a = acc.setdefault(key, [0, ZERO, ZERO])
            a[0] += 1
            a[1] += _dec(it.get("precio_total_sin_impuestos", 0))
            a[2] += _dec(it.get("cantidad", 0))
    ranked = sorted(acc.items(), key=lambda kv: (-kv[1][1], kv[0]))[:limit]
    return [Row(k, c, t, q) for k, (c, t, q) in ranked]


REPORTS = {
    "day": ("Ventas por día", by_day, ("Día", "Ventas", "Total USD")),
    "hour": ("Ventas por hora", by_hour, ("Hora", "Ventas", "Total USD")),
    "payment": ("Por forma de pago", by_payment, ("Forma de pago", "Pagos", "Total USD")),
    "tax": ("Por tarifa de IVA", by_tax, ("Tarifa", "Ventas", "Base imponible", "IVA")),
    "top": ("Productos más vendidos", top_products, ("Producto", "Líneas", "Total sin IVA", "Cantidad")),
}


def header_for(kind: str, country: str) -> tuple[str, ...]:
    """The report's column names in the shop's currency."""
    _, _, header = REPORTS[kind]
    return tuple(h.replace("USD", "Gs.") for h in header) if country == "PY" else header


def to_csv(kind: str, rows: list[Row], country: str = "EC") -> str:
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
