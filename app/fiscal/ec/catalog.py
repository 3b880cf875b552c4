"""SRI catalogs (Ficha técnica offline v2.32 tables) and Dátil's own names for them (seed 001)."""
from __future__ import annotations

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
