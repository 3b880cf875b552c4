"""Paraguay's `forms` facet (app/fiscal/forms.py): the documents and events a person makes from
the "Nuevo documento" dialog besides the till's factura and the cashier's nota de crédito:

- autofactura (AFE), nota de débito (NDE), nota de remisión (NRE): `build` writes a FacturaSend
  `de/create` body (the same dialect as the CLI's `issue` and the local API), so the validation,
  numbering and outbox are those of every other path;
- the receptor's events on a DE a supplier issued to the shop (notificación de recepción,
  conformidad, disconformidad, desconocimiento): `perform` calls `event_requests.request_event`
  with a FacturaSend `evento/<kind>` body, as the local API does.

Departamento / distrito / ciudad are chosen from SIFEN's tables (app/fiscal/py/geo.py): the
ciudad names its distrito and departamento, which may be left blank (they are taken from it) or
are checked against it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from app.core.errors import ErrorCollector, ValidationError
from app.core.sale import Party
from app.fiscal.forms import (CHOICE, DATE, ESTABLISHMENT, INTEGER, MONEY, POINT, QUANTITY, DocumentForm,
                              FormField, FormTable, Forms)
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import geo, till, xml_build

# ------------------------------------------------------------------------------ catalog choices


def _choices(table: Mapping) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in table.items())


def _geo_choices() -> tuple[tuple, tuple, tuple, dict]:
    deps = tuple((str(d["codigo"]), d["descripcion"]) for d in geo.departamentos())
    dis = tuple((str(d["codigo"]), f"{d['descripcion']} — {d['departamento']['descripcion']}")
                for d in geo.distritos())
    rows = geo.ciudades()
    cities = tuple((str(c["codigo"]), f"{c['descripcion']} — {c['distrito']['descripcion']}, "
                                      f"{c['distrito']['departamento']['descripcion']}") for c in rows)
    return deps, dis, cities, {str(c["codigo"]): c for c in rows}


DEPARTAMENTOS, DISTRITOS, CIUDADES, _CITY = _geo_choices()
UNITS = tuple(sorted(_choices(cat.units()), key=lambda c: (c[0] != str(till.UNIT), c[1])))  # UNI first
IVA_CHOICES = (("10", "IVA 10 %"), ("5", "IVA 5 %"), ("0", "Exento"))
FREIGHT = (("1", "Emisor de la factura"), ("2", "Receptor de la factura"), ("3", "Tercero"),
           ("4", "Agente intermediario del transporte"), ("5", "Transporte propio"))
PAYMENTS = tuple((str(k), v) for k, v in cat.PAYMENT_TYPES.items() if k in (1, 5, 6, 7, 16, 17, 21))
RECEPTION_WORDS = {"notificacion": "notificación de recepción", "conformidad": "conformidad",
                   "disconformidad": "disconformidad", "desconocimiento": "desconocimiento"}


# ------------------------------------------------------------------------------ defaults


def _est(company):
    return company.establishments[0] if company.establishments else None


def _today(company, now) -> str:
    return xml_build.local_naive(now).date().isoformat()


def _const(text: str):
    return lambda company, now: text


def _est_attr(name: str):
    def default(company, now) -> str:
        est = _est(company)
        value = getattr(est, name, None) if est else None
        return "" if value in (None, "") else str(value)
    return default


def _place_fields(prefix: str, label: str, *, required: bool, defaults: bool = False) -> tuple[FormField, ...]:
    d = (lambda name: _est_attr(name)) if defaults else (lambda name: None)
    return (FormField(f"{prefix}direccion", f"{label}: dirección", required=required, max_length=255,
                      default=d("address")),
            FormField(f"{prefix}numero", f"{label}: número de casa", INTEGER, hint="0 si no tiene",
                      default=d("house_number")),
            FormField(f"{prefix}ciudad", f"{label}: ciudad", CHOICE, required=required, choices=CIUDADES,
                      hint="Escriba para buscar", default=d("ciudad")),
            FormField(f"{prefix}distrito", f"{label}: distrito", CHOICE, choices=DISTRITOS,
                      hint="Vacío: el de la ciudad", default=d("distrito")),
            FormField(f"{prefix}departamento", f"{label}: departamento", CHOICE, choices=DEPARTAMENTOS,
                      hint="Vacío: el de la ciudad", default=d("departamento")))


# ------------------------------------------------------------------------------ helpers of `build`


def _text(values: Mapping, name: str) -> str:
    return str(values.get(name) or "").strip()


_THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")


def _gs(text) -> str:
    """An amount in guaraníes as typed: Paraguay writes thousands with dots (1.000) and
    guaraníes have no decimals, so '1.000' is a thousand (the generic kind check passes it on
    as typed); anything else as it came (a decimal is refused by the dialect, by name)."""
    text = str(text or "").strip()
    return text.replace(".", "") if _THOUSANDS.fullmatch(text) else text


def _place(values: Mapping, prefix: str, path: str, errors: ErrorCollector) -> dict:
    """{direccion, numeroCasa, departamento, distrito, ciudad} from a place's fields; the
    distrito and departamento come from the ciudad when left blank."""
    out: dict[str, Any] = {"direccion": _text(values, f"{prefix}direccion")}
    number = _text(values, f"{prefix}numero")
    out["numeroCasa"] = number or 0
    city = _text(values, f"{prefix}ciudad")
    if not city:
        return out
    row = _CITY.get(city)
    if row is None:
        errors.add(f"{path}.ciudad", f"Ciudad {city} inexistente en la tabla de SIFEN")
        return out
    dist, dep = str(row["distrito"]["codigo"]), str(row["distrito"]["departamento"]["codigo"])
    given_dist, given_dep = _text(values, f"{prefix}distrito"), _text(values, f"{prefix}departamento")
    if given_dist and given_dist != dist:
        errors.add(f"{path}.distrito", f"La ciudad {row['descripcion']} está en el distrito "
                                        f"{row['distrito']['descripcion']} (tabla de SIFEN, 1329)")
    if given_dep and given_dep != dep:
        errors.add(f"{path}.departamento", f"La ciudad {row['descripcion']} está en el departamento "
                                            f"{row['distrito']['departamento']['descripcion']} (1326)")
    out.update(departamento=int(dep), distrito=int(dist), ciudad=int(city))
    return out


def _party(ident: str, name: str, email: str = "") -> Party:
    return Party(till.detect_id_type(ident), ident, name, email)


def _buyer(values: Mapping, id_name: str, name_name: str, path: str, errors: ErrorCollector,
           email_name: str = "") -> dict | None:
    """FacturaSend `cliente` of an identified receptor (RUC with DV or cédula)."""
    ident = _text(values, id_name)
    if not ident:
        errors.add(f"{path}.documentoNumero", "Escriba el RUC (con DV) o la cédula")
        return None
    party = _party(ident, _text(values, name_name), _text(values, email_name) if email_name else "")
    problems = till.identification_errors(party.id_type, party.identification)
    if problems:
        errors.add(f"{path}.ruc" if party.id_type == till.RUC else f"{path}.documentoNumero", "; ".join(problems))
        return None
    return till.cliente(party)


def _own_cliente(company, operation: int) -> dict:
    """The issuer itself as receptor (AFE 1315-1317; NRE between own premises 2606)."""
    return {"contribuyente": True, "ruc": company.ruc, "razonSocial": company.razon_social,
            "tipoOperacion": operation, "pais": "PRY", "tipoContribuyente": company.tipo_contribuyente or 2}


def _rows(values: Mapping, table: str) -> list[dict]:
    """The table's rows with anything typed in them."""
    return [r for r in (values.get(table) or []) if any(str(v or "").strip() for v in r.values())]


