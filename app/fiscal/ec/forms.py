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
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.core.errors import FieldError, ValidationError
from app.fiscal.ec import catalog
from app.fiscal.ec.documents.common import GUAYAQUIL, Reader, read_lines, sale_totals
from app.fiscal.ec.totals import tax_value
from app.fiscal.forms import (CHOICE, DATE, ESTABLISHMENT, INTEGER, MONEY, POINT, QUANTITY, TEXT, DocumentForm,
                              FormField, FormTable, Forms, parse_value)

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


# ------------------------------------------------------------------ several rows of another table

def _own_path(path: str, tables: tuple[str, ...]):
    """A path `build` itself names ('form.sustentos_retenciones[2].doc') -> (table, row, column)."""
    m = re.match(r"^form\.(\w+)\[(\d+)\]\.(\w+)$", path)
    if m and m.group(1) in tables:
        return m.group(1), int(m.group(2)), m.group(3)
    return None


def _refers(values: Mapping[str, Any], table: str, column: str, count: int, what: str) -> list[int]:
    """The number each row of `table` names in `column` (1 = the header's, 2 = the first row of
    the other table…); a ValidationError naming every row whose number names nothing."""
    out, errors = [], []
    for k, row in enumerate(values.get(table) or ()):
        n = int(row.get(column) or 0)
        if not 1 <= n <= count:
            errors.append(FieldError(f"form.{table}[{k}].{column}", f"no hay {what} n.º {n} (hay {count})"))
        out.append(n)
    if errors:
        raise ValidationError(errors)
    return out


def _day_of(values: Mapping[str, Any], now: datetime) -> date:
    try:
        return date.fromisoformat(values.get("fecha_emision") or "")
    except ValueError:
        return now.astimezone(GUAYAQUIL).date()


# ------------------------------------------------------------------ comprobante de retención 2.0.0

def _rate_text(rate: Decimal) -> str:
    return format(rate.normalize(), "f").replace(".", ",")


RETENTION_CODE_CHOICES = (
    tuple((code, f"{code} · {desc} (renta {_rate_text(rate)} %)")
          for code, (desc, rate) in catalog.RENTA_RETENTION_CODES.items())
    + tuple((code, f"{code} · IVA: {catalog.IVA_RETENTION_LABELS[code]}") for code in catalog.IVA_RETENTION_RATES)
    + tuple((code, f"{code} · ISD {_rate_text(rate)} %") for code, rate in catalog.ISD_RETENTION_RATES.items())
)
RETENTION_COLUMNS = (
    FormField("impuesto", "Impuesto", CHOICE, required=True, choices=RETENTION_TAX_CHOICES, default=_const("1")),
    FormField("codigo_retencion", "Código de retención", CHOICE, required=True, choices=RETENTION_CODE_CHOICES,
              hint="escriba el código o parte de su descripción: 312, arrendamiento, 70 %…"),
    FormField("porcentaje", "Porcentaje", MONEY, hint="vacío: el del código elegido"),
    FormField("base_imponible", "Base imponible", MONEY, required=True),
)
SUSTENTO_COLUMNS = (
    FormField("tipo", "Documento", CHOICE, required=True, choices=SUSTENTO_DOC_CHOICES, default=_const("01")),
    FormField("numero", "Número", required=True, hint="001-001-000000001", max_length=17),
    FormField("fecha", "Fecha", DATE, required=True),
    FormField("autorizacion", "Autorización", hint="clave de acceso, opcional", max_length=49),
    FormField("codigo_sustento", "Sustento", CHOICE, required=True, choices=SUSTENTO_CHOICES, default=_const("02")),
    FormField("subtotal", "Subtotal sin IVA", MONEY, required=True),
    FormField("iva", "IVA", CHOICE, required=True, choices=IVA_CHOICES, default=_const("4")),
    FormField("forma_pago", "Forma de pago", CHOICE, required=True, choices=PAYMENT_CHOICES,
              default=_const("transferencia")),
)
RETENTION_TABLES = ("retenciones", "sustentos", "sustentos_retenciones")


