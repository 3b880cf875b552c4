"""The `forms` facet of Ecuador: the SRI documents made from the "Nuevo documento" dialog that
the till does not make (the factura is Venta's, the till's credit note Documentos' F6).

Each form builds a Dátil body (seed 001, the input dialect of app/fiscal/ec/datil.py) and only
asks what a shop needs: the dialect fills the rest (ambiente, tipo de emisión, moneda), and the
amounts are computed by the same rule the parser checks them with (documents/common.py), so a
body built here is never refused for a rounding difference.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.fiscal.ec import catalog
from app.fiscal.ec.documents.common import GUAYAQUIL, Reader, read_lines, sale_totals
from app.fiscal.ec.totals import tax_value
from app.fiscal.forms import (CHOICE, DATE, ESTABLISHMENT, MONEY, POINT, QUANTITY, TEXT, DocumentForm, FormField,
                              FormTable, Forms)

ZERO = Decimal("0.00")

# ------------------------------------------------------------------ choices

ID_CHOICES = (("04", "RUC"), ("05", "Cédula"), ("06", "Pasaporte"), ("08", "Identificación del exterior"))
IVA_CHOICES = tuple((code, f"IVA {label}") for code, label in catalog.IVA_LABELS.items()
                    if code not in catalog.IVA_HISTORICAL)
PAYMENT_CHOICES = (("efectivo", "Efectivo"), ("transferencia", "Transferencia"), ("cheque", "Cheque"),
                   ("tarjeta_debito", "Tarjeta de débito"), ("tarjeta_credito", "Tarjeta de crédito"),
                   ("otros", "Otros con utilización del sistema financiero"))
MODIFIED_CHOICES = (("01", "Factura"), ("03", "Liquidación de compra"), ("05", "Nota de débito"))
SUSTENTO_DOC_CHOICES = (("01", "Factura"), ("03", "Liquidación de compra"), ("04", "Nota de crédito"),
                        ("05", "Nota de débito"))
# Tabla 5 (código de sustento del comprobante), the ones a shop uses
SUSTENTO_CHOICES = (
    ("01", "Crédito tributario de IVA"),
    ("02", "Costo o gasto para el impuesto a la renta"),
    ("03", "Activo fijo: crédito tributario de IVA"),
    ("04", "Activo fijo: costo o gasto para la renta"),
    ("06", "Inventario: crédito tributario de IVA"),
    ("07", "Inventario: costo o gasto para la renta"),
)
RETENTION_TAX_CHOICES = tuple((code, name.capitalize() if name == "renta" else name)
                              for code, name in catalog.RETENTION_TAXES.items())


# ------------------------------------------------------------------ defaults

def _today(_company, now: datetime) -> str:
    return now.astimezone(GUAYAQUIL).strftime("%d/%m/%Y")


def _period(_company, now: datetime) -> str:
    return now.astimezone(GUAYAQUIL).strftime("%m/%Y")


def _const(text: str):
    return lambda _company, _now: text


def _origin(company, _now: datetime) -> str:
    if company is not None and company.establishments:
        return company.establishments[0].address or company.address
    return getattr(company, "address", "") or ""


# ------------------------------------------------------------------ shared fields

def _party_fields(prefix: str, who: str, id_default: str = "04") -> tuple[FormField, ...]:
    return (
        FormField(f"{prefix}tipo_identificacion", f"Tipo de identificación del {who}", CHOICE, required=True,
                  choices=ID_CHOICES, default=_const(id_default)),
        FormField(f"{prefix}identificacion", f"Identificación del {who}", required=True,
                  hint="RUC, cédula o pasaporte", max_length=20),
        FormField(f"{prefix}razon_social", f"Nombre o razón social del {who}", required=True, max_length=300),
        FormField(f"{prefix}direccion", "Dirección", max_length=300),
        FormField(f"{prefix}email", "Correo electrónico", hint="se envía el comprobante", max_length=300),
    )


def _party(values: Mapping[str, Any], prefix: str = "") -> dict:
    out = {"tipo_identificacion": values[f"{prefix}tipo_identificacion"],
           "identificacion": values[f"{prefix}identificacion"],
           "razon_social": values[f"{prefix}razon_social"]}
    for key in ("direccion", "email"):
        if values.get(f"{prefix}{key}"):
            out[key] = values[f"{prefix}{key}"]
    return out


ISSUE_DATE = FormField("fecha_emision", "Fecha de emisión", DATE, required=True, default=_today)
MODIFIED_FIELDS = (
    FormField("tipo_documento_modificado", "Documento que modifica", CHOICE, required=True,
              choices=MODIFIED_CHOICES, default=_const("01")),
    FormField("numero_documento_modificado", "Número del documento modificado", required=True,
              hint="001-001-000000001", max_length=17),
    FormField("fecha_emision_documento_modificado", "Fecha del documento modificado", DATE, required=True,
              hint="dd/mm/aaaa"),
)


def _header(values: Mapping[str, Any]) -> dict:
    """What every body shares: the issue date and the till's series."""
    body: dict[str, Any] = {}
    if values.get("fecha_emision"):
        body["fecha_emision"] = values["fecha_emision"]
    est = {k: values[src] for k, src in (("codigo", ESTABLISHMENT), ("punto_emision", POINT)) if values.get(src)}
    if est:
        body["emisor"] = {"establecimiento": est}
    return body


