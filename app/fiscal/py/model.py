"""The Paraguayan document model: what a DE says, before numbering and signing.

Plain dataclasses; codes are SIFEN codes (iTiDE, iAfecIVA…); money is Decimal with IVA
included in prices. `xml_build.build` turns a `Document` into an unsigned rDE. A document's
item values and totals (group F) are `Document.amounts()`: computed by `totals.compute` once
for its content and reused by the parsers, the backend and the builder.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.fiscal.py import documents
from app.fiscal.py.parts import (  # noqa: F401  (the parts, re-exported)
    AssociatedDoc, Card, Carrier, Credit, Installment, Item, Location, Payment, Receiver, Remission, Seller,
    Transport, Vehicle)
from app.fiscal.py.totals import ZERO, ItemAmounts, ItemInput, Totals, compute


@dataclass
class Document:
    doc_type: int  # iTiDE
    establishment: str  # '001'
    point: str  # '001'
    issued_at: datetime  # dFeEmiDE, local Paraguay time
    receiver: Receiver
    items: list[Item]
    currency: str = "PYG"
    exchange_rate: Decimal | None = None  # dTiCam (global)
    exchange_condition: int | None = None  # dCondTiCam
    transaction_type: int = 1  # iTipTra
    tax_type: int = 1  # iTImp
    presence: int = 1  # iIndPres (FE)
    condition: int = 1  # iCondOpe
    payments: list[Payment] = field(default_factory=list)
    credit: Credit | None = None
    credit_reason: int | None = None  # iMotEmi (NCE/NDE)
    associated: list[AssociatedDoc] = field(default_factory=list)
    seller: Seller | None = None  # AFE
    remission: Remission | None = None  # NRE
    transport: Transport | None = None
    obligations: list[int] = field(default_factory=list)
    info_issuer: str = ""  # dInfoEmi
    info_fiscal: str = ""  # dInfoFisc
    series: str = ""  # dSerieNum
    round_to_50: bool = False
    global_discount_pct: Decimal = ZERO
    cashier: str = ""  # gGrupSup/dNomCaj
    cash_received: Decimal | None = None  # gGrupSup/dEfectivo
    change: Decimal | None = None  # gGrupSup/dVuelto
    responsible: dict | None = None  # gRespDE: id_type, id_number, name, role
    extra: dict = field(default_factory=dict)
    _amounts: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def document_type(self):
        """Its `documents.DocumentType` (None for an iTiDE no module serves)."""
        return documents.by_code(self.doc_type)

    def with_iva(self) -> bool:
        """Whether the items carry gCamIVA (and group F its IVA totals)."""
        t = self.document_type
        return (t.has_iva if t is not None else True) and self.tax_type in (1, 3, 4, 5)

    def amounts(self) -> tuple[list[ItemAmounts], Totals] | None:
        """The items' values and group F as `totals.compute` gives them, computed once for the
        document's current content (changing an item or a parameter recomputes); None for a
        type without values (the NRE)."""
        t = self.document_type
        if t is not None and not t.has_values:
            return None
        inputs = tuple(ItemInput(i.price, i.quantity, i.iva_type, i.iva_base, i.iva_rate, i.discount, i.advance,
                                 i.exchange_rate if self.exchange_condition == 2 else None) for i in self.items)
        key = (inputs, self.currency, self.exchange_rate if self.exchange_condition == 1 else None,
               self.round_to_50, self.global_discount_pct, self.with_iva())
        if self._amounts is None or self._amounts[0] != key:
            self._amounts = (key, compute(list(inputs), currency=key[1], exchange_rate=key[2], round_to_50=key[3],
                                          global_discount_pct=key[4], with_iva=key[5]))
        return self._amounts[1]

    def total(self) -> Decimal:
        """dTotGralOpe in the document's currency (0 without values)."""
        a = self.amounts()
        return a[1].tot_gral if a is not None else ZERO

    def total_in_pyg(self) -> Decimal:
        """The total in guaraníes (dTotalGs outside PYG); 0 without values."""
        a = self.amounts()
        if a is None:
            return ZERO
        return a[1].tot_gral if self.currency == "PYG" else (a[1].total_gs or ZERO)
