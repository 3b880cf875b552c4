"""The ticket layout model: one list of width-independent elements per document.

Built from the stored signed XML (never from screen state) by the country's `printables`
facet (`app.fiscal.base.Printables.ticket`) and rendered by escpos_render, ticket_pdf and
ticket_png, so the thermal print, the PDF and the preview always say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    text: str
    align: str = "left"  # 'left' | 'center' | 'right'
    bold: bool = False
    big: bool = False  # double height (columns unchanged)


@dataclass(frozen=True)
class Pair:
    """A label on the left and a value flush right (totals, key/value data)."""

    left: str
    right: str
    bold: bool = False
    big: bool = False


@dataclass(frozen=True)
class Item:
    """A sale line: description, then 'qty x price' on the left and the total on the right."""

    description: str
    detail: str  # e.g. '2 x 1.50' or '2 x 1.50 -0.20'
    total: str
    code: str = ""


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class Code:
    """A machine-readable code. `symbology` is 'code128' or 'qr'; `fallback` is used when
    the symbology cannot fit the paper (Code128 of a 49-digit clave on 58 mm)."""

    data: str
    symbology: str = "qr"
    fallback: str = ""
    min_mm: float = 0.0  # smallest printed size for a QR to scan (SIFEN asks for >= 25 mm)


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Element = Text | Pair | Item | Rule | Code | Feed


@dataclass
class Ticket:
    country: str  # the issuer's country code
    title: str  # 'FACTURA' ...
    number: str  # '001-001-000000123'
    elements: list = field(default_factory=list)
    # Cash received: the caller kicks the drawer only when this is true.
    cash_payment: bool = False
    copy: bool = False
    key: str = ""  # clave de acceso / CDC

    def add(self, *elements) -> "Ticket":
        self.elements.extend(elements)
        return self