def _modified(values: Mapping[str, Any]) -> dict:
    return {k: values[k] for k in ("tipo_documento_modificado", "numero_documento_modificado",
                                   "fecha_emision_documento_modificado")}


def _doc_number(text: str) -> str:
    """'1-1-25' and '001001000000025' typed -> '001-001-000000025' (the dialect's form)."""
    digits = re.sub(r"\D", "", text or "")
    parts = [p for p in re.split(r"\D+", text or "") if p]
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) <= 3 and len(parts[1]) <= 3 \
            and len(parts[2]) <= 9:
        return f"{parts[0].zfill(3)}-{parts[1].zfill(3)}-{parts[2].zfill(9)}"
    if len(digits) == 15:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return text


def _items(rows, *, unit: bool = False) -> list[dict]:
    out = []
    for row in rows:
        it: dict[str, Any] = {"descripcion": row.get("descripcion", ""), "cantidad": row.get("cantidad", ""),
                              "precio_unitario": row.get("precio_unitario", ""),
                              "impuestos": [{"codigo": catalog.IVA, "codigo_porcentaje": row.get("iva") or "4"}]}
        if row.get("codigo"):
            it["codigo_principal"] = row["codigo"]
        if row.get("descuento"):
            it["descuento"] = row["descuento"]
        out.append(it)
    return out


def _lines_total(items: list[dict]) -> Decimal | None:
    """The total the parser will compute for these items (None when they do not read)."""
    r = Reader()
    lines = read_lines(r, {"items": items})
    if r.ec.errors or not lines:
        return None
    subtotal, _discount, taxes = sale_totals(r, {}, lines)
    return subtotal + sum((t.valor for t in taxes), ZERO)


def _path_mapper(header: Mapping[str, str], tables: Mapping[str, tuple[str, Mapping[str, str]]]):
    """field_for_error: a Dátil path -> (table, row, field). `header` maps a path to a header
    field; `tables` maps a list's path prefix ('items') to (table name, {key: column})."""

    def find(path: str):
        if path in header:
            return None, None, header[path]
        for prefix, (table, columns) in tables.items():
            m = re.match(rf"^{re.escape(prefix)}\[(\d+)\](?:\.(.*))?$", path)
            if m:
                rest = m.group(2) or ""
                key = next((k for k in columns if rest == k or rest.startswith(k + ".") or rest.startswith(k + "[")),
                           None)
                first = next(iter(columns.values()))
                return table, int(m.group(1)), columns[key] if key else first
        # the closest header field: the longest header path that prefixes it
        best = max((p for p in header if path.startswith(p + ".") or path.startswith(p + "[")), key=len,
                   default=None)
        return (None, None, header[best]) if best else None

    return find


