"""FacturaSend `de/create` JSON (seed 002, "Parámetros de creación de un DE") -> `Document`.

Keys may be camelCase or snake_case (FacturaSend accepts both). Every problem is collected
and raised at once as `ValidationError`, each naming the field as FacturaSend spells it
(`cliente.ruc`, `items[2].iva`). Fields FacturaSend documents but this layer cannot yet put
in the XML are refused by name rather than silently dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.core.errors import ErrorCollector
from app.core.money import to_decimal
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.totals import ItemInput, compute
from app.fiscal.py.model import (AssociatedDoc, Card, Carrier, Credit, Document, Installment, Item,
                                 Location, Payment, Receiver, Remission, Seller, Transport, Vehicle)

UNSUPPORTED = ("condicionAnticipo", "descuentoGlobal", "anticipoGlobal", "dncp",
               "sectorEnergiaElectrica", "sectorSeguros", "sectorAdicional", "complementarios")
ITEM_UNSUPPORTED = ("partidaArancelaria", "tolerancia", "toleranciaCantidad", "toleranciaPorcentaje",
                    "cdcAnticipo", "dncp", "sectorAutomotor", "registroSenave",
                    "registroEntidadComercial", "nombreProducto")


@dataclass
class ParsedDE:
    model: Document
    number: int  # C007
    security_code: str  # dCodSeg: given (codigoSeguridadAleatorio) or freshly generated
    cdc: str = ""  # a CDC the caller asks to reuse (re-sending a rejected DE)
    extras: dict | None = None


def _camel(key: str) -> str:
    return re.sub(r"_([a-z0-9ñ])", lambda m: m.group(1).upper(), key)


def normalize(value):
    """snake_case keys -> camelCase, recursively; `null` values are dropped (= absent)."""
    if isinstance(value, dict):
        return {_camel(k): normalize(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


class _Reader:
    """Typed reads that record a Spanish error under the field's path instead of raising."""

    def __init__(self, errors: ErrorCollector):
        self.e = errors

    def int(self, obj: dict, key: str, path: str, *, required=False, choices=None, default=None):
        if key not in obj or obj[key] == "":
            if required:
                self.e.add(path, "Campo obligatorio", "required")
            return default
        v = obj[key]
        try:
            if isinstance(v, bool):
                raise ValueError
            if isinstance(v, float) and not v.is_integer():
                raise ValueError
            n = int(str(v).strip()) if not isinstance(v, float) else int(v)
        except ValueError:
            self.e.add(path, f"Se esperaba un número entero, llegó '{v}'")
            return default
        if choices is not None and n not in choices:
            self.e.add(path, f"Valor {n} no permitido ({', '.join(str(c) for c in sorted(choices))})")
            return default
        return n

    def dec(self, obj: dict, key: str, path: str, *, required=False, positive=False, default=None):
        if key not in obj or obj[key] == "":
            if required:
                self.e.add(path, "Campo obligatorio", "required")
            return default
        try:
            d = to_decimal(obj[key], field=path)
        except ValueError as exc:
            self.e.add(path, str(exc))
            return default
        if d < 0 or (positive and d == 0):
            self.e.add(path, "Debe ser mayor que cero" if positive else "No puede ser negativo")
            return default
        return d

    def str(self, obj: dict, key: str, path: str, *, required=False, max_len=None, min_len=None):
        v = obj.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.e.add(path, "Campo obligatorio", "required")
            return ""
        if isinstance(v, (dict, list, bool)):
            self.e.add(path, "Se esperaba un texto")
            return ""
        s = " ".join(str(v).split())
        if max_len and len(s) > max_len:
            self.e.add(path, f"Máximo {max_len} caracteres")
        if min_len and len(s) < min_len:
            self.e.add(path, f"Mínimo {min_len} caracteres")
        return s

    def bool(self, obj: dict, key: str, path: str, *, required=False):
        if key not in obj:
            if required:
                self.e.add(path, "Campo obligatorio", "required")
            return None
        v = obj[key]
        if not isinstance(v, bool):
            self.e.add(path, "Se esperaba true o false")
            return None
        return v

    def date(self, obj: dict, key: str, path: str, *, required=False):
        v = self.str(obj, key, path, required=required)
        if not v:
            return None
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            self.e.add(path, f"Fecha inválida '{v}' (formato AAAA-MM-DD)")
            return None

    def obj(self, obj: dict, key: str, path: str, *, required=False) -> dict | None:
        v = obj.get(key)
        if v is None:
            if required:
                self.e.add(path, "Campo obligatorio", "required")
            return None
        if not isinstance(v, dict):
            self.e.add(path, "Se esperaba un objeto")
            return None
        return v

    def ruc(self, obj: dict, key: str, path: str, *, required=False) -> tuple[str, int | None]:
        v = self.str(obj, key, path, required=required)
        if not v:
            return "", None
        problems = ruc_mod.validate(v, require_dv=False)
        if problems:
            self.e.add(path, problems[0])
            return "", None
        return ruc_mod.split(v)


