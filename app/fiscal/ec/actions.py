"""Ecuador's `actions` facet: the SRI has no events on a document (a credit note answers an
authorized one, which Documentos offers generically); how Documentos words an SRI document."""
from __future__ import annotations

from datetime import datetime

from app.fiscal.base import DocumentAction
from app.fiscal.ec.catalog import IVA_LABELS


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return iso


def _tax_name(code) -> str:
    label = IVA_LABELS.get(str(code))
    if label is None:
        return f"IVA código {code}"
    return f"IVA {label}" if label[0].isdigit() else label


class SriActions:
    approved_word = "autorizado"
    a4_name = "RIDE"
    document_actions: tuple[DocumentAction, ...] = ()

    def describe(self, doc, body: dict, money) -> list[str]:
        """Dátil's request shape (`items`, `totales`)."""
        lines = [f"Clave de acceso: {doc['key']}",
                 f"Emitido: {_local(doc['issued_at'])}   Autorizado: {_local(doc['authorized_at']) or '—'}",
                 f"Cliente: {doc['buyer_name']} ({doc['buyer_id']})"]
        if body.get("numero_documento_modificado"):
            lines.append(f"Modifica la factura {body['numero_documento_modificado']}: {body.get('motivo', '')}")
        lines += ["", f"{'Cant.':>8}  {'Descripción':<40} {'P. unit.':>11} {'Desc.':>8} {'Total':>10}"]
        from app.fiscal.ec.till import FACET as till  # reads the Dátil body and the till's Sale alike

        items = till.issued_lines(body)
        groups: dict[str, list] = {}
        for ln in items:
            lines.append(f"{str(ln.quantity):>8}  {ln.name[:40]:<40} {str(ln.unit_price):>11} "
                         f"{str(ln.discount):>8} {str(ln.base):>10}")
            g = groups.setdefault(ln.tax_category, [0, 0])
            g[0] += ln.base
            g[1] += ln.tax
        lines += ["", f"Subtotal sin impuestos: {sum(ln.base for ln in items)}"]
        for code, (base, value) in sorted(groups.items()):
            lines.append(f"  {_tax_name(code)}: base {base}  impuesto {value}")
        lines.append(f"TOTAL: {doc['total']}")
        return lines


FACET = SriActions()
