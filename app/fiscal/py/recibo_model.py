"""FacturaSend's recibo body (seed 002 "Creación de recibo") checked field by field, with the
rules of FacturaSend's own validator (facturacionelectronicapy-recibo-xmlgen), every problem
named by its field in Spanish; the result is a plain, normalised `Recibo` (Decimal money).

Totals: with `documentoAsociado` the total is the sum of their `monto` (FacturaSend
recalculates it; a different `total` sent only earns a warning); without them `total` is
required and, when `condicion.entregas` are given in the recibo's currency, must equal their sum."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.errors import FieldError, ValidationError
from app.fiscal.py import catalog, geo
from app.fiscal.py import ruc as ruc_mod

DOC_TYPE = 55  # iTiDE of FacturaSend's recibo
RESPONSIBLE_ID_TYPES = {**catalog.PERSON_ID_TYPES, 9: "Otro"}  # iTipIDRespDE
CARD_OTHER = 99
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Recibo:
    fecha: datetime
    establishment: str
    point: str
    client_number: int | None
    currency: str
    exchange_condition: int | None
    exchange_rate: Decimal | None
    concept: str
    total: Decimal
    client: dict
    user: dict | None
    condition: dict | None  # {'tipo', 'entregas': [...], 'credito': {...}|None}
    associated: list[dict]
    observation: str
    description: str
    series: str
    warnings: list[str] = field(default_factory=list)


class _Check:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(path, message, code))

    def integer(self, obj: dict, key: str, path: str, *, required: bool = True, low: int = 1,
                high: int = 9_999_999) -> int | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.add(path, "Es obligatorio", "required")
            return None
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
            self.add(path, "Debe ser un número entero", "type")
            return None
        n = int(value)
        if not low <= n <= high:
            self.add(path, f"Debe estar entre {low} y {high}", "range")
            return None
        return n

    def code(self, obj: dict, key: str, path: str, table: dict, *, required: bool = True) -> Any:
        value = obj.get(key)
        if value is None:
            if required:
                self.add(path, "Es obligatorio", "required")
            return None
        if isinstance(value, bool) or value not in table:
            values = ", ".join(f"{k}-{v}" for k, v in table.items())
            self.add(path, f"Valor '{value}' no válido. Valores: {values}", "catalog")
            return None
        return value

    def text(self, obj: dict, key: str, path: str, *, required: bool = True, low: int = 1, high: int = 2000) -> str:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(path, "No puede estar vacío", "required")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(path, "Debe ser un texto", "type")
            return ""
        value = value.strip()
        if not low <= len(value) <= high:
            self.add(path, f"Debe tener de {low} a {high} caracteres", "length")
            return ""
        return value

    def amount(self, obj: dict, key: str, path: str, currency: str, *, required: bool = True,
               positive: bool = True) -> Decimal | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.add(path, "Es obligatorio", "required")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.add(path, "Debe ser un número", "type")
            return None
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            self.add(path, "Debe ser un número", "type")
            return None
        if not d.is_finite():
            self.add(path, "Debe ser un número", "type")
            return None
        if d < 0 or (positive and d == 0):
            self.add(path, "Debe ser mayor que cero" if positive else "No puede ser negativo", "range")
            return None
        places = 0 if currency == "PYG" else 2
        if d != d.quantize(Decimal(1).scaleb(-places)):
            self.add(path, "En guaraníes no lleva decimales" if places == 0 else "Admite hasta 2 decimales", "decimals")
            return None
        return d.quantize(Decimal(1).scaleb(-places))

    def obj(self, value: Any, path: str, *, required: bool = True) -> dict | None:
        if value is None:
            if required:
                self.add(path, "Es obligatorio", "required")
            return None
        if not isinstance(value, dict):
            self.add(path, "Debe ser un objeto JSON", "type")
            return None
        return value


def parse(body: Any, company, *, now_local: datetime) -> Recibo:
    """The body as a `Recibo`, or ValidationError listing every problem (field-named)."""
    if not isinstance(body, dict):
        raise ValidationError("Se esperaba un objeto JSON con un recibo", field="body")
    c = _Check()
    fecha = _fecha(c, body, now_local)
    est = c.integer(body, "establecimiento", "establecimiento", high=999)
    establishment = f"{est:03d}" if est is not None else ""
    if est is not None and establishment not in {e.code for e in company.establishments}:
        known = ", ".join(e.code for e in company.establishments)
        c.add("establecimiento", f"Establecimiento '{establishment}' no existe en la empresa. Valores: {known}", "catalog")
    pt = c.integer(body, "punto", "punto", high=999)
    client_number = c.integer(body, "numero", "numero", required=False)
    currency = body.get("moneda") or "PYG"
    if currency not in catalog.currencies():
        c.add("moneda", f"Moneda '{currency}' no válida (código ISO 4217, p. ej. PYG, USD)", "catalog")
        currency = "PYG"
    exchange_condition, rate = None, None
    if currency != "PYG":
        exchange_condition = c.code(body, "condicionTipoCambio", "condicionTipoCambio", {1: "Global", 2: "Por ítem"})
        if exchange_condition == 1:
            rate = c.amount(body, "cambio", "cambio", "USD")
    associated = _associated(c, body.get("documentoAsociado"), currency)
    concept = c.text(body, "concepto", "concepto", required=not associated, high=5000)
    total = _total(c, body, associated, currency)
    client = _client(c, body.get("cliente"))
    user = _user(c, body.get("usuario"))
    condition = _condition(c, body.get("condicion"))
    warnings: list[str] = []
    if total is not None and condition and not associated:
        same = [e["monto"] for e in condition["entregas"] if e["moneda"] == currency and e["monto"] is not None]
        if same and len(same) == len(condition["entregas"]) and sum(same) != total:
            c.add("total", f"El total {total} no coincide con la suma de condicion.entregas ({sum(same)})", "totals")
    if associated and body.get("total") not in (None, "") and total is not None:
        sent = c.amount(body, "total", "total", currency, required=False)
        if sent is not None and sent != total:
            warnings.append(f"total: se recalculó como la suma de documentoAsociado[].monto ({total}); se envió {sent}")
    if c.errors:
        raise ValidationError(c.errors)
    return Recibo(fecha=fecha, establishment=establishment, point=f"{pt:03d}", client_number=client_number,
                  currency=currency, exchange_condition=exchange_condition, exchange_rate=rate, concept=concept,
                  total=total, client=client, user=user, condition=condition, associated=associated,
                  observation=c.text(body, "observacion", "observacion", required=False, high=3000),
                  description=c.text(body, "descripcion", "descripcion", required=False, high=3000),
                  series=c.text(body, "numeroSerie", "numeroSerie", required=False, high=2), warnings=warnings)


def _fecha(c: _Check, body: dict, now_local: datetime) -> datetime | None:
    value = body.get("fecha")
    if value in (None, ""):
        c.add("fecha", "Es obligatorio (formato yyyy-MM-ddTHH:mm:ss)", "required")
        return None
    if not isinstance(value, str) or not _DATETIME.fullmatch(value.strip()[:19]) or len(value.strip()) > 19:
        c.add("fecha", f"Valor '{value}' no válido. Formato: yyyy-MM-ddTHH:mm:ss", "format")
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        c.add("fecha", f"La fecha '{value}' no existe", "format")
        return None
    if moment > now_local + timedelta(days=1):
        c.add("fecha", "La fecha del recibo no puede ser posterior a mañana", "range")
        return None
    return moment


def _associated(c: _Check, value: Any, currency: str) -> list[dict]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        p = f"documentoAsociado[{i}]"
        if not isinstance(item, dict):
            c.add(p, "Debe ser un objeto JSON", "type")
            continue
        fmt = c.code(item, "formato", f"{p}.formato", catalog.ASSOCIATED_DOC_TYPES)
        doc = {"formato": fmt, "monto": c.amount(item, "monto", f"{p}.monto", currency)}
        for key in ("montoRetencionIva", "montoRetencionRenta", "montoRetencionLey2051"):
            doc[key] = c.amount(item, key, f"{p}.{key}", currency, required=False, positive=False) or Decimal(0)
        if fmt == 1 and item.get("cdc") not in (None, ""):
            cdc = item.get("cdc")
            if not (isinstance(cdc, str) and len(cdc) == 44 and cdc.isdigit()):
                c.add(f"{p}.cdc", "El CDC asociado debe tener 44 dígitos", "format")
            doc["cdc"] = cdc
        if fmt == 2:
            doc["tipoDocumentoImpreso"] = c.code(item, "tipoDocumentoImpreso", f"{p}.tipoDocumentoImpreso",
                                                 catalog.PRINTED_DOC_TYPES)
            timbrado = c.text(item, "timbrado", f"{p}.timbrado")
            if timbrado and not (len(timbrado) == 8 and timbrado.isdigit()):
                c.add(f"{p}.timbrado", "El timbrado asociado debe tener 8 dígitos", "format")
            doc["timbrado"] = timbrado
            n_est = c.integer(item, "establecimiento", f"{p}.establecimiento", high=999)
            n_pt = c.integer(item, "punto", f"{p}.punto", high=999)
            n_num = c.integer(item, "numero", f"{p}.numero")
            doc["establecimiento"] = f"{n_est or 0:03d}"
            doc["punto"] = f"{n_pt or 0:03d}"
            doc["numero"] = f"{n_num or 0:07d}"
            fecha = item.get("fecha")
            if fecha in (None, ""):
                c.add(f"{p}.fecha", "Es obligatorio (formato yyyy-MM-dd)", "required")
            elif not (isinstance(fecha, str) and _DATE.fullmatch(fecha)):
                c.add(f"{p}.fecha", "La fecha del asociado debe tener 10 caracteres (yyyy-MM-dd)", "format")
            doc["fecha"] = fecha
            serie = item.get("serie")
            doc["serie"] = serie if isinstance(serie, str) and serie else ""
        out.append(doc)
    return out


def _total(c: _Check, body: dict, associated: list[dict], currency: str) -> Decimal | None:
    if associated:
        amounts = [d["monto"] for d in associated]
        return None if any(a is None for a in amounts) else sum(amounts, Decimal(0))
    return c.amount(body, "total", "total", currency)


def _client(c: _Check, value: Any) -> dict:
    obj = c.obj(value, "cliente")
    if obj is None:
        return {}
    out: dict[str, Any] = {}
    contribuyente = obj.get("contribuyente")
    if not isinstance(contribuyente, bool):
        c.add("cliente.contribuyente", "Debe ser true o false", "type")
    out["contribuyente"] = contribuyente is True
    if contribuyente is True:
        ruc = obj.get("ruc")
        problems = ruc_mod.validate(ruc) if isinstance(ruc, str) and ruc.strip() else ["Es obligatorio (formato 80012345-6)"]
        for msg in problems:
            c.add("cliente.ruc", msg, "format")
        out["ruc"] = ruc_mod.split(ruc) if not problems else ("", 0)
        out["tipoContribuyente"] = c.code(obj, "tipoContribuyente", "cliente.tipoContribuyente",
                                          {1: "Persona física", 2: "Persona jurídica"})
    elif contribuyente is False:
        out["documentoTipo"] = c.code(obj, "documentoTipo", "cliente.documentoTipo", catalog.RECEIVER_ID_TYPES)
        number = c.text(obj, "documentoNumero", "cliente.documentoNumero", required=out["documentoTipo"] != 5, high=20)
        out["documentoNumero"] = "0" if out["documentoTipo"] == 5 else number
    out["razonSocial"] = c.text(obj, "razonSocial", "cliente.razonSocial", low=4, high=255)
    out["nombreFantasia"] = c.text(obj, "nombreFantasia", "cliente.nombreFantasia", required=False, high=255)
    country = obj.get("pais")
    if country not in catalog.countries():
        c.add("cliente.pais", f"País '{country}' no válido (código de 3 letras, p. ej. PRY)", "catalog")
    out["pais"] = country
    out["direccion"] = c.text(obj, "direccion", "cliente.direccion", required=False, high=255)
    if out["direccion"]:
        house = obj.get("numeroCasa")
        if house in (None, "") or not str(house).strip().isdigit():
            c.add("cliente.numeroCasa", "Con dirección, el número de casa es obligatorio y numérico", "format")
        out["numeroCasa"] = str(house or "").strip()
        city = c.integer(obj, "ciudad", "cliente.ciudad", high=99_999)
        if city is not None and not geo.city_name(city):
            c.add("cliente.ciudad", f"Ciudad '{city}' no encontrada (vea /ciudades)", "catalog")
            city = None
        dep = c.integer(obj, "departamento", "cliente.departamento", required=False, high=99)
        dis = c.integer(obj, "distrito", "cliente.distrito", required=False, high=99_999)
        if city is not None and not geo.consistent(dep, dis, city):
            c.add("cliente.ciudad", "La ciudad no pertenece al distrito o departamento indicados", "catalog")
        out["ciudad"] = city
    for key, low, high in (("telefono", 6, 15), ("celular", 10, 20)):
        out[key] = c.text(obj, key, f"cliente.{key}", required=False, low=low, high=high)
    email = c.text(obj, "email", "cliente.email", required=False, high=400)
    email = email.split(",")[0].strip()
    if email and (" " in email or not 3 <= len(email) <= 80):
        c.add("cliente.email", "Debe tener de 3 a 80 caracteres y no llevar espacios", "format")
    out["email"] = email
    out["codigo"] = c.text(obj, "codigo", "cliente.codigo", required=False, low=3, high=15)
    return out


def _user(c: _Check, value: Any) -> dict | None:
    obj = c.obj(value, "usuario", required=False)
    if obj is None:
        return None
    return {"documentoTipo": c.code(obj, "documentoTipo", "usuario.documentoTipo", RESPONSIBLE_ID_TYPES),
            "documentoNumero": c.text(obj, "documentoNumero", "usuario.documentoNumero", high=20),
            "nombre": c.text(obj, "nombre", "usuario.nombre", high=255),
            "cargo": c.text(obj, "cargo", "usuario.cargo", high=100)}


def _condition(c: _Check, value: Any) -> dict | None:
    obj = c.obj(value, "condicion", required=False)
    if obj is None:
        return None
    tipo = c.code(obj, "tipo", "condicion.tipo", catalog.CONDITIONS)
    raw = obj.get("entregas")
    if raw is not None and not isinstance(raw, list):
        c.add("condicion.entregas", "Debe ser un arreglo", "type")
        raw = []
    raw = raw or []
    if tipo == 1 and not raw:
        c.add("condicion.entregas", "La condición es 1 (contado) pero no hay entregas", "required")
    entregas = []
    for i, e in enumerate(raw):
        p = f"condicion.entregas[{i}]"
        if not isinstance(e, dict):
            c.add(p, "Debe ser un objeto JSON", "type")
            continue
        pay = c.code(e, "tipo", f"{p}.tipo", catalog.PAYMENT_TYPES)
        money = e.get("moneda")
        if money in (None, ""):
            c.add(f"{p}.moneda", "Es obligatorio", "required")
        elif money not in catalog.currencies():
            c.add(f"{p}.moneda", f"Moneda '{money}' no válida", "catalog")
        money = money if money in catalog.currencies() else "PYG"
        item = {"tipo": pay, "moneda": money, "monto": c.amount(e, "monto", f"{p}.monto", money),
                "cambio": c.amount(e, "cambio", f"{p}.cambio", "USD", required=False, positive=False)}
        if pay in (3, 4):
            card = c.obj(e.get("infoTarjeta"), f"{p}.infoTarjeta")
            if card is not None:
                brands = {**catalog.CARD_BRANDS, CARD_OTHER: "Otro"}
                brand = c.code(card, "tipo", f"{p}.infoTarjeta.tipo", brands)
                item["tarjeta"] = {
                    "tipo": brand,
                    "descripcion": (c.text(card, "tipoDescripcion", f"{p}.infoTarjeta.tipoDescripcion", high=20)
                                    if brand == CARD_OTHER else brands.get(brand, "")),
                    "medioPago": c.code(card, "medioPago", f"{p}.infoTarjeta.medioPago", catalog.CARD_PROCESSING),
                    "codigoAutorizacion": c.text(card, "codigoAutorizacion", f"{p}.infoTarjeta.codigoAutorizacion",
                                                 required=False, low=6, high=10),
                    "titular": c.text(card, "titular", f"{p}.infoTarjeta.titular", required=False, high=30),
                    "numero": c.text(card, "numero", f"{p}.infoTarjeta.numero", required=False, low=4, high=4)}
        if pay == 2:
            cheque = c.obj(e.get("infoCheque"), f"{p}.infoCheque")
            if cheque is not None:
                item["cheque"] = {"numero": c.text(cheque, "numeroCheque", f"{p}.infoCheque.numeroCheque", high=8),
                                  "banco": c.text(cheque, "banco", f"{p}.infoCheque.banco", high=20)}
        entregas.append(item)
    credit = None
    if tipo == 2:
        cred = c.obj(obj.get("credito"), "condicion.credito")
        if cred is not None:
            kind = c.code(cred, "tipo", "condicion.credito.tipo", catalog.CREDIT_CONDITIONS)
            credit = {"tipo": kind}
            if kind == 1:
                credit["plazo"] = c.text(cred, "plazo", "condicion.credito.plazo", high=15)
            if kind == 2:
                credit["cuotas"] = c.integer(cred, "cuotas", "condicion.credito.cuotas", high=999)
    return {"tipo": tipo, "entregas": entregas, "credito": credit}