def _item(row: Mapping, *, values: bool, iva: bool) -> dict:
    it = {"codigo": str(row.get("codigo") or "").strip(), "descripcion": str(row.get("descripcion") or "").strip(),
          "cantidad": str(row.get("cantidad") or "").strip(), "unidadMedida": str(row.get("unidad") or "").strip()
          or till.UNIT}
    if values:
        it["precioUnitario"] = _gs(row.get("precio"))
    if iva:
        rate = str(row.get("iva") or "10").strip()
        it.update(ivaTipo=till.GRAVADO if rate in ("5", "10") else till.EXENTO,
                  ivaBase=100 if rate in ("5", "10") else 0, iva=int(rate) if rate in ("5", "10") else 0)
    return it


def _base(values: Mapping, doc_type: int, company) -> dict:
    """The header every DE shares; the series is the till's (`ESTABLISHMENT`, `POINT`, given by
    the dialog), else the company's first establishment and point. No `fecha`: the backend
    dates the DE with the moment it is issued."""
    est = _est(company)
    return {"tipoDocumento": doc_type,
            "establecimiento": _text(values, ESTABLISHMENT) or (est.code if est else "001"),
            "punto": _text(values, POINT) or (est.points[0].code if est and est.points else "001"),
            "tipoImpuesto": 1, "moneda": "PYG"}