def _complete_retention(row: Mapping[str, str], header: Mapping[str, str]) -> dict[str, str]:
    """The percentage of the code chosen, where the catalogue fixes it (on the issue date typed)."""
    try:
        code = parse_value(RETENTION_COLUMNS[1], row.get("codigo_retencion", ""))
        day = date.fromisoformat(parse_value(ISSUE_DATE, header.get("fecha_emision", "")) or "")
    except ValueError:
        return {}
    tax = catalog.retention_code_tax(code)
    rate = catalog.retention_rate(tax, code, day) if tax else None
    return {"porcentaje": format(rate.normalize(), "f")} if rate is not None else {}


def _sustentos(values: Mapping[str, Any]) -> list[dict]:
    """Every supporting document: the header's (n.º 1) then the table's rows (n.º 2, 3…)."""
    first = {"tipo": values["tipo_sustento"], "numero": values["numero_sustento"], "fecha": values["fecha_sustento"],
             "autorizacion": values.get("autorizacion_sustento", ""), "codigo_sustento": values["codigo_sustento"],
             "subtotal": values["subtotal_sustento"], "iva": values.get("iva_sustento", ""),
             "forma_pago": values.get("forma_pago", "")}
    return [first] + list(values.get("sustentos") or ())


def _retention_rows(values: Mapping[str, Any]) -> list[tuple[str, int, dict, int]]:
    """(table, row, row values, supporting document n.º) of every retention, in the body's order."""
    docs = _refers(values, "sustentos_retenciones", "doc", len(_sustentos(values)), "documento sustento")
    return ([("retenciones", k, row, 1) for k, row in enumerate(values.get("retenciones") or ())]
            + [("sustentos_retenciones", k, row, n)
               for k, (row, n) in enumerate(zip(values.get("sustentos_retenciones") or (), docs))])


def _support_doc(ds: Mapping[str, Any], number: str) -> dict:
    sub, iva = ds["subtotal"], ds.get("iva") or "4"
    doc: dict[str, Any] = {"numero": number, "codigo_sustento": ds["codigo_sustento"], "total_sin_impuestos": sub,
                           "impuestos": [{"codigo": catalog.IVA, "codigo_porcentaje": iva, "base_imponible": sub}]}
    if ds.get("autorizacion"):
        doc["numero_autorizacion"] = ds["autorizacion"]
    try:
        base = Decimal(sub)
        total = base + tax_value(base, catalog.IVA_RATES[iva])
        doc["importe_total"] = f"{total:.2f}"
        doc["pagos"] = [{"medio": ds.get("forma_pago") or "transferencia", "total": f"{total:.2f}"}]
    except (ArithmeticError, KeyError):
        doc["importe_total"] = sub
    return doc


def _retention(values, _company, now) -> tuple[dict, str]:
    body = _header(values) | {"sujeto": _party(values)}
    if values.get("periodo_fiscal"):
        body["periodo_fiscal"] = values["periodo_fiscal"]
    sustentos = _sustentos(values)
    numbers = [_doc_number(ds["numero"]) for ds in sustentos]
    repeated = [FieldError(f"form.sustentos[{j - 1}].numero", f"el documento {n} ya está en la fila del documento "
                                                         f"n.º {numbers.index(n) + 1}")
                for j, n in enumerate(numbers) if j and n in numbers[:j]]
    if repeated:
        raise ValidationError(repeated)
    day = _day_of(values, now)
    items = []
    for _table, _k, row, n in _retention_rows(values):
        ds = sustentos[n - 1]
        code = row["codigo_retencion"]
        tax = catalog.retention_code_tax(code) or row["impuesto"]  # the code says which tax it withholds
        it: dict[str, Any] = {"codigo": tax, "codigo_porcentaje": code, "base_imponible": row["base_imponible"],
                              "tipo_documento_sustento": ds["tipo"], "numero_documento_sustento": numbers[n - 1],
                              "fecha_emision_documento_sustento": ds["fecha"]}
        rate = row.get("porcentaje") or catalog.retention_rate(tax, code, day)
        if rate not in (None, ""):
            it["porcentaje"] = str(rate)
        items.append(it)
    body["items"] = items
    body["documentos_sustento"] = [_support_doc(ds, number) for ds, number in zip(sustentos, numbers)]
    return body, "retentions"


