"""Printing a stored document: the ticket (ESC/POS or PDF) and the A4 printable (RIDE, KuDE).

Everything printed comes from the stored signed XML, plus what only the sale knows
(payments, amount tendered, change); the document's country (`printables` facet) turns them
into the ticket model and the A4 PDF. A print that is not the first one of that document is
marked as a copy ("REIMPRESIÓN - COPIA") and never opens the cash drawer. A printer failure
raises `PrinterError`; the document is already stored and can be reprinted.
"""
from __future__ import annotations

import sqlite3

from app.core.errors import ConfigurationError
from app.fiscal import registry
from app.pos.session import Session
from app.store import documents, settings
from app.core.moments import shown_as_written as _local_time

PRINTERS_KEY = "printers"  # {name: PrinterConfig fields}
DEFAULT_PRINTER_KEY = "printer.default"


def extras_for(session: Session, row: sqlite3.Row, *, copy: bool) -> dict:
    extras: dict = {"environment": session.company.environment, "copy": copy}
    if row["authorization_number"]:
        extras["authorization"] = {"numero": row["authorization_number"],
                                   "fecha": _local_time(row["authorized_at"])}
    if row["sale_id"] is not None:
        sale = session.conn.execute("SELECT tendered, change FROM sales WHERE id=?", (row["sale_id"],)).fetchone()
        pays = session.conn.execute("SELECT method, amount FROM payments WHERE sale_id=? ORDER BY n",
                                    (row["sale_id"],)).fetchall()
        extras["payments"] = [{"method": p["method"], "amount": p["amount"]} for p in pays]
        if sale and sale["tendered"] is not None:
            extras["tendered"] = sale["tendered"]
        if sale and sale["change"] is not None:
            extras["change"] = sale["change"]
            given = _change_currency(session.conn, row["sale_id"])
            if given:
                extras["change_currency"] = given
    logo = session.company.extra.get("logo")
    if logo:
        extras["logo"] = logo
    return extras


def _change_currency(conn: sqlite3.Connection, sale_id: int) -> str:
    """The currency Cobrar gave the change in when it was not the sale's (a till sale's payments
    carry it as 'vuelto'), else ''."""
    import json

    r = conn.execute("SELECT request_json FROM sales WHERE id=?", (sale_id,)).fetchone()
    try:
        record = json.loads(r["request_json"]) if r else {}
    except (TypeError, ValueError):
        return ""
    pays = record.get("sale", {}).get("payments") if isinstance(record.get("sale"), dict) else None
    return next((str(p["extra"]["vuelto"]) for p in pays or () if isinstance(p, dict)
                 and isinstance(p.get("extra"), dict) and p["extra"].get("vuelto")), "")


def times_printed(conn: sqlite3.Connection, doc_id: int) -> int:
    return conn.execute("SELECT COUNT(*) FROM document_events WHERE document_id=? AND status='printed'",
                        (doc_id,)).fetchone()[0]


def _note_print(conn: sqlite3.Connection, doc_id: int, what: str) -> None:
    # never waits for another process's write lock: the print is done (issue #15)
    documents.add_event_nowait(conn, doc_id, "printed", what)


def ticket(session: Session, key: str, *, copy: bool | None = None):
    """The ticket model of the document `key`; `copy` defaults to "printed before"."""
    row = documents.by_key(session.conn, key)
    if copy is None:
        copy = times_printed(session.conn, row["id"]) > 0
    printables = registry.country(row["country"]).printables()
    return row, printables.ticket(bytes(row["xml"]), extras_for(session, row, copy=copy), session.company)


def printer_config(session: Session, name: str | None = None):
    from app.devices.printers import PrinterConfig

    printers = settings.get(session.conn, PRINTERS_KEY, {}) or {}
    name = name or settings.get(session.conn, DEFAULT_PRINTER_KEY)
    if not name or name not in printers:
        known = ", ".join(sorted(printers)) or "ninguna"
        raise ConfigurationError(
            f"No hay una impresora llamada '{name}' (configuradas: {known})." if name else
            f"No hay impresora predeterminada (configuradas: {known}). Use --printer o --pdf.")
    return PrinterConfig.from_settings(printers[name])


def print_ticket(session: Session, key: str, *, printer: str | None = None, copy: bool | None = None) -> None:
    from app.devices.printers import print_ticket as send

    row, t = ticket(session, key, copy=copy)
    send(printer_config(session, printer), t)
    _note_print(session.conn, row["id"], "ticket")


def ticket_pdf(session: Session, key: str, *, width_mm: int = 80, copy: bool | None = None) -> bytes:
    from app.devices.ticket_pdf import render_ticket_pdf

    row, t = ticket(session, key, copy=copy)
    pdf = render_ticket_pdf(t, width_mm)
    _note_print(session.conn, row["id"], "ticket PDF")
    return pdf


def a4_pdf(session: Session, key: str, *, copy: bool = False) -> bytes:
    """The A4 printable (RIDE, KuDE) of the stored document, as its country draws it."""
    row = documents.by_key(session.conn, key)
    printables = registry.country(row["country"]).printables()
    return printables.a4_pdf(bytes(row["xml"]), extras_for(session, row, copy=copy), session.company)


def auto_printer(data_dir):
    """The GUI's after-sale hook: prints the new document's ticket on the default printer, when
    one is configured. Runs after the commit; a failure raises PrinterError for the window to
    show, and the sale stays stored (reprint from Documentos)."""
    def on_sale_committed(result) -> None:
        session = Session(data_dir)
        try:
            if settings.get(session.conn, DEFAULT_PRINTER_KEY):
                print_ticket(session, result.key)
        finally:
            session.close()

    return on_sale_committed


def shift_figures(session: Session, rep: dict) -> dict:
    """`shifts.ShiftReport.as_dict()` (or a stored Z) → the figures of the printed X/Z report."""
    s = rep["shift"]
    company = session.company
    till = registry.country(company.country).till()
    cash_code = till.payment_methods[till.cash_method].authority_code
    cash = next((m for m in rep["methods"] if m["method"] == cash_code), None)
    figures = {
        "kind": rep["kind"], "number": str(s["id"]), "company": company.razon_social, "ruc": company.ruc,
        "country": company.country,
        "establishment": s["establishment"], "point": s["point"], "cashier": s["cashier"],
        "opened_at": _local_time(s["opened_at"]), "closed_at": _local_time(s.get("closed_at")),
        "printed_at": _local_time(rep.get("generated_at")),
        "documents": [{"type": "Ventas", "count": rep["sales_count"], "total": rep["sales_total"]},
                      {"type": "Notas de crédito", "count": rep["credit_notes_count"],
                       "total": rep["credit_notes_total"]}],
        "payments": [{"method": m["label"], "amount": m["expected"]} for m in rep["methods"]],
        "notes": (f"Documentos pendientes de transmisión: {rep['pending_documents']}"
                  if rep.get("pending_documents") else ""),
    }
    if cash:
        figures["cash"] = {"opening": s["opening_float"], "deposits": rep["cash_in"],
                           "withdrawals": rep["cash_out"], "expected": cash["expected"]}
        if cash.get("counted") is not None:
            figures["cash"].update(counted=cash["counted"], difference=cash["difference"])
    return figures


def print_shift_report(session: Session, rep: dict, *, printer: str | None = None) -> None:
    """The shift's X or Z report on the ticket printer."""
    from app.devices.printers import print_ticket as send
    from app.devices.shift_report import shift_report_ticket

    money = registry.country(session.company.country).till().money
    send(printer_config(session, printer), shift_report_ticket(shift_figures(session, rep), money))
