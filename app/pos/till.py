"""What the cashier's screen asks of the point of sale: the approval policy for discounts,
price changes and deletions, finishing a sale, a credit note, "retry now" and the status-bar facts.
The screen decides nothing itself; it asks here."""
from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from app.core import status as st
from app.core.errors import ValidationError
from app.core.money import ZERO, to_decimal
from app.pos import audit, catalog, credit_notes, shifts
from app.pos.cart import Cart, CartLine, Settlement, rules_for
from app.store import settings

log = logging.getLogger("mostrador.pos.till")

MAX_DISCOUNT_KEY = "pos.max_discount_percent"
MAX_PRICE_DROP_KEY = "pos.max_price_drop_percent"
DEFAULT_MAX_DISCOUNT = Decimal("10")
DEFAULT_MAX_PRICE_DROP = Decimal("10")


def _limit(conn: sqlite3.Connection, key: str, default: Decimal) -> Decimal:
    value = settings.get(conn, key, None)
    return default if value is None else to_decimal(value)


def discount_needs_approval(conn: sqlite3.Connection, percent: Decimal) -> bool:
    return percent > _limit(conn, MAX_DISCOUNT_KEY, DEFAULT_MAX_DISCOUNT)


def price_needs_approval(conn: sqlite3.Connection, line: CartLine, new_price: Decimal) -> bool:
    """Any price below the catalog price by more than the limit needs a supervisor."""
    reference = line.list_price if line.list_price is not None else line.price
    if reference <= ZERO or new_price >= reference:
        return False
    drop = (reference - new_price) * 100 / reference
    return drop > _limit(conn, MAX_PRICE_DROP_KEY, DEFAULT_MAX_PRICE_DROP)


def removal_needs_approval(cart: Cart) -> bool:
    """After a pre-bill was printed, taking anything off the sale needs a supervisor
    (the printed total could otherwise be collected and the sale reduced)."""
    return cart.prebilled


def parse_entry(text: str) -> tuple[Decimal, str]:
    """'3*7861234' → (3, '7861234'); '7861234' → (1, '7861234'). Raises ValueError (Spanish)."""
    text = text.strip()
    if "*" in text:
        qty, _, code = text.partition("*")
        try:
            q = to_decimal(qty.replace(",", "."), field="cantidad")
        except ValueError:
            raise ValueError(f"Cantidad no válida antes de '*': {qty}") from None
        if q <= ZERO:
            raise ValueError("La cantidad debe ser mayor que cero")
        return q, code.strip()
    return Decimal(1), text


@dataclass(frozen=True)
class Entry:
    """What a typed or scanned code adds to the sale."""
    product: object  # catalog.Product
    quantity: Decimal
    price: Decimal | None = None  # None: the catalog price
    merge: bool = True  # may add to the last line of the same product
    scale: object = None  # scale_barcodes.ScaleCode when it came from a scale label


def lookup_entry(conn: sqlite3.Connection, text: str, *, money_places: int) -> tuple[Entry | None, str]:
    """The product behind what was typed or scanned ('3*code', a barcode, a code or a scale label
    with the price or weight inside), and the code looked up. (None, code) when nothing matches.
    Raises ValueError (Spanish) for a malformed entry or an unreadable scale label."""
    from app.pos import scale_barcodes

    qty, code = parse_entry(text)
    product = catalog.find_product(conn, code)
    if product is not None:
        return Entry(product, qty), code
    label = scale_barcodes.parse(code, scale_barcodes.config(conn), money_places=money_places)
    if label is None:
        return None, code
    for key in scale_barcodes.item_keys(label.item):
        product = catalog.find_product(conn, key)
        if product is not None:
            break
    else:
        return None, label.item
    if label.mode == "weight":
        if label.value <= ZERO:
            raise ValueError(f"La etiqueta de balanza indica un peso de cero: {code}")
        return Entry(product, label.value, merge=False, scale=label), code
    return Entry(product, Decimal(1), price=label.value, merge=False, scale=label), code


QUICK_KEYS_KEY = "pos.quick_keys"


def quick_items(conn: sqlite3.Connection, limit: int = 12) -> list:
    """The products on the quick-key tiles: the codes in setting `pos.quick_keys` (a list, in that
    order), else the active products without a barcode (by name)."""
    codes = settings.get(conn, QUICK_KEYS_KEY, None)
    if codes:
        found = [catalog.find_product(conn, str(c)) for c in codes]
        return [p for p in found if p is not None][:limit]
    rows = conn.execute("SELECT code FROM products WHERE active=1 AND (barcode IS NULL OR barcode='') "
                        "ORDER BY name LIMIT ?", (limit,)).fetchall()
    return [p for p in (catalog.find_product(conn, r["code"]) for r in rows) if p is not None]