def _party_paths(dialect: str, prefix: str = "") -> dict[str, str]:
    return {f"{dialect}.{k}": f"{prefix}{k}" for k in ("tipo_identificacion", "identificacion", "razon_social",
                                                       "direccion", "email")} | {dialect: f"{prefix}identificacion"}


COMMON_PATHS = {"fecha_emision": "fecha_emision", "tipo_documento_modificado": "tipo_documento_modificado",
                "numero_documento_modificado": "numero_documento_modificado",
                "fecha_emision_documento_modificado": "fecha_emision_documento_modificado"}

ITEM_COLUMNS = (
    FormField("codigo", "Código", max_length=25),
    FormField("descripcion", "Descripción", required=True, max_length=300),
    FormField("cantidad", "Cantidad", QUANTITY, required=True, default=_const("1")),
    FormField("precio_unitario", "Precio unitario (sin IVA)", MONEY, required=True),
    FormField("iva", "IVA", CHOICE, required=True, choices=IVA_CHOICES, default=_const("4")),
)
ITEM_PATHS = {"codigo_principal": "codigo", "descripcion": "descripcion", "cantidad": "cantidad",
              "precio_unitario": "precio_unitario", "impuestos": "iva", "descuento": "precio_unitario",
              "precio_total_sin_impuestos": "precio_unitario"}


# ------------------------------------------------------------------ nota de débito

def _debit_note(values, _company, _now) -> tuple[dict, str]:
    reasons = [{"motivo": r["motivo"], "valor": r["valor"]} for r in values["motivos"]]
    body = _header(values) | {"comprador": _party(values)} | _modified(values)
    body["numero_documento_modificado"] = _doc_number(body["numero_documento_modificado"])
    body["motivos"] = reasons
    try:
        subtotal = sum((Decimal(r["valor"]) for r in reasons), ZERO)
    except ArithmeticError:
        subtotal = None
    iva = values.get("iva") or "4"
    body["totales"] = {"impuestos": [{"codigo": catalog.IVA, "codigo_porcentaje": iva,
                                      "base_imponible": str(subtotal) if subtotal is not None else "0"}]}
    if subtotal is not None and iva in catalog.IVA_RATES and values.get("forma_pago"):
        total = subtotal + tax_value(subtotal, catalog.IVA_RATES[iva])
        body["pagos"] = [{"medio": values["forma_pago"], "total": f"{total:.2f}"}]
    return body, "debit-notes"


DEBIT_NOTE = DocumentForm(
    id="debit-note", label="Nota de débito",
    description="Cobra al cliente un valor más sobre una factura (intereses, gastos de envío…).",
    fields=_party_fields("", "cliente") + (ISSUE_DATE,) + MODIFIED_FIELDS + (
        FormField("iva", "IVA de los motivos", CHOICE, required=True, choices=IVA_CHOICES, default=_const("4")),
        FormField("forma_pago", "Forma de pago", CHOICE, choices=PAYMENT_CHOICES, default=_const("efectivo")),
    ),
    tables=(FormTable("motivos", "Motivos", (
        FormField("motivo", "Motivo", required=True, max_length=300),
        FormField("valor", "Valor (sin IVA)", MONEY, required=True),
    )),),
    build=_debit_note,
    field_for_error=_path_mapper(COMMON_PATHS | _party_paths("comprador") | {"totales": "iva", "pagos": "forma_pago"},
                                 {"motivos": ("motivos", {"motivo": "motivo", "razon": "motivo", "valor": "valor"})}),
)


# ------------------------------------------------------------------ nota de crédito (líneas libres)

