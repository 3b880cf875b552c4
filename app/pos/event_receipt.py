"""The printed receipt of an event sent to the authority (a cancelación, a conformidad…): the
company, the event, the document it concerns, dates, reason, status and the authority's answer
(protocol, messages verbatim, what they mean). Built as the generic ticket model
(app/devices/ticket.py) from an `app.fiscal.base.EventRow`, so it prints on the ticket printer
and renders to PDF exactly as the documents' tickets do (app/pos/printing.py)."""
from __future__ import annotations

from typing import Any

from app.core.status import EventStatus
from app.devices.ticket import Feed, Pair, Rule, Text, Ticket
from app.fiscal import registry
from app.core.moments import shown_local as local_time

TITLE = "COMPROBANTE DE EVENTO"
# how people read an event's status (Spanish)
STATUS_WORDS: dict[EventStatus, str] = {
    EventStatus.SIGNED: "firmado, en cola",
    EventStatus.REGISTERED: "registrado",
    EventStatus.REJECTED: "rechazado",
}


def explanations(event: Any, actions: Any) -> list[str]:
    """What the event's answer means and what to do, in plain Spanish (the country's
    `actions.explain`): for a rejected event, one line per message of the authority."""
    if event.status == EventStatus.REJECTED:
        return [actions.explain(code, message) for code, message in event.messages or (("", ""),)]
    return []


def receipt_ticket(event: Any, company: Any, *, printed_at: str = "") -> Ticket:
    """The receipt of `event` (an EventRow) of `company` (app.core.company.Company)."""
    country = registry.country(company.country)
    actions = country.actions()
    t = Ticket(company.country, TITLE, event.number, key=event.reference)
    t.add(Text(company.razon_social, "center", bold=True), Text(f"RUC: {company.ruc}", "center"), Rule(),
          Text(TITLE, "center", bold=True, big=True), Text(event.kind.upper(), "center", bold=True), Rule())
    if event.number:
        t.add(Pair("Documento:", event.number))
    t.add(Text("CDC / clave del documento:", bold=True), Text(event.reference))
    t.add(Pair("Firmado:", local_time(event.created_at)))
    if event.answered_at:
        t.add(Pair(f"Respuesta {country.authority}:", local_time(event.answered_at)))
    if event.reason:
        t.add(Text(f"Motivo: {event.reason}"))
    for label, value in event.details:
        t.add(Pair(f"{label}:", value))
    t.add(Rule(), Pair("ESTADO:", STATUS_WORDS.get(event.status, str(event.status)).upper(), bold=True))
    if event.protocol:
        t.add(Pair("Protocolo:", event.protocol))
    for code, message in event.messages:
        t.add(Text(f"{code} {message}".strip()))
    for line in explanations(event, actions):
        t.add(Text(line))
    if event.status == EventStatus.SIGNED:
        t.add(Text(f"En cola: se envía a {country.authority} cuando haya conexión."))
    if printed_at:
        t.add(Rule(), Pair("Impreso:", printed_at))
    t.add(Feed(2))
    return t


def print_receipt(session: Any, event: Any, *, printer: str | None = None,
                  printed_at: str = "") -> None:
    """The receipt on the default (or the named) ticket printer; ConfigurationError without one,
    PrinterError when the printer fails."""
    from app.devices.printers import print_ticket
    from app.pos.printing import printer_config

    print_ticket(printer_config(session, printer), receipt_ticket(event, session.company, printed_at=printed_at))


def receipt_pdf(session: Any, event: Any, *, width_mm: int = 80, printed_at: str = "") -> bytes:
    """The receipt as a ticket-sized PDF (no printer configured)."""
    from app.devices.ticket_pdf import render_ticket_pdf

    return render_ticket_pdf(receipt_ticket(event, session.company, printed_at=printed_at), width_mm)
