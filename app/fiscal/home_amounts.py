"""Amounts of stored documents in the till's currency, for the readers that add documents up.

The rule (issue #13): `sales.total`, `documents.total` and `payments.amount` are stored in the
document's own currency, `documents.currency` (what the document says: USD 5,54), whichever path
issued it (the till, the CLI, the local API). Reportes, Caja and the X/Z report add documents in
the till's currency: each foreign-currency document is converted once, at the rate its signed
XML states (the country's optional till rule `document_rate(xml)`), rounded to the till's money.
"""
from __future__ import annotations

import sqlite3
from decimal import Decimal

from app.core.errors import ConfigurationError
from app.fiscal import registry

ONE = Decimal(1)


def rules_for(country: str):
    return registry.country(country).till()


def line_scale(home_total: Decimal, lines) -> Decimal:
    """What a foreign document's lines (`IssuedLine`s, in whatever currency its request has them)
    are multiplied by to add up to its total in the till's currency: their share of it."""
    gross = sum((ln.base + ln.tax for ln in lines), Decimal(0))
    return home_total / gross if gross else ONE


class HomeAmounts:
    """Converts amounts of documents (by id) to their country's till currency; rates are read
    once per document from its signed XML, only for documents in another currency."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._rates: dict[int, Decimal] = {}

    def rate(self, doc_id: int, country: str, currency: str) -> Decimal:
        """Till currency per unit of the document's currency (1 when they are the same)."""
        till = rules_for(country)
        if not currency or currency == till.money.code:
            return ONE
        if doc_id not in self._rates:
            reader = getattr(till, "document_rate", None)
            row = self.conn.execute("SELECT xml FROM documents WHERE id=?", (doc_id,)).fetchone()
            rate = reader(bytes(row["xml"])) if reader is not None and row is not None else None
            if rate is None:
                raise ConfigurationError(f"El documento {doc_id} está en {currency} y no dice su tipo de cambio")
            self._rates[doc_id] = rate
        return self._rates[doc_id]

    def home(self, amount, doc_id: int, country: str, currency: str, *, rounded: bool = True) -> Decimal:
        """`amount` of the document in the till's currency (rounded to its places unless told not)."""
        value = Decimal(str(amount))
        rate = self.rate(doc_id, country, currency)
        if rate == ONE:
            return value
        converted = value * rate
        return rules_for(country).money.round(converted) if rounded else converted