@dataclass(frozen=True)
class SaleDone:
    result: object  # checkout.IssueResult
    settlement: Settlement
    elapsed_ms: float


def rules(country: str):
    """The till rules (`app.fiscal.base.TillRules`) of a country code."""
    return rules_for(country)


def complete_sale(session, cart: Cart, settlement: Settlement, *, cashier: str, establishment: str,
                  point: str) -> SaleDone:
    """Issues the sale (one transaction in checkout) and remembers a new identified customer."""
    from app.pos import checkout

    if not settlement.complete:
        raise ValidationError(f"Falta cobrar {settlement.missing}", field="pagos")
    if cart.country != session.company.country or settlement.country != session.company.country:
        raise ValidationError("La venta no corresponde al país de la empresa configurada", field="pais")
    if shifts.current(session.conn, establishment, point) is None:
        raise ValidationError("La caja está cerrada: abra un turno de caja antes de cobrar", field="turno")
    started = time.perf_counter()
    sale = cart.checked_sale(settlement, establishment=establishment, point=point, cashier=cashier)
    result = checkout.issue_sale(session, sale, source="pos")
    elapsed = (time.perf_counter() - started) * 1000
    try:  # after the commit nothing may fail the sale: the customer record is a convenience
        remember_buyer(session.conn, cart)
    except Exception:
        log.exception("no se pudo guardar el cliente de la venta %s", result.document_id)
    return SaleDone(result, settlement, elapsed)


def remember_buyer(conn: sqlite3.Connection, cart: Cart) -> None:
    b = cart.buyer
    if cart.buyer_is_anonymous or catalog.find_customer(conn, b.identification):
        return
    try:
        catalog.save_customer(conn, catalog.Customer(b.identification, b.name, b.id_type, b.email, b.phone,
                                                     b.address))
    except ValidationError:
        pass  # the sale is what matters; a customer record that does not validate is skipped


AS_PAID = "as-paid"


def refund_method(conn: sqlite3.Connection, document_id: int, country: str) -> str | None:
    """How a credit note of invoice `document_id` gives the money back by default: in cash (the
    till's cash method) when the invoice was paid at least partly in cash; otherwise None (the
    amount stays in the customer's favour, no money leaves the till)."""
    rules = rules_for(country)
    cash = rules.payment_methods[rules.cash_method].authority_code
    paid = conn.execute("SELECT p.method FROM payments p JOIN documents d ON d.sale_id = p.sale_id "
                        "WHERE d.id=?", (document_id,)).fetchall()
    return rules.cash_method if any(r["method"] == cash for r in paid) else None


def issue_credit_note(session, document_id: int, quantities: dict[int, Decimal], reason: str, *,
                      user: str, refund: str | None = AS_PAID):
    """Issues the credit note and records the money given back with it (in the same transaction):
    `refund` is a payment method of the till (e.g. its cash method), None for no money back, or
    AS_PAID (default, see `refund_method`). Cash refunds come off the shift's expected cash."""
    from dataclasses import replace

    from app.core.sale import Return
    from app.pos import checkout

    country = session.company.country
    if refund == AS_PAID:
        refund = refund_method(session.conn, document_id, country)
    rules = rules_for(country)
    if refund is not None and refund not in rules.payment_methods:
        raise ValueError(f"Forma de devolución desconocida: {refund}")
    body = credit_notes.build_body(session.conn, document_id, quantities, reason)
    payments = None
    if refund is not None:
        payments = [(rules.payment_methods[refund].authority_code,
                     credit_notes.total_of(body, country))]
    if isinstance(body, Return):  # the domain's words: the backend builds the note from them
        result = checkout.issue_return(session, replace(body, cashier=user), source="pos", cashier=user,
                                       payments=payments)
    else:
        result = checkout.issue(session, body, "credit-notes", source="pos", cashier=user, payments=payments)
    audit.record(session.conn, "credit_note", user, {"invoice": document_id, "credit_note": result.document_id,
                                                     "total": result.document.total, "reason": reason,
                                                     "refund": refund})
    return result


def credit_notes_for(country: str):
    """The credit notes of the till (creditable_lines, chosen_lines, build_body, total_of)."""
    return credit_notes.CreditNotes(country)


def retry_now(conn: sqlite3.Connection, document_id: int) -> int:
    """Makes the document's pending jobs due now (the caller then wakes the worker)."""
    from app.store import outbox

    return outbox.make_due(conn, document_id)


# ----------------------------------------------------------------------------------- status bar