def _code3(r: _Reader, obj: dict, key: str, path: str) -> str:
    n = r.int(obj, key, path, required=True)
    if n is None:
        return ""
    if not 1 <= n <= 999:
        r.e.add(path, "Debe estar entre 1 y 999")
        return ""
    return f"{n:03d}"


def _location(r: _Reader, o: dict, path: str, *, required_geo=True) -> Location | None:
    def f(key: str) -> str:
        return f"{path}.{key}" if path else key

    if not o.get("direccion"):
        return None
    loc = Location(address=r.str(o, "direccion", f("direccion"), max_len=255),
                   house_number=r.int(o, "numeroCasa", f("numeroCasa"), default=0) or 0,
                   departamento=r.int(o, "departamento", f("departamento"),
                                      required=required_geo, choices=set(cat.departments())),
                   distrito=r.int(o, "distrito", f("distrito")),
                   distrito_desc=r.str(o, "distritoDescripcion", f("distritoDescripcion"), max_len=30),
                   ciudad=r.int(o, "ciudad", f("ciudad"), required=required_geo),
                   ciudad_desc=r.str(o, "ciudadDescripcion", f("ciudadDescripcion"), max_len=30),
                   complement1=r.str(o, "complementoDireccion1", f("complementoDireccion1")),
                   complement2=r.str(o, "complementoDireccion2", f("complementoDireccion2")),
                   phone=r.str(o, "telefonoContacto", f("telefonoContacto")))
    if loc.distrito is not None and not loc.distrito_desc:
        loc.distrito_desc = cat.KNOWN_DISTRICTS.get(loc.distrito, "")
        if not loc.distrito_desc:
            r.e.add(f("distritoDescripcion"), "Obligatorio: la tabla de distritos no está disponible sin conexión")
    if loc.ciudad is not None and not loc.ciudad_desc:
        loc.ciudad_desc = cat.KNOWN_CITIES.get(loc.ciudad, "")
        if not loc.ciudad_desc:
            r.e.add(f("ciudadDescripcion"), "Obligatorio: la tabla de ciudades no está disponible sin conexión")
    return loc


def _receiver(r: _Reader, c: dict, doc_type: int, p: str = "cliente") -> Receiver:
    """`p` is the path prefix for error fields ('cliente'; '' for flat event bodies)."""
    p = p or ""
    if not p:
        def path(k): return k
    else:
        def path(k): return f"{p}.{k}"
    contrib = r.bool(c, "contribuyente", path("contribuyente"), required=True)
    op = r.int(c, "tipoOperacion", path("tipoOperacion"), required=True, choices={1, 2, 3, 4}, default=2)
    country = r.str(c, "pais", path("pais"), required=True) or "PRY"
    if country not in cat.countries():
        r.e.add(path("pais"), f"Código de país '{country}' no válido")
        country = "PRY"
    rec = Receiver(contribuyente=bool(contrib), name=r.str(c, "razonSocial", path("razonSocial"),
                                                           required=True, max_len=255),
                   operation=op, country=country)
    if rec.name and len(rec.name) < 4:
        r.e.add(path("razonSocial"), "Mínimo 4 caracteres")
    if contrib:
        rec.ruc, rec.ruc_dv = r.ruc(c, "ruc", path("ruc"), required=True)
        rec.taxpayer_type = r.int(c, "tipoContribuyente", path("tipoContribuyente"), required=True,
                                  choices={1, 2})
    else:
        rec.id_type = r.int(c, "documentoTipo", path("documentoTipo"), required=op != 4,
                            choices={1, 2, 3, 4, 5, 6, 9})
        rec.id_type_desc = r.str(c, "documentoTipoDescripcion", path("documentoTipoDescripcion"),
                                 required=rec.id_type == 9)
        rec.id_number = r.str(c, "documentoNumero", path("documentoNumero"), required=op != 4, max_len=20)
        if rec.id_type == 5:
            rec.id_number = "0"
        elif rec.id_number and not re.fullmatch(r"[0-9A-Za-z\-]{1,20}", rec.id_number):
            r.e.add(path("documentoNumero"), "Solo letras, números y guiones")
    rec.trade_name = r.str(c, "nombreFantasia", path("nombreFantasia"), max_len=255)
    rec.location = _location(r, c, p, required_geo=op != 4)
    if doc_type == cat.NRE and rec.location is None:
        r.e.add(path("direccion"), "Obligatoria en nota de remisión")
    rec.phone = r.str(c, "telefono", path("telefono"), max_len=15)
    if rec.phone and len(rec.phone) < 6:
        r.e.add(path("telefono"), "Mínimo 6 caracteres")
    rec.mobile = r.str(c, "celular", path("celular"), max_len=20)
    if rec.mobile and len(rec.mobile) < 10:
        r.e.add(path("celular"), "Mínimo 10 caracteres")
    rec.email = r.str(c, "email", path("email"))
    first = rec.email.split(",")[0].strip() if rec.email else ""
    if first and not re.fullmatch(r"[0-9a-zA-Z][0-9a-zA-Z.\-_]*@([0-9a-zA-Z][0-9a-zA-Z\-_]*\.)+[a-zA-Z]{2,9}", first):
        r.e.add(path("email"), f"Correo inválido '{first}'")
    rec.email = first
    rec.code = r.str(c, "codigo", path("codigo"), max_len=15)
    if rec.code and len(rec.code) < 3:
        r.e.add(path("codigo"), "Mínimo 3 caracteres")
    return rec


