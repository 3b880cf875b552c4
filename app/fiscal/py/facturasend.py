"""FacturaSend `de/create` JSON (seed 002, "Parámetros de creación de un DE") -> `Document`.

Keys may be camelCase or snake_case (FacturaSend accepts both). Every problem is collected
and raised at once as `ValidationError`, each naming the field as FacturaSend spells it
(`cliente.ruc`, `items[2].iva`). Fields FacturaSend documents but this layer cannot yet put
in the XML are refused by name rather than silently dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.core.errors import ErrorCollector
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import documents
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.json_fields import Reader, code3, normalize, read_location
from app.fiscal.py.model import (AssociatedDoc, Card, Carrier, Credit, Document, Installment, Item,
                                 Payment, Receiver, Transport, Vehicle)

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
    warnings: list[str] = field(default_factory=list)  # accepted, but probably a mistake (Spanish)


# the names this module had before json_fields (facturasend_events and others import them)
_Reader, _code3, _location = Reader, code3, read_location


def _receiver(r: Reader, c: dict, doc_type: int, p: str = "cliente") -> Receiver:
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
    rec.location = read_location(r, c, p, required_geo=op != 4)
    dt = documents.by_code(doc_type)
    if dt is not None and dt.needs_receiver_address and rec.location is None:
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


def _items(r: Reader, items, doc_type: int, currency: str) -> list[Item]:
    dt = documents.by_code(doc_type)
    values, iva = (dt.has_values, dt.has_iva) if dt is not None else (True, True)
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
        if values:
            item.price = r.dec(it, "precioUnitario", f"{p}.precioUnitario", required=True, default=Decimal(0))
            item.discount = r.dec(it, "descuento", f"{p}.descuento", default=Decimal(0))
            item.advance = r.dec(it, "anticipo", f"{p}.anticipo", default=Decimal(0))
            rate = r.dec(it, "cambio", f"{p}.cambio")
            item.exchange_rate = rate if rate else None
            if currency == "PYG" and item.price is not None and item.price != item.price.to_integral_value():
                r.e.add(f"{p}.precioUnitario", "En guaraníes el precio no lleva decimales")
            if item.discount and item.price and item.discount + item.advance > item.price:
                r.e.add(f"{p}.descuento", "El descuento supera el precio unitario")
        if iva:
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


def _payments(r: Reader, cond: dict | None, doc: Document, warnings: list[str] | None = None) -> None:
    warnings = [] if warnings is None else warnings
    if doc.document_type is None or not doc.document_type.has_payments:
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
                pr_ruc, pr_dv = _third_party_ruc(r, card, "ruc", f"{q}.ruc", warnings)
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
        if credit is not None:  # SIFEN never sees it (gPagCred is only for crédito): FacturaSend ignores it too
            warnings.append("Se ignora condicion.credito: la operación es al contado (condicion.tipo 1), "
                            "el documento no lleva datos de crédito")
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


def _third_party_ruc(r: Reader, obj: dict, key: str, path: str, warnings: list[str]) -> tuple[str, int | None]:
    """A third party's RUC (the card processor's): SIFEN does not check its DV (no validation of
    dDVProTar in MT v150 §12), so a wrong DV is kept as given, with a warning."""
    text = r.str(obj, key, path)
    if not text:
        return "", None
    base, dv = ruc_mod.split(text)
    problems = ruc_mod.validate(text, require_dv=False)
    if problems and dv is not None and dv >= 0 and not ruc_mod.validate(base, require_dv=False):
        warnings.append(f"{path}: {problems[0]}; SIFEN no valida ese dígito y se envía tal como vino")
        return base, dv
    if problems:
        r.e.add(path, problems[0])
        return "", None
    return base, dv


def _associated(r: Reader, value, doc_type: int) -> list[AssociatedDoc]:
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


def _transport(r: Reader, t: dict, doc_type: int) -> Transport:
    p = "transporte"
    dt = documents.by_code(doc_type)
    needed = dt is not None and dt.needs_transport
    tr = Transport(kind=r.int(t, "tipo", f"{p}.tipo", required=needed, choices={1, 2}),
                   mode=r.int(t, "modalidad", f"{p}.modalidad", required=True, choices={1, 2, 3, 4}, default=1),
                   freight_responsible=r.int(t, "tipoResponsable", f"{p}.tipoResponsable", required=True,
                                             choices={1, 2, 3, 4, 5}, default=1),
                   start=r.date(t, "inicioEstimadoTranslado", f"{p}.inicioEstimadoTranslado"),
                   end=r.date(t, "finEstimadoTranslado", f"{p}.finEstimadoTranslado"))
    for key in ("condicionNegociacion", "numeroManifiesto", "numeroDespachoImportacion", "paisDestino"):
        if t.get(key):
            r.e.add(f"{p}.{key}", "Campo no soportado todavía por Mostrador", "unsupported")
    for key, attr in (("salida", "departure"), ("entrega", "delivery")):
        o = r.obj(t, key, f"{p}.{key}", required=needed)
        if o is not None:
            loc = read_location(r, o, f"{p}.{key}")
            if loc is None:
                r.e.add(f"{p}.{key}.direccion", "Campo obligatorio", "required")
            setattr(tr, attr, loc)
    v = r.obj(t, "vehiculo", f"{p}.vehiculo", required=needed)
    if v is not None:
        q = f"{p}.vehiculo"
        veh = Vehicle(kind=r.str(v, "tipo", f"{q}.tipo", required=True, min_len=4, max_len=10),
                      brand=r.str(v, "marca", f"{q}.marca", required=True, max_len=10),
                      id_kind=r.int(v, "documentoTipo", f"{q}.documentoTipo", required=True, choices={1, 2}, default=1))
        veh.id_number = r.str(v, "documentoNumero", f"{q}.documentoNumero", required=veh.id_kind == 1, max_len=20)
        veh.plate = r.str(v, "numeroMatricula", f"{q}.numeroMatricula", required=veh.id_kind == 2, max_len=7)
        tr.vehicles.append(veh)
    c = r.obj(t, "transportista", f"{p}.transportista", required=needed)
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
    r = Reader(errors)
    if not isinstance(body, dict):
        errors.add("", "Se esperaba un objeto JSON")
        errors.raise_if_any()
    d = normalize(body)
    t = r.int(d, "tipoDocumento", "tipoDocumento", required=True, choices=set(documents.codes()), default=1)
    dt = documents.by_code(t)
    est = code3(r, d, "establecimiento", "establecimiento")
    point = code3(r, d, "punto", "punto")
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
                   tax_type=r.int(d, "tipoImpuesto", "tipoImpuesto", required=dt.commercial,
                                  choices=set(cat.TAX_TYPES), default=1),
                   info_fiscal=r.str(d, "descripcion", "descripcion", max_len=3000),
                   info_issuer=r.str(d, "observacion", "observacion", max_len=3000),
                   series=r.str(d, "serie", "serie"))
    if doc.series and not re.fullmatch(r"[A-Z]{2}", doc.series):
        errors.add("serie", "Dos letras mayúsculas (AA a ZZ)")
    if currency != "PYG" and dt.commercial:
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
    dt.read(r, d, doc)
    transporte = r.obj(d, "transporte", "transporte", required=dt.needs_transport)
    if transporte:
        doc.transport = _transport(r, transporte, t)
    warnings: list[str] = []
    _payments(r, r.obj(d, "condicion", "condicion"), doc, warnings)
    doc.associated = _associated(r, d.get("documentoAsociado"), t)
    if dt.needs_associated and not doc.associated:
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
                    cdc=requested_cdc, extras=d.get("extras"), warnings=warnings)


def _apply_change(doc: Document) -> None:
    """Payments above the total are change (vuelto): cash entries are reduced by the excess
    and the excess is recorded in gGrupSup/dVuelto, so gPaConEIni sums to the total."""
    if not doc.document_type.has_payments or doc.condition != 1 or not doc.payments:
        return
    paid = sum((p.amount for p in doc.payments if p.currency == doc.currency), Decimal(0))
    excess = paid - doc.total()
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