# dialect path -> form field, and the items' columns
ITEM_COLUMNS = {"codigo": "codigo", "descripcion": "descripcion", "cantidad": "cantidad", "unidadMedida": "unidad",
                "precioUnitario": "precio", "descuento": "precio", "iva": "iva", "ivaTipo": "iva", "ivaBase": "iva"}
_ITEM = re.compile(r"items\[(\d+)\]\.(\w+)")


def _mapper(fields: Mapping[str, str], columns: tuple[FormField, ...] = ()):
    """`field_for_error` of a form: dialect paths -> header fields (the longest known prefix),
    items[n].x -> the items table's column (its description when it has no such column)."""
    names = {c.name for c in columns}

    def field_for_error(path: str):
        m = _ITEM.match(path or "")
        if m:
            column = ITEM_COLUMNS.get(m.group(2), "descripcion")
            return "items", int(m.group(1)), column if column in names else "descripcion"
        if path == "items":
            return "items", 0, "descripcion"
        probe = path or ""
        while probe:
            if probe in fields:
                return None, None, fields[probe]
            probe = probe.rpartition(".")[0]
        return None
    return field_for_error


# ------------------------------------------------------------------------------ autofactura (AFE)


def _probe_total(body: dict, now: datetime) -> Decimal:
    """The AFE's total as the document will state it (the FacturaSend reader and SIFEN's
    arithmetic), to put it in the payment; raises the reader's field-named ValidationError."""
    from app.fiscal.py import facturasend

    probe = {**body, "numero": 1, "fecha": xml_build.local_naive(now).replace(microsecond=0).isoformat(),
             "condicion": {"tipo": 1, "entregas": [{"tipo": 1, "monto": 1, "moneda": "PYG"}]}}
    return facturasend.parse(probe).model.total()


def build_afe(values: Mapping, company, now: datetime) -> tuple[dict, str]:
    errors = ErrorCollector()
    seller = _place(values, "vendedor_", "autoFactura", errors)
    place_values = dict(values)
    for key in ("ciudad", "distrito", "departamento"):  # the deal's place: blank = the seller's
        if not _text(values, f"lugar_{key}"):
            place_values[f"lugar_{key}"] = _text(values, f"vendedor_{key}")
    place = _place(place_values, "lugar_", "autoFactura.ubicacion", errors)
    errors.raise_if_any()
    body = {**_base(values, 4, company), "tipoTransaccion": 10 if _text(values, "transaccion") != "11" else 11,
            "cliente": _own_cliente(company, 2),
            "items": [_item(r, values=True, iva=False) for r in _rows(values, "items")],
            "autoFactura": {"tipoVendedor": _text(values, "vendedor_tipo") or 1,
                            "documentoTipo": _text(values, "vendedor_documento_tipo") or 1,
                            "documentoNumero": _text(values, "vendedor_documento"),
                            "nombre": _text(values, "vendedor_nombre"), **seller,
                            "ubicacion": {"lugar": _text(values, "lugar_direccion") or seller.get("direccion", ""),
                                          **{k: v for k, v in place.items() if k in ("departamento", "distrito",
                                                                                       "ciudad")}}},
            "documentoAsociado": {"formato": 3, "constanciaTipo": _text(values, "constancia_tipo") or 1,
                                  "constanciaNumero": _text(values, "constancia_numero"),
                                  "constanciaControl": _text(values, "constancia_control")}}
    total = _probe_total(body, now)
    body["condicion"] = {"tipo": 1, "entregas": [{"tipo": _text(values, "pago") or 1, "monto": str(total),
                                                  "moneda": "PYG"}]}
    return body, "purchase-settlements"


