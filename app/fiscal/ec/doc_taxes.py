"""Ecuador's `doc_taxes` facet: a signed SRI document's taxes per rate, read back from its
signed bytes by the reader (app/fiscal/ec/reader.py: `totalConImpuestos`, or a nota de débito's
`impuestos`), in the till's tax categories (the `codigoPorcentaje` of IVA). Used by the central
store to fill the tax rows of documents that arrived without them (app/central/taxes.py)."""
from __future__ import annotations

from decimal import Decimal

from app.fiscal.ec import documents, reader
from app.fiscal.ec.till import FACET as TILL
from app.fiscal.ec.till import TAX_CATEGORIES
from app.render.xmlread import local, parse_signed

IVA = "2"  # codigo of IVA in totalImpuesto


class EcDocTaxes:
    def rows(self, xml: bytes) -> list[dict]:
        """[{'tax_category', 'label', 'rate', 'base', 'tax'}] of the document's IVA, one per
        rate, as written in the signed XML; [] for a document without taxes (guía, retención).
        ValueError (Spanish) when the bytes are not an SRI document."""
        root = parse_signed(bytes(xml))
        name = local(root.tag)
        kind = documents.by_root(name)
        if kind is None:
            raise ValueError(f"El XML no es un comprobante del SRI ('{name}')")
        info_tag = getattr(kind, "info", None)
        info = root.find(info_tag) if info_tag else None
        if info is None or name in ("guiaRemision", "comprobanteRetencion"):
            return []
        sums: dict[tuple[str, Decimal], list[Decimal]] = {}
        for codigo, pct, tarifa, base, value in reader._tax_rows(info, name):  # the reader's own reading
            if codigo != IVA:
                continue
            cat = TAX_CATEGORIES.get(pct)
            rate = cat.rate if cat is not None else Decimal(reader._rate_text(pct, tarifa))
            g = sums.setdefault((pct, rate), [Decimal(0), Decimal(0)])
            g[0] += base
            g[1] += value
        out = []
        for (pct, rate), (base, value) in sorted(sums.items()):
            label = TILL.tax_short_label(pct) if pct in TAX_CATEGORIES else f"{rate.normalize():f} %"
            out.append({"tax_category": pct, "label": label, "rate": str(rate), "base": str(base), "tax": str(value)})
        return out


FACET = EcDocTaxes()