def _items(r: _Reader, items, doc_type: int, currency: str) -> list[Item]:
    out = []
    if not isinstance(items, list) or not items:
        r.e.add("items", "Debe informar al menos un ítem", "required")
        return out
    for i, it in enumerate(items):
        p = f"items[{i}]"
        if not isinstance(it, dict):
            r.e.add(p, "Se esperaba un objeto")
            continue
        for key in ITEM_UNSUPPORTED:
            if key in it and it[key] not in ("", 0, {}, []):
                r.e.add(f"{p}.{key}", "Campo no soportado todavía por Mostrador", "unsupported")
        item = Item(code=r.str(it, "codigo", f"{p}.codigo", required=True, max_len=50),
                    description=r.str(it, "descripcion", f"{p}.descripcion", required=True, max_len=2000),
                    quantity=r.dec(it, "cantidad", f"{p}.cantidad", required=True, positive=True,
                                   default=Decimal(1)),
                    unit=r.int(it, "unidadMedida", f"{p}.unidadMedida", required=True,
                               choices=set(cat.units()), default=77),
                    info=r.str(it, "observacion", f"{p}.observacion", max_len=500),
                    ncm=r.str(it, "ncm", f"{p}.ncm", max_len=8),
                    lot=r.str(it, "lote", f"{p}.lote", max_len=80),
                    expiry=r.date(it, "vencimiento", f"{p}.vencimiento"),
                    serial=r.str(it, "numeroSerie", f"{p}.numeroSerie", max_len=10),
                    order_number=r.str(it, "numeroPedido", f"{p}.numeroPedido", max_len=20),
                    tracking=r.str(it, "numeroSeguimiento", f"{p}.numeroSeguimiento", max_len=20))
        if item.quantity is not None and item.quantity.as_tuple().exponent < -8:
            r.e.add(f"{p}.cantidad", "Máximo 8 decimales")
        origin = r.str(it, "pais", f"{p}.pais")
        if origin:
            if origin in cat.countries():
                item.origin_country = origin
            else:
                r.e.add(f"{p}.pais", f"Código de país '{origin}' no válido")
        if doc_type != cat.NRE:
            item.price = r.dec(it, "precioUnitario", f"{p}.precioUnitario", required=True, default=Decimal(0))
            item.discount = r.dec(it, "descuento", f"{p}.descuento", default=Decimal(0))
            item.advance = r.dec(it, "anticipo", f"{p}.anticipo", default=Decimal(0))
            rate = r.dec(it, "cambio", f"{p}.cambio")
            item.exchange_rate = rate if rate else None
            if currency == "PYG" and item.price is not None and item.price != item.price.to_integral_value():
                r.e.add(f"{p}.precioUnitario", "En guaraníes el precio no lleva decimales")
            if item.discount and item.price and item.discount + item.advance > item.price:
                r.e.add(f"{p}.descuento", "El descuento supera el precio unitario")
        if doc_type not in (cat.AFE, cat.NRE):
            t = r.int(it, "ivaTipo", f"{p}.ivaTipo", required=True, choices={1, 2, 3, 4}, default=1)
            base = r.dec(it, "ivaBase", f"{p}.ivaBase", required=True, default=Decimal(100))
            rate = r.int(it, "iva", f"{p}.iva", required=True, choices={0, 5, 10}, default=10)
            item.iva_type, item.iva_base, item.iva_rate = t, base, rate
            if t == 1 and (rate not in (5, 10) or base != 100):
                r.e.add(f"{p}.iva", "Gravado IVA: iva 5 o 10 con ivaBase 100")
            if t == 4 and (rate not in (5, 10) or not 0 < base < 100):
                r.e.add(f"{p}.ivaBase", "Gravado parcial: iva 5 o 10 y ivaBase entre 1 y 99")
            if t in (2, 3) and rate != 0:
                r.e.add(f"{p}.iva", "Exento/exonerado: iva debe ser 0")
        out.append(item)
    return out