RETENTION_ITEM_PATHS = {"codigo_porcentaje": "codigo_retencion", "codigo": "impuesto", "porcentaje": "porcentaje",
                        "base_imponible": "base_imponible", "valor_retenido": "base_imponible"}
RETENTION_DOC_HEADER = {"numero": "numero_sustento", "codigo_sustento": "codigo_sustento",
                        "numero_autorizacion": "autorizacion_sustento", "total_sin_impuestos": "subtotal_sustento",
                        "importe_total": "subtotal_sustento", "impuestos": "iva_sustento", "pagos": "forma_pago"}
RETENTION_DOC_COLUMNS = {"numero": "numero", "codigo_sustento": "codigo_sustento",
                         "numero_autorizacion": "autorizacion",
                         "total_sin_impuestos": "subtotal", "importe_total": "subtotal", "impuestos": "iva",
                         "pagos": "forma_pago"}
RETENTION_ITEM_DOC = {"tipo_documento_sustento": "tipo", "numero_documento_sustento": "numero",
                      "fecha_emision_documento_sustento": "fecha"}
_retention_header_paths = _path_mapper(
    COMMON_PATHS | _party_paths("sujeto")
    | {"periodo_fiscal": "periodo_fiscal", "documentos_sustento": "numero_sustento",
       "emisor.contribuyente_especial": "fecha_emision"}
    | {f"documentos_sustento[0].{k}": v for k, v in RETENTION_DOC_HEADER.items()},
    {"items": ("retenciones", RETENTION_ITEM_PATHS | {"numero_documento_sustento": "codigo_retencion",
                                                      "tipo_documento_sustento": "impuesto",
                                                      "fecha_emision_documento_sustento": "base_imponible"})})


def _key(rest: str, columns: Mapping[str, str]) -> str | None:
    return next((k for k in columns if rest == k or rest.startswith(k + ".") or rest.startswith(k + "[")), None)


def _locate_retention(path: str, values: Mapping[str, Any]):
    own = _own_path(path, RETENTION_TABLES)
    if own:
        return own
    m = re.match(r"^documentos_sustento\[(\d+)\](?:\.(.*))?$", path)
    if m and int(m.group(1)) > 0:
        key = _key(m.group(2) or "", RETENTION_DOC_COLUMNS)
        return "sustentos", int(m.group(1)) - 1, RETENTION_DOC_COLUMNS[key] if key else "numero"
    m = re.match(r"^items\[(\d+)\](?:\.(.*))?$", path)
    if m and values:
        try:
            rows = _retention_rows(values)
        except ValidationError:
            rows = []
        i, rest = int(m.group(1)), m.group(2) or ""
        if i < len(rows):
            table, k, _row, n = rows[i]
            doc_key = _key(rest, RETENTION_ITEM_DOC)
            if doc_key:  # the supporting document's own data: its fields
                if n == 1:
                    return None, None, {"tipo": "tipo_sustento", "numero": "numero_sustento",
                                        "fecha": "fecha_sustento"}[RETENTION_ITEM_DOC[doc_key]]
                return "sustentos", n - 2, RETENTION_ITEM_DOC[doc_key]
            key = _key(rest, RETENTION_ITEM_PATHS)
            return table, k, RETENTION_ITEM_PATHS[key] if key else "codigo_retencion"
    return _retention_header_paths(path)


RETENTION = DocumentForm(
    id="retention", label="Comprobante de retención",
    description="Retenciones de renta e IVA sobre una o varias facturas de un proveedor (versión 2.0.0).",
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
    tables=(
        FormTable("retenciones", "Retenciones del documento sustento (n.º 1)", RETENTION_COLUMNS,
                  complete=_complete_retention),
        FormTable("sustentos", "Otros documentos sustento (n.º 2, 3…)", SUSTENTO_COLUMNS, min_rows=0),
        FormTable("sustentos_retenciones", "Retenciones de los otros documentos",
                  (FormField("doc", "Doc. n.º", INTEGER, required=True,
                             hint="n.º del documento sustento: 2 = primera fila de «Otros documentos sustento»"),)
                  + RETENTION_COLUMNS, min_rows=0, complete=_complete_retention),
    ),
    build=_retention,
    field_for_error=lambda path: _locate_retention(path, {}),
    locate_error=_locate_retention,
)


