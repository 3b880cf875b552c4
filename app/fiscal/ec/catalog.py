"""SRI catalogs (Ficha técnica offline v2.32 tables) and Dátil's own names for them (seed 001)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

# The document types (kind, codDoc, root tag, version, XSD files) are app/fiscal/ec/documents.

# Tabla 16: tax codes.
IVA, ICE, IRBPNR = "2", "3", "5"
TAX_NAMES = {IVA: "IVA", ICE: "ICE", IRBPNR: "IRBPNR"}

# Tabla 17: IVA codigoPorcentaje -> rate in percent.
IVA_RATES = {
    "0": Decimal("0"), "2": Decimal("12"), "3": Decimal("14"), "4": Decimal("15"),
    "5": Decimal("5"), "6": Decimal("0"), "7": Decimal("0"), "8": Decimal("8"), "10": Decimal("13"),
}
IVA_LABELS = {"0": "0 %", "2": "12 %", "3": "14 %", "4": "15 %", "5": "5 %",
              "6": "No objeto de impuesto", "7": "Exento de IVA", "8": "IVA diferenciado 8 %",
              "10": "13 %"}

# General rates no longer in force (12 % until 2024-03-31, 14 % 2016-2017): accepted, warned.
IVA_HISTORICAL = {"2", "3"}

# IRBPNR (plastic bottles): codigoPorcentaje -> amount per unit (FICHA Anexo 1).
IRBPNR_PER_UNIT = {"5001": Decimal("0.02")}


def is_ice_code(code: str) -> bool:
    """ICE codigoPorcentaje (Tabla 18) are 4 digits starting with 3; rates change every year,
    so the rate/amount comes from the caller and only the shape is checked."""
    return len(code) == 4 and code.isdigit() and code.startswith("3")


# Tabla 6: identification types. 09 (placa) is Dátil-only and not allowed by the XSD.
ID_RUC, ID_CEDULA, ID_PASAPORTE, ID_CONSUMIDOR_FINAL, ID_EXTERIOR = "04", "05", "06", "07", "08"
ID_TYPES = {ID_RUC: "RUC", ID_CEDULA: "cédula", ID_PASAPORTE: "pasaporte",
            ID_CONSUMIDOR_FINAL: "venta a consumidor final", ID_EXTERIOR: "identificación del exterior"}
CONSUMIDOR_FINAL_ID = "9999999999999"
CONSUMIDOR_FINAL_NAME = "CONSUMIDOR FINAL"
CONSUMIDOR_FINAL_LIMIT = Decimal("50.00")  # FICHA §9.10: above this the buyer must be identified

# Tabla 24: formas de pago in force.
FORMAS_PAGO = {
    "01": "Sin utilización del sistema financiero",
    "15": "Compensación de deudas",
    "16": "Tarjeta de débito",
    "17": "Dinero electrónico",
    "18": "Tarjeta prepago",
    "19": "Tarjeta de crédito",
    "20": "Otros con utilización del sistema financiero",
    "21": "Endoso de títulos",
}

# Dátil's payment method names -> SRI forma de pago (seed 001 "Equivalencia entre formas de pago").
DATIL_PAYMENT_METHODS = {
    "efectivo": "01",
    "cheque": "20",
    "debito_cuenta_bancaria": "20",
    "transferencia": "20",
    "deposito_cuenta_bancaria": "20",
    "tarjeta_debito": "16",
    "dinero_electronico_ec": "17",
    "tarjeta_prepago": "18",
    "tarjeta_credito": "19",
    "otros": "20",
    "endoso_titulos": "21",
}


def forma_pago(medio: str) -> str | None:
    """Dátil name or SRI code -> SRI code; None when unknown."""
    m = str(medio).strip().lower()
    if m in DATIL_PAYMENT_METHODS:
        return DATIL_PAYMENT_METHODS[m]
    if m.isdigit() and len(m) <= 2 and m.zfill(2) in FORMAS_PAGO:
        return m.zfill(2)
    return None


# Tabla 19: taxes a retention withholds; Tabla 20: IVA retention codes -> percent.
RET_RENTA, RET_IVA, RET_ISD = "1", "2", "6"
RETENTION_TAXES = {RET_RENTA: "renta", RET_IVA: "IVA", RET_ISD: "ISD"}
IVA_RETENTION_RATES = {
    "9": Decimal("10"), "10": Decimal("20"), "1": Decimal("30"), "11": Decimal("50"),
    "2": Decimal("70"), "3": Decimal("100"), "7": Decimal("0"), "8": Decimal("0"),
}
ISD_RETENTION_RATES = {"4580": Decimal("5"), "4586": Decimal("2.5")}

# Factura "retenciones" block (IVA presuntivo y renta, codigo 4; Dátil catalog).
PRESUMPTIVE_RETENTION_CODES = {"3", "4", "5", "6", "327", "328"}

# Documents a credit/debit note may modify and a retention/waybill may be supported by.
MODIFIABLE_DOCS = {"01", "03", "05"}

# Renta retention codes (ATS Tabla 3, "conceptos de retención en la fuente") a shop uses, with the
# rate of Resolución NAC-DGERCGC26-00000009, in force from 2026-03-01. The SRI's own table is not
# in our specs: each rate here is the one public implementations of that resolution agree on (an
# Odoo l10n_ec update "SRI Resolution NAC-DGERCGC26-00000009, effective 2026-03-01" and a
# TypeScript catalogue test "los porcentajes de la NAC-DGERCGC26-00000009", found with the
# search tool's code corpus); 3440 and 344A-C, where they disagree, are left out.
# Renta rates change by resolution: before RENTA_RETENTION_SINCE no rate is suggested.
RENTA_RETENTION_SINCE = date(2026, 3, 1)
RENTA_RETENTION_CODES: dict[str, tuple[str, Decimal]] = {
    "303": ("Honorarios profesionales y servicios relacionados con el título profesional", Decimal("10")),
    "303A": ("Servicios profesionales prestados por sociedades residentes", Decimal("5")),
    "304": ("Servicios donde predomina el intelecto no relacionados con el título profesional", Decimal("10")),
    "307": ("Servicios donde predomina la mano de obra", Decimal("3")),
    "308": ("Utilización o aprovechamiento de la imagen o renombre", Decimal("10")),
    "309": ("Servicios prestados por medios de comunicación y agencias de publicidad", Decimal("3")),
    "310": ("Transporte privado de pasajeros o transporte público o privado de carga", Decimal("1")),
    "311": ("Pagos por liquidación de compra (nivel cultural o rusticidad)", Decimal("3")),
    "312": ("Transferencia de bienes muebles de naturaleza corporal", Decimal("2")),
    "312A": ("Compras al productor de bienes agrícolas, bioacuáticos y forestales", Decimal("1")),
    "319": ("Cuotas de arrendamiento mercantil", Decimal("2")),
    "320": ("Arrendamiento de bienes inmuebles", Decimal("10")),
    "322": ("Seguros y reaseguros (primas y cesiones)", Decimal("2")),
    "332": ("Otras compras de bienes y servicios no sujetas a retención", Decimal("0")),
    "343": ("Otras retenciones aplicables el 1 %", Decimal("1")),
    "343A": ("Energía eléctrica", Decimal("2")),
    "343B": ("Actividades de construcción de obra material inmueble", Decimal("2")),
    "3482": ("Comisiones a sociedades residentes y establecimientos permanentes", Decimal("5")),
}
# Tabla 20 in words (the rates are IVA_RETENTION_RATES).
IVA_RETENTION_LABELS = {
    "9": "retención del 10 % del IVA", "10": "retención del 20 % del IVA",
    "1": "retención del 30 % del IVA (bienes)",
    "11": "retención del 50 % del IVA", "2": "retención del 70 % del IVA (servicios)",
    "3": "retención del 100 % del IVA", "7": "retención en cero", "8": "no procede retención",
}


def retention_code_tax(code: str) -> str | None:
    """The tax (RET_RENTA, RET_IVA, RET_ISD) a catalogued retention code withholds; None if unknown."""
    for tax, table in ((RET_RENTA, RENTA_RETENTION_CODES), (RET_IVA, IVA_RETENTION_RATES),
                       (RET_ISD, ISD_RETENTION_RATES)):
        if code in table:
            return tax
    return None


def retention_rate(tax: str, code: str, day: date) -> Decimal | None:
    """The percentage a retention code withholds on `day`, when the catalogue fixes it; None
    when the person must type it (unknown code, or a renta rate before the resolution we carry)."""
    if tax == RET_IVA:
        return IVA_RETENTION_RATES.get(code)
    if tax == RET_ISD:
        return ISD_RETENTION_RATES.get(code)
    if tax == RET_RENTA and code in RENTA_RETENTION_CODES and day >= RENTA_RETENTION_SINCE:
        return RENTA_RETENTION_CODES[code][1]
    return None
