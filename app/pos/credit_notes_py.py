"""A nota de crédito electrónica (SIFEN NCE, tipoDocumento 5) for part or all of an approved
factura, as a FacturaSend `de/create` body built from the factura's own request: same buyer,
same prices (IVA included), linked by CDC (documentoAsociado formato 1), motivo 2 Devolución.

Same interface as app.pos.credit_notes (the Ecuador one), so Documentos uses either."""
from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

from app.core.errors import ValidationError
from app.core.money import ZERO, to_decimal
from app.fiscal.py import catalog as py_cat
from app.pos.credit_notes import CreditableLine
from app.store import documents

RETURN_REASON = 2  # SIFEN iMotEmi "Devolución"
_TAX_CODE = {(1, 10): "PY10", (1, 5): "PY5"}


def _invoice(conn: sqlite3.Connection, document_id: int) -> tuple[sqlite3.Row, dict]:
    doc = documents.get(conn, document_id)
    if doc["kind"] != "invoices" or doc["country"] != "PY":
        raise ValidationError("Solo se emiten notas de crédito sobre facturas de SIFEN", field="documento")
    row = conn.execute("SELECT request_json FROM sales WHERE id=?", (doc["sale_id"],)).fetchone()
    if row is None:
        raise ValidationError("No se encuentra la venta original de esta factura", field="documento")
    body = json.loads(row["request_json"])
    cliente = body.get("cliente") or {}
    if not cliente.get("contribuyente") and str(cliente.get("documentoTipo")) == str(py_cat.ANONYMOUS_ID_TYPE):
        raise ValidationError("Una factura innominada no admite nota de crédito (SIFEN 1331)", field="cliente")
    if (body.get("moneda") or "PYG") != "PYG":
        raise ValidationError("Por ahora las notas de crédito se emiten solo sobre facturas en guaraníes",
                              field="moneda")
    if doc["status"] != "authorized":
        raise ValidationError("La factura debe estar aprobada por SIFEN antes de emitir una nota de crédito",
                              field="documento")
    return doc, body


def _credited(conn: sqlite3.Connection, cdc: str) -> dict[int, Decimal]:
    """Quantities already credited per item index by earlier credit notes of this factura."""
    out: dict[int, Decimal] = {}
    for r in conn.execute(
            "SELECT s.request_json FROM sales s JOIN documents d ON d.sale_id = s.id "
            "WHERE d.kind='credit-notes' AND d.country='PY' AND d.version=1 AND d.status <> 'cancelled'"):
        body = json.loads(r["request_json"])
        extras = body.get("extras") or {}
        if extras.get("cdc_factura") != cdc:
            continue
        for idx, item in zip(extras.get("lineas_factura", []), body.get("items", [])):
            out[int(idx)] = out.get(int(idx), ZERO) + to_decimal(item["cantidad"])
    return out


def creditable_lines(conn: sqlite3.Connection, document_id: int) -> list[CreditableLine]:
    doc, body = _invoice(conn, document_id)
    credited = _credited(conn, doc["key"])
    out = []
    for i, item in enumerate(body.get("items", [])):
        kind, rate = int(item.get("ivaTipo", 1)), int(item.get("iva", 0))
        out.append(CreditableLine(i, item.get("codigo", ""), item.get("descripcion", ""),
                                  to_decimal(item["cantidad"]), credited.get(i, ZERO),
                                  to_decimal(item["precioUnitario"]), _TAX_CODE.get((kind, rate), "PYEX"),
                                  Decimal(rate)))
    return out


def build_body(conn: sqlite3.Connection, document_id: int, quantities: dict[int, Decimal], reason: str) -> dict:
    """The NCE body for `quantities` {item index: quantity to return}."""
    doc, invoice = _invoice(conn, document_id)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Indique el motivo de la nota de crédito", field="motivo")
    lines = {ln.index: ln for ln in creditable_lines(conn, document_id)}
    items, indexes = [], []
    for idx, qty in sorted(quantities.items()):
        qty = to_decimal(qty)
        if qty == ZERO:
            continue
        line = lines.get(idx)
        if line is None:
            raise ValidationError(f"La factura no tiene la línea {idx + 1}", field="items")
        if qty < ZERO or qty > line.available:
            raise ValidationError(f"{line.description}: se puede devolver como máximo {line.available}",
                                  field=f"items[{idx}].cantidad")
        original = invoice["items"][idx]
        item = {k: original[k] for k in ("codigo", "descripcion", "unidadMedida", "precioUnitario", "ivaTipo",
                                         "ivaBase", "iva") if k in original}
        item["cantidad"] = f"{qty.normalize():f}"
        if original.get("descuento"):
            item["descuento"] = original["descuento"]  # per unit, as invoiced
        items.append(item)
        indexes.append(idx)
    if not items:
        raise ValidationError("Elija al menos una línea y una cantidad a devolver", field="items")
    return {
        "tipoDocumento": py_cat.NCE,
        "establecimiento": doc["establishment"],
        "punto": doc["point"],
        "tipoEmision": 1,
        "tipoImpuesto": 1,
        "moneda": "PYG",
        "cliente": invoice.get("cliente"),
        "notaCreditoDebito": {"motivo": RETURN_REASON},
        "documentoAsociado": {"formato": 1, "cdc": doc["key"]},
        "descripcion": reason[:3000],
        "items": items,
        "extras": {"cdc_factura": doc["key"], "numero_factura": doc["number"], "lineas_factura": indexes},
    }


def total_of(body: dict) -> Decimal:
    """What the credit note gives back (SIFEN arithmetic), to show before issuing."""
    from app.fiscal.py.totals import ItemInput, compute

    _rows, t = compute([ItemInput(to_decimal(i["precioUnitario"]), to_decimal(i["cantidad"]), int(i["ivaTipo"]),
                                  to_decimal(i.get("ivaBase", 100)), int(i.get("iva", 0)),
                                  to_decimal(i.get("descuento", 0))) for i in body["items"]], currency="PYG")
    return t.tot_gral