# ------------------------------------------------------------------ guía de remisión

def _start_address(values: Mapping[str, Any], company) -> str:
    """The address typed, else the issuing till's establishment's, else the company's."""
    if values.get("direccion_partida"):
        return values["direccion_partida"]
    for est in getattr(company, "establishments", None) or ():
        if est.code == values.get(ESTABLISHMENT) and est.address:
            return est.address
    return getattr(company, "address", "") or ""


RECIPIENT_COLUMNS = (
    FormField("tipo_identificacion", "Tipo de id.", CHOICE, required=True, choices=ID_CHOICES, default=_const("04")),
    FormField("identificacion", "Identificación", required=True, max_length=20),
    FormField("razon_social", "Nombre", required=True, max_length=300),
    FormField("direccion", "Dirección de destino", required=True, max_length=300),
    FormField("motivo_traslado", "Motivo", required=True, default=_const("Venta"), max_length=300),
    FormField("numero_sustento", "Factura", hint="001-001-000000001 (opcional)", max_length=17),
    FormField("fecha_sustento", "Fecha factura", DATE),
)
WAYBILL_ITEM_COLUMNS = (
    FormField("codigo", "Código", max_length=25),
    FormField("descripcion", "Descripción", required=True, max_length=300),
    FormField("cantidad", "Cantidad", QUANTITY, required=True, default=_const("1")),
)
WAYBILL_TABLES = ("items", "destinatarios", "destinatarios_items")


def _recipient_items(values: Mapping[str, Any]) -> list[list[tuple[str, int]]]:
    """(table, row) of each item of each destinatario, in the body's order: n.º 1 (the header's)
    gets the first table's rows, then every destinatario the rows naming it."""
    count = 1 + len(values.get("destinatarios") or ())
    dests = _refers(values, "destinatarios_items", "dest", count, "destinatario")
    out: list[list[tuple[str, int]]] = [[] for _ in range(count)]
    out[0] = [("items", k) for k in range(len(values.get("items") or ()))]
    for k, n in enumerate(dests):
        out[n - 1].append(("destinatarios_items", k))
    return out


def _recipient(row: Mapping[str, Any], items: list[dict], route: str) -> dict:
    dst = {k: row[k] for k in ("tipo_identificacion", "identificacion", "razon_social") if k in row}
    dst["direccion"] = row.get("direccion", "")
    if row.get("email"):
        dst["email"] = row["email"]
    dst["motivo_traslado"] = row.get("motivo_traslado", "")
    if route:
        dst["ruta"] = route
    if row.get("numero_sustento"):
        dst["tipo_documento_sustento"] = "01"
        dst["numero_documento_sustento"] = _doc_number(row["numero_sustento"])
        if row.get("fecha_sustento"):
            dst["fecha_emision_documento_sustento"] = row["fecha_sustento"]
    dst["items"] = items
    return dst


def _waybill(values, company, _now) -> tuple[dict, str]:
    body = _header({k: v for k, v in values.items() if k != "fecha_emision"})
    body |= {"fecha_inicio_transporte": values["fecha_inicio"], "fecha_fin_transporte": values["fecha_fin"],
             "direccion_partida": _start_address(values, company)}
    carrier = _party(values, "t_")
    carrier["placa"] = values["placa"]
    body["transportista"] = carrier
    first = {k[2:]: v for k, v in values.items() if k.startswith("d_")} | {
        k: values.get(k, "") for k in ("motivo_traslado", "numero_sustento", "fecha_sustento")}
    rows = [first] + list(values.get("destinatarios") or ())
    recipients = []
    for row, where in zip(rows, _recipient_items(values)):
        items = []
        for table, k in where:
            it = values[table][k]
            items.append({key: v for key, v in (("codigo_principal", it.get("codigo")),
                                                ("descripcion", it["descripcion"]), ("cantidad", it["cantidad"])) if v})
        recipients.append(_recipient(row, items, values.get("ruta", "")))
    body["destinatarios"] = recipients
    return body, "waybills"


