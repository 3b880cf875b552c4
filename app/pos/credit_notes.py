"""A credit note (nota de crédito) for part or all of an authorized invoice, as a Dátil
/credit-notes/issue body built from the invoice's own request (what was actually sold)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from app.core.errors import ValidationError
from app.core.money import ZERO, round_half_up, to_decimal
from app.store import documents

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CreditableLine:
    index: int  # position in the invoice's items
    code: str
    description: str
    sold: Decimal
    already_credited: Decimal
    unit_price: Decimal  # without tax
    tax_code: str
    rate: Decimal

    @property
    def available(self) -> Decimal:
        return self.sold - self.already_credited


def _invoice(conn: sqlite3.Connection, document_id: int) -> tuple[sqlite3.Row, dict]:
    doc = documents.get(conn, document_id)
    if doc["kind"] != "invoices":
        raise ValidationError("Solo se emiten notas de crédito sobre facturas", field="documento")
    row = conn.execute("SELECT request_json FROM sales WHERE id=?", (doc["sale_id"],)).fetchone()
    if row is None:
        raise ValidationError("No se encuentra la venta original de esta factura", field="documento")
    body = json.loads(row["request_json"])
    if (body.get("comprador") or {}).get("tipo_identificacion") == "07":
        raise ValidationError("Una factura a consumidor final no admite nota de crédito (norma del SRI)",
                              field="comprador")
    if doc["status"] != "authorized":
        raise ValidationError("La factura debe estar autorizada por el SRI antes de emitir una nota de "
                              "crédito", field="documento")
    return doc, body


def _credited(conn: sqlite3.Connection, number: str) -> dict[int, Decimal]:
    """Quantities already credited per item index by earlier credit notes of this invoice."""
    out: dict[int, Decimal] = {}
    for r in conn.execute(
            "SELECT s.request_json FROM sales s JOIN documents d ON d.sale_id = s.id "
            "WHERE d.kind='credit-notes' AND d.version=1 AND d.status <> 'cancelled'"):
        body = json.loads(r["request_json"])
        if body.get("numero_documento_modificado") != number:
            continue
        for item in body.get("items", []):
            idx = (item.get("detalles_adicionales") or {}).get("linea_factura")
            if idx is not None:
                out[int(idx)] = out.get(int(idx), ZERO) + to_decimal(item["cantidad"])
    return out


def creditable_lines(conn: sqlite3.Connection, document_id: int) -> list[CreditableLine]:
    doc, body = _invoice(conn, document_id)
    credited = _credited(conn, doc["number"])
    out = []
    for i, item in enumerate(body.get("items", [])):
        tax = (item.get("impuestos") or [{}])[0]
        out.append(CreditableLine(i, item.get("codigo_principal", ""), item.get("descripcion", ""),
                                  to_decimal(item["cantidad"]), credited.get(i, ZERO),
                                  to_decimal(item["precio_unitario"]), str(tax.get("codigo_porcentaje", "0")),
                                  to_decimal(tax.get("tarifa", 0))))
    return out


def build_body(conn: sqlite3.Connection, document_id: int, quantities: dict[int, Decimal], reason: str) -> dict:
    """The credit-note body for `quantities` {item index: quantity to return}."""
    doc, invoice = _invoice(conn, document_id)
    if not reason.strip():
        raise ValidationError("Indique el motivo de la nota de crédito", field="motivo")
    lines = {ln.index: ln for ln in creditable_lines(conn, document_id)}
    items, by_tax = [], {}
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
        discount = round_half_up(to_decimal(original.get("descuento", 0)) * qty / line.sold, 2)
        base = round_half_up(qty * line.unit_price - discount, 2)
        value = round_half_up(base * line.rate / HUNDRED, 2)
        items.append({
            "cantidad": qty, "codigo_principal": line.code, "descripcion": line.description,
            "precio_unitario": line.unit_price, "descuento": discount, "precio_total_sin_impuestos": base,
            "impuestos": [{"codigo": "2", "codigo_porcentaje": line.tax_code, "tarifa": line.rate,
                           "base_imponible": base, "valor": value}],
            "detalles_adicionales": {"linea_factura": str(idx)},
        })
        b, v = by_tax.get(line.tax_code, (ZERO, ZERO))
        by_tax[line.tax_code] = (b + base, v + value)
    if not items:
        raise ValidationError("Elija al menos una línea y una cantidad a devolver", field="items")
    subtotal = sum((i["precio_total_sin_impuestos"] for i in items), ZERO)
    tax = sum((v for _, v in by_tax.values()), ZERO)
    return {
        "ambiente": invoice.get("ambiente"),
        "tipo_emision": 1,
        "moneda": invoice.get("moneda", "USD"),
        "emisor": invoice.get("emisor"),
        "comprador": invoice.get("comprador"),
        "fecha_emision_documento_modificado": doc["issued_at"],
        "numero_documento_modificado": doc["number"],
        "tipo_documento_modificado": "01",
        "motivo": reason.strip(),
        "items": items,
        "totales": {
            "total_sin_impuestos": subtotal,
            "impuestos": [{"codigo": "2", "codigo_porcentaje": c, "base_imponible": b, "valor": v}
                          for c, (b, v) in sorted(by_tax.items())],
            "importe_total": subtotal + tax,
        },
    }


def total_of(body: dict) -> Decimal:
    """What the credit note gives back."""
    return body["totales"]["importe_total"]
