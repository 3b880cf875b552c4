"""SIFEN v150 code lists: every `dDes*` text must match its code exactly (MT §10, XSD).

Short lists are literal here (spelling copied from DE_Types_v150.xsd); the long ones
(departamentos, units, currencies, countries) are read from the shipped XSDs once.
"""
from __future__ import annotations

from functools import lru_cache

from lxml import etree

from app.resources import resource

VERSION = "150"
NS = "http://ekuatia.set.gov.py/sifen/xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} siRecepDE_v150.xsd"
EVENT_SCHEMA_LOCATION = f"{NS} siRecepEvento_v150.xsd"

# dNomEmi must be exactly this in the test environment (code 1263).
TEST_ISSUER_NAME = "DE generado en ambiente de prueba - sin valor comercial ni fiscal"

# Short names of the iTiDE codes for code that singles one type out; the types themselves
# (descriptions, groups, rules) are `app.fiscal.py.documents` (iTiDE -> dDesTiDE:
# documents.descriptions()). District and city names (tables 2.1/2.2) are `app.fiscal.py.geo`.
FE, AFE, NCE, NDE, NRE = 1, 4, 5, 6, 7
EMISSION_TYPES = {1: "Normal", 2: "Contingencia"}
TRANSACTION_TYPES = {
    1: "Venta de mercadería", 2: "Prestación de servicios",
    3: "Mixto (Venta de mercadería y servicios)", 4: "Venta de activo fijo",
    5: "Venta de divisas", 6: "Compra de divisas", 7: "Promoción o entrega de muestras",
    8: "Donación", 9: "Anticipo", 10: "Compra de productos", 11: "Compra de servicios",
    12: "Venta de crédito fiscal", 13: "Muestras médicas (Art. 3 RG 24/2014)",
}
TAX_TYPES = {1: "IVA", 2: "ISC", 3: "Renta", 4: "Ninguno", 5: "IVA - Renta"}
IVA_AFFECTATION = {
    1: "Gravado IVA", 2: "Exonerado (Art. 100 - Ley 6380/2019)",
    3: "Exento", 4: "Gravado parcial (Grav- Exento)",
}
PRESENCE = {
    1: "Operación presencial", 2: "Operación electrónica", 3: "Operación telemarketing",
    4: "Venta a domicilio", 5: "Operación bancaria", 6: "Operación cíclica", 9: "Otro",
}
CONDITIONS = {1: "Contado", 2: "Crédito"}
CREDIT_CONDITIONS = {1: "Plazo", 2: "Cuota"}
PAYMENT_TYPES = {
    1: "Efectivo", 2: "Cheque", 3: "Tarjeta de crédito", 4: "Tarjeta de débito",
    5: "Transferencia", 6: "Giro", 7: "Billetera electrónica", 8: "Tarjeta empresarial",
    9: "Vale", 10: "Retención", 11: "Pago por anticipo", 12: "Valor fiscal",
    13: "Valor comercial", 14: "Compensación", 15: "Permuta", 16: "Pago bancario",
    17: "Pago Móvil", 18: "Donación", 19: "Promoción", 20: "Consumo Interno",
    21: "Pago Electrónico",
}
CARD_BRANDS = {1: "Visa", 2: "Mastercard", 3: "American Express", 4: "Maestro", 5: "Panal", 6: "Cabal"}
CARD_PROCESSING = {1: "POS", 2: "Pago Electrónico", 9: "Otro"}
CREDIT_NOTE_REASONS = {
    1: "Devolución y Ajuste de precios", 2: "Devolución", 3: "Descuento", 4: "Bonificación",
    5: "Crédito incobrable", 6: "Recupero de costo", 7: "Recupero de gasto", 8: "Ajuste de precio",
}
RECEIVER_ID_TYPES = {
    1: "Cédula paraguaya", 2: "Pasaporte", 3: "Cédula extranjera", 4: "Carnet de residencia",
    5: "Innominado", 6: "Tarjeta Diplomática de exoneración fiscal",
}
ANONYMOUS_ID_TYPE = 5
PERSON_ID_TYPES = {1: "Cédula paraguaya", 2: "Pasaporte", 3: "Cédula extranjera", 4: "Carnet de residencia"}
SELLER_NATURE = {1: "No contribuyente", 2: "Extranjero"}
ASSOCIATED_DOC_TYPES = {1: "Electrónico", 2: "Impreso", 3: "Constancia Electrónica"}
PRINTED_DOC_TYPES = {1: "Factura", 2: "Nota de crédito", 3: "Nota de débito", 4: "Nota de remisión"}
CONSTANCIA_TYPES = {1: "Constancia de no ser contribuyente", 2: "Constancia de microproductores"}
REMISSION_REASONS = {
    1: "Traslado por ventas", 2: "Traslado por consignación", 3: "Exportación",
    4: "Traslado por compra", 5: "Importación", 6: "Traslado por devolución",
    7: "Traslado entre locales de la empresa", 8: "Traslado de bienes por transformación",
    9: "Traslado de bienes para reparación", 10: "Traslado por emisor móvil",
    11: "Exhibición o Demostración", 12: "Participación en ferias",
    13: "Traslado de encomienda", 14: "Decomiso",
}
REMISSION_RESPONSIBLE = {
    1: "Emisor de la factura", 2: "Poseedor de la factura y bienes", 3: "Empresa transportista",
    4: "Despachante de Aduanas", 5: "Agente de transporte o intermediario",
}
TRANSPORT_TYPES = {1: "Propio", 2: "Tercero"}
TRANSPORT_MODES = {1: "Terrestre", 2: "Fluvial", 3: "Aéreo", 4: "Multimodal"}
FREIGHT_RESPONSIBLE = {1, 2, 3, 4, 5}
NEGOTIATION_CONDITIONS = {"CFR", "CIF", "CIP", "CPT", "DAP", "DAT", "DDP", "EXW", "FAS", "FCA", "FOB"}
ADVANCE_CONDITIONS = {1: "Anticipo Global", 2: "Anticipo por Ítem"}
# Tabla 12 (NT-018). Plain '-' on purpose: SIFEN rejects the en dash (TIPS xmlgen PR #19).
OBLIGATIONS = {
    113: "IMPUESTO A LA RENTA IRACIS - REGIMENES ESPECIALES",
    143: "TRIBUTO UNICO MAQUILA - TUM",
    211: "IMPUESTO AL VALOR AGREGADO - GRAVADAS Y EXONERADAS - EXPORTADORES",
    311: "IMPUESTO SELECTIVO AL CONSUMO - GENERAL",
    321: "IMPUESTO SELECTIVO AL CONSUMO - COMBUSTIBLES",
    700: "IMPUESTO A LA RENTA EMPRESARIAL - REGIMEN GENERAL",
    701: "IMPUESTO A LA RENTA EMPRESARIAL - SIMPLE",
    702: "IMPUESTO A LA RENTA EMPRESARIAL - RESIMPLE",
    703: "IMPUESTO DE ZONA FRANCA - IZF",
    715: "IMPUESTO A LA RENTA PERSONAL - SERVICIOS PERSONALES",
    716: "IMPUESTO A LA RENTA PERSONAL - RENTAS Y GANANCIAS DE CAPITAL",
}


