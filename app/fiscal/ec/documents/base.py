"""What one SRI document type is: its names, its schema, and how it is read, written and checked."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Mapping

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DocumentType:
    """One comprobante electrónico. Each module of this package defines one as `TYPE`.

    - parse(reader, body, header, company) -> model document: the Dátil-style body of this type
      (`header` is what every type shares, already read: the Document fields).
    - build(root, doc, company): appends this type's blocks after infoTributaria.
    - check(checker, root): the arithmetic of this type's XML (totals.Checker); None when the
      type carries no amounts.
    - party(doc) / total(doc): what the Draft shows as counterpart and total.
    """

    kind: str  # the local API's path, as Dátil names it: "invoices"
    cod_doc: str  # FICHA Tabla 3: "01"
    root: str  # XML root element: "factura"
    info: str  # the type's own info block: "infoFactura"
    version: str  # the schema version we emit
    schemas: Mapping[str, str]  # every shipped version -> XSD file in resources/xsd/ec
    name: str  # Spanish, lower case: "factura"
    title: str  # heading of the RIDE / ticket: "FACTURA"
    model: type
    parse: Callable[..., Any]
    build: Callable[..., None]
    check: Callable[..., None] | None
    party: Callable[[Any], Any] = lambda doc: doc.buyer
    total: Callable[[Any], Decimal] = lambda doc: doc.total
    dated: bool = True  # has fechaEmision in its info block (the guía does not)