@dataclass(frozen=True)
class SyncFacts:
    pending: int
    oldest_age_seconds: float | None
    deadline_hours: float
    warn_after_minutes: float
    last_success: datetime | None
    last_error: str | None

    @property
    def level(self) -> str:
        """'ok' | 'warn' | 'danger' (deadline within 25 % of its span, or passed)."""
        if not self.pending or self.oldest_age_seconds is None:
            return "ok"
        if self.oldest_age_seconds >= self.deadline_hours * 3600 * 0.75:
            return "danger"
        if self.oldest_age_seconds >= self.warn_after_minutes * 60:
            return "warn"
        return "ok"


def sync_facts(conn: sqlite3.Connection, country: str, now: datetime | None = None) -> SyncFacts:
    now = now or datetime.now(timezone.utc)
    row = conn.execute("SELECT COUNT(*), MIN(signed_at) FROM documents WHERE status IN (?,?)",
                       (st.SIGNED, st.SENT)).fetchone()
    pending, oldest = row[0], row[1]
    age = (now - datetime.fromisoformat(oldest)).total_seconds() if oldest else None
    from app.sync.deadlines import deadline_hours

    deadline = deadline_hours(conn, country)
    warn = float(settings.get(conn, "transmission.warn_after_minutes") or 60)
    last = conn.execute("SELECT MAX(at) FROM document_events WHERE status IN (?,?,?)",
                        (st.SENT, st.AUTHORIZED, st.REJECTED)).fetchone()[0]
    err = conn.execute("SELECT last_error FROM outbox WHERE state='pending' AND last_error IS NOT NULL "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    return SyncFacts(pending, age, deadline, warn, datetime.fromisoformat(last) if last else None,
                     err[0] if err else None)


# ----------------------------------------------------------------------------------- documents

STATUS_LABELS = {st.SIGNED: "pendiente", st.SENT: "enviado", st.AUTHORIZED: "autorizado",
                 st.REJECTED: "rechazado", st.CANCELLED: "anulado", "printed": "impreso"}
KIND_LABELS = {"invoices": "Factura", "credit-notes": "Nota de crédito", "debit-notes": "Nota de débito",
               "retentions": "Retención", "waybills": "Guía de remisión",
               "purchase-settlements": "Liquidación de compra"}


def kind_labels(country_code: str) -> dict[str, str]:
    """{document kind: Spanish name} as the country's authority names its documents (its
    `actions` facet's `kind_labels`), in the order Documentos offers them."""
    from app.fiscal import registry

    return dict(getattr(registry.country(country_code).actions(), "kind_labels", KIND_LABELS))


def find_documents(conn: sqlite3.Connection, *, date_from: str | None = None, date_to: str | None = None,
                   kind: str | None = None, status: str | None = None, customer: str = "",
                   limit: int = 2000) -> list[sqlite3.Row]:
    """Documents, newest first. Dates are 'YYYY-MM-DD' in the issue date's own time zone."""
    sql = ("SELECT id, kind, doc_code, key, version, number, issued_at, signed_at, total, currency, buyer_id, buyer_name, "
           "status, authorization_number, authorized_at, last_messages, updated_at, sale_id FROM documents WHERE 1=1")
    args: list = []
    if date_from:
        sql += " AND substr(issued_at, 1, 10) >= ?"
        args.append(date_from)
    if date_to:
        sql += " AND substr(issued_at, 1, 10) <= ?"
        args.append(date_to)
    if kind:
        sql += " AND kind=?"
        args.append(kind)
    if status:
        sql += " AND status=?"
        args.append(status)
    for word in customer.split():
        like = f"%{word}%"
        sql += " AND (buyer_name LIKE ? OR buyer_id LIKE ? OR number LIKE ?)"
        args += [like, like, like]
    return conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()


def documents_stamp(conn: sqlite3.Connection) -> tuple:
    """Changes whenever a document is added or changes status (cheap; polled every second)."""
    return tuple(conn.execute("SELECT COUNT(*), MAX(updated_at) FROM documents").fetchone())


def document_request(conn: sqlite3.Connection, document_id: int) -> dict:
    """The sale body the document was issued from (lines, totals, payments)."""
    import json

    row = conn.execute("SELECT s.request_json FROM documents d JOIN sales s ON s.id = d.sale_id WHERE d.id=?",
                       (document_id,)).fetchone()
    return json.loads(row[0]) if row else {}


def document_payments(conn: sqlite3.Connection, document_id: int) -> list[tuple[str, Decimal]]:
    return [(r[0], Decimal(r[1])) for r in conn.execute(
        "SELECT p.method, p.amount FROM payments p JOIN documents d ON d.sale_id = p.sale_id "
        "WHERE d.id=? ORDER BY p.n", (document_id,))]