AFE_FIELDS = {"tipoTransaccion": "transaccion", "condicion": "pago",
              "autoFactura.tipoVendedor": "vendedor_tipo", "autoFactura.documentoTipo": "vendedor_documento_tipo",
              "autoFactura.documentoNumero": "vendedor_documento", "autoFactura.nombre": "vendedor_nombre",
              "autoFactura.direccion": "vendedor_direccion", "autoFactura.numeroCasa": "vendedor_numero",
              "autoFactura.departamento": "vendedor_departamento", "autoFactura.distrito": "vendedor_distrito",
              "autoFactura.ciudad": "vendedor_ciudad", "autoFactura.ubicacion": "lugar_direccion",
              "autoFactura.ubicacion.lugar": "lugar_direccion", "autoFactura.ubicacion.ciudad": "lugar_ciudad",
              "autoFactura.ubicacion.distrito": "lugar_distrito",
              "autoFactura.ubicacion.departamento": "lugar_departamento",
              "documentoAsociado.constanciaTipo": "constancia_tipo",
              "documentoAsociado.constanciaNumero": "constancia_numero",
              "documentoAsociado.constanciaControl": "constancia_control", "documentoAsociado": "constancia_numero",
              "cliente": "vendedor_nombre", "moneda": "pago"}

ITEMS_WITH_PRICE = FormTable("items", "Ítems", (
    FormField("codigo", "Código", required=True, max_length=50),
    FormField("descripcion", "Descripción", required=True, max_length=2000),
    FormField("cantidad", "Cantidad", QUANTITY, required=True, default=_const("1")),
    FormField("unidad", "Unidad", CHOICE, choices=UNITS, default=_const(str(till.UNIT))),
    FormField("precio", "Precio unitario (Gs.)", MONEY, required=True)))

AFE = DocumentForm(
    id="py-afe", label="Autofactura electrónica",
    description="Compra a un vendedor sin RUC (no contribuyente o extranjero): la empresa documenta la compra",
    fields=(FormField("vendedor_tipo", "Vendedor", CHOICE, required=True, choices=_choices(cat.SELLER_NATURE),
                      default=_const("1")),
            FormField("vendedor_documento_tipo", "Documento del vendedor", CHOICE, required=True,
                      choices=_choices(cat.PERSON_ID_TYPES), default=_const("1")),
            FormField("vendedor_documento", "Número de documento", required=True, hint="Cédula sin puntos",
                      max_length=20),
            FormField("vendedor_nombre", "Nombre del vendedor", required=True, max_length=255),
            *_place_fields("vendedor_", "Vendedor", required=True),
            FormField("lugar_direccion", "Lugar de la operación", hint="Vacío: la dirección del vendedor",
                      max_length=255),
            FormField("lugar_ciudad", "Lugar: ciudad", CHOICE, choices=CIUDADES, hint="Vacío: la del vendedor"),
            FormField("lugar_distrito", "Lugar: distrito", CHOICE, choices=DISTRITOS, hint="Vacío: el de la ciudad"),
            FormField("lugar_departamento", "Lugar: departamento", CHOICE, choices=DEPARTAMENTOS,
                      hint="Vacío: el de la ciudad"),
            FormField("transaccion", "Compra de", CHOICE, required=True,
                      choices=(("10", "Productos"), ("11", "Servicios")), default=_const("10")),
            FormField("pago", "Forma de pago", CHOICE, required=True, choices=PAYMENTS, default=_const("1")),
            FormField("constancia_tipo", "Constancia", CHOICE, required=True, choices=_choices(cat.CONSTANCIA_TYPES),
                      default=_const("1")),
            FormField("constancia_numero", "N.º de constancia", required=True, max_length=11),
            FormField("constancia_control", "Código de control de la constancia", required=True, max_length=8)),
    tables=(ITEMS_WITH_PRICE,), build=build_afe, field_for_error=_mapper(AFE_FIELDS, ITEMS_WITH_PRICE.columns))


