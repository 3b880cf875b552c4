"""What one SIFEN document type (iTiDE) is: its names, which shared groups of the DE it
carries, and what only it has: its own FacturaSend/DTEpy fields, its group of gDtipDE and
its own rules before signing."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

IVA_TAX_TYPES = (1, 3, 4, 5)  # iTImp whose items carry gCamIVA (IVA, Renta, Ninguno, IVA-Renta)


def _nothing(*_args) -> None:
    return None


@dataclass(frozen=True)
class DocumentType:
    """One DE type; each module of this package defines one as `TYPE`.

    - read(reader, body, doc): this type's own fields of a FacturaSend/DTEpy body (camelCase,
      already normalised) into `doc` (a model.Document), errors recorded on the reader.
    - build(gDtipDE, doc): appends this type's own group (gCamFE, gCamAE, gCamNCDE, gCamNRE).
    - check(doc, errors): this type's own rules before signing (ErrorCollector, FacturaSend
      field names).
    """

    code: int  # iTiDE, also FacturaSend/DTEpy `tipoDocumento`
    kind: str  # the local API's path / Draft kind: "invoices"
    short: str  # "FE"
    description: str  # dDesTiDE, exactly as DE_Types_v150.xsd spells it
    read: Callable[[Any, dict, Any], None] = field(default=_nothing, repr=False)
    build: Callable[[Any, Any], None] = field(default=_nothing, repr=False)
    check: Callable[[Any, Any], None] = field(default=_nothing, repr=False)
    has_values: bool = True  # items carry gValorItem and the DE gTotSub (not the NRE)
    has_iva: bool = True  # items carry gCamIVA under an IVA tax type (not AFE / NRE)
    commercial: bool = True  # gOpeCom: tax type, currency, obligations (not the NRE)
    has_transaction_type: bool = False  # iTipTra in gOpeCom (FE, AFE)
    has_payments: bool = False  # gCamCond: cash / credit condition and payments (FE, AFE)
    needs_associated: bool = False  # gCamDEAsoc is required (2400)
    allows_anonymous: bool = True  # innominado receiver allowed (1331)
    needs_receiver_address: bool = False
    needs_transport: bool = False  # gTransp is required
    cancel_hours: int = 168  # how long after signing a cancelación is accepted (4009/4010)
    fiscal_legend: str = ""  # dInfoFisc when the body gives none

    def with_iva(self, tax_type: int) -> bool:
        """Whether the items carry gCamIVA (and group F its IVA totals) under `tax_type`."""
        return self.has_iva and tax_type in IVA_TAX_TYPES