def _payments(r: _Reader, cond: dict | None, doc: Document) -> None:
    if doc.doc_type not in (cat.FE, cat.AFE):
        return
    if cond is None:
        r.e.add("condicion", "Obligatorio para factura y autofactura", "required")
        return
    doc.condition = r.int(cond, "tipo", "condicion.tipo", required=True, choices={1, 2}, default=1)
    entregas = cond.get("entregas") or []
    if not isinstance(entregas, list):
        r.e.add("condicion.entregas", "Se esperaba una lista")
        entregas = []
    for i, e in enumerate(entregas):
        p = f"condicion.entregas[{i}]"
        kind = r.int(e, "tipo", f"{p}.tipo", required=True, choices=set(cat.PAYMENT_TYPES) | {99}, default=1)
        pay = Payment(kind=kind, amount=r.dec(e, "monto", f"{p}.monto", required=True, positive=True,
                                              default=Decimal(0)),
                      currency=r.str(e, "moneda", f"{p}.moneda", required=True) or "PYG",
                      kind_desc=r.str(e, "tipoDescripcion", f"{p}.tipoDescripcion", required=kind == 99))
        if pay.currency not in cat.currencies():
            r.e.add(f"{p}.moneda", f"Moneda '{pay.currency}' no válida")
            pay.currency = "PYG"
        rate = r.dec(e, "cambio", f"{p}.cambio")
        if pay.currency != "PYG":
            if not rate:
                r.e.add(f"{p}.cambio", "Obligatorio si la moneda no es PYG")
            pay.exchange_rate = rate
        card = r.obj(e, "infoTarjeta", f"{p}.infoTarjeta")
        if kind in (3, 4):
            if card is None:
                r.e.add(f"{p}.infoTarjeta", "Obligatorio para pagos con tarjeta", "required")
            else:
                q = f"{p}.infoTarjeta"
                brand = r.int(card, "tipo", f"{q}.tipo", required=True, choices=set(cat.CARD_BRANDS) | {99}, default=99)
                pr_ruc, pr_dv = r.ruc(card, "ruc", f"{q}.ruc")
                auth = r.int(card, "codigoAutorizacion", f"{q}.codigoAutorizacion")
                if auth is not None and not 100000 <= auth <= 9_999_999_999:
                    r.e.add(f"{q}.codigoAutorizacion", "Entre 6 y 10 dígitos")
                last4 = r.str(card, "numero", f"{q}.numero")
                if last4 and not re.fullmatch(r"[0-9]{1,4}", last4):
                    r.e.add(f"{q}.numero", "Últimos 4 dígitos de la tarjeta")
                pay.card = Card(brand=brand, processing=r.int(card, "medioPago", f"{q}.medioPago", required=True,
                                                               choices={1, 2, 9}, default=1),
                                brand_desc=r.str(card, "tipoDescripcion", f"{q}.tipoDescripcion",
                                                 required=brand == 99, max_len=20),
                                processor_name=r.str(card, "razonSocial", f"{q}.razonSocial", max_len=255),
                                processor_ruc=pr_ruc, processor_dv=pr_dv, auth_code=auth,
                                holder=r.str(card, "titular", f"{q}.titular", max_len=30), last4=last4)
        elif card is not None:
            r.e.add(f"{p}.infoTarjeta", "Solo para pagos con tarjeta (tipo 3 o 4)")
        cheque = r.obj(e, "infoCheque", f"{p}.infoCheque")
        if kind == 2:
            if cheque is None:
                r.e.add(f"{p}.infoCheque", "Obligatorio para pagos con cheque", "required")
            else:
                num = r.str(cheque, "numeroCheque", f"{p}.infoCheque.numeroCheque", required=True)
                if num and not re.fullmatch(r"[0-9]{1,8}", num):
                    r.e.add(f"{p}.infoCheque.numeroCheque", "Hasta 8 dígitos")
                pay.cheque_number = num.rjust(8, "0")
                pay.cheque_bank = r.str(cheque, "banco", f"{p}.infoCheque.banco", required=True, max_len=20)
                if pay.cheque_bank and len(pay.cheque_bank) < 4:
                    r.e.add(f"{p}.infoCheque.banco", "Mínimo 4 caracteres")
        elif cheque is not None:
            r.e.add(f"{p}.infoCheque", "Solo para pagos con cheque (tipo 2)")
        doc.payments.append(pay)
    credit = r.obj(cond, "credito", "condicion.credito")
    if doc.condition == 1:
        if not doc.payments:
            r.e.add("condicion.entregas", "Operación contado: informe al menos una entrega", "required")
        if credit is not None:
            r.e.add("condicion.credito", "Solo para condición tipo 2 (crédito)")
    elif doc.condition == 2:
        if credit is None:
            r.e.add("condicion.credito", "Obligatorio para operación a crédito", "required")
        else:
            kind = r.int(credit, "tipo", "condicion.credito.tipo", required=True, choices={1, 2}, default=1)
            cr = Credit(kind=kind, term=r.str(credit, "plazo", "condicion.credito.plazo", required=kind == 1,
                                              max_len=15),
                        installments_count=r.int(credit, "cuotas", "condicion.credito.cuotas",
                                                 required=kind == 2),
                        down_payment=r.dec(credit, "montoEntrega", "condicion.credito.montoEntrega"))
            cuotas = credit.get("infoCuotas") or []
            for i, q in enumerate(cuotas if isinstance(cuotas, list) else []):
                qp = f"condicion.credito.infoCuotas[{i}]"
                cur = r.str(q, "moneda", f"{qp}.moneda", required=True) or "PYG"
                if cur not in cat.currencies():
                    r.e.add(f"{qp}.moneda", f"Moneda '{cur}' no válida")
                    cur = "PYG"
                cr.installments.append(Installment(
                    amount=r.dec(q, "monto", f"{qp}.monto", required=True, default=Decimal(0)),
                    currency=cur, due=r.date(q, "vencimiento", f"{qp}.vencimiento")))
            doc.credit = cr