# B006 for NRE must carry the RG 41/2014 Art. 3 inc. 7 message (MT §10 B006); the exact
# wording is not in our sources, so this default is UNVERIFIED and callers may override it.
NRE_FISCAL_LEGEND = "Traslado de mercaderías amparado por Nota de Remisión Electrónica, RG 41/2014"

# NT-024: innominado only below this PYG total (from 2025-01-01).
ANONYMOUS_LIMIT_PYG = 7_000_000

_XS = "{http://www.w3.org/2001/XMLSchema}"


def _enumerations(xsd_name: str, type_name: str) -> list[tuple[str, str]]:
    doc = etree.parse(str(resource("xsd", "py", xsd_name)),
                      etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True))
    out = []
    for st in doc.getroot().iter(_XS + "simpleType"):
        if st.get("name") != type_name:
            continue
        for en in st.iter(_XS + "enumeration"):
            doc_el = en.find(f"{_XS}annotation/{_XS}documentation")
            text = "".join(doc_el.itertext()).strip() if doc_el is not None else ""
            out.append((en.get("value"), text))
    return out


@lru_cache(maxsize=None)
def departments() -> dict[int, str]:
    codes = [int(v) for v, _ in _enumerations("Departamentos_v141.xsd", "tDepartamentos")]
    names = [v for v, _ in _enumerations("Departamentos_v141.xsd", "tDesDepartamento")]
    return dict(zip(codes, names))


@lru_cache(maxsize=None)
def units() -> dict[int, str]:
    """cUniMed -> dDesUniMed (the abbreviation after ' - ' in the XSD documentation)."""
    return {int(v): doc.rsplit(" - ", 1)[-1].strip() for v, doc in _enumerations("Unidades_Medida_v141.xsd", "tcUniMed")}


@lru_cache(maxsize=None)
def currencies() -> dict[str, str]:
    """ISO 4217 -> dDesMoneOpe (CodeName in the XSD), e.g. PYG -> Guarani."""
    return {v: doc.split("\n")[0].strip()[:20] for v, doc in _enumerations("Monedas_v150.xsd", "cMondT")}


@lru_cache(maxsize=None)
def countries() -> dict[str, str]:
    return {v: doc for v, doc in _enumerations("Paises_v100.xsd", "paisType")}


def describe(table: dict, code, what: str) -> str:
    """The official description of `code`, or ValueError with a Spanish message."""
    try:
        return table[code]
    except KeyError:
        raise ValueError(f"{what}: código '{code}' no válido") from None