def _credit_note(values, _company, _now) -> tuple[dict, str]:
    body = _header(values) | {"comprador": _party(values)} | _modified(values)
    body["numero_documento_modificado"] = _doc_number(body["numero_documento_modificado"])
    body["motivo"] = values["motivo"]
    body["items"] = _items(values["items"])
    return body, "credit-notes"


CREDIT_NOTE = DocumentForm(
    id="credit-note-free", label="Nota de crédito (valores libres)",
    description="Un descuento o devolución sobre una factura, con líneas escritas a mano "
                "(la devolución de mercadería de una venta se hace con F6 en Documentos).",
    fields=_party_fields("", "cliente") + (ISSUE_DATE,) + MODIFIED_FIELDS + (
        FormField("motivo", "Motivo", required=True, default=_const("Descuento concedido"), max_length=300),
    ),
    tables=(FormTable("items", "Líneas", ITEM_COLUMNS),),
    build=_credit_note,
    field_for_error=_path_mapper(COMMON_PATHS | _party_paths("comprador") | {"motivo": "motivo"},
                                 {"items": ("items", ITEM_PATHS)}),
)


# ------------------------------------------------------------------ liquidación de compra

def _settlement(values, _company, _now) -> tuple[dict, str]:
    body = _header(values) | {"proveedor": _party(values)}
    body["items"] = _items(values["items"])
    total = _lines_total(body["items"])
    if total is not None:
        body["pagos"] = [{"medio": values.get("forma_pago") or "efectivo", "total": f"{total:.2f}"}]
    return body, "purchase-settlements"


SETTLEMENT = DocumentForm(
    id="purchase-settlement", label="Liquidación de compra",
    description="Una compra a quien no puede facturar (persona natural sin RUC, artesano…).",
    fields=_party_fields("", "proveedor", "05") + (
        ISSUE_DATE,
        FormField("forma_pago", "Forma de pago", CHOICE, required=True, choices=PAYMENT_CHOICES,
                  default=_const("efectivo")),
    ),
    tables=(FormTable("items", "Bienes o servicios comprados", ITEM_COLUMNS),),
    build=_settlement,
    field_for_error=_path_mapper(COMMON_PATHS | _party_paths("proveedor") | {"pagos": "forma_pago"},
                                 {"items": ("items", ITEM_PATHS)}),
)


# ------------------------------------------------------------------ comprobante de retención 2.0.0

def _retention(values, _company, _now) -> tuple[dict, str]:
    body = _header(values) | {"sujeto": _party(values)}
    if values.get("periodo_fiscal"):
        body["periodo_fiscal"] = values["periodo_fiscal"]
    number = _doc_number(values["numero_sustento"])
    items = []
    for row in values["retenciones"]:
        it: dict[str, Any] = {"codigo": row["impuesto"], "codigo_porcentaje": row["codigo_retencion"],
                              "base_imponible": row["base_imponible"],
                              "tipo_documento_sustento": values["tipo_sustento"],
                              "numero_documento_sustento": number,
                              "fecha_emision_documento_sustento": values["fecha_sustento"]}
        if row.get("porcentaje"):
            it["porcentaje"] = row["porcentaje"]
        items.append(it)
    body["items"] = items
    sub, iva = values["subtotal_sustento"], values.get("iva_sustento") or "4"
    doc: dict[str, Any] = {"numero": number, "codigo_sustento": values["codigo_sustento"],
                           "total_sin_impuestos": sub,
                           "impuestos": [{"codigo": catalog.IVA, "codigo_porcentaje": iva, "base_imponible": sub}]}
    if values.get("autorizacion_sustento"):
        doc["numero_autorizacion"] = values["autorizacion_sustento"]
    try:
        base = Decimal(sub)
        total = base + tax_value(base, catalog.IVA_RATES[iva])
        doc["importe_total"] = f"{total:.2f}"
        doc["pagos"] = [{"medio": values.get("forma_pago") or "transferencia", "total": f"{total:.2f}"}]
    except (ArithmeticError, KeyError):
        doc["importe_total"] = sub
    body["documentos_sustento"] = [doc]
    return body, "retentions"