# ------------------------------------------------------------------------------ nota de débito (NDE)


def build_nde(values: Mapping, company, now: datetime) -> tuple[dict, str]:
    errors = ErrorCollector()
    ref = _text(values, "cdc")
    if ref and cdc_mod.validate(ref):
        errors.add("documentoAsociado[0].cdc", cdc_mod.validate(ref)[0])
    cliente = _buyer(values, "receptor", "nombre", "cliente", errors, email_name="email")
    errors.raise_if_any()
    body = {**_base(values, 6, company), "cliente": cliente,
            "items": [_item(r, values=True, iva=True) for r in _rows(values, "items")],
            "notaCreditoDebito": {"motivo": _text(values, "motivo")},
            "documentoAsociado": [{"formato": 1, "cdc": ref}]}
    return body, "debit-notes"


NDE_FIELDS = {"fecha": "cdc", "documentoAsociado": "cdc", "documentoAsociado[0]": "cdc",
              "documentoAsociado[0].cdc": "cdc",
              "notaCreditoDebito": "motivo", "notaCreditoDebito.motivo": "motivo", "cliente.ruc": "receptor",
              "cliente.documentoNumero": "receptor", "cliente.razonSocial": "nombre", "cliente.email": "email",
              "cliente": "receptor"}

NDE_ITEMS = FormTable("items", "Ítems", (
    *ITEMS_WITH_PRICE.columns[:4],
    FormField("precio", "Precio unitario con IVA (Gs.)", MONEY, required=True),
    FormField("iva", "IVA", CHOICE, required=True, choices=IVA_CHOICES, default=_const("10"))))

NDE = DocumentForm(
    id="py-nde", label="Nota de débito electrónica",
    description="Aumenta el importe de un documento electrónico ya emitido (intereses, recargos, ajustes)",
    fields=(FormField("cdc", "CDC del documento que modifica", required=True, hint="44 dígitos", max_length=44),
            FormField("motivo", "Motivo", CHOICE, required=True, choices=_choices(cat.CREDIT_NOTE_REASONS),
                      default=_const("8")),
            FormField("receptor", "Receptor", required=True, hint="RUC (con DV) o cédula, el del documento",
                      max_length=20),
            FormField("nombre", "Nombre o razón social", required=True, max_length=255),
            FormField("email", "Correo", hint="Opcional")),
    tables=(NDE_ITEMS,), build=build_nde, field_for_error=_mapper(NDE_FIELDS, NDE_ITEMS.columns))


# ------------------------------------------------------------------------------ nota de remisión (NRE)


def _carrier(values: Mapping, company, errors: ErrorCollector) -> dict:
    ident = _text(values, "transportista")
    driver = {"documentoNumero": _text(values, "chofer_documento"), "nombre": _text(values, "chofer_nombre"),
              "direccion": _text(values, "chofer_direccion")}
    if not ident:  # the company carries its own goods
        return {"contribuyente": True, "ruc": company.ruc, "nombre": company.razon_social,
                "direccion": _text(values, "transportista_direccion") or company.address
                or _text(values, "salida_direccion"), "chofer": driver}
    party = _party(ident, _text(values, "transportista_nombre"))
    problems = till.identification_errors(party.id_type, party.identification)
    if problems:
        errors.add("transporte.transportista.ruc", "; ".join(problems))
    out = {"contribuyente": party.id_type == till.RUC, "nombre": party.name,
           "direccion": _text(values, "transportista_direccion"), "chofer": driver}
    if party.id_type == till.RUC:
        out["ruc"] = ident
    else:
        out.update(documentoTipo=till.DOCUMENT_TYPES.get(party.id_type, 1), documentoNumero=ident)
    return out


