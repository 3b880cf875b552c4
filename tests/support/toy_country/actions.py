"""The `actions` facet: the DGT has no events; how Documentos words a boleta."""
from __future__ import annotations

from toy_country.till import FACET as till


class ToyActions:
    approved_word = "aprobada"
    a4_name = "Boleta A4"
    document_actions = ()

    def describe(self, doc, body: dict, money) -> list[str]:
        lines = [f"Clave: {doc['key']}", f"Cliente: {doc['buyer_name']} ({doc['buyer_id']})", ""]
        lines += [f"{ln.quantity} x {ln.name}: {money(ln.base + ln.tax)}" for ln in till.issued_lines(body)]
        return lines + [f"TOTAL: {money(doc['total'])}"]


FACET = ToyActions()
