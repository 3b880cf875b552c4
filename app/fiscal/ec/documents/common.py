"""What every SRI document type shares when it is read from a Dátil-style body (seed 001).

The typed Reader (every problem collected, with the field path as Dátil names it, 0-based list
indices: ``items[0].cantidad``, ``totales.importe_total``, ``comprador.identificacion``; Spanish
messages), the header (emisor, dates, ambiente), parties, lines and their taxes, payments,
informacion_adicional. Each type's own reading lives in its module in this package.

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
from app.fiscal.ec import catalog, identity, model, text, totals
from app.fiscal.ec.documents.base import DocumentType

GUAYAQUIL = ZoneInfo("America/Guayaquil")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PAST_LIMIT_DAYS = 90
_DOC_NUMBER = re.compile(r"^\d{3}-\d{3}-\d{9}$")
_MISSING = object()
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_DIGITS = re.compile(r"[0-9]+")


def _shown(v, limit: int = 40) -> str:
    """A value for an error message: short and printable (a 1 MB string is not echoed back)."""
    text = v if isinstance(v, str) else type(v).__name__
    text = "".join(ch if ch.isprintable() else "?" for ch in text[:limit])
    return text + ("…" if len(v if isinstance(v, str) else "") > limit else "")


class Reader:
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
        if isinstance(v, str) and not _NUMBER.fullmatch(v.strip()):  # no '1_000', no non-ASCII digits
            self.err(path, f"'{_shown(v)}' no es un número (use dígitos 0-9 y punto decimal)", "type")
            return default
        try:
            d = to_decimal(v, field=path)
        except ValueError:
            self.err(path, f"'{_shown(v)}' no es un número", "type")
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
        if isinstance(v, int) and v.bit_length() > 64:
            self.err(path, "código inválido (demasiado largo)", "invalid")
            return default
        s = str(v).strip()
        if not _DIGITS.fullmatch(s) or len(s) > width:
            self.err(path, f"código inválido '{_shown(s)}'", "invalid")
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
def read_header(r: Reader, body: dict, doc_type: DocumentType, company: Company, now: datetime):
    """The fields every type shares (Document's own) -> (header dict, issue moment)."""
    kind, cod_doc, version = doc_type.kind, doc_type.cod_doc, doc_type.version
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
    if body.get("version") not in (None, "") and str(body["version"]) != version:
        r.warnings.append(f"version: se emite la versión {version} del esquema "
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
    additional = read_additional(r, body)
    header = dict(kind=kind, cod_doc=cod_doc, version=version, issued=issued_at.date(),
                  estab=estab, pto_emi=pto, additional=additional)
    return header, issued_at


def read_additional(r: Reader, body: dict) -> list[tuple[str, str]]:
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


def read_party(r: Reader, obj: dict | None, path: str, *, allow_final: bool, who: str) -> model.Party | None:
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


def add_contact_fields(party: model.Party | None, additional: list[tuple[str, str]]) -> None:
    """Buyer e-mail/phone conventionally travel in infoAdicional (the XSD has no field)."""
    if party is None:
        return
    names = {n.lower() for n, _ in additional}
    if party.email and not names & {"email", "correo", "e-mail", "correo electrónico"}:
        additional.append(("Email", party.email))
    if party.phone and not names & {"teléfono", "telefono"}:
        additional.append(("Teléfono", party.phone))


def read_details(r: Reader, obj: dict, path: str) -> list[tuple[str, str]]:
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


def read_line_taxes(r: Reader, it: dict, path: str, qty: Decimal, subtotal: Decimal, *,
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


def read_lines(r: Reader, body: dict, *, iva_only=False, unit=True) -> list[model.Line]:
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
        details = read_details(r, it, f"{p}.detalles_adicionales")
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
        taxes = read_line_taxes(r, it, p, qty, subtotal, iva_only=iva_only)
        lines.append(model.Line(description=desc, quantity=qty, unit_price=price, discount=disc,
                                subtotal=subtotal, taxes=taxes, main_code=main, aux_code=aux, unit=um,
                                details=details))
    return lines


def tax_totals(lines: list[model.Line]) -> list[model.TaxTotal]:
    """totalConImpuestos: bases summed; the IVA valor by totals.header_tax_value (the tax of the
    summed base, or the lines' sum when within a cent of it); other taxes summed."""
    groups = totals.group_taxes(t for ln in lines for t in ln.taxes)
    out = []
    for (c, cp), g in groups.items():
        valor = g["valor"]
        rate = totals.iva_rate(cp, g["tarifa"]) if c == catalog.IVA else None
        if rate is not None:
            valor = totals.header_tax_value(g["base"], rate, valor)
        out.append(model.TaxTotal(c, cp, g["tarifa"], g["base"], valor))
    return out


def compare_tax_totals(r: Reader, tot: dict | None, computed: list[model.TaxTotal], lines: list) -> None:
    if not isinstance(tot, dict) or tot.get("impuestos") is None:
        return
    if not isinstance(tot["impuestos"], list):
        r.err("totales.impuestos", "se esperaba una lista", "type")
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


def read_payments(r: Reader, body: dict, key="pagos", path="pagos", required=True) -> list[model.Payment]:
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


def check_payments(r: Reader, payments: list[model.Payment], total: Decimal, path="pagos") -> None:
    if not payments:
        return
    paid = sum((p.total for p in payments), ZERO)
    if paid != total:
        r.err(path, f"la suma de los pagos {paid:.2f} no coincide con el total del comprobante {total:.2f} "
                    f"(diferencia {paid - total:+.2f}); el total es la suma de las bases más el IVA de "
                    "cada tarifa calculado sobre su base sumada y redondeado una vez", "mismatch")


def read_doc_number(r: Reader, obj, key, path, required=True) -> str:
    s = r.text(obj, key, path, max_len=17, required=required)
    if s and not _DOC_NUMBER.match(s):
        r.err(path, f"'{s}' no tiene el formato 001-001-000000001", "format")
        return ""
    return s


def read_modified(r: Reader, body: dict, issued: date) -> model.DocRef | None:
    cod = r.code(body, "tipo_documento_modificado", "tipo_documento_modificado", 2)
    if cod and cod not in catalog.MODIFIABLE_DOCS:
        r.err("tipo_documento_modificado", f"tipo de documento '{cod}' no modificable (01, 03 o 05)")
    number = read_doc_number(r, body, "numero_documento_modificado", "numero_documento_modificado")
    d = r.day(body, "fecha_emision_documento_modificado", "fecha_emision_documento_modificado")
    if d is not None and d > issued:
        r.err("fecha_emision_documento_modificado", "el documento modificado no puede ser posterior a la nota")
    if cod and number and d:
        return model.DocRef(cod, number, d)
    return None


def compare_declared_totals(r: Reader, tot: dict, lines: list[model.Line], subtotal: Decimal, taxes: list,
                            total: Decimal, discount: Decimal | None = None) -> None:
    """totales.* of a body with lines (factura, liquidación, nota de crédito) against ours."""
    n = max(len(lines), 1)
    r.compare("totales.total_sin_impuestos", r.number(tot, "total_sin_impuestos", "totales.total_sin_impuestos",
                                                      required=False), subtotal, n)
    if discount is not None:
        r.compare("totales.descuento", r.number(tot, "descuento", "totales.descuento", required=False), discount, n)
    compare_tax_totals(r, tot, taxes, lines)
    r.compare("totales.importe_total", r.number(tot, "importe_total", "totales.importe_total", required=False),
              total, n)


def sale_totals(r: Reader, body: dict, lines: list[model.Line]):
    """Subtotal, discount, tax totals, checked against totales."""
    subtotal = sum((ln.subtotal for ln in lines), ZERO)
    discount = sum((ln.discount for ln in lines), ZERO)
    taxes = tax_totals(lines)
    return subtotal, discount, taxes



def check_additional_count(r: Reader, additional: list) -> None:
    if len(additional) > 15:
        r.err("informacion_adicional", f"hay {len(additional)} campos adicionales (incluidos correo, teléfono y "
                                       "crédito); el SRI admite como máximo 15", "too_many")
