"""Typed reads of FacturaSend / DTEpy JSON that record a Spanish error under the field's path
(`cliente.ruc`, `items[2].iva`) instead of raising; shared by the DE parser, the event parser
and the document types' own fields."""
from __future__ import annotations

import re
from datetime import date

from app.core.errors import ErrorCollector
from app.core.money import to_decimal
from app.fiscal.py import catalog as cat
from app.fiscal.py import geo
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.parts import Location


def _camel(key: str) -> str:
    return re.sub(r"_([a-z0-9ñ])", lambda m: m.group(1).upper(), key)


def normalize(value):
    """snake_case keys -> camelCase, recursively; `null` values are dropped (= absent)."""
    if isinstance(value, dict):
        return {_camel(k): normalize(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


class Reader:
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