def build_nre(values: Mapping, company, now: datetime) -> tuple[dict, str]:
    errors = ErrorCollector()
    departure = _place(values, "salida_", "transporte.salida", errors)
    delivery = _place(values, "entrega_", "transporte.entrega", errors)
    if _text(values, "receptor"):
        cliente = _buyer(values, "receptor", "nombre", "cliente", errors) or {}
    else:
        cliente = _own_cliente(company, 1)
    carrier = _carrier(values, company, errors)
    errors.raise_if_any()
    cliente = {**cliente, **{k: v for k, v in delivery.items() if k != "distrito"}}  # the goods go there
    remision = {"motivo": _text(values, "motivo"), "tipoResponsable": _text(values, "responsable"),
                "kms": _text(values, "kms")}
    if _text(values, "fecha_factura"):
        remision["fechaFactura"] = _text(values, "fecha_factura")
    if _text(values, "costo_flete"):
        remision["costoFlete"] = _gs(values.get("costo_flete"))
    body = {**_base(values, 7, company), "cliente": cliente,
            "items": [_item(r, values=False, iva=False) for r in _rows(values, "items")],
            "remision": remision,
            "transporte": {"tipo": _text(values, "transporte_tipo"), "modalidad": _text(values, "modalidad"),
                           "tipoResponsable": _text(values, "flete"),
                           "inicioEstimadoTranslado": _text(values, "inicio"),
                           "finEstimadoTranslado": _text(values, "fin"),
                           "salida": departure, "entrega": delivery,
                           "vehiculo": {"tipo": _text(values, "vehiculo_tipo"),
                                        "marca": _text(values, "vehiculo_marca"),
                                        "documentoTipo": 2, "numeroMatricula": _text(values, "vehiculo_matricula")},
                           "transportista": carrier}}
    return body, "waybills"


NRE_FIELDS = {"fecha": "inicio", "remision.motivo": "motivo", "remision.tipoResponsable": "responsable",
              "remision.kms": "kms",
              "remision.fechaFactura": "fecha_factura", "remision.costoFlete": "costo_flete", "remision": "motivo",
              "cliente.ruc": "receptor", "cliente.documentoNumero": "receptor", "cliente.razonSocial": "nombre",
              "cliente.direccion": "entrega_direccion", "cliente.ciudad": "entrega_ciudad",
              "cliente.departamento": "entrega_departamento", "cliente": "receptor",
              "transporte.tipo": "transporte_tipo", "transporte.modalidad": "modalidad",
              "transporte.tipoResponsable": "flete", "transporte.inicioEstimadoTranslado": "inicio",
              "transporte.finEstimadoTranslado": "fin",
              "transporte.vehiculo.tipo": "vehiculo_tipo", "transporte.vehiculo.marca": "vehiculo_marca",
              "transporte.vehiculo": "vehiculo_matricula",
              "transporte.transportista.chofer.documentoNumero": "chofer_documento",
              "transporte.transportista.chofer.nombre": "chofer_nombre",
              "transporte.transportista.chofer.direccion": "chofer_direccion",
              "transporte.transportista.chofer": "chofer_documento",
              "transporte.transportista.direccion": "transportista_direccion",
              "transporte.transportista.nombre": "transportista_nombre",
              "transporte.transportista": "transportista", "transporte": "vehiculo_tipo"}
for _side in ("salida", "entrega"):
    NRE_FIELDS.update({f"transporte.{_side}": f"{_side}_direccion",
                       **{f"transporte.{_side}.{k}": f"{_side}_{v}" for k, v in (
                           ("direccion", "direccion"), ("numeroCasa", "numero"), ("ciudad", "ciudad"),
                           ("distrito", "distrito"), ("departamento", "departamento"),
                           ("ciudadDescripcion", "ciudad"), ("distritoDescripcion", "distrito"))}})

