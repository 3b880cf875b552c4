"""Typed reads of FacturaSend / DTEpy JSON that record a Spanish error under the field's path
(`cliente.ruc`, `items[2].iva`) instead of raising; shared by the DE parser, the event parser
and the document types' own fields."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.core.errors import ErrorCollector, ValidationError
from app.core.money import to_decimal
from app.fiscal.py import catalog as cat
from app.fiscal.py import geo
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.parts import Location


def _camel(key: str) -> str:
    return re.sub(r"_([a-z0-9ñ])", lambda m: m.group(1).upper(), key)


MAX_DEPTH = 16  # the deepest FacturaSend/DTEpy path (items[].dncp..., condicion.entregas[].infoTarjeta) is < 6


def normalize(value, _path: str = "", _depth: int = 0):
    """snake_case keys -> camelCase, recursively; `null` values are dropped (= absent).
    Nesting deeper than any field of the formats is refused (ValidationError naming where)."""
    if _depth > MAX_DEPTH and isinstance(value, (dict, list)):
        raise ValidationError(f"El JSON tiene más de {MAX_DEPTH} niveles de anidamiento", field=_path or "body")
    if isinstance(value, dict):
        return {_camel(k) if isinstance(k, str) else k: normalize(v, f"{_path}.{k}" if _path else str(k), _depth + 1)
                for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalize(v, f"{_path}[{i}]", _depth + 1) for i, v in enumerate(value)]
    return value


_INT = re.compile(r"[+-]?[0-9]{1,18}")
_DEC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
# C0/C1 controls (tab, CR, LF are whitespace and folded to a space), and what XML 1.0 cannot carry
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_TEXT = 10_000  # no SIFEN text field is longer (dInfAdic: 5000)
_MISSING = object()


def shown(v, limit: int = 40) -> str:
    """A value for an error message: short, printable, never failing (huge ints, NaN...)."""
    try:
        text = repr(v) if not isinstance(v, str) else v
    except ValueError:
        return "(número demasiado largo)"
    text = _BAD_CHARS.sub("?", text)
    return text if len(text) <= limit else text[:limit] + "…"


class Reader:
    """Typed reads that record a Spanish error under the field's path instead of raising.

    Numbers are read as the XSD types allow: ASCII digits only (no '1_000', no Arabic-Indic
    digits), integers up to 18 digits, decimals up to 15 integer digits and 8 decimals
    (dPUniProSer, the widest amount), finite. Text: no control characters, at most MAX_TEXT.
    A container that is not an object (an entry of a list that is a number, a string...) is
    reported once at its own path and its fields read as absent."""

    def __init__(self, errors: ErrorCollector):
        self.e = errors
        self._bad_parents: set[str] = set()

    def _value(self, obj, key: str, path: str):
        if not isinstance(obj, dict):
            parent = path.rpartition(".")[0] or path
            if parent not in self._bad_parents:
                self._bad_parents.add(parent)
                self.e.add(parent, "Se esperaba un objeto", "type")
            return _MISSING
        return obj.get(key, _MISSING)

    def int(self, obj: dict, key: str, path: str, *, required=False, choices=None, default=None):
        v = self._value(obj, key, path)
        if v is _MISSING or v is None or v == "":
            if required and isinstance(obj, dict):
                self.e.add(path, "Campo obligatorio", "required")
            return default
        n = None
        if isinstance(v, bool):
            n = None
        elif isinstance(v, int):
            n = v if v.bit_length() <= 60 else None
        elif isinstance(v, float):
            n = int(v) if v == v and abs(v) < 1e18 and v.is_integer() else None
        elif isinstance(v, str) and _INT.fullmatch(v.strip()):
            n = int(v.strip())
        if n is None:
            self.e.add(path, f"Se esperaba un número entero, llegó '{shown(v)}'", "type")
            return default
        if choices is not None and n not in choices:
            self.e.add(path, f"Valor {n} no permitido ({', '.join(str(c) for c in sorted(choices))})")
            return default
        return n

    def dec(self, obj: dict, key: str, path: str, *, required=False, positive=False, default=None,
            int_digits: int = 15, places: int = 8):
        v = self._value(obj, key, path)
        if v is _MISSING or v is None or v == "":
            if required and isinstance(obj, dict):
                self.e.add(path, "Campo obligatorio", "required")
            return default
        if isinstance(v, str) and not _DEC.fullmatch(v.strip()):
            self.e.add(path, f"'{shown(v)}' no es un número (use dígitos 0-9 y punto decimal)", "type")
            return default
        if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 64:
            self.e.add(path, f"Número demasiado grande (máximo {int_digits} dígitos enteros)", "too_large")
            return default
        try:
            d = to_decimal(v, field=path)
        except ValueError as exc:
            self.e.add(path, str(exc) if len(str(exc)) < 200 else "Se esperaba un número", "type")
            return default
        if d < 0 or (positive and d == 0):
            self.e.add(path, "Debe ser mayor que cero" if positive else "No puede ser negativo")
            return default
        if d.adjusted() >= int_digits:
            self.e.add(path, f"Número demasiado grande (máximo {int_digits} dígitos enteros)", "too_large")
            return default
        if d != 0 and -d.as_tuple().exponent > places and d != d.quantize(Decimal(1).scaleb(-places)):
            self.e.add(path, f"Máximo {places} decimales", "decimals")
            return default
        return d.quantize(Decimal(1).scaleb(-places)).normalize() if d.as_tuple().exponent < -places else d

    def str(self, obj: dict, key: str, path: str, *, required=False, max_len=None, min_len=None):
        v = self._value(obj, key, path)
        if v is _MISSING or v is None or (isinstance(v, str) and not v.strip()):
            if required and isinstance(obj, dict):
                self.e.add(path, "Campo obligatorio", "required")
            return ""
        if isinstance(v, (dict, list, bool)) or not isinstance(v, (str, int, float, Decimal)):
            self.e.add(path, "Se esperaba un texto")
            return ""
        if isinstance(v, int) and v.bit_length() > 200:
            self.e.add(path, "Texto demasiado largo")
            return ""
        raw = str(v)
        if _BAD_CHARS.search(raw):
            self.e.add(path, "Contiene caracteres de control no permitidos", "control_character")
            return ""
        s = " ".join(raw.split())
        limit = max_len or MAX_TEXT
        if len(s) > limit:
            self.e.add(path, f"Máximo {limit} caracteres", "too_long")
            return s[:limit] if max_len else ""
        if min_len and len(s) < min_len:
            self.e.add(path, f"Mínimo {min_len} caracteres")
        return s

    def bool(self, obj: dict, key: str, path: str, *, required=False):
        v = self._value(obj, key, path)
        if v is _MISSING:
            if required and isinstance(obj, dict):
                self.e.add(path, "Campo obligatorio", "required")
            return None
        if not isinstance(v, bool):
            self.e.add(path, "Se esperaba true o false")
            return None
        return v

    def date(self, obj: dict, key: str, path: str, *, required=False):
        v = self._value(obj, key, path)
        if v is not _MISSING and v is not None and not isinstance(v, str):
            self.e.add(path, f"Fecha inválida '{shown(v)}' (formato AAAA-MM-DD)")
            return None
        v = self.str(obj, key, path, required=required)
        if not v:
            return None
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v[:10]):
            self.e.add(path, f"Fecha inválida '{shown(v)}' (formato AAAA-MM-DD)")
            return None
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            self.e.add(path, f"Fecha inválida '{shown(v)}' (formato AAAA-MM-DD)")
            return None

    def obj(self, obj: dict, key: str, path: str, *, required=False) -> dict | None:
        v = self._value(obj, key, path)
        if v is _MISSING or v is None:
            if required and isinstance(obj, dict):
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


def code3(r: Reader, obj: dict, key: str, path: str) -> str:
    n = r.int(obj, key, path, required=True)
    if n is None:
        return ""
    if not 1 <= n <= 999:
        r.e.add(path, "Debe estar entre 1 y 999")
        return ""
    return f"{n:03d}"


def read_location(r: Reader, o: dict, path: str, *, required_geo=True) -> Location | None:
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
        loc.distrito_desc = geo.KNOWN_DISTRICTS.get(loc.distrito, "")
        if not loc.distrito_desc:
            r.e.add(f("distritoDescripcion"), "Obligatorio: la tabla de distritos no está disponible sin conexión")
    if loc.ciudad is not None and not loc.ciudad_desc:
        loc.ciudad_desc = geo.KNOWN_CITIES.get(loc.ciudad, "")
        if not loc.ciudad_desc:
            r.e.add(f("ciudadDescripcion"), "Obligatorio: la tabla de ciudades no está disponible sin conexión")
    return loc