def _associated(r: _Reader, value, doc_type: int) -> list[AssociatedDoc]:
    entries = value if isinstance(value, list) else ([value] if isinstance(value, dict) else [])
    out = []
    for i, a in enumerate(entries):
        p = f"documentoAsociado[{i}]" if isinstance(value, list) else "documentoAsociado"
        kind = r.int(a, "formato", f"{p}.formato", required=True, choices={1, 2, 3}, default=1)
        doc = AssociatedDoc(kind=kind)
        if kind == 1:
            doc.cdc = r.str(a, "cdc", f"{p}.cdc", required=True)
            if doc.cdc and cdc_mod.validate(doc.cdc):
                r.e.add(f"{p}.cdc", cdc_mod.validate(doc.cdc)[0])
        elif kind == 2:
            doc.printed_type = r.int(a, "tipoDocumentoImpreso", f"{p}.tipoDocumentoImpreso", required=True,
                                     choices=set(cat.PRINTED_DOC_TYPES), default=1)
            doc.timbrado = r.str(a, "timbrado", f"{p}.timbrado", required=True)
            doc.establishment = r.str(a, "establecimiento", f"{p}.establecimiento", required=True)
            doc.point = r.str(a, "punto", f"{p}.punto", required=True)
            doc.number = r.str(a, "numero", f"{p}.numero", required=True)
            doc.issued_on = r.date(a, "fecha", f"{p}.fecha", required=True)
        else:
            doc.constancia_type = r.int(a, "constanciaTipo", f"{p}.constanciaTipo", required=True,
                                        choices={1, 2}, default=1)
            doc.constancia_number = r.str(a, "constanciaNumero", f"{p}.constanciaNumero")
            doc.constancia_control = r.str(a, "constanciaControl", f"{p}.constanciaControl")
        out.append(doc)
    return out


