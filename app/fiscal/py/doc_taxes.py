"""Paraguay's `doc_taxes` facet: a signed SIFEN DE's IVA per rate, read back from its signed
bytes (the reader's `gTotSub`: dBaseGrav10/dIVA10, dBaseGrav5/dIVA5, dSubExe + dSubExo), in the
till's tax categories (PY10, PY5, PYEX). Used by the central store to fill the tax rows of
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

        out = []
        for cat, rate, base_tags, tax_tag in GROUPS:
            base = sum((amount(t) for t in base_tags), Decimal(0))
            tax = amount(tax_tag) if tax_tag else Decimal(0)
            if base or tax:
                out.append({"tax_category": cat, "label": TILL.tax_short_label(cat), "rate": str(rate),
                            "base": str(base), "tax": str(tax)})
        return out


FACET = PyDocTaxes()
