"""Paraguay's printables (facet `printables`, see `app.fiscal.base.Printables`): the signed
SIFEN rDE read into a `PyDocument`, the KuDE "formato cinta" (ticket) and the A4 KuDE."""
from __future__ import annotations

from app.devices.ticket import Ticket
from app.fiscal.py import ticket as _ticket
from app.fiscal.py.reader import PyDocument


class PyPrintables:
    def read(self, xml: bytes, *, environment: str | None = None) -> PyDocument:
        return _ticket.read(xml, environment)

    def ticket(self, document, extras: dict | None = None, company=None) -> Ticket:
        return _ticket.build_ticket(document, extras, company)

    def a4_pdf(self, xml: bytes, extras: dict | None = None, company=None) -> bytes:
        from app.fiscal.py.kude import render_kude  # reportlab: only when an A4 is asked for

        return render_kude(xml, extras, company)


FACET = PyPrintables()