WAYBILL_ITEM_PATHS = {"codigo_principal": "codigo", "descripcion": "descripcion", "cantidad": "cantidad"}
RECIPIENT_PATHS = {"tipo_identificacion": "tipo_identificacion", "identificacion": "identificacion",
                   "razon_social": "razon_social", "direccion": "direccion", "email": "razon_social",
                   "motivo_traslado": "motivo_traslado", "numero_documento_sustento": "numero_sustento",
                   "tipo_documento_sustento": "numero_sustento", "fecha_emision_documento_sustento": "fecha_sustento",
                   "ruta": "razon_social"}
_waybill_header_paths = _path_mapper(
    {"fecha_inicio_transporte": "fecha_inicio", "fecha_fin_transporte": "fecha_fin",
     "fecha_emision": "fecha_inicio", "direccion_partida": "direccion_partida", "transportista.placa": "placa"}
    | _party_paths("transportista", "t_")
    | {f"destinatarios[0].{k}": f"d_{k}" for k in ("tipo_identificacion", "identificacion", "razon_social",
                                                   "direccion", "email")}
    | {"destinatarios[0].motivo_traslado": "motivo_traslado", "destinatarios[0].ruta": "ruta",
       "destinatarios[0].numero_documento_sustento": "numero_sustento",
       "destinatarios[0].fecha_emision_documento_sustento": "fecha_sustento",
       "destinatarios": "d_identificacion", "destinatarios[0]": "d_identificacion"},
    {"destinatarios[0].items": ("items", WAYBILL_ITEM_PATHS)})


def _locate_waybill(path: str, values: Mapping[str, Any]):
    own = _own_path(path, WAYBILL_TABLES)
    if own:
        return own
    m = re.match(r"^destinatarios\[(\d+)\](?:\.(.*))?$", path)
    if m is None:
        return _waybill_header_paths(path)
    i, rest = int(m.group(1)), m.group(2) or ""
    im = re.match(r"^items\[(\d+)\](?:\.(.*))?$", rest)
    if im and values:
        try:
            where = _recipient_items(values)
        except ValidationError:
            where = []
        k = int(im.group(1))
        if i < len(where) and k < len(where[i]):
            table, row = where[i][k]
            key = _key(im.group(2) or "", WAYBILL_ITEM_PATHS)
            return table, row, WAYBILL_ITEM_PATHS[key] if key else "descripcion"
    if i == 0:
        return _waybill_header_paths(path)
    key = _key(rest, RECIPIENT_PATHS)
    return "destinatarios", i - 1, RECIPIENT_PATHS[key] if key else "identificacion"


WAYBILL = DocumentForm(
    id="waybill", label="Guía de remisión",
    description="Mercadería en tránsito: uno o varios destinatarios, cada uno con sus ítems.",
    fields=(
        FormField("direccion_partida", "Dirección de partida", hint="vacía: la del establecimiento de esta caja",
                  max_length=300),
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
    tables=(
        FormTable("items", "Ítems del destinatario (n.º 1)", WAYBILL_ITEM_COLUMNS),
        FormTable("destinatarios", "Otros destinatarios (n.º 2, 3…)", RECIPIENT_COLUMNS, min_rows=0),
        FormTable("destinatarios_items", "Ítems de los otros destinatarios",
                  (FormField("dest", "Dest. n.º", INTEGER, required=True,
                             hint="el n.º del destinatario: 2 = la primera fila de «Otros destinatarios»"),)
                  + WAYBILL_ITEM_COLUMNS, min_rows=0),
    ),
    build=_waybill,
    field_for_error=lambda path: _locate_waybill(path, {}),
    locate_error=_locate_waybill,
)


FACET = Forms(forms=(RETENTION, WAYBILL, DEBIT_NOTE, SETTLEMENT, CREDIT_NOTE))
