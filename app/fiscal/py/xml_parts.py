"""Small pieces every DE builder shares: elements in the SIFEN namespace, numbers as SIFEN
writes them, and an address group under any set of tag names."""
from __future__ import annotations

from decimal import Decimal

from lxml import etree

from app.fiscal.py import catalog as cat
from app.fiscal.py.parts import Location

N = "{%s}" % cat.NS


def num(value) -> str:
    """Decimal -> XML text without exponent or trailing zeros ('100000', '27272.72727273')."""
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def el(parent, tag, text=None):
    e = etree.SubElement(parent, N + tag)
    if text is not None:
        e.text = text if isinstance(text, str) else str(text)
    return e


def opt(parent, tag, text):
    """`el`, but nothing at all for an empty value."""
    if text is None or text == "":
        return None
    return el(parent, tag, text)


def location(parent, loc: Location, tags: tuple[str, ...]) -> None:
    """tags: (dir, numCas, comp1, comp2, dep, desDep, dis, desDis, ciu, desCiu, tel); an empty
    comp1 / tel tag leaves those out."""
    d, n, c1, c2, dep, ddep, dis, ddis, ciu, dciu, tel = tags
    el(parent, d, loc.address)
    el(parent, n, str(int(loc.house_number or 0)))
    if c1:
        opt(parent, c1, loc.complement1)
        opt(parent, c2, loc.complement2)
    el(parent, dep, str(loc.departamento))
    el(parent, ddep, cat.describe(cat.departments(), loc.departamento, "departamento"))
    if loc.distrito is not None:
        el(parent, dis, str(loc.distrito))
        el(parent, ddis, loc.distrito_desc)
    el(parent, ciu, str(loc.ciudad))
    el(parent, dciu, loc.ciudad_desc)
    if tel:
        opt(parent, tel, loc.phone)
