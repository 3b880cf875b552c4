"""A credit note (nota de crédito) for part or all of an authorized invoice, from the till: what
can still be returned of each line, the check of the chosen quantities, and the `Return` (domain
words, no vendor JSON) the country's backend turns into its credit note
(`backend.draft_from_return`). What the invoice sold, whether it admits a credit note and what
earlier notes gave back come from the country's till rules (`TillRules.issued_lines`,
`credit_note_problem`, `credited_quantities`, `returned_line`)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from app.core import status
from app.core.errors import ValidationError
from app.core.money import ZERO, to_decimal
from app.core.sale import InvoiceRef, IssuedLine, Return
from app.fiscal import registry
from app.store import documents


@dataclass(frozen=True)
class CreditableLine:
    index: int  # position in the invoice's items
    code: str
    description: str
    sold: Decimal
    already_credited: Decimal
    unit_price: Decimal  # as the invoice carries it
    tax_code: str
    rate: Decimal

    @property
    def available(self) -> Decimal:
        return self.sold - self.already_credited


def _rules(country: str):
    return registry.country(country).till()


def _invoice(conn: sqlite3.Connection, document_id: int) -> tuple[sqlite3.Row, dict]:
    doc = documents.get(conn, document_id)
    if doc["kind"] != "invoices":
        raise ValidationError("Solo se emiten notas de crédito sobre facturas", field="documento")
    row = conn.execute("SELECT request_json FROM sales WHERE id=?", (doc["sale_id"],)).fetchone()
    if row is None:
        raise ValidationError("No se encuentra la venta original de esta factura", field="documento")
    request = json.loads(row["request_json"])
    problem = _rules(doc["country"]).credit_note_problem(doc, request)
    if problem:
        raise ValidationError(problem, field="documento")
    return doc, request


def _credited(conn: sqlite3.Connection, invoice: sqlite3.Row) -> dict[int, Decimal]:
    """Quantities already credited per line index by earlier credit notes of this invoice."""
    rules = _rules(invoice["country"])
    out: dict[int, Decimal] = {}
    for r in conn.execute(
            "SELECT s.request_json FROM sales s JOIN documents d ON d.sale_id = s.id "
            "WHERE d.kind='credit-notes' AND d.country=? AND d.version=1 AND d.status <> ?",
            (invoice["country"], status.CANCELLED)):
        for idx, qty in rules.credited_quantities(json.loads(r["request_json"]), invoice).items():
            out[idx] = out.get(idx, ZERO) + qty
    return out


def _lines(conn: sqlite3.Connection, doc: sqlite3.Row, request: dict) -> list[tuple[IssuedLine, Decimal]]:
    """(invoice line, quantity already credited)."""
    credited = _credited(conn, doc)
    return [(ln, credited.get(ln.index, ZERO)) for ln in _rules(doc["country"]).issued_lines(request)]


def creditable_lines(conn: sqlite3.Connection, document_id: int) -> list[CreditableLine]:
    doc, request = _invoice(conn, document_id)
    return [CreditableLine(ln.index, ln.code, ln.name, ln.quantity, done, ln.unit_price, ln.tax_category, ln.rate)
            for ln, done in _lines(conn, doc, request)]


def chosen_lines(conn: sqlite3.Connection, document_id: int,
                 quantities: dict[int, Decimal]) -> list[tuple[IssuedLine, Decimal]]:
    """The invoice's lines with the quantity to return {line index: quantity}, each checked
    against what is still available; zero quantities are left out. Raises ValidationError."""
    doc, request = _invoice(conn, document_id)
    lines = {ln.index: (ln, done) for ln, done in _lines(conn, doc, request)}
    out = []
    for idx, qty in sorted(quantities.items()):
        qty = to_decimal(qty)
        if qty == ZERO:
            continue
        if idx not in lines:
            raise ValidationError(f"La factura no tiene la línea {idx + 1}", field="items")
        line, done = lines[idx]
        available = line.quantity - done
        if qty < ZERO or qty > available:
            raise ValidationError(f"{line.name}: se puede devolver como máximo {available}",
                                  field=f"items[{idx}].cantidad")
        out.append((line, qty))
    if not out:
        raise ValidationError("Elija al menos una línea y una cantidad a devolver", field="items")
    return out


def build_return(conn: sqlite3.Connection, document_id: int, quantities: dict[int, Decimal], reason: str, *,
                 cashier: str = "") -> Return:
    """The `Return` of `quantities` {line index: quantity to return} of invoice `document_id`."""
    doc, request = _invoice(conn, document_id)
    if not reason.strip():
        raise ValidationError("Indique el motivo de la nota de crédito", field="motivo")
    rules = _rules(doc["country"])
    returned = chosen_lines(conn, document_id, quantities)
    buyer = rules.issued_buyer(request)
    if buyer is None:
        raise ValidationError("La factura no tiene comprador identificado", field="documento")
    invoice = InvoiceRef(doc["key"], doc["number"], doc["issued_at"], doc["doc_code"], doc["establishment"],
                         doc["point"])
    return Return(invoice, buyer, tuple(rules.returned_line(request, line, qty) for line, qty in returned),
                  reason.strip(), rules.money.code, cashier, rules.return_buyer_extra(request))


def build_body(conn: sqlite3.Connection, document_id: int, quantities: dict[int, Decimal], reason: str) -> Return:
    """What the till issues for `quantities`: the `Return` (the name the screens use)."""
    return build_return(conn, document_id, quantities, reason)


def total_of(ret: Return, country: str) -> Decimal:
    """What the credit note gives back, to show before issuing."""
    return _rules(country).credit_note_total(ret)


class CreditNotes:
    """The credit notes of one country's till (what `till.credit_notes_for` gives the screens)."""

    def __init__(self, country: str):
        self.country = country

    creditable_lines = staticmethod(creditable_lines)
    chosen_lines = staticmethod(chosen_lines)
    build_body = staticmethod(build_body)
    build_return = staticmethod(build_return)

    def total_of(self, ret: Return) -> Decimal:
        return total_of(ret, self.country)
