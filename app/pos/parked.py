"""Parked sales: the cart on screen put aside (the customer went to fetch something) so the next
customer can be served, and recalled later. Several may be parked at once; they live in SQLite
(table `parked_sales`) and so survive a restart. Recalling one removes it, in one transaction."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Callable

from app.core.errors import NotFoundError
from app.pos.cart import Buyer, Cart, CartLine
from app.store.db import transaction


@dataclass(frozen=True)
class Parked:
    id: int
    parked_at: str  # ISO 8601, UTC
    cashier: str
    label: str
    total: Decimal
    lines: int


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def cart_to_json(cart: Cart) -> str:
    lines = [{"code": ln.code, "description": ln.description, "quantity": str(ln.quantity),
              "price": str(ln.price), "price_includes_tax": ln.price_includes_tax, "tax_code": ln.tax_code,
              "discount_percent": str(ln.discount_percent),
              "list_price": None if ln.list_price is None else str(ln.list_price)} for ln in cart.lines]
    buyer = None if cart.buyer_is_anonymous else asdict(cart.buyer)
    return json.dumps({"country": cart.country, "lines": lines, "buyer": buyer, "prebilled": cart.prebilled},
                      ensure_ascii=False, sort_keys=True)


def cart_from_json(text: str) -> Cart:
    data = json.loads(text)
    cart = Cart(country=data["country"], prebilled=bool(data.get("prebilled")))
    if data.get("buyer"):
        cart.buyer = Buyer(**data["buyer"])
    for d in data["lines"]:
        cart.lines.append(CartLine(d["code"], d["description"], Decimal(d["quantity"]), Decimal(d["price"]),
                                   bool(d["price_includes_tax"]), d["tax_code"], Decimal(d["discount_percent"]),
                                   None if d["list_price"] is None else Decimal(d["list_price"]),
                                   rules=cart.rules))
    return cart


def park(conn: sqlite3.Connection, cart: Cart, *, establishment: str, point: str, cashier: str,
         label: str = "", clock: Callable[[], datetime] = _utcnow) -> int:
    """Stores the cart; returns its number. An empty cart cannot be parked (ValueError)."""
    if cart.empty:
        raise ValueError("La venta está vacía: no hay nada que dejar en espera")
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO parked_sales(establishment, point, cashier, parked_at, label, total, cart_json) "
            "VALUES (?,?,?,?,?,?,?)",
            (establishment, point, cashier, clock().isoformat(), label.strip(), str(cart.totals().total),
             cart_to_json(cart)))
        return int(cur.lastrowid)


def listing(conn: sqlite3.Connection, *, establishment: str, point: str) -> list[Parked]:
    rows = conn.execute("SELECT id, parked_at, cashier, label, total, cart_json FROM parked_sales "
                        "WHERE establishment=? AND point=? ORDER BY id", (establishment, point)).fetchall()
    return [Parked(r["id"], r["parked_at"], r["cashier"], r["label"], Decimal(r["total"]),
                   len(json.loads(r["cart_json"])["lines"])) for r in rows]


def recall(conn: sqlite3.Connection, parked_id: int) -> Cart:
    """The parked cart, removed from the parked list (one transaction)."""
    with transaction(conn):
        row = conn.execute("SELECT cart_json FROM parked_sales WHERE id=?", (parked_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No existe la venta en espera {parked_id}")
        cart = cart_from_json(row["cart_json"])
        conn.execute("DELETE FROM parked_sales WHERE id=?", (parked_id,))
    return cart