NRE_ITEMS = FormTable("items", "Mercaderías", ITEMS_WITH_PRICE.columns[:4])  # goods moved, no values

NRE = DocumentForm(
    id="py-nre", label="Nota de remisión electrónica",
    description="Ampara el traslado de mercaderías (sin importes): motivo, fechas, vehículo, chofer y recorrido",
    fields=(FormField("motivo", "Motivo del traslado", CHOICE, required=True, choices=_choices(cat.REMISSION_REASONS),
                      default=_const("1")),
            FormField("responsable", "Responsable de la emisión", CHOICE, required=True,
                      choices=_choices(cat.REMISSION_RESPONSIBLE), default=_const("1")),
            FormField("fecha_factura", "Fecha estimada de la factura", DATE,
                      hint="Traslado por venta sin factura asociada"),
            FormField("receptor", "Destinatario", hint="RUC (con DV) o cédula; vacío: la propia empresa",
                      max_length=20),
            FormField("nombre", "Nombre del destinatario", max_length=255),
            FormField("inicio", "Inicio del traslado", DATE, required=True, default=_today),
            FormField("fin", "Fin del traslado", DATE, required=True, default=_today),
            FormField("kms", "Kilómetros", INTEGER, required=True),
            FormField("costo_flete", "Costo del flete (Gs.)", MONEY),
            FormField("transporte_tipo", "Transporte", CHOICE, required=True, choices=_choices(cat.TRANSPORT_TYPES),
                      default=_const("1")),
            FormField("modalidad", "Modalidad", CHOICE, required=True, choices=_choices(cat.TRANSPORT_MODES),
                      default=_const("1")),
            FormField("flete", "Responsable del flete", CHOICE, required=True, choices=FREIGHT, default=_const("1")),
            *_place_fields("salida_", "Salida", required=True, defaults=True),
            *_place_fields("entrega_", "Entrega", required=True),
            FormField("vehiculo_tipo", "Vehículo: tipo", required=True, hint="Camión, furgón…", max_length=10),
            FormField("vehiculo_marca", "Vehículo: marca", required=True, max_length=10),
            FormField("vehiculo_matricula", "Vehículo: matrícula", required=True, max_length=7),
            FormField("transportista", "Transportista", hint="RUC (con DV) o cédula; vacío: la propia empresa",
                      max_length=20),
            FormField("transportista_nombre", "Nombre del transportista", max_length=255),
            FormField("transportista_direccion", "Dirección del transportista", max_length=150),
            FormField("chofer_documento", "Chofer: cédula", required=True, max_length=20),
            FormField("chofer_nombre", "Chofer: nombre", required=True, max_length=60),
            FormField("chofer_direccion", "Chofer: dirección", required=True, max_length=255)),
    tables=(NRE_ITEMS,), build=build_nre, field_for_error=_mapper(NRE_FIELDS, NRE_ITEMS.columns))


# ------------------------------------------------------------------------------ receptor events


def _received_at(text: str, now: datetime, errors: ErrorCollector, path: str) -> str:
    """A reception date typed as a day -> SIFEN's local date and time: now when it is today,
    the day's last second for a past day; never in the future."""
    local_now = xml_build.local_naive(now).replace(microsecond=0)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.add(path, f"Fecha inválida '{text}'")
        return ""
    if day > local_now.date():
        errors.add(path, "La fecha de recepción no puede ser futura")
        return ""
    return (local_now if day == local_now.date() else datetime.combine(day, time(23, 59, 59))).isoformat()