def _transport(r: _Reader, t: dict, doc_type: int) -> Transport:
    p = "transporte"
    tr = Transport(kind=r.int(t, "tipo", f"{p}.tipo", required=doc_type == cat.NRE, choices={1, 2}),
                   mode=r.int(t, "modalidad", f"{p}.modalidad", required=True, choices={1, 2, 3, 4}, default=1),
                   freight_responsible=r.int(t, "tipoResponsable", f"{p}.tipoResponsable", required=True,
                                             choices={1, 2, 3, 4, 5}, default=1),
                   start=r.date(t, "inicioEstimadoTranslado", f"{p}.inicioEstimadoTranslado"),
                   end=r.date(t, "finEstimadoTranslado", f"{p}.finEstimadoTranslado"))
    for key in ("condicionNegociacion", "numeroManifiesto", "numeroDespachoImportacion", "paisDestino"):
        if t.get(key):
            r.e.add(f"{p}.{key}", "Campo no soportado todavía por Mostrador", "unsupported")
    for key, attr in (("salida", "departure"), ("entrega", "delivery")):
        o = r.obj(t, key, f"{p}.{key}", required=doc_type == cat.NRE)
        if o is not None:
            loc = _location(r, o, f"{p}.{key}")
            if loc is None:
                r.e.add(f"{p}.{key}.direccion", "Campo obligatorio", "required")
            setattr(tr, attr, loc)
    v = r.obj(t, "vehiculo", f"{p}.vehiculo", required=doc_type == cat.NRE)
    if v is not None:
        q = f"{p}.vehiculo"
        veh = Vehicle(kind=r.str(v, "tipo", f"{q}.tipo", required=True, min_len=4, max_len=10),
                      brand=r.str(v, "marca", f"{q}.marca", required=True, max_len=10),
                      id_kind=r.int(v, "documentoTipo", f"{q}.documentoTipo", required=True, choices={1, 2}, default=1))
        veh.id_number = r.str(v, "documentoNumero", f"{q}.documentoNumero", required=veh.id_kind == 1, max_len=20)
        veh.plate = r.str(v, "numeroMatricula", f"{q}.numeroMatricula", required=veh.id_kind == 2, max_len=7)
        tr.vehicles.append(veh)
    c = r.obj(t, "transportista", f"{p}.transportista", required=doc_type == cat.NRE)
    if c is not None:
        q = f"{p}.transportista"
        contrib = bool(r.bool(c, "contribuyente", f"{q}.contribuyente", required=True))
        car = Carrier(contribuyente=contrib, name=r.str(c, "nombre", f"{q}.nombre", required=True, min_len=4),
                      address=r.str(c, "direccion", f"{q}.direccion", required=True, max_len=150))
        if contrib:
            car.ruc, car.ruc_dv = r.ruc(c, "ruc", f"{q}.ruc", required=True)
        else:
            car.id_type = r.int(c, "documentoTipo", f"{q}.documentoTipo", required=True, choices={1, 2, 3, 4}, default=1)
            car.id_number = r.str(c, "documentoNumero", f"{q}.documentoNumero", required=True)
        ch = r.obj(c, "chofer", f"{q}.chofer", required=True) or {}
        car.driver_id = r.str(ch, "documentoNumero", f"{q}.chofer.documentoNumero", required=True)
        car.driver_name = r.str(ch, "nombre", f"{q}.chofer.nombre", required=True, min_len=4)
        car.driver_address = r.str(ch, "direccion", f"{q}.chofer.direccion", required=True)
        tr.carrier = car
    return tr


