"""The `printables` facet: the boleta on a ticket and on an A4 page."""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from app.devices.ticket import Code, Item, Pair, Rule, Text, Ticket
from toy_country import boleta
from toy_country.till import FACET as till


@dataclass(frozen=True)
class BoletaView:
    key: str
    number: str
    issued: str
    buyer: str
    items: tuple[tuple[str, str, str, str], ...]  # name, quantity, price, total
    total: Decimal
    cash: bool


class ToyPrintables:
    def read(self, xml: bytes, *, environment: str | None = None) -> BoletaView:
        root = boleta.read(xml)
        q = boleta.Q
        items = tuple((i.text or "", i.get("cantidad"), i.get("precio"), i.get("total")) for i in root.findall(q + "item"))
        cash = any(p.get("medio") == "E" for p in root.findall(q + "pago"))
        return BoletaView(root.get("id"), root.findtext(q + "numero"), root.findtext(q + "fecha"),
                          f"{root.findtext(q + 'nombre')} ({root.findtext(q + 'receptor')})", items,
                          Decimal(root.findtext(q + "total")), cash)

    def ticket(self, document, extras: dict | None = None, company=None) -> Ticket:
        doc = document if isinstance(document, BoletaView) else self.read(document)
        extras = extras or {}
        t = Ticket(country="ZZ", title="BOLETA", number=doc.number, cash_payment=doc.cash,
                   copy=bool(extras.get("copy")), key=doc.key)
        if company is not None:
            t.add(Text(company.razon_social, "center", bold=True))
        t.add(Text(f"BOLETA {doc.number}", "center", bold=True), Text(doc.issued), Text(doc.buyer), Rule())
        for name, qty, price, total in doc.items:
            t.add(Item(name, f"{qty} x {price}", total))
        t.add(Rule(), Pair("TOTAL", till.money.money(doc.total), bold=True, big=True), Code(doc.key, "qr"))
        if t.copy:
            t.add(Text("REIMPRESIÓN - COPIA", "center", bold=True))
        return t

    def a4_pdf(self, xml: bytes, extras: dict | None = None, company=None) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        doc = self.read(xml)
        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=A4)
        y = 800
        for text in (f"BOLETA {doc.number}", doc.issued, doc.buyer, *(f"{q} x {n}: {t}" for n, q, _p, t in doc.items),
                     f"TOTAL {till.money.money(doc.total)}", f"Clave {doc.key}"):
            page.drawString(60, y, text)
            y -= 18
        page.save()
        return out.getvalue()


FACET = ToyPrintables()