RETENTION = DocumentForm(
    id="retention", label="Comprobante de retención",
    description="Retenciones de renta e IVA sobre una factura de un proveedor (versión 2.0.0).",
    fields=_party_fields("", "proveedor") + (
        ISSUE_DATE,
        FormField("periodo_fiscal", "Período fiscal", TEXT, required=True, hint="mm/aaaa", default=_period,
                  max_length=7),
        FormField("tipo_sustento", "Documento sustento", CHOICE, required=True, choices=SUSTENTO_DOC_CHOICES,
                  default=_const("01")),
        FormField("numero_sustento", "Número del documento sustento", required=True, hint="001-001-000000001",
                  max_length=17),
        FormField("fecha_sustento", "Fecha del documento sustento", DATE, required=True, hint="dd/mm/aaaa"),
        FormField("autorizacion_sustento", "Autorización del documento sustento", TEXT,
                  hint="clave de acceso (49 dígitos), opcional", max_length=49),
        FormField("codigo_sustento", "Código de sustento", CHOICE, required=True, choices=SUSTENTO_CHOICES,
                  default=_const("02")),
        FormField("subtotal_sustento", "Subtotal del documento (sin IVA)", MONEY, required=True),
        FormField("iva_sustento", "IVA del documento", CHOICE, required=True, choices=IVA_CHOICES,
                  default=_const("4")),
        FormField("forma_pago", "Forma de pago del documento", CHOICE, required=True, choices=PAYMENT_CHOICES,
                  default=_const("transferencia")),
    ),
    tables=(FormTable("retenciones", "Retenciones", (
        FormField("impuesto", "Impuesto", CHOICE, required=True, choices=RETENTION_TAX_CHOICES, default=_const("1")),
        FormField("codigo_retencion", "Código de retención", required=True,
                  hint="renta: 312, 3440…; IVA: 9 (10 %), 10 (20 %), 1 (30 %), 2 (70 %), 3 (100 %)", max_length=5),
        FormField("porcentaje", "Porcentaje", MONEY, hint="obligatorio en renta"),
        FormField("base_imponible", "Base imponible", MONEY, required=True),
    )),),
    build=_retention,
    field_for_error=_path_mapper(
        COMMON_PATHS | _party_paths("sujeto") | {"periodo_fiscal": "periodo_fiscal",
                                                 "documentos_sustento": "numero_sustento",
                                                 "emisor.contribuyente_especial": "fecha_emision"}
        | {f"documentos_sustento[0].{k}": v for k, v in (
            ("numero", "numero_sustento"), ("codigo_sustento", "codigo_sustento"),
            ("numero_autorizacion", "autorizacion_sustento"), ("total_sin_impuestos", "subtotal_sustento"),
            ("importe_total", "subtotal_sustento"), ("impuestos", "iva_sustento"), ("pagos", "forma_pago"))},
        {"items": ("retenciones", {"codigo_porcentaje": "codigo_retencion", "codigo": "impuesto",
                                   "porcentaje": "porcentaje", "base_imponible": "base_imponible",
                                   "valor_retenido": "base_imponible", "numero_documento_sustento": "codigo_retencion",
                                   "tipo_documento_sustento": "impuesto",
                                   "fecha_emision_documento_sustento": "base_imponible"})}),
)


# ------------------------------------------------------------------ guía de remisión