def parse(body: dict) -> ParsedDE:
    """Validates one FacturaSend DE object -> ParsedDE, or raises ValidationError (every field)."""
    errors = ErrorCollector()
    r = _Reader(errors)
    if not isinstance(body, dict):
        errors.add("", "Se esperaba un objeto JSON")
        errors.raise_if_any()
    d = normalize(body)
    t = r.int(d, "tipoDocumento", "tipoDocumento", required=True, choices=set(cat.DOC_TYPES), default=1)
    est = _code3(r, d, "establecimiento", "establecimiento")
    point = _code3(r, d, "punto", "punto")
    number = r.int(d, "numero", "numero", required=True, default=0)
    if number is not None and not 1 <= number <= 9_999_999:
        errors.add("numero", "Debe estar entre 1 y 9999999")
    issued = None
    fecha = r.str(d, "fecha", "fecha", required=True)
    if fecha:
        try:
            issued = datetime.fromisoformat(fecha)
        except ValueError:
            errors.add("fecha", f"Fecha y hora inválida '{fecha}' (AAAA-MM-DDThh:mm:ss)")
    if r.int(d, "tipoEmision", "tipoEmision", choices={1, 2}, default=1) == 2:
        errors.add("tipoEmision", "La emisión en contingencia no está habilitada por la SET (1050)")
    for key in UNSUPPORTED:
        if key in d and d[key] not in ({}, []):
            errors.add(key, "Campo no soportado todavía por Mostrador", "unsupported")
    currency = r.str(d, "moneda", "moneda") or "PYG"
    if currency not in cat.currencies():
        errors.add("moneda", f"Moneda '{currency}' no válida")
        currency = "PYG"
    cliente = r.obj(d, "cliente", "cliente", required=True)
    receiver = _receiver(r, cliente, t) if cliente is not None else Receiver(False, "Sin Nombre")
    doc = Document(doc_type=t, establishment=est or "001", point=point or "001",
                   issued_at=issued or datetime(2000, 1, 1), receiver=receiver,
                   items=_items(r, d.get("items"), t, currency), currency=currency,
                   transaction_type=r.int(d, "tipoTransaccion", "tipoTransaccion",
                                          choices=set(cat.TRANSACTION_TYPES), default=1),
                   tax_type=r.int(d, "tipoImpuesto", "tipoImpuesto", required=t != cat.NRE,
                                  choices=set(cat.TAX_TYPES), default=1),
                   info_fiscal=r.str(d, "descripcion", "descripcion", max_len=3000),
                   info_issuer=r.str(d, "observacion", "observacion", max_len=3000),
                   series=r.str(d, "serie", "serie"))
    if doc.series and not re.fullmatch(r"[A-Z]{2}", doc.series):
        errors.add("serie", "Dos letras mayúsculas (AA a ZZ)")
    if currency != "PYG" and t != cat.NRE:
        doc.exchange_condition = r.int(d, "condicionTipoCambio", "condicionTipoCambio", required=True,
                                       choices={1, 2})
        if doc.exchange_condition == 1:
            doc.exchange_rate = r.dec(d, "cambio", "cambio", required=True, positive=True)
    obligations = d.get("obligaciones") or []
    for i, o in enumerate(obligations if isinstance(obligations, list) else []):
        code = r.int(o, "codigo", f"obligaciones[{i}].codigo", required=True, choices=set(cat.OBLIGATIONS))
        if code is not None:
            doc.obligations.append(code)
    usuario = r.obj(d, "usuario", "usuario")
    if usuario:
        resp = {"id_type": r.int(usuario, "documentoTipo", "usuario.documentoTipo", required=True,
                                 choices={1, 2, 3, 4, 9}, default=1),
                "id_number": r.str(usuario, "documentoNumero", "usuario.documentoNumero", required=True),
                "name": r.str(usuario, "nombre", "usuario.nombre", required=True, min_len=4),
                "role": r.str(usuario, "cargo", "usuario.cargo", required=True, min_len=4)}
        if resp["id_type"] == 9:
            resp["id_type_desc"] = r.str(usuario, "documentoTipoDescripcion", "usuario.documentoTipoDescripcion",
                                         required=True)
        doc.responsible = resp
    if t == cat.FE:
        f = r.obj(d, "factura", "factura") or {}
        doc.presence = r.int(f, "presencia", "factura.presencia", choices=set(cat.PRESENCE), default=1)
    if t == cat.AFE:
        a = r.obj(d, "autoFactura", "autoFactura", required=True)
        if a is not None:
            loc = _location(r, a, "autoFactura")
            u = r.obj(a, "ubicacion", "autoFactura.ubicacion", required=True) or {}
            place = _location(r, {**u, "direccion": u.get("lugar")}, "autoFactura.ubicacion")
            if loc is None:
                errors.add("autoFactura.direccion", "Campo obligatorio", "required")
            if place is None:
                errors.add("autoFactura.ubicacion.lugar", "Campo obligatorio", "required")
            doc.seller = Seller(nature=r.int(a, "tipoVendedor", "autoFactura.tipoVendedor", required=True,
                                             choices={1, 2}, default=1),
                                id_type=r.int(a, "documentoTipo", "autoFactura.documentoTipo", required=True,
                                              choices={1, 2, 3, 4}, default=1),
                                id_number=r.str(a, "documentoNumero", "autoFactura.documentoNumero", required=True),
                                name=r.str(a, "nombre", "autoFactura.nombre", required=True, min_len=4),
                                location=loc, place=place)
    if t in (cat.NCE, cat.NDE):
        n = r.obj(d, "notaCreditoDebito", "notaCreditoDebito", required=True) or {}
        doc.credit_reason = r.int(n, "motivo", "notaCreditoDebito.motivo", required=True,
                                  choices=set(cat.CREDIT_NOTE_REASONS))
    if t == cat.NRE:
        m = r.obj(d, "remision", "remision", required=True)
        if m is not None:
            doc.remission = Remission(
                reason=r.int(m, "motivo", "remision.motivo", required=True, choices=set(cat.REMISSION_REASONS), default=1),
                responsible=r.int(m, "tipoResponsable", "remision.tipoResponsable", required=True,
                                  choices=set(cat.REMISSION_RESPONSIBLE), default=1),
                km=r.int(m, "kms", "remision.kms", required=True, default=1),
                invoice_date=r.date(m, "fechaFactura", "remision.fechaFactura"),
                freight_cost=r.dec(m, "costoFlete", "remision.costoFlete"))
            if doc.remission.km is not None and not 1 <= doc.remission.km <= 99999:
                errors.add("remision.kms", "Entre 1 y 99999")
    transporte = r.obj(d, "transporte", "transporte", required=t == cat.NRE)
    if transporte:
        doc.transport = _transport(r, transporte, t)
    _payments(r, r.obj(d, "condicion", "condicion"), doc)
    doc.associated = _associated(r, d.get("documentoAsociado"), t)
    if t in (cat.AFE, cat.NCE, cat.NDE) and not doc.associated:
        errors.add("documentoAsociado", "Obligatorio para este tipo de documento (2400)", "required")
    sup = r.obj(d, "sectorSupermercados", "sectorSupermercados")
    if sup:
        doc.cashier = r.str(sup, "nombreCajero", "sectorSupermercados.nombreCajero", max_len=20)
        doc.cash_received = r.dec(sup, "efectivo", "sectorSupermercados.efectivo")
        doc.change = r.dec(sup, "vuelto", "sectorSupermercados.vuelto")
        for key in ("donacion", "donacionDescripcion"):
            if sup.get(key):
                errors.add(f"sectorSupermercados.{key}", "Campo no soportado todavía por Mostrador", "unsupported")
    code = r.str(d, "codigoSeguridadAleatorio", "codigoSeguridadAleatorio")
    if code:
        if not code.isdigit() or not 1 <= int(code) <= 999_999_999:
            errors.add("codigoSeguridadAleatorio", "Número de 1 a 9 dígitos, mayor que cero")
        elif number and int(code) == number:
            errors.add("codigoSeguridadAleatorio", "No puede ser igual al número del documento")
        code = code.rjust(9, "0")
    requested_cdc = r.str(d, "cdc", "cdc")
    if requested_cdc and cdc_mod.validate(requested_cdc):
        errors.add("cdc", cdc_mod.validate(requested_cdc)[0])
    elif requested_cdc:
        code = code or cdc_mod.parse(requested_cdc).security_code
    errors.raise_if_any()
    _apply_change(doc)
    return ParsedDE(model=doc, number=number, security_code=code or cdc_mod.new_security_code(avoid=number),
                    cdc=requested_cdc, extras=d.get("extras"))