def _event_body(kind: str, values: Mapping, company, now: datetime) -> dict:
    errors = ErrorCollector()
    cdc = _text(values, "cdc")
    problems = cdc_mod.validate(cdc) if cdc else ["Escriba el CDC del documento recibido (44 dígitos)"]
    if problems:
        errors.add("cdc", problems[0])
        errors.raise_if_any()
    body: dict[str, Any] = {"cdc": cdc}
    received = _text(values, "fecha_recepcion")
    if kind in ("notificacion", "desconocimiento"):
        issued_on = cdc_mod.parse(cdc).issued_on
        body.update(fechaEmision=datetime.combine(issued_on, time(0, 0)).isoformat(),
                    fechaRecepcion=_received_at(received or _today(company, now), now, errors, "fecha_recepcion"),
                    tipoReceptor=1, nombre=company.razon_social, ruc=company.ruc)
        if kind == "notificacion":
            body["totalPYG"] = _gs(values.get("total"))
    if kind == "conformidad":
        body["tipoConformidad"] = _text(values, "tipo") or 1
        if received:
            body["fechaRecepcion"] = _received_at(received, now, errors, "fecha_recepcion")
    if kind in ("disconformidad", "desconocimiento"):
        body["motivo"] = _text(values, "motivo")
    errors.raise_if_any()
    return body


def _perform(kind: str):
    def perform(session, values: Mapping, now: datetime) -> str:
        from app.fiscal.py import event_requests

        body = _event_body(kind, values, session.company, now)
        row_id = event_requests.request_event(session, kind, body, now=now)
        return (f"Evento de {RECEPTION_WORDS[kind]} n.º {row_id} firmado y en cola para SIFEN "
                f"(CDC {body['cdc']}).")
    return perform


def _no_build(kind: str):
    def build(values: Mapping, company, now: datetime) -> tuple[dict, str]:
        raise ValidationError(f"La {RECEPTION_WORDS[kind]} es un evento: no emite un documento", field="cdc")
    return build


_EVENT_FIELDS = {"cdc": "cdc", "motivo": "motivo", "fechaRecepcion": "fecha_recepcion",
                 "fecha_recepcion": "fecha_recepcion", "tipoConformidad": "tipo", "totalPYG": "total",
                 "fechaEmision": "cdc", "evento": "cdc"}
CDC_FIELD = FormField("cdc", "CDC del documento recibido", required=True, hint="44 dígitos, del KuDE del proveedor",
                      max_length=44)
RECEIVED = FormField("fecha_recepcion", "Fecha de recepción", DATE, default=_today)
REASON = FormField("motivo", "Motivo", required=True, hint="5 a 500 caracteres", max_length=500)


def _event(kind: str, label: str, description: str, *fields: FormField) -> DocumentForm:
    return DocumentForm(id=f"py-{kind}", label=label, description=description, fields=(CDC_FIELD, *fields),
                        build=_no_build(kind), issues_document=False, perform=_perform(kind),
                        field_for_error=_mapper(_EVENT_FIELDS))


NOTIFICATION = _event("notificacion", "Notificación de recepción (evento)",
                      "Avisa a SIFEN que la empresa recibió el documento electrónico de un proveedor",
                      FormField("fecha_recepcion", "Fecha de recepción", DATE, required=True, default=_today),
                      FormField("total", "Total del documento (Gs.)", MONEY, required=True))
CONFORMITY = _event("conformidad", "Conformidad (evento)",
                    "Da conformidad a un documento recibido de un proveedor (hasta 45 días desde su emisión)",
                    FormField("tipo", "Conformidad", CHOICE, required=True, choices=(("1", "Total"), ("2", "Parcial")),
                              default=_const("1")),
                    FormField("fecha_recepcion", "Fecha de recepción", DATE, hint="Obligatoria si es parcial",
                              default=_today))
DISCONFORMITY = _event("disconformidad", "Disconformidad (evento)",
                       "Manifiesta disconformidad con un documento recibido de un proveedor", REASON)
UNAWARENESS = _event("desconocimiento", "Desconocimiento (evento)",
                     "Desconoce un documento emitido a nombre de la empresa que ella no reconoce",
                     RECEIVED, REASON)

FACET = Forms(forms=(AFE, NDE, NRE, NOTIFICATION, CONFORMITY, DISCONFORMITY, UNAWARENESS))
