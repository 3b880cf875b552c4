"""The shift's X (partial) / Z (closing) report for the ticket printer.

Takes a plain dict of figures (the shift model lives elsewhere) and the currency's format (the
country's `till().money`: `amount(value)` -> '1234.50' / '1.234.500', `symbol` '$' / 'Gs.');
every key of the figures is optional:

    {"kind": "X" | "Z", "number": "12", "company": "...", "ruc": "...", "country": "<code>",
     "establishment": "001", "point": "001", "cashier": "Ana",
     "opened_at": "...", "closed_at": "...", "printed_at": "...",
     "documents": [{"type", "count", "first", "last", "total"}],
     "taxes": [{"label", "base", "tax"}],
     "payments": [{"method", "amount", "count"?}],
     "cash": {"opening", "sales", "deposits", "withdrawals", "expected", "counted", "difference"},
     "voided": {"count", "total"}, "notes": "..."}
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from app.devices.ticket import Feed, Pair, Rule, Text, Ticket

CASH_LABELS = (
    ("opening", "Fondo inicial"),
    ("sales", "Ventas en efectivo"),
    ("deposits", "Ingresos de caja"),
    ("withdrawals", "Retiros de caja"),
    ("expected", "Efectivo esperado"),
    ("counted", "Efectivo contado"),
    ("difference", "Diferencia"),
)


def _amount(value, money) -> str:
    try:
        d = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise ValueError(f"Cifra inválida en el reporte de turno: '{value}'") from None
    return money.amount(d)


def shift_report_ticket(figures: dict, money) -> Ticket:
    kind = str(figures.get("kind", "X")).upper()
    if kind not in ("X", "Z"):
        raise ValueError("El reporte de turno debe ser X o Z.")
    title = "INFORME X - PARCIAL" if kind == "X" else "INFORME Z - CIERRE DE CAJA"
    t = Ticket(figures.get("country", ""), title, str(figures.get("number", "")))
    if figures.get("company"):
        t.add(Text(str(figures["company"]), "center", bold=True))
    if figures.get("ruc"):
        t.add(Text(f"RUC: {figures['ruc']}", "center"))
    t.add(Rule(), Text(title, "center", bold=True, big=True))
    if figures.get("number"):
        t.add(Text(f"Turno N° {figures['number']}", "center", bold=True))
    for key, label in (("establishment", "Establecimiento"), ("point", "Punto de emisión"), ("cashier", "Cajero"),
                       ("opened_at", "Apertura"), ("closed_at", "Cierre"), ("printed_at", "Impreso")):
        if figures.get(key):
            t.add(Pair(f"{label}:", str(figures[key])))
    if kind == "X":
        t.add(Text("Reporte informativo: el turno sigue abierto.", "center"))

    docs = figures.get("documents") or []
    if docs:
        t.add(Rule(), Text("DOCUMENTOS EMITIDOS", bold=True))
        for d in docs:
            t.add(Pair(f"{d.get('type', '')} ({d.get('count', 0)})", _amount(d.get("total"), money)))
            if d.get("first") or d.get("last"):
                t.add(Text(f"  del {d.get('first', '')} al {d.get('last', '')}"))
    taxes = figures.get("taxes") or []
    if taxes:
        t.add(Rule(), Text("IMPUESTOS", bold=True))
        for tx in taxes:
            t.add(Pair(f"Base {tx.get('label', '')}", _amount(tx.get("base"), money)))
            if tx.get("tax") not in (None, ""):
                t.add(Pair(f"  {tx.get('label', '')}", _amount(tx.get("tax"), money)))
    pays = figures.get("payments") or []
    if pays:
        t.add(Rule(), Text("FORMAS DE PAGO", bold=True))
        total = Decimal("0")
        for p in pays:
            count = f" ({p['count']})" if p.get("count") is not None else ""
            t.add(Pair(f"{p.get('method', '')}{count}", _amount(p.get("amount"), money)))
            total += Decimal(str(p.get("amount") or "0"))
        t.add(Pair(f"TOTAL COBRADO {money.symbol}", _amount(total, money), bold=True))
    cash = figures.get("cash") or {}
    if cash:
        t.add(Rule(), Text("ARQUEO DE CAJA", bold=True))
        for key, label in CASH_LABELS:
            if key in cash:
                t.add(Pair(label, _amount(cash[key], money), bold=key == "difference"))
    voided = figures.get("voided") or {}
    if voided:
        t.add(Pair(f"Anulaciones ({voided.get('count', 0)})", _amount(voided.get("total"), money)))
    if figures.get("notes"):
        t.add(Rule(), Text(str(figures["notes"])))
    if kind == "Z":
        t.add(Rule(), Feed(), Text("Firma cajero: ____________________"), Feed(), Text("Firma supervisor: ________________"))
    t.add(Rule())
    return t