def _apply_change(doc: Document) -> None:
    """Payments above the total are change (vuelto): cash entries are reduced by the excess
    and the excess is recorded in gGrupSup/dVuelto, so gPaConEIni sums to the total."""
    if doc.doc_type not in (cat.FE, cat.AFE) or doc.condition != 1 or not doc.payments:
        return
    _, totals = compute([ItemInput(i.price, i.quantity, i.iva_type, i.iva_base, i.iva_rate, i.discount,
                                   i.advance) for i in doc.items],
                        currency=doc.currency, round_to_50=doc.round_to_50,
                        with_iva=doc.doc_type != cat.AFE)
    paid = sum((p.amount for p in doc.payments if p.currency == doc.currency), Decimal(0))
    excess = paid - totals.tot_gral
    cash = [p for p in doc.payments if p.kind == 1 and p.currency == doc.currency]
    if excess <= 0 or not cash or sum(p.amount for p in cash) < excess:
        return
    received = sum((p.amount for p in cash), Decimal(0))
    left = excess
    for p in reversed(cash):
        cut = min(p.amount, left)
        p.amount -= cut
        left -= cut
    doc.payments = [p for p in doc.payments if p.amount > 0]
    if doc.cash_received is None:
        doc.cash_received = received
    if doc.change is None:
        doc.change = excess
