"""The parts of a Paraguayan DE (addresses, receiver, items, payments, transport...): plain
dataclasses below the document types, which read and write them; `model.Document` puts them
together (and re-exports them, so `model.Location` etc. keep working)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.fiscal.py.totals import HUNDRED, ZERO


@dataclass
class Location:
    """An address with its SIFEN geographic codes (department from the XSD list;
    district/city descriptions are given because table 2.1/2.2 is not shipped)."""

    address: str
    house_number: int = 0
    departamento: int | None = None
    distrito: int | None = None
    distrito_desc: str = ""
    ciudad: int | None = None
    ciudad_desc: str = ""
    complement1: str = ""
    complement2: str = ""
    phone: str = ""


@dataclass
class Receiver:
    contribuyente: bool  # iNatRec 1 / 2
    name: str  # dNomRec
    operation: int = 2  # iTiOpe 1 B2B 2 B2C 3 B2G 4 B2F
    country: str = "PRY"
    taxpayer_type: int | None = None  # iTiContRec, if contribuyente
    ruc: str = ""  # base without DV
    ruc_dv: int | None = None
    id_type: int | None = None  # iTipIDRec if not contribuyente (5 = innominado)
    id_type_desc: str = ""  # for id_type 9
    id_number: str = ""
    trade_name: str = ""
    location: Location | None = None
    phone: str = ""
    mobile: str = ""
    email: str = ""
    code: str = ""  # dCodCliente

    @property
    def anonymous(self) -> bool:
        return not self.contribuyente and self.id_type == 5


@dataclass
class Item:
    code: str  # dCodInt
    description: str
    quantity: Decimal
    price: Decimal = ZERO  # IVA included
    unit: int = 77
    iva_type: int = 1  # iAfecIVA
    iva_base: Decimal = HUNDRED  # dPropIVA
    iva_rate: int = 10
    discount: Decimal = ZERO  # per unit
    advance: Decimal = ZERO  # per unit
    exchange_rate: Decimal | None = None
    info: str = ""  # dInfItem
    ncm: str = ""
    origin_country: str = ""
    lot: str = ""  # gRasMerc
    expiry: date | None = None
    serial: str = ""
    order_number: str = ""
    tracking: str = ""


@dataclass
class Card:
    brand: int  # iDenTarj
    processing: int = 1  # iForProPa
    brand_desc: str = ""  # for 99
    processor_name: str = ""
    processor_ruc: str = ""
    processor_dv: int | None = None
    auth_code: int | None = None
    holder: str = ""
    last4: str = ""


@dataclass
class Payment:
    kind: int  # iTiPago
    amount: Decimal
    currency: str = "PYG"
    exchange_rate: Decimal | None = None
    kind_desc: str = ""  # for 99
    card: Card | None = None
    cheque_number: str = ""
    cheque_bank: str = ""


@dataclass
class Installment:
    amount: Decimal
    currency: str = "PYG"
    due: date | None = None


@dataclass
class Credit:
    kind: int  # 1 plazo, 2 cuota
    term: str = ""  # dPlazoCre
    installments_count: int | None = None
    down_payment: Decimal | None = None
    installments: list[Installment] = field(default_factory=list)


@dataclass
class AssociatedDoc:
    kind: int  # 1 electrónico, 2 impreso, 3 constancia
    cdc: str = ""
    timbrado: str = ""
    establishment: str = ""
    point: str = ""
    number: str = ""
    printed_type: int | None = None
    issued_on: date | None = None
    constancia_type: int | None = None
    constancia_number: str = ""
    constancia_control: str = ""


@dataclass
class Seller:
    """Autofactura: the vendor (no contribuyente / extranjero) and where the deal happened."""

    nature: int  # 1 no contribuyente, 2 extranjero
    id_type: int
    id_number: str
    name: str
    location: Location
    place: Location  # dónde se realiza la transacción


@dataclass
class Remission:
    reason: int  # iMotEmiNR
    responsible: int  # iRespEmiNR
    km: int
    invoice_date: date | None = None
    freight_cost: Decimal | None = None


@dataclass
class Vehicle:
    kind: str
    brand: str
    id_kind: int  # 1 número de identificación, 2 matrícula
    id_number: str = ""
    plate: str = ""


@dataclass
class Carrier:
    contribuyente: bool
    name: str
    ruc: str = ""
    ruc_dv: int | None = None
    id_type: int | None = None
    id_number: str = ""
    address: str = ""
    driver_id: str = ""
    driver_name: str = ""
    driver_address: str = ""


@dataclass
class Transport:
    mode: int = 1  # iModTrans
    freight_responsible: int = 1  # iRespFlete
    kind: int | None = None  # iTipTrans
    start: date | None = None
    end: date | None = None
    departure: Location | None = None
    delivery: Location | None = None
    vehicles: list[Vehicle] = field(default_factory=list)
    carrier: Carrier | None = None
