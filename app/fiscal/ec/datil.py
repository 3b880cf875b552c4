"""Dátil-style JSON (seed 001) -> validated SRI document model (a Draft).

Every problem is collected (never just the first) with the field path as Dátil names it,
0-based list indices: ``items[0].cantidad``, ``totales.importe_total``,
``comprador.identificacion``. Messages are Spanish.

Policy decisions (documented here because the seed does not say):
- Amounts are computed from the inputs (cantidad, precio_unitario, descuento, tax codes,
  propina) with the rule in totals.py. Derived amounts the body declares
  (precio_total_sin_impuestos, item tax base/valor, totales.*) are checked against ours:
  a difference above 0.01 (per line contributing to the figure) refuses the document,
  a smaller one is accepted with a warning and our figure is emitted.
- The body's ``secuencial`` and ``clave_acceso`` are ignored (our local counter numbers the
  document), with a warning.
- ``fecha_emision``: a future date (America/Guayaquil) is refused; a past date is accepted
  with a warning up to 90 days back (the SRI's error-65 tolerance, 129600 minutes) and
  refused beyond.
- ``tipo_emision`` 2 (contingencia) is refused; ``ambiente`` and ``emisor.ruc`` must match the
  company; the establishment and point must exist in the company.
- Only USD (moneda "DOLAR" in the XML): Ecuador is dollarized.
- Compensación solidaria (Manabí/Esmeraldas 2016-2017) and ``descuento_adicional`` are not
  supported and are refused when non-zero.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.core.company import Company
from app.core.errors import ErrorCollector
from app.core.money import decimals_of, round_half_up, to_decimal
from app.fiscal.base import Draft, SeriesKey
from app.fiscal.ec import catalog, identity, model, text, totals

GUAYAQUIL = ZoneInfo("America/Guayaquil")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PAST_LIMIT_DAYS = 90
_DOC_NUMBER = re.compile(r"^\d{3}-\d{3}-\d{9}$")
_MISSING = object()


class _Reader:
    """Typed getters that record an error and return None instead of raising."""

    def __init__(self):
        self.ec = ErrorCollector()
        self.warnings: list[str] = []

    def err(self, path: str, msg: str, code: str = "invalid") -> None:
        self.ec.add(path, msg, code)

    def _get(self, obj, key, path, required):
        if not isinstance(obj, dict):
            return _MISSING
        v = obj.get(key, _MISSING)
        if v is None or (isinstance(v, str) and not v.strip()):
            v = _MISSING
        if v is _MISSING and required:
            self.err(path, "es obligatorio", "required")
        return v

    def text(self, obj, key, path, max_len=300, required=True, min_len=1, default="") -> str:
        v = self._get(obj, key, path, required)
        if v is _MISSING:
            return default
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            self.err(path, "se esperaba un texto", "type")
            return default
        try:
            s = text.clean(str(v))
        except ValueError as exc:
            self.err(path, str(exc), "control_character")
            return default
        if len(s) > max_len:
            self.err(path, f"tiene {len(s)} caracteres; el máximo es {max_len}", "too_long")
            return default
        if len(s) < min_len:
            if required:
                self.err(path, f"debe tener al menos {min_len} caracteres", "too_short")
            return default
        return s

    def number(self, obj, key, path, places=2, required=True, positive=False, default=None):
        v = self._get(obj, key, path, required)
        if v is _MISSING:
            return default
        if isinstance(v, bool) or not isinstance(v, (int, float, str, Decimal)):
            self.err(path, "se esperaba un número", "type")
            return default
        try:
            d = to_decimal(v, field=path)
        except ValueError:
            self.err(path, f"'{v}' no es un número", "type")
            return default
        bad = False
        if d < 0:
            self.err(path, f"no puede ser negativo ({d})", "negative")
            bad = True
        elif positive and d == 0:
            self.err(path, "debe ser mayor que cero", "zero")
            bad = True
        if decimals_of(d) > places:
            self.err(path, f"tiene {decimals_of(d)} decimales; el máximo es {places}", "decimals")
            bad = True
        if abs(d) >= Decimal(10) ** 12:
            self.err(path, "es demasiado grande", "too_large")
            bad = True
        return default if bad else d

    def obj(self, body, key, path, required=True) -> dict | None:
        v = self._get(body, key, path, required)
        if v is _MISSING:
            return None
        if not isinstance(v, dict):
            self.err(path, "se esperaba un objeto", "type")
            return None
        return v

    def items(self, body, key, path, required=True) -> list:
        v = self._get(body, key, path, required)
        if v is _MISSING:
            return []
        if not isinstance(v, list):
            self.err(path, "se esperaba una lista", "type")
            return []
        if not v and required:
            self.err(path, "debe tener al menos un elemento", "required")
        return v

    def code(self, obj, key, path, width: int, required=True, default="") -> str:
        """Numeric catalog code, accepted as string or integer, zero-padded to `width`."""
        v = self._get(obj, key, path, required)
        if v is _MISSING:
            return default
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            self.err(path, "se esperaba un código", "type")
            return default
        s = str(v).strip()
        if not s.isdigit() or len(s) > width:
            self.err(path, f"código inválido '{s}'", "invalid")
            return default
        return s.zfill(width)

    def instant(self, obj, key, path, required=True):
        """ISO 8601 date or date-time (or dd/mm/aaaa) -> aware datetime in Guayaquil, or a date."""
        v = self._get(obj, key, path, required)
        if v is _MISSING:
            return None
        if not isinstance(v, str):
            self.err(path, "se esperaba una fecha en formato ISO 8601 (AAAA-MM-DD)", "type")
            return None
        s = v.strip()
        try:
            if re.fullmatch(r"\d{2}/\d{2}/\d{4}", s):
                return datetime.strptime(s, "%d/%m/%Y").date()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
                return date.fromisoformat(s)
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            self.err(path, f"'{s}' no es una fecha válida (formato ISO 8601)", "date")
            return None
        if dt.tzinfo is None:
            return dt.replace(tzinfo=GUAYAQUIL)
        return dt.astimezone(GUAYAQUIL)

    def day(self, obj, key, path, required=True) -> date | None:
        v = self.instant(obj, key, path, required)
        if isinstance(v, datetime):
            return v.date()
        return v

    def compare(self, path: str, declared, computed: Decimal, lines: int = 1) -> None:
        """Declared derived amount vs ours: refuse above the tolerance, warn below it."""
        if declared is None:
            return
        diff = declared - computed
        if diff == 0:
            return
        if abs(diff) > CENT * max(lines, 1):
            self.err(path, f"el valor {declared:.2f} no coincide con el calculado {computed:.2f} "
                           f"(diferencia {diff:+.2f})", "mismatch")
        else:
            self.warnings.append(f"{path}: se usa {computed:.2f} en lugar de {declared:.2f} "
                                 f"(diferencia de redondeo {diff:+.2f})")


# --------------------------------------------------------------------- common parts
def _header(r: _Reader, body: dict, kind: str, company: Company, now: datetime):
    cod_doc = catalog.DOC_CODES[kind]
    if body.get("tipo_emision") not in (None, ""):
        te = str(body.get("tipo_emision")).strip()
        if te == "2":
            r.err("tipo_emision", "La emisión en contingencia (tipo_emision 2) ya no es admitida por "
                                  "el SRI en el esquema offline", "contingency")
        elif te != "1":
            r.err("tipo_emision", f"valor inválido '{te}'; el único admitido es 1 (emisión normal)")
    if body.get("ambiente") not in (None, ""):
        amb = str(body.get("ambiente")).strip()
        if amb not in ("1", "2"):
            r.err("ambiente", f"valor inválido '{amb}' (1 pruebas, 2 producción)")
        elif amb != company.ambiente:
            names = {"1": "pruebas", "2": "producción"}
            r.err("ambiente", f"el documento pide el ambiente {amb} ({names[amb]}) pero la empresa está "
                              f"configurada en {company.ambiente} ({names[company.ambiente]})", "ambiente")
    for key in ("secuencial", "clave_acceso"):
        if body.get(key) not in (None, ""):
            r.warnings.append(f"{key}: se ignora el valor recibido ({body.get(key)}); el comprobante se "
                              "numera con el contador local del punto de emisión")
    if body.get("version") not in (None, "") and str(body["version"]) != catalog.VERSIONS[cod_doc]:
        r.warnings.append(f"version: se emite la versión {catalog.VERSIONS[cod_doc]} del esquema "
                          f"(se pidió {body['version']})")
    emisor = r.obj(body, "emisor", "emisor", required=False) or {}
    ruc = str(emisor.get("ruc") or "").strip()
    if ruc and ruc != company.ruc:
        r.err("emisor.ruc", f"el RUC {ruc} no es el de la empresa configurada ({company.ruc})", "issuer")
    est = emisor.get("establecimiento") if isinstance(emisor.get("establecimiento"), dict) else {}
    if emisor.get("establecimiento") is not None and not isinstance(emisor.get("establecimiento"), dict):
        r.err("emisor.establecimiento", "se esperaba un objeto", "type")
    estab = r.code(est, "codigo", "emisor.establecimiento.codigo", 3, required=False)
    pto = r.code(est, "punto_emision", "emisor.establecimiento.punto_emision", 3, required=False)
    if not estab:
        if len(company.establishments) == 1:
            estab = company.establishments[0].code
        else:
            r.err("emisor.establecimiento.codigo", "es obligatorio (la empresa tiene varios establecimientos)",
                  "required")
    establishment = None
    if estab:
        try:
            establishment = company.establishment(estab)
        except KeyError:
            r.err("emisor.establecimiento.codigo", f"el establecimiento {estab} no existe en la empresa "
                  f"(configurados: {', '.join(e.code for e in company.establishments) or 'ninguno'})",
                  "establishment")
    if establishment is not None:
        points = [p.code for p in establishment.points]
        if not pto:
            if len(points) == 1:
                pto = points[0]
            else:
                r.err("emisor.establecimiento.punto_emision", "es obligatorio", "required")
        elif pto not in points:
            r.err("emisor.establecimiento.punto_emision", f"el punto de emisión {pto} no existe en el "
                  f"establecimiento {estab} (configurados: {', '.join(points)})", "point")
    # Issue date.
    today = now.astimezone(GUAYAQUIL).date()
    issued_at = now.astimezone(GUAYAQUIL)
    when = r.instant(body, "fecha_emision", "fecha_emision", required=False)
    if when is not None:
        d = when.date() if isinstance(when, datetime) else when
        if d > today:
            r.err("fecha_emision", f"la fecha {d:%d/%m/%Y} es futura (hoy es {today:%d/%m/%Y} en Ecuador)",
                  "future")
        elif d < today - timedelta(days=PAST_LIMIT_DAYS):
            r.err("fecha_emision", f"la fecha {d:%d/%m/%Y} tiene más de {PAST_LIMIT_DAYS} días; el SRI la "
                                   "rechaza por extemporánea (error 65)", "too_old")
        elif d < today:
            r.warnings.append(f"fecha_emision: el comprobante se emite con fecha pasada {d:%d/%m/%Y}; "
                              "transmítalo de inmediato")
            issued_at = when if isinstance(when, datetime) else datetime(d.year, d.month, d.day, 12,
                                                                         tzinfo=GUAYAQUIL)
    moneda = body.get("moneda")
    if moneda not in (None, "") and str(moneda).strip().upper() not in ("USD", "DOLAR"):
        r.err("moneda", f"moneda '{moneda}' no admitida; en Ecuador los comprobantes se emiten en USD")
    additional = _additional(r, body)
    header = dict(kind=kind, cod_doc=cod_doc, version=catalog.VERSIONS[cod_doc], issued=issued_at.date(),
                  estab=estab, pto_emi=pto, additional=additional)
    return header, issued_at


def _additional(r: _Reader, body: dict) -> list[tuple[str, str]]:
    v = body.get("informacion_adicional")
    out: list[tuple[str, str]] = []
    if v in (None, "", [], {}):
        return out
    pairs = []
    if isinstance(v, dict):
        pairs = [(f"informacion_adicional.{k}", k, val) for k, val in v.items()]
    elif isinstance(v, list):
        for i, it in enumerate(v):
            if isinstance(it, dict):
                pairs.append((f"informacion_adicional[{i}]", it.get("nombre"), it.get("valor")))
            else:
                r.err(f"informacion_adicional[{i}]", "se esperaba un objeto {nombre, valor}", "type")
    else:
        r.err("informacion_adicional", "se esperaba un objeto", "type")
        return out
    for path, name, val in pairs:
        n = r.text({"n": name}, "n", path + " (nombre)")
        value = r.text({"v": val if not isinstance(val, (float, Decimal)) else str(val)}, "v", path)
        if n and value:
            out.append((n, value))
    return out


def _party(r: _Reader, obj: dict | None, path: str, *, allow_final: bool, who: str) -> model.Party | None:
    if obj is None:
        return None
    id_type = r.code(obj, "tipo_identificacion", f"{path}.tipo_identificacion", 2)
    final = id_type == catalog.ID_CONSUMIDOR_FINAL
    ident = r.text(obj, "identificacion", f"{path}.identificacion", max_len=20, required=not final)
    if final and not ident:
        ident = catalog.CONSUMIDOR_FINAL_ID
    name = r.text(obj, "razon_social", f"{path}.razon_social", required=id_type != catalog.ID_CONSUMIDOR_FINAL)
    address = r.text(obj, "direccion", f"{path}.direccion", required=False)
    email = r.text(obj, "email", f"{path}.email", required=False)
    phone = r.text(obj, "telefono", f"{path}.telefono", required=False)
    if id_type:
        if id_type not in catalog.ID_TYPES:
            r.err(f"{path}.tipo_identificacion", f"tipo de identificación '{id_type}' no admitido por el SRI "
                  f"(válidos: 04 RUC, 05 cédula, 06 pasaporte, 07 consumidor final, 08 exterior)")
        elif id_type == catalog.ID_CONSUMIDOR_FINAL and not allow_final:
            r.err(f"{path}.tipo_identificacion", f"{who} debe identificarse: no se admite consumidor final "
                                                 "en este comprobante", "final_consumer")
        elif ident:
            chk = identity.check_identification(id_type, ident)
            for e in chk.errors:
                r.err(f"{path}.identificacion", e, "identification")
            r.warnings.extend(f"{path}.identificacion: {w}" for w in chk.warnings)
    if id_type == catalog.ID_CONSUMIDOR_FINAL and not name:
        name = catalog.CONSUMIDOR_FINAL_NAME
    return model.Party(id_type=id_type, id=ident, name=name, address=address, email=email, phone=phone)


def _contact_fields(party: model.Party | None, additional: list[tuple[str, str]]) -> None:
    """Buyer e-mail/phone conventionally travel in infoAdicional (the XSD has no field)."""
    if party is None:
        return
    names = {n.lower() for n, _ in additional}
    if party.email and not names & {"email", "correo", "e-mail", "correo electrónico"}:
        additional.append(("Email", party.email))
    if party.phone and not names & {"teléfono", "telefono"}:
        additional.append(("Teléfono", party.phone))


def _details(r: _Reader, obj: dict, path: str) -> list[tuple[str, str]]:
    v = obj.get("detalles_adicionales")
    if v in (None, {}, []):
        return []
    if not isinstance(v, dict):
        r.err(path, "se esperaba un objeto", "type")
        return []
    if len(v) > 3:
        r.err(path, f"tiene {len(v)} detalles; el SRI admite como máximo 3", "too_many")
        return []
    out = []
    for k, val in v.items():
        n = r.text({"n": k}, "n", f"{path}.{k} (nombre)")
        value = r.text({"v": val if not isinstance(val, (float, Decimal)) else str(val)}, "v", f"{path}.{k}")
        if n and value:
            out.append((n, value))
    return out


def _line_taxes(r: _Reader, it: dict, path: str, qty: Decimal, subtotal: Decimal, *,
                iva_only: bool) -> list[model.Tax]:
    mark = len(r.ec.errors)
    raw = r.items(it, "impuestos", f"{path}.impuestos")
    ice_total = ZERO
    parsed = []
    for j, t in enumerate(raw):
        tp = f"{path}.impuestos[{j}]"
        if not isinstance(t, dict):
            r.err(tp, "se esperaba un objeto", "type")
            continue
        codigo = r.code(t, "codigo", f"{tp}.codigo", 1)
        cp = r.code(t, "codigo_porcentaje", f"{tp}.codigo_porcentaje", 4)
        cp = cp.lstrip("0") or "0" if cp else cp
        if not codigo or not cp:
            continue
        if iva_only and codigo != catalog.IVA:
            r.err(f"{tp}.codigo", "la liquidación de compra solo admite IVA (código 2)", "tax_code")
            continue
        if codigo == catalog.ICE:
            if not catalog.is_ice_code(cp):
                r.err(f"{tp}.codigo_porcentaje", f"código de ICE desconocido '{cp}' (Tabla 18: 4 dígitos 3xxx)",
                      "tax_code")
                continue
            tarifa = r.number(t, "tarifa", f"{tp}.tarifa")
            valor = r.number(t, "valor", f"{tp}.valor")
            if tarifa is None or valor is None:
                continue
            ice_total += valor
            parsed.append(("ice", tp, t, model.Tax(codigo, cp, tarifa, subtotal, valor)))
        elif codigo == catalog.IVA:
            if cp not in catalog.IVA_RATES:
                r.err(f"{tp}.codigo_porcentaje", f"código de IVA desconocido '{cp}' (válidos: "
                      f"{', '.join(f'{k} = {v}' for k, v in catalog.IVA_LABELS.items())})", "tax_code")
                continue
            if cp in catalog.IVA_HISTORICAL:
                r.warnings.append(f"{tp}.codigo_porcentaje: el código {cp} ({catalog.IVA_LABELS[cp]}) ya no es "
                                  "la tarifa general vigente (15 %, código 4)")
            parsed.append(("iva", tp, t, cp))
        elif codigo == catalog.IRBPNR:
            if cp not in catalog.IRBPNR_PER_UNIT:
                r.err(f"{tp}.codigo_porcentaje", f"código de IRBPNR desconocido '{cp}' (válido: 5001)", "tax_code")
                continue
            per_unit = catalog.IRBPNR_PER_UNIT[cp]
            parsed.append(("irb", tp, t, model.Tax(codigo, cp, per_unit, subtotal,
                                                    round_half_up(qty * per_unit, 2))))
        else:
            r.err(f"{tp}.codigo", f"código de impuesto desconocido '{codigo}' (2 IVA, 3 ICE, 5 IRBPNR)", "tax_code")
    out: list[model.Tax] = []
    ivas = [p for p in parsed if p[0] == "iva"]
    if raw and not ivas and len(r.ec.errors) == mark:
        r.err(f"{path}.impuestos", "cada ítem debe llevar su IVA (aunque sea 0 %, no objeto o exento)", "tax_missing")
    if len(ivas) > 1:
        r.err(f"{path}.impuestos", "un ítem no puede llevar más de un IVA", "tax_duplicate")
    for kind, tp, t, val in parsed:
        if kind == "iva":
            rate = catalog.IVA_RATES[val]
            declared_rate = r.number(t, "tarifa", f"{tp}.tarifa", required=False)
            if declared_rate is not None and declared_rate != rate:
                r.err(f"{tp}.tarifa", f"la tarifa {declared_rate} no corresponde al código {val} ({rate} %)",
                      "rate")
            base = subtotal + ice_total  # ICE is part of the IVA base
            tax = model.Tax(catalog.IVA, val, rate, base, totals.tax_value(base, rate))
        else:
            tax = val
        r.compare(f"{tp}.base_imponible", r.number(t, "base_imponible", f"{tp}.base_imponible", required=False),
                  tax.base)
        if kind != "ice":
            r.compare(f"{tp}.valor", r.number(t, "valor", f"{tp}.valor", required=False), tax.valor)
        out.append(tax)
    return out


def _lines(r: _Reader, body: dict, *, iva_only=False, unit=True) -> list[model.Line]:
    lines = []
    for i, it in enumerate(r.items(body, "items", "items")):
        p = f"items[{i}]"
        if not isinstance(it, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        desc = r.text(it, "descripcion", f"{p}.descripcion")
        main = r.text(it, "codigo_principal", f"{p}.codigo_principal", max_len=25, required=False)
        aux = r.text(it, "codigo_auxiliar", f"{p}.codigo_auxiliar", max_len=25, required=False)
        um = r.text(it, "unidad_medida", f"{p}.unidad_medida", max_len=50, required=False) if unit else ""
        qty = r.number(it, "cantidad", f"{p}.cantidad", places=6, positive=True)
        price = r.number(it, "precio_unitario", f"{p}.precio_unitario", places=6)
        disc = r.number(it, "descuento", f"{p}.descuento", required=False, default=ZERO)
        details = _details(r, it, f"{p}.detalles_adicionales")
        if qty is None or price is None or disc is None:
            r.items(it, "impuestos", f"{p}.impuestos")  # still report a missing tax list
            continue
        gross = qty * price
        if disc > gross:
            r.err(f"{p}.descuento", f"el descuento {disc:.2f} supera el valor del ítem {gross:.2f}", "discount")
            continue
        subtotal = totals.line_subtotal(qty, price, disc)
        r.compare(f"{p}.precio_total_sin_impuestos",
                  r.number(it, "precio_total_sin_impuestos", f"{p}.precio_total_sin_impuestos",
                           required=False), subtotal)
        taxes = _line_taxes(r, it, p, qty, subtotal, iva_only=iva_only)
        lines.append(model.Line(description=desc, quantity=qty, unit_price=price, discount=disc,
                                subtotal=subtotal, taxes=taxes, main_code=main, aux_code=aux, unit=um,
                                details=details))
    return lines


def _tax_totals(lines: list[model.Line]) -> list[model.TaxTotal]:
    groups = totals.group_taxes(t for ln in lines for t in ln.taxes)
    return [model.TaxTotal(c, cp, g["tarifa"], g["base"], g["valor"]) for (c, cp), g in groups.items()]


def _compare_tax_totals(r: _Reader, tot: dict | None, computed: list[model.TaxTotal], lines: list) -> None:
    if not tot or not isinstance(tot.get("impuestos"), list):
        return
    counts = totals.group_taxes(t for ln in lines for t in ln.taxes)
    by_key = {(t.codigo, t.codigo_porcentaje): t for t in computed}
    for j, t in enumerate(tot["impuestos"]):
        tp = f"totales.impuestos[{j}]"
        if not isinstance(t, dict):
            r.err(tp, "se esperaba un objeto", "type")
            continue
        c = r.code(t, "codigo", f"{tp}.codigo", 1)
        cp = r.code(t, "codigo_porcentaje", f"{tp}.codigo_porcentaje", 4)
        cp = (cp.lstrip("0") or "0") if cp else cp
        base = r.number(t, "base_imponible", f"{tp}.base_imponible", required=False)
        valor = r.number(t, "valor", f"{tp}.valor", required=False)
        ours = by_key.get((c, cp))
        if ours is None:
            if (base or ZERO) != 0 or (valor or ZERO) != 0:
                r.err(tp, f"declara el impuesto {c} código {cp} con base {base} que ningún ítem tiene", "mismatch")
            continue  # a zero group no line uses (e.g. IVA 0 % with base 0) is harmless
        n = counts[(c, cp)]["lines"]
        r.compare(f"{tp}.base_imponible", base, ours.base, n)
        r.compare(f"{tp}.valor", valor, ours.valor, n)


def _payments(r: _Reader, body: dict, key="pagos", path="pagos", required=True) -> list[model.Payment]:
    out = []
    for i, p in enumerate(r.items(body, key, path, required=required)):
        pp = f"{path}[{i}]"
        if not isinstance(p, dict):
            r.err(pp, "se esperaba un objeto", "type")
            continue
        medio = p.get("medio", p.get("forma_pago"))
        fp = catalog.forma_pago(medio) if medio not in (None, "") and not isinstance(medio, bool) else None
        if medio in (None, ""):
            r.err(f"{pp}.medio", "es obligatorio", "required")
        elif fp is None:
            r.err(f"{pp}.medio", f"forma de pago desconocida '{medio}' (válidas: "
                  f"{', '.join(catalog.DATIL_PAYMENT_METHODS)} o un código SRI de la Tabla 24)", "payment")
        total = r.number(p, "total", f"{pp}.total")
        props = p.get("propiedades") if isinstance(p.get("propiedades"), dict) else {}
        plazo = r.number(props, "plazo", f"{pp}.propiedades.plazo", required=False)
        unidad = r.text(props, "unidad_tiempo", f"{pp}.propiedades.unidad_tiempo", max_len=10, required=False)
        if plazo is not None and not unidad:
            unidad = "dias"
        if fp and total is not None:
            out.append(model.Payment(fp, total, plazo, unidad))
    return out


def _check_payments(r: _Reader, payments: list[model.Payment], total: Decimal, path="pagos") -> None:
    if not payments:
        return
    paid = sum((p.total for p in payments), ZERO)
    if paid != total:
        r.err(path, f"la suma de los pagos {paid:.2f} no coincide con el total del comprobante {total:.2f} "
                    f"(diferencia {paid - total:+.2f})", "mismatch")


def _doc_number(r: _Reader, obj, key, path, required=True) -> str:
    s = r.text(obj, key, path, max_len=17, required=required)
    if s and not _DOC_NUMBER.match(s):
        r.err(path, f"'{s}' no tiene el formato 001-001-000000001", "format")
        return ""
    return s


def _modified(r: _Reader, body: dict, issued: date) -> model.DocRef | None:
    cod = r.code(body, "tipo_documento_modificado", "tipo_documento_modificado", 2)
    if cod and cod not in catalog.MODIFIABLE_DOCS:
        r.err("tipo_documento_modificado", f"tipo de documento '{cod}' no modificable (01, 03 o 05)")
    number = _doc_number(r, body, "numero_documento_modificado", "numero_documento_modificado")
    d = r.day(body, "fecha_emision_documento_modificado", "fecha_emision_documento_modificado")
    if d is not None and d > issued:
        r.err("fecha_emision_documento_modificado", "el documento modificado no puede ser posterior a la nota")
    if cod and number and d:
        return model.DocRef(cod, number, d)
    return None


def _common_sale(r: _Reader, body: dict, lines: list[model.Line]):
    """Subtotal, discount, tax totals, checked against totales."""
    subtotal = sum((ln.subtotal for ln in lines), ZERO)
    discount = sum((ln.discount for ln in lines), ZERO)
    taxes = _tax_totals(lines)
    return subtotal, discount, taxes


# --------------------------------------------------------------------- per kind
def _invoice(r: _Reader, body: dict, header: dict) -> model.Invoice:
    buyer_obj = r.obj(body, "comprador", "comprador", required=False)
    if buyer_obj is None:
        buyer = model.Party(catalog.ID_CONSUMIDOR_FINAL, catalog.CONSUMIDOR_FINAL_ID, catalog.CONSUMIDOR_FINAL_NAME)
    else:
        buyer = _party(r, buyer_obj, "comprador", allow_final=True, who="el comprador")
    mark = len(r.ec.errors)
    lines = _lines(r, body)
    lines_ok = len(r.ec.errors) == mark
    subtotal, discount, taxes = _common_sale(r, body, lines)
    tot = r.obj(body, "totales", "totales", required=False)
    tip = ZERO
    if tot is not None:
        tip = r.number(tot, "propina", "totales.propina", required=False, default=ZERO) or ZERO
        da = r.number(tot, "descuento_adicional", "totales.descuento_adicional", required=False)
        if da:
            r.err("totales.descuento_adicional", "el descuento adicional no está soportado; "
                                                 "aplíquelo como descuento de los ítems", "unsupported")
    if tip and subtotal and tip > subtotal * Decimal("0.10"):
        r.warnings.append(f"totales.propina: la propina {tip:.2f} supera el 10 % del subtotal {subtotal:.2f}")
    export = _export(r, body)
    extras = export.extras() if export else ZERO
    total = subtotal + sum((t.valor for t in taxes), ZERO) + tip + extras
    n = max(len(lines), 1)
    if tot is not None and lines and lines_ok:
        r.compare("totales.total_sin_impuestos", r.number(tot, "total_sin_impuestos", "totales.total_sin_impuestos", required=False),
                  subtotal, n)
        r.compare("totales.descuento", r.number(tot, "descuento", "totales.descuento", required=False), discount, n)
        _compare_tax_totals(r, tot, taxes, lines)
        r.compare("totales.importe_total", r.number(tot, "importe_total", "totales.importe_total", required=False), total, n)
    if body.get("compensaciones"):
        r.err("compensaciones", "la compensación solidaria de IVA (Manabí y Esmeraldas) ya no está vigente",
              "unsupported")
    payments = _payments(r, body)
    if lines_ok and lines:
        _check_payments(r, payments, total)
    if buyer is not None and buyer.id_type == catalog.ID_CONSUMIDOR_FINAL and total > catalog.CONSUMIDOR_FINAL_LIMIT:
        r.err("comprador.tipo_identificacion", f"una factura de {total:.2f} USD a consumidor final no es admitida: "
              f"sobre {catalog.CONSUMIDOR_FINAL_LIMIT} USD el comprador debe identificarse", "final_consumer_limit")
    guia = _doc_number(r, body, "guia_remision", "guia_remision", required=False)
    credit = r.obj(body, "credito", "credito", required=False)
    additional = header["additional"]
    if credit is not None:
        due = r.day(credit, "fecha_vencimiento", "credito.fecha_vencimiento")
        amount = r.number(credit, "monto", "credito.monto")
        if due and amount is not None:
            additional.append(("Crédito", f"{amount:.2f} USD, vence el {due:%d/%m/%Y}"))
    _contact_fields(buyer, additional)
    retentions = []
    for i, rt in enumerate(r.items(body, "retenciones", "retenciones", required=False)):
        p = f"retenciones[{i}]"
        if not isinstance(rt, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        c = r.code(rt, "codigo", f"{p}.codigo", 1)
        cp = r.code(rt, "codigo_porcentaje", f"{p}.codigo_porcentaje", 3)
        cp = (cp.lstrip("0") or "0") if cp else cp
        if c and c != "4":
            r.err(f"{p}.codigo", "la retención en la factura solo admite el código 4 (IVA presuntivo y renta)")
        if cp and cp not in catalog.PRESUMPTIVE_RETENTION_CODES:
            r.err(f"{p}.codigo_porcentaje", f"código de retención desconocido '{cp}'")
        tarifa = r.number(rt, "tarifa", f"{p}.tarifa")
        valor = r.number(rt, "valor", f"{p}.valor")
        if c and cp and tarifa is not None and valor is not None:
            retentions.append(model.PresumptiveRetention(c, cp, tarifa, valor))
    _check_additional_count(r, additional)
    return model.Invoice(**header, buyer=buyer, lines=lines, taxes=taxes, subtotal=subtotal, discount=discount,
                         tip=tip, total=total, payments=payments, guia_remision=guia,
                         retained_iva=r.number(body, "valor_retenido_iva", "valor_retenido_iva", required=False),
                         retained_renta=r.number(body, "valor_retenido_renta", "valor_retenido_renta",
                                                 required=False),
                         retentions=retentions, export=export)


def _export(r: _Reader, body: dict) -> model.Export | None:
    ex = r.obj(body, "exportacion", "exportacion", required=False)
    if ex is None:
        return None
    inc = r.obj(ex, "incoterm", "exportacion.incoterm") or {}
    ori = r.obj(ex, "origen", "exportacion.origen") or {}
    des = r.obj(ex, "destino", "exportacion.destino") or {}
    tot = r.obj(ex, "totales", "exportacion.totales", required=False) or {}

    def country(obj, key, path, required=True):
        v = r.text(obj, key, path, max_len=10, required=required)
        if v and not re.fullmatch(r"\d{3}", v):
            r.err(path, f"'{v}' no es un código de país del SRI: el esquema exige el código numérico de "
                        "3 dígitos de la tabla de países del SRI, no el código ISO de 2 letras", "country")
            return ""
        return v

    def upper10(obj, key, path):
        v = r.text(obj, key, path, max_len=10)
        if v and not re.fullmatch(r"[A-Z]+", v):
            r.err(path, f"'{v}' debe ser un código en mayúsculas (p. ej. FOB, CIF)")
        return v

    return model.Export(
        incoterm=upper10(inc, "termino", "exportacion.incoterm.termino"),
        incoterm_place=r.text(inc, "lugar", "exportacion.incoterm.lugar"),
        incoterm_total=upper10(inc, "total_sin_impuestos", "exportacion.incoterm.total_sin_impuestos"),
        origin_country=country(ori, "codigo_pais", "exportacion.origen.codigo_pais"),
        origin_port=r.text(ori, "puerto", "exportacion.origen.puerto"),
        destination_country=country(des, "codigo_pais", "exportacion.destino.codigo_pais"),
        destination_port=r.text(des, "puerto", "exportacion.destino.puerto"),
        acquisition_country=country(ex, "codigo_pais_adquisicion", "exportacion.codigo_pais_adquisicion",
                                    required=False),
        freight=r.number(tot, "flete_internacional", "exportacion.totales.flete_internacional", required=False),
        insurance=r.number(tot, "seguro_internacional", "exportacion.totales.seguro_internacional", required=False),
        customs=r.number(tot, "gastos_aduaneros", "exportacion.totales.gastos_aduaneros", required=False),
        other_transport=r.number(tot, "otros_gastos_transporte", "exportacion.totales.otros_gastos_transporte",
                                 required=False),
    )


def _check_additional_count(r: _Reader, additional: list) -> None:
    if len(additional) > 15:
        r.err("informacion_adicional", f"hay {len(additional)} campos adicionales (incluidos correo, teléfono y "
                                       "crédito); el SRI admite como máximo 15", "too_many")


def _purchase_settlement(r: _Reader, body: dict, header: dict) -> model.PurchaseSettlement:
    supplier = _party(r, r.obj(body, "proveedor", "proveedor"), "proveedor", allow_final=False,
                      who="el proveedor")
    mark = len(r.ec.errors)
    lines = _lines(r, body, iva_only=True)
    lines_ok = len(r.ec.errors) == mark
    subtotal, discount, taxes = _common_sale(r, body, lines)
    total = subtotal + sum((t.valor for t in taxes), ZERO)
    tot = r.obj(body, "totales", "totales", required=False)
    n = max(len(lines), 1)
    if tot is not None and lines and lines_ok:
        r.compare("totales.total_sin_impuestos", r.number(tot, "total_sin_impuestos", "totales.total_sin_impuestos", required=False),
                  subtotal, n)
        r.compare("totales.descuento", r.number(tot, "descuento", "totales.descuento", required=False), discount, n)
        _compare_tax_totals(r, tot, taxes, lines)
        r.compare("totales.importe_total", r.number(tot, "importe_total", "totales.importe_total", required=False), total, n)
    payments = _payments(r, body)
    if lines_ok and lines:
        _check_payments(r, payments, total)
    _contact_fields(supplier, header["additional"])
    _check_additional_count(r, header["additional"])
    return model.PurchaseSettlement(**header, supplier=supplier, lines=lines, taxes=taxes, subtotal=subtotal,
                                    discount=discount, total=total, payments=payments)


def _credit_note(r: _Reader, body: dict, header: dict) -> model.CreditNote:
    buyer = _party(r, r.obj(body, "comprador", "comprador"), "comprador", allow_final=False, who="el comprador")
    modified = _modified(r, body, header["issued"])
    reason = r.text(body, "motivo", "motivo")
    mark = len(r.ec.errors)
    lines = _lines(r, body, unit=False)
    lines_ok = len(r.ec.errors) == mark
    subtotal, _discount, taxes = _common_sale(r, body, lines)
    total = subtotal + sum((t.valor for t in taxes), ZERO)
    tot = r.obj(body, "totales", "totales", required=False)
    n = max(len(lines), 1)
    if tot is not None and lines and lines_ok:
        r.compare("totales.total_sin_impuestos", r.number(tot, "total_sin_impuestos", "totales.total_sin_impuestos", required=False),
                  subtotal, n)
        _compare_tax_totals(r, tot, taxes, lines)
        r.compare("totales.importe_total", r.number(tot, "importe_total", "totales.importe_total", required=False), total, n)
    _contact_fields(buyer, header["additional"])
    _check_additional_count(r, header["additional"])
    return model.CreditNote(**header, buyer=buyer, modified=modified, reason=reason, lines=lines, taxes=taxes,
                            subtotal=subtotal, total=total)


def _debit_note(r: _Reader, body: dict, header: dict) -> model.DebitNote:
    buyer = _party(r, r.obj(body, "comprador", "comprador"), "comprador", allow_final=False, who="el comprador")
    modified = _modified(r, body, header["issued"])
    mark = len(r.ec.errors)
    key = "motivos" if body.get("motivos") is not None else "items"  # the seed's example says "items"
    reasons = []
    for i, m in enumerate(r.items(body, key, key)):
        p = f"{key}[{i}]"
        if not isinstance(m, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        k = "razon" if "razon" in m and "motivo" not in m else "motivo"
        reason = r.text(m, k, f"{p}.{k}")
        value = r.number(m, "valor", f"{p}.valor")
        if reason and value is not None:
            reasons.append(model.DebitReason(reason, value))
    subtotal = sum((m.value for m in reasons), ZERO)
    tot = r.obj(body, "totales", "totales", required=False)
    taxes: list[model.TaxTotal] = []
    if tot is not None:
        declared_sub = r.number(tot, "total_sin_impuestos", "totales.total_sin_impuestos", required=False)
        if declared_sub is not None and reasons and declared_sub != subtotal:
            r.err("totales.total_sin_impuestos", f"el valor {declared_sub:.2f} no coincide con la suma de los "
                  f"motivos {subtotal:.2f} (diferencia {declared_sub - subtotal:+.2f})", "mismatch")
        for j, t in enumerate(r.items(tot, "impuestos", "totales.impuestos")):
            tp = f"totales.impuestos[{j}]"
            if not isinstance(t, dict):
                r.err(tp, "se esperaba un objeto", "type")
                continue
            c = r.code(t, "codigo", f"{tp}.codigo", 1)
            cp = r.code(t, "codigo_porcentaje", f"{tp}.codigo_porcentaje", 4)
            cp = (cp.lstrip("0") or "0") if cp else cp
            if c and c != catalog.IVA:
                r.err(f"{tp}.codigo", "la nota de débito solo admite IVA (código 2)", "tax_code")
                continue
            if cp and cp not in catalog.IVA_RATES:
                r.err(f"{tp}.codigo_porcentaje", f"código de IVA desconocido '{cp}'", "tax_code")
                continue
            base = r.number(t, "base_imponible", f"{tp}.base_imponible")
            if not (c and cp) or base is None:
                continue
            rate = catalog.IVA_RATES[cp]
            declared_rate = r.number(t, "tarifa", f"{tp}.tarifa", required=False)
            if declared_rate is not None and declared_rate != rate:
                r.err(f"{tp}.tarifa", f"la tarifa {declared_rate} no corresponde al código {cp} ({rate} %)", "rate")
            valor = totals.tax_value(base, rate)
            r.compare(f"{tp}.valor", r.number(t, "valor", f"{tp}.valor", required=False), valor)
            taxes.append(model.TaxTotal(c, cp, rate, base, valor))
        bases = sum((t.base for t in taxes), ZERO)
        if taxes and reasons and bases != subtotal and len(r.ec.errors) == mark:
            r.err("totales.impuestos", f"la suma de las bases imponibles {bases:.2f} no coincide con el total de "
                                       f"los motivos {subtotal:.2f}", "mismatch")
    total = subtotal + sum((t.valor for t in taxes), ZERO)
    if tot is not None and len(r.ec.errors) == mark:
        r.compare("totales.importe_total", r.number(tot, "importe_total", "totales.importe_total", required=False), total)
    payments = _payments(r, body, required=False)
    if len(r.ec.errors) == mark:
        _check_payments(r, payments, total)
    _contact_fields(buyer, header["additional"])
    _check_additional_count(r, header["additional"])
    return model.DebitNote(**header, buyer=buyer, modified=modified, reasons=reasons, taxes=taxes,
                           subtotal=subtotal, total=total, payments=payments)


def _retention(r: _Reader, body: dict, header: dict, company: Company) -> model.Retention:
    subject = _party(r, r.obj(body, "sujeto", "sujeto"), "sujeto", allow_final=False, who="el sujeto retenido")
    period = r.text(body, "periodo_fiscal", "periodo_fiscal", max_len=7, required=False)
    if period and not re.fullmatch(r"(0[1-9]|1[0-2])/20\d\d", period):
        r.err("periodo_fiscal", f"'{period}' no tiene el formato MM/AAAA")
    if not period:
        period = f"{header['issued']:%m/%Y}"
    related = body.get("parte_relacionada", False)
    if not isinstance(related, bool):
        r.err("parte_relacionada", "se esperaba true o false", "type")
        related = False
    if company.contribuyente_especial and len(company.contribuyente_especial) > 5:
        r.err("emisor.contribuyente_especial", "el comprobante de retención 2.0.0 admite como máximo 5 caracteres "
              "en la resolución de contribuyente especial", "configuration")
    # Dátil's flat items, grouped by supporting document.
    groups: dict[str, list] = {}
    meta: dict[str, tuple] = {}
    for i, it in enumerate(r.items(body, "items", "items")):
        p = f"items[{i}]"
        if not isinstance(it, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        item = _retention_item(r, it, p)
        cod = r.code(it, "tipo_documento_sustento", f"{p}.tipo_documento_sustento", 2)
        num = r.text(it, "numero_documento_sustento", f"{p}.numero_documento_sustento", max_len=17)
        digits = num.replace("-", "")
        if num and not re.fullmatch(r"\d{15}", digits):
            r.err(f"{p}.numero_documento_sustento", f"'{num}' no tiene el formato 001-001-000000001")
            digits = ""
        d = r.day(it, "fecha_emision_documento_sustento", f"{p}.fecha_emision_documento_sustento")
        if d and d > header["issued"]:
            r.err(f"{p}.fecha_emision_documento_sustento", "el documento sustento no puede ser posterior a la "
                                                           "retención")
        if item and digits and cod and d:
            groups.setdefault(digits, []).append(item)
            meta.setdefault(digits, (cod, d, p))
    # Extra data version 2.0.0 needs and Dátil's body lacks.
    extra: dict[str, tuple[str, dict]] = {}
    for j, ds in enumerate(r.items(body, "documentos_sustento", "documentos_sustento", required=False)):
        dp = f"documentos_sustento[{j}]"
        if not isinstance(ds, dict):
            r.err(dp, "se esperaba un objeto", "type")
            continue
        num = str(ds.get("numero") or "").replace("-", "")
        if not re.fullmatch(r"\d{15}", num):
            r.err(f"{dp}.numero", "es obligatorio con formato 001-001-000000001", "required")
            continue
        extra[num] = (dp, ds)
    docs = []
    for num, items in groups.items():
        cod, d, first_path = meta[num]
        if num not in extra:
            r.err(f"{first_path}.numero_documento_sustento",
                  f"falta el documento sustento {num[:3]}-{num[3:6]}-{num[6:]} en documentos_sustento: el comprobante "
                  "de retención 2.0.0 exige su código de sustento, totales, impuestos y formas de pago", "sustento")
            continue
        dp, ds = extra[num]
        docs.append(_supporting_doc(r, ds, dp, cod, num, d, items))
    for num, (dp, _ds) in extra.items():
        if num not in groups:
            r.err(f"{dp}.numero", "ningún ítem retiene sobre este documento sustento", "sustento")
    id_type = subject.id_type if subject else ""
    kind = "02" if subject and identity.is_company_ruc(subject.id) and id_type == catalog.ID_RUC else "01"
    sujeto = body.get("sujeto") if isinstance(body.get("sujeto"), dict) else {}
    if sujeto.get("tipo_sujeto") not in (None, ""):  # only the caller knows it for passports
        kind = r.code(sujeto, "tipo_sujeto", "sujeto.tipo_sujeto", 2, default=kind)
        if kind not in ("01", "02"):
            r.err("sujeto.tipo_sujeto", "debe ser 01 (persona natural) o 02 (sociedad)")
    _contact_fields(subject, header["additional"])
    _check_additional_count(r, header["additional"])
    return model.Retention(**header, subject=subject, subject_kind=kind, related_party=related,
                           fiscal_period=period, docs=docs)


def _retention_item(r: _Reader, it: dict, p: str) -> model.RetentionItem | None:
    c = r.code(it, "codigo", f"{p}.codigo", 1)
    cp = r.text(it, "codigo_porcentaje", f"{p}.codigo_porcentaje", max_len=5)
    base = r.number(it, "base_imponible", f"{p}.base_imponible")
    rate = r.number(it, "porcentaje", f"{p}.porcentaje", required=False)
    if c and c not in catalog.RETENTION_TAXES:
        r.err(f"{p}.codigo", f"impuesto a retener desconocido '{c}' (1 renta, 2 IVA, 6 ISD)", "tax_code")
        return None
    table = {catalog.RET_IVA: catalog.IVA_RETENTION_RATES, catalog.RET_ISD: catalog.ISD_RETENTION_RATES}.get(c)
    if table is not None and cp:
        if cp not in table:
            r.err(f"{p}.codigo_porcentaje", f"código de retención de {catalog.RETENTION_TAXES[c]} desconocido '{cp}' "
                  f"(válidos: {', '.join(table)})", "tax_code")
            return None
        if rate is not None and rate != table[cp]:
            r.err(f"{p}.porcentaje", f"el porcentaje {rate} no corresponde al código {cp} ({table[cp]} %)", "rate")
            return None
        rate = table[cp]
    elif c == catalog.RET_RENTA and rate is None:
        r.err(f"{p}.porcentaje", "es obligatorio para retenciones de renta", "required")
    if rate is not None and rate > 100:
        r.err(f"{p}.porcentaje", "no puede superar 100")
        return None
    if not (c and cp) or base is None or rate is None:
        return None
    valor = totals.tax_value(base, rate)
    r.compare(f"{p}.valor_retenido", r.number(it, "valor_retenido", f"{p}.valor_retenido", required=False), valor)
    return model.RetentionItem(c, cp, base, rate, valor)


def _supporting_doc(r: _Reader, ds: dict, dp: str, cod: str, num: str, d: date, items) -> model.SupportingDoc:
    cs = r.code(ds, "codigo_sustento", f"{dp}.codigo_sustento", 2)
    pago = r.code(ds, "pago_local_exterior", f"{dp}.pago_local_exterior", 2, required=False, default="01")
    if pago not in ("01", "02"):
        r.err(f"{dp}.pago_local_exterior", "debe ser 01 (local) o 02 (exterior)")
    if pago == "02":
        r.err(f"{dp}.pago_local_exterior", "los pagos al exterior (02) no están soportados todavía", "unsupported")
    reg = r.day(ds, "fecha_registro_contable", f"{dp}.fecha_registro_contable", required=False)
    auth = r.text(ds, "numero_autorizacion", f"{dp}.numero_autorizacion", max_len=49, required=False)
    if auth and not re.fullmatch(r"\d{10,49}", auth):
        r.err(f"{dp}.numero_autorizacion", "debe tener entre 10 y 49 dígitos")
    sub = r.number(ds, "total_sin_impuestos", f"{dp}.total_sin_impuestos")
    total = r.number(ds, "importe_total", f"{dp}.importe_total")
    taxes = []
    for k, t in enumerate(r.items(ds, "impuestos", f"{dp}.impuestos")):
        tp = f"{dp}.impuestos[{k}]"
        if not isinstance(t, dict):
            r.err(tp, "se esperaba un objeto", "type")
            continue
        c = r.code(t, "codigo", f"{tp}.codigo", 1)
        cp = r.code(t, "codigo_porcentaje", f"{tp}.codigo_porcentaje", 4)
        cp = (cp.lstrip("0") or "0") if cp else cp
        base = r.number(t, "base_imponible", f"{tp}.base_imponible")
        if c == catalog.IVA:
            if cp not in catalog.IVA_RATES:
                r.err(f"{tp}.codigo_porcentaje", f"código de IVA desconocido '{cp}'", "tax_code")
                continue
            rate = catalog.IVA_RATES[cp]
            if base is None:
                continue
            valor = totals.tax_value(base, rate)
            r.compare(f"{tp}.valor", r.number(t, "valor", f"{tp}.valor", required=False), valor)
        elif c in (catalog.ICE, catalog.IRBPNR):
            rate = r.number(t, "tarifa", f"{tp}.tarifa")
            valor = r.number(t, "valor", f"{tp}.valor")
            if base is None or rate is None or valor is None:
                continue
        else:
            if c:
                r.err(f"{tp}.codigo", f"código de impuesto desconocido '{c}'", "tax_code")
            continue
        taxes.append(model.Tax(c, cp, rate, base, valor))
    if sub is not None and total is not None and taxes:
        r.compare(f"{dp}.importe_total", total, sub + sum((t.valor for t in taxes), ZERO), len(taxes))
    payments = _payments(r, ds, "pagos", f"{dp}.pagos")
    if total is not None:
        _check_payments(r, payments, total, f"{dp}.pagos")
    return model.SupportingDoc(cod_sustento=cs, cod_doc=cod, number=num, issued=d, pago_loc_ext=pago or "01",
                               subtotal=sub or ZERO, total=total or ZERO, taxes=taxes, retentions=items,
                               payments=payments, registered=reg, authorization=auth)


def _waybill(r: _Reader, body: dict, header: dict) -> model.Waybill:
    origin = r.text(body, "direccion_partida", "direccion_partida")
    carrier_obj = r.obj(body, "transportista", "transportista")
    carrier = _party(r, carrier_obj, "transportista", allow_final=False, who="el transportista")
    plate = r.text(carrier_obj or {}, "placa", "transportista.placa", max_len=20) if carrier_obj else ""
    start = r.day(body, "fecha_inicio_transporte", "fecha_inicio_transporte")
    end = r.day(body, "fecha_fin_transporte", "fecha_fin_transporte")
    if start and start < header["issued"]:
        r.err("fecha_inicio_transporte", f"la fecha de inicio del transporte {start:%d/%m/%Y} es anterior a la "
              f"emisión de la guía {header['issued']:%d/%m/%Y} (error 82 del SRI)", "dates")
    if start and end and end < start:
        r.err("fecha_fin_transporte", "la fecha de fin del transporte es anterior a la de inicio", "dates")
    recipients = []
    for i, dst in enumerate(r.items(body, "destinatarios", "destinatarios")):
        p = f"destinatarios[{i}]"
        if not isinstance(dst, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        party = model.Party(
            id_type=r.code(dst, "tipo_identificacion", f"{p}.tipo_identificacion", 2, required=False),
            id=r.text(dst, "identificacion", f"{p}.identificacion", max_len=20),
            name=r.text(dst, "razon_social", f"{p}.razon_social"),
            address=r.text(dst, "direccion", f"{p}.direccion"),
            email=r.text(dst, "email", f"{p}.email", required=False),
            phone=r.text(dst, "telefono", f"{p}.telefono", required=False))
        if party.id_type and party.id:
            chk = identity.check_identification(party.id_type, party.id)
            for e in chk.errors:
                r.err(f"{p}.identificacion", e, "identification")
            r.warnings.extend(f"{p}.identificacion: {w}" for w in chk.warnings)
        doc_cod = r.code(dst, "tipo_documento_sustento", f"{p}.tipo_documento_sustento", 2, required=False)
        doc_num = _doc_number(r, dst, "numero_documento_sustento", f"{p}.numero_documento_sustento", required=False)
        doc_auth = r.text(dst, "numero_autorizacion_documento_sustento",
                          f"{p}.numero_autorizacion_documento_sustento", max_len=49, required=False)
        if doc_auth and not re.fullmatch(r"\d{10,49}", doc_auth):
            r.err(f"{p}.numero_autorizacion_documento_sustento", "debe tener entre 10 y 49 dígitos")
        dest = r.code(dst, "codigo_establecimiento_destino", f"{p}.codigo_establecimiento_destino", 3, required=False)
        items = []
        for k, it in enumerate(r.items(dst, "items", f"{p}.items")):
            ip = f"{p}.items[{k}]"
            if not isinstance(it, dict):
                r.err(ip, "se esperaba un objeto", "type")
                continue
            desc = r.text(it, "descripcion", f"{ip}.descripcion")
            qty = r.number(it, "cantidad", f"{ip}.cantidad", places=6, positive=True)
            main = r.text(it, "codigo_principal", f"{ip}.codigo_principal", max_len=25, required=False)
            aux = r.text(it, "codigo_auxiliar", f"{ip}.codigo_auxiliar", max_len=25, required=False)
            det = _details(r, it, f"{ip}.detalles_adicionales")
            if desc and qty is not None:
                items.append(model.WaybillItem(desc, qty, main, aux, det))
        recipients.append(model.Recipient(
            party=party, reason=r.text(dst, "motivo_traslado", f"{p}.motivo_traslado"), items=items,
            customs_doc=r.text(dst, "documento_aduanero_unico", f"{p}.documento_aduanero_unico", max_len=20,
                               required=False),
            dest_estab=dest, route=r.text(dst, "ruta", f"{p}.ruta", required=False), doc_cod=doc_cod,
            doc_number=doc_num, doc_authorization=doc_auth,
            doc_issued=r.day(dst, "fecha_emision_documento_sustento", f"{p}.fecha_emision_documento_sustento",
                             required=False)))
    _check_additional_count(r, header["additional"])
    return model.Waybill(**header, carrier=carrier, plate=plate, origin=origin, start=start, end=end,
                         recipients=recipients)


# --------------------------------------------------------------------- entry point
def parse(body: dict, kind: str, company: Company, now: datetime | None = None) -> Draft:
    """Validates a Dátil-style issue body of `kind` for `company` -> Draft(model=...).

    Raises app.core.errors.ValidationError listing every problem found."""
    r = _Reader()
    if kind not in catalog.DOC_CODES:
        r.err("kind", f"tipo de comprobante desconocido '{kind}' (válidos: {', '.join(catalog.DOC_CODES)})")
        r.ec.raise_if_any()
    if not isinstance(body, dict):
        r.err("", "el cuerpo debe ser un objeto JSON", "type")
        r.ec.raise_if_any()
    if now is None:
        now = datetime.now(GUAYAQUIL)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=GUAYAQUIL)
    header, issued_at = _header(r, body, kind, company, now)
    if kind == "invoices":
        doc = _invoice(r, body, header)
        party, total = doc.buyer, doc.total
    elif kind == "purchase-settlements":
        doc = _purchase_settlement(r, body, header)
        party, total = doc.supplier, doc.total
    elif kind == "credit-notes":
        doc = _credit_note(r, body, header)
        party, total = doc.buyer, doc.total
    elif kind == "debit-notes":
        doc = _debit_note(r, body, header)
        party, total = doc.buyer, doc.total
    elif kind == "retentions":
        doc = _retention(r, body, header, company)
        party, total = doc.subject, doc.total
    else:
        doc = _waybill(r, body, header)
        party = doc.recipients[0].party if doc.recipients else doc.carrier
        total = ZERO
    r.ec.raise_if_any()
    return Draft(country="EC", kind=kind, series=SeriesKey(doc.cod_doc, doc.estab, doc.pto_emi),
                 issued_at=issued_at, total=total, currency="USD", buyer_id=party.id if party else "",
                 buyer_name=party.name if party else "", model=doc, warnings=list(r.warnings))
