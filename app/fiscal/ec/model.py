"""Typed model of the six SRI documents, already validated and with every amount computed.

Amounts are Decimal with the precision they are written with in the XML (2 decimals for
money, up to 6 for cantidad/precioUnitario). xml_build turns these into XML and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass
class Party:
    """Buyer, supplier, retained subject, carrier or recipient."""

    id_type: str  # Tabla 6: 04 RUC, 05 cédula, 06 pasaporte, 07 consumidor final, 08 exterior
    id: str
    name: str
    address: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class Tax:
    """One tax of one line (detalle/impuestos/impuesto) or of a supporting document."""

    codigo: str  # Tabla 16: 2 IVA, 3 ICE, 5 IRBPNR
    codigo_porcentaje: str
    tarifa: Decimal
    base: Decimal
    valor: Decimal


@dataclass
class TaxTotal:
    """totalConImpuestos/totalImpuesto: one per (codigo, codigoPorcentaje)."""

    codigo: str
    codigo_porcentaje: str
    tarifa: Decimal
    base: Decimal
    valor: Decimal


@dataclass
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    subtotal: Decimal  # precioTotalSinImpuesto = round(cantidad*precio - descuento, 2)
    taxes: list[Tax]
    main_code: str = ""
    aux_code: str = ""
    unit: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)  # detAdicional (max 3)


@dataclass
class Payment:
    forma_pago: str  # Tabla 24
    total: Decimal
    plazo: Decimal | None = None
    unidad_tiempo: str = ""


@dataclass
class DocRef:
    """The document a note modifies (codDocModificado, numDocModificado, fechaEmisionDocSustento)."""

    cod_doc: str
    number: str  # 001-001-000000123
    issued: date


@dataclass
class PresumptiveRetention:
    """factura/retenciones/retencion (IVA presuntivo y renta, codigo 4)."""

    codigo: str
    codigo_porcentaje: str
    tarifa: Decimal
    valor: Decimal


@dataclass
class Export:
    incoterm: str
    incoterm_place: str
    incoterm_total: str
    origin_country: str  # SRI numeric country code (3 digits)
    origin_port: str
    destination_country: str
    destination_port: str
    acquisition_country: str = ""
    freight: Decimal | None = None
    insurance: Decimal | None = None
    customs: Decimal | None = None
    other_transport: Decimal | None = None

    def extras(self) -> Decimal:
        return sum((v for v in (self.freight, self.insurance, self.customs, self.other_transport)
                    if v is not None), ZERO)


@dataclass(kw_only=True)
class Document:
    """Fields every SRI document shares (infoTributaria comes from the Company)."""

    kind: str
    cod_doc: str
    version: str
    issued: date
    estab: str
    pto_emi: str
    additional: list[tuple[str, str]] = field(default_factory=list)  # infoAdicional, max 15


@dataclass(kw_only=True)
class Invoice(Document):
    buyer: Party
    lines: list[Line]
    taxes: list[TaxTotal]
    subtotal: Decimal  # totalSinImpuestos
    discount: Decimal  # totalDescuento
    tip: Decimal  # propina
    total: Decimal  # importeTotal
    payments: list[Payment]
    currency: str = "DOLAR"
    guia_remision: str = ""
    retained_iva: Decimal | None = None
    retained_renta: Decimal | None = None
    retentions: list[PresumptiveRetention] = field(default_factory=list)
    export: Export | None = None


@dataclass(kw_only=True)
class PurchaseSettlement(Document):
    supplier: Party
    lines: list[Line]
    taxes: list[TaxTotal]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    payments: list[Payment]
    currency: str = "DOLAR"


@dataclass(kw_only=True)
class CreditNote(Document):
    buyer: Party
    modified: DocRef
    reason: str
    lines: list[Line]
    taxes: list[TaxTotal]
    subtotal: Decimal
    total: Decimal  # valorModificacion
    currency: str = "DOLAR"


@dataclass
class DebitReason:
    reason: str
    value: Decimal


@dataclass(kw_only=True)
class DebitNote(Document):
    buyer: Party
    modified: DocRef
    reasons: list[DebitReason]
    taxes: list[TaxTotal]
    subtotal: Decimal
    total: Decimal  # valorTotal
    payments: list[Payment]


@dataclass
class RetentionItem:
    codigo: str  # 1 renta, 2 IVA, 6 ISD
    codigo_retencion: str
    base: Decimal
    rate: Decimal  # porcentajeRetener
    valor: Decimal


@dataclass
class SupportingDoc:
    """docSustento of a comprobante de retención 2.0.0."""

    cod_sustento: str
    cod_doc: str
    number: str  # 15 digits, no dashes
    issued: date
    pago_loc_ext: str  # 01 local, 02 exterior
    subtotal: Decimal
    total: Decimal
    taxes: list[Tax]
    retentions: list[RetentionItem]
    payments: list[Payment]
    registered: date | None = None
    authorization: str = ""


@dataclass(kw_only=True)
class Retention(Document):
    subject: Party
    subject_kind: str  # tipoSujetoRetenido 01 persona natural, 02 sociedad
    related_party: bool
    fiscal_period: str  # MM/AAAA
    docs: list[SupportingDoc]

    @property
    def total(self) -> Decimal:
        return sum((r.valor for d in self.docs for r in d.retentions), ZERO)


@dataclass
class WaybillItem:
    description: str
    quantity: Decimal
    main_code: str = ""
    aux_code: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Recipient:
    party: Party
    reason: str  # motivoTraslado
    items: list[WaybillItem]
    customs_doc: str = ""
    dest_estab: str = ""
    route: str = ""
    doc_cod: str = ""
    doc_number: str = ""
    doc_authorization: str = ""
    doc_issued: date | None = None


@dataclass(kw_only=True)
class Waybill(Document):
    carrier: Party
    plate: str
    origin: str  # dirPartida
    start: date
    end: date
    recipients: list[Recipient]
