"""Paraguay's `doc_taxes` facet: a signed SIFEN DE's IVA per rate, read back from its signed
bytes (the reader's `gTotSub`: dBaseGrav10/dIVA10, dBaseGrav5/dIVA5, dSubExe + dSubExo), in the
till's tax categories (PY10, PY5, PYEX), in guaraníes. Used by the central store to fill the tax rows of
documents that arrived without them (app/central/taxes.py)."""
from __future__ import annotations

from decimal import Decimal

from app.fiscal.py.reader import dec, find_rde
from app.fiscal.py.till import FACET as TILL
from app.render.xmlread import clean, parse_signed

# (category, rate, base tags, tax tag)
GROUPS = (("PY10", Decimal(10), ("dBaseGrav10",), "dIVA10"),
          ("PY5", Decimal(5), ("dBaseGrav5",), "dIVA5"),
          ("PYEX", Decimal(0), ("dSubExe", "dSubExo"), None))


def _item_sums(de) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(category, rate, base, tax) summed over the items' gCamIVA (gravado, exento and
    exonerado parts), unrounded."""
    sums: dict[str, list] = {}
    for item in de.iter("{*}gCamItem"):
        iva = item.find("{*}gCamIVA")
        if iva is None:
            continue
        affect = clean(iva.findtext("{*}iAfecIVA"))
        rate = dec(clean(iva.findtext("{*}dTasaIVA")) or "0")
        total = dec(clean(item.findtext(".//{*}dTotOpeItem")) or "0")
        if affect in ("2", "3"):  # exonerado, exento: the whole item
            sums.setdefault("PYEX", [Decimal(0), Decimal(0), Decimal(0)])[1] += total
            continue
        cat = {Decimal(10): "PY10", Decimal(5): "PY5"}.get(rate)
        if cat is None:
            continue
        g = sums.setdefault(cat, [rate, Decimal(0), Decimal(0)])
        g[1] += dec(clean(iva.findtext("{*}dBasGravIVA")) or "0")
        g[2] += dec(clean(iva.findtext("{*}dLiqIVAItem")) or "0")
        exempt = dec(clean(iva.findtext("{*}dBasExe")) or "0")  # gravado parcial: its exempt part
        if exempt:
            sums.setdefault("PYEX", [Decimal(0), Decimal(0), Decimal(0)])[1] += exempt
    order = [g[0] for g in GROUPS]
    return [(cat, r, b, t) for cat, (r, b, t) in sorted(sums.items(), key=lambda kv: order.index(kv[0]))
            if b or t]


class PyDocTaxes:
    def rows(self, xml: bytes) -> list[dict]:
        """[{'tax_category', 'label', 'rate', 'base', 'tax'}] per rate with a base, as written
        in the signed DE; [] for one without totals (a nota de remisión). ValueError (Spanish)
        when the bytes are not a SIFEN DE."""
        rde = find_rde(parse_signed(bytes(xml)))
        de = rde.find("{*}DE") if rde is not None else None
        if de is None:
            raise ValueError("El XML no contiene un documento electrónico SIFEN (rDE/DE).")
        tot = de.find(".//{*}gTotSub")
        if tot is None:
            return []

        def amount(tag: str) -> Decimal:
            return dec(clean(tot.findtext(f"{{*}}{tag}")) or "0")

        currency = clean(de.findtext(".//{*}cMoneOpe")) or "PYG"
        if currency == "PYG":
            raw = []
            for cat, rate, base_tags, tax_tag in GROUPS:
                base = sum((amount(t) for t in base_tags), Decimal(0))
                tax = amount(tax_tag) if tax_tag else Decimal(0)
                if base or tax:
                    raw.append((cat, rate, base, tax))
        else:  # the header rounds foreign amounts to cents: the items keep their 8 decimals
            raw = _item_sums(de)
        # a DE in another currency counts in guaraníes as the local reports count it
        # (app/fiscal/home_amounts.py): its total at its dTiCam, shared by the rates in proportion
        scale = Decimal(1)
        if currency != "PYG":
            to_gs = dec(clean(de.findtext(".//{*}dTiCam")) or "0")
            gross = sum((b + t for _c, _r, b, t in raw), Decimal(0))
            if not to_gs or not gross:
                raise ValueError(f"El DE está en {currency} y no dice su tipo de cambio (dTiCam).")
            scale = TILL.money.round(amount("dTotGralOpe") * to_gs) / gross
        out = []
        for cat, rate, base, tax in raw:
            if scale != 1:
                base, tax = TILL.money.round(base * scale), TILL.money.round(tax * scale)
            out.append({"tax_category": cat, "label": TILL.tax_short_label(cat), "rate": str(rate),
                        "base": str(base), "tax": str(tax)})
        return out


FACET = PyDocTaxes()
