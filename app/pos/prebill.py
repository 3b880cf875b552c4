"""The pre-bill (pre-cuenta, F7): the sale so far on the ticket printer, marked as not a fiscal
document. Built from the cart (nothing is signed yet); printed on the default printer when one is
configured (the same setting as the tickets)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from app.devices.ticket import Feed, Item, Pair, Rule, Text, Ticket
from app.store import settings

TITLE = "PRE-CUENTA"
NOT_FISCAL = "NO VÁLIDO COMO COMPROBANTE FISCAL"


def _qty(q) -> str:
    return f"{q.normalize():f}"


def prebill_ticket(cart, company, *, printed_at: str = "") -> Ticket:
    """The pre-bill of `cart` (app.pos.cart.Cart) for `company` (app.core.company.Company)."""
    rules = cart.rules
    money = rules.money
    t = Ticket(cart.country, TITLE, "")
    t.add(Text(company.razon_social, "center", bold=True), Text(f"RUC: {company.ruc}", "center"), Rule(),
          Text(TITLE, "center", bold=True, big=True), Text(NOT_FISCAL, "center", bold=True))
    if printed_at:
        t.add(Pair("Fecha:", printed_at))
    t.add(Rule())
    for ln in cart.lines:
        discount = f" -{_qty(ln.discount_percent)} %" if ln.discount_percent else ""
        t.add(Item(ln.description, f"{_qty(ln.quantity)} x {money.amount(ln.price)}{discount}",
                   money.amount(ln.total), ln.code))
    t.add(Rule())
    totals = cart.totals()
    for label, value in rules.totals_rows(totals):
        t.add(Pair(label, money.amount(value)))
    t.add(Pair(f"TOTAL {money.unit}", money.amount(totals.total), bold=True, big=True), Feed(),
          Text(NOT_FISCAL, "center"), Feed(2))
    return t


def printer_hook(session, *, clock: Callable[[], datetime] = lambda: datetime.now().astimezone()):
    """The window's F7 hook: prints the pre-bill on the default printer; without one configured it
    does nothing (the screen says so). A printer failure raises PrinterError (Spanish)."""
    from app.pos.printing import DEFAULT_PRINTER_KEY, printer_config

    def on_prebill(cart) -> bool:
        if not settings.get(session.conn, DEFAULT_PRINTER_KEY):
            return False
        from app.devices.printers import print_ticket

        ticket = prebill_ticket(cart, session.company, printed_at=clock().strftime("%d/%m/%Y %H:%M"))
        print_ticket(printer_config(session), ticket)
        return True

    return on_prebill