def _waybill(values, _company, _now) -> tuple[dict, str]:
    body = _header({k: v for k, v in values.items() if k != "fecha_emision"})
    body |= {"fecha_inicio_transporte": values["fecha_inicio"], "fecha_fin_transporte": values["fecha_fin"],
             "direccion_partida": values["direccion_partida"]}
    carrier = _party(values, "t_")
    carrier["placa"] = values["placa"]
    body["transportista"] = carrier
    dst = _party(values, "d_")
    dst["direccion"] = values.get("d_direccion", "")
    dst["motivo_traslado"] = values["motivo_traslado"]
    if values.get("ruta"):
        dst["ruta"] = values["ruta"]
    if values.get("numero_sustento"):
        dst["tipo_documento_sustento"] = "01"
        dst["numero_documento_sustento"] = _doc_number(values["numero_sustento"])
        if values.get("fecha_sustento"):
            dst["fecha_emision_documento_sustento"] = values["fecha_sustento"]
    dst["items"] = [{k: v for k, v in (("codigo_principal", row.get("codigo")), ("descripcion", row["descripcion"]),
                                       ("cantidad", row["cantidad"])) if v} for row in values["items"]]
    body["destinatarios"] = [dst]
    return body, "waybills"


WAYBILL = DocumentForm(
    id="waybill", label="Guía de remisión",
    description="Mercadería en tránsito: un destinatario por guía, con sus ítems.",
    fields=(
        FormField("direccion_partida", "Dirección de partida", required=True, default=_origin, max_length=300),
        FormField("fecha_inicio", "Inicio del transporte", DATE, required=True, default=_today),
        FormField("fecha_fin", "Fin del transporte", DATE, required=True, default=_today),
        FormField("t_tipo_identificacion", "Tipo de identificación del transportista", CHOICE, required=True,
                  choices=ID_CHOICES, default=_const("05")),
        FormField("t_identificacion", "Identificación del transportista", required=True, max_length=20),
        FormField("t_razon_social", "Nombre del transportista", required=True, max_length=300),
        FormField("placa", "Placa del vehículo", required=True, hint="PBA-1234", max_length=20),
        FormField("d_tipo_identificacion", "Tipo de identificación del destinatario", CHOICE, required=True,
                  choices=ID_CHOICES, default=_const("04")),
        FormField("d_identificacion", "Identificación del destinatario", required=True, max_length=20),
        FormField("d_razon_social", "Nombre del destinatario", required=True, max_length=300),
        FormField("d_direccion", "Dirección de destino", required=True, max_length=300),
        FormField("d_email", "Correo del destinatario", max_length=300),
        FormField("motivo_traslado", "Motivo del traslado", required=True, default=_const("Venta"), max_length=300),
        FormField("ruta", "Ruta", hint="Quito - Guayaquil", max_length=300),
        FormField("numero_sustento", "Factura que sustenta el traslado", hint="001-001-000000001 (opcional)",
                  max_length=17),
        FormField("fecha_sustento", "Fecha de esa factura", DATE, hint="dd/mm/aaaa"),
    ),
    tables=(FormTable("items", "Ítems transportados", (
        FormField("codigo", "Código", max_length=25),
        FormField("descripcion", "Descripción", required=True, max_length=300),
        FormField("cantidad", "Cantidad", QUANTITY, required=True, default=_const("1")),
    )),),
    build=_waybill,
    field_for_error=_path_mapper(
        {"fecha_inicio_transporte": "fecha_inicio", "fecha_fin_transporte": "fecha_fin",
         "fecha_emision": "fecha_inicio", "direccion_partida": "direccion_partida", "transportista.placa": "placa"}
        | _party_paths("transportista", "t_")
        | {f"destinatarios[0].{k}": f"d_{k}" for k in ("tipo_identificacion", "identificacion", "razon_social",
                                                       "direccion", "email")}
        | {"destinatarios[0].motivo_traslado": "motivo_traslado", "destinatarios[0].ruta": "ruta",
           "destinatarios[0].numero_documento_sustento": "numero_sustento",
           "destinatarios[0].fecha_emision_documento_sustento": "fecha_sustento",
           "destinatarios": "d_identificacion", "destinatarios[0]": "d_identificacion"},
        {"destinatarios[0].items": ("items", {"codigo_principal": "codigo", "descripcion": "descripcion",
                                              "cantidad": "cantidad"})}),
)


FACET = Forms(forms=(RETENTION, WAYBILL, DEBIT_NOTE, SETTLEMENT, CREDIT_NOTE))
