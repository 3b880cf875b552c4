"""Ecuador's printables (facet `printables`, see `app.fiscal.base.Printables`): the signed SRI
XML read into an `EcDocument`, the RIDE-on-a-ticket and the A4 RIDE."""
from __future__ import annotations

from app.devices.ticket import Ticket
from app.fiscal.ec import ticket as _ticket
from app.fiscal.ec.reader import EcDocument


class EcPrintables:
    def read(self, xml: bytes, *, environment: str | None = None) -> EcDocument:
        return _ticket.read(xml)

    def ticket(self, document, extras: dict | None = None, company=None) -> Ticket:
        return _ticket.build_ticket(document, extras, company)

    def a4_pdf(self, xml: bytes, extras: dict | None = None, company=None) -> bytes:
        from app.fiscal.ec.ride import render_ride  # reportlab: only when an A4 is asked for

        return render_ride(xml, extras, company)


FACET = EcPrintables()
