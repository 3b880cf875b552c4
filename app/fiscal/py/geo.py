"""Paraguay's catalogs as FacturaSend's `departamentos` / `distritos` / `ciudades` endpoints
return them (seed 002 "Otros servicios"), plus units, countries and currencies.

Departamentos, units, countries and currencies come from the XSD enumerations; distritos and
ciudades (MT Tabla 2.1/2.2, not in the XSDs) from `resources/py/*.json` (see SOURCES.md).
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache

from app.fiscal.py import catalog
from app.resources import resource


@lru_cache(maxsize=None)
def _rows(name: str) -> tuple[dict, ...]:
    return tuple(json.loads(resource("py", f"{name}.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def _index(name: str) -> dict[int, dict]:
    return {r["codigo"]: r for r in _rows(name)}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.upper()) if unicodedata.category(c) != "Mn")


def district_name(code: int) -> str:
    return _index("distritos").get(int(code), {}).get("descripcion", "")


def city_name(code: int) -> str:
    return _index("ciudades").get(int(code), {}).get("descripcion", "")


class _Names:
    """Table 2.1 / 2.2 (not in the XSDs) as a read-only mapping: code -> description."""

    def __init__(self, name_of):
        self._name_of = name_of

    def get(self, code, default=""):
        try:
            name = self._name_of(code)
        except (TypeError, ValueError):
            return default
        return name or default

    def __getitem__(self, code):
        name = self.get(code, None)
        if name is None:
            raise KeyError(code)
        return name

    def __contains__(self, code) -> bool:
        return self.get(code, None) is not None


KNOWN_DISTRICTS = _Names(district_name)
KNOWN_CITIES = _Names(city_name)


def departamentos() -> list[dict]:
    """[{codigo, descripcion}] like GET /departamentos."""
    return [dict(r) for r in _rows("departamentos")]


def _departamento(code: int) -> dict:
    return {"codigo": code, "descripcion": catalog.departments().get(code, "")}


def distritos(departamento: int | None = None, nombre: str = "") -> list[dict]:
    """Like GET /distritos/<departamentoId>?nombre=: each with its departamento object."""
    needle = _fold(nombre)
    return [{"codigo": r["codigo"], "descripcion": r["descripcion"], "departamento": _departamento(r["departamento"])}
            for r in _rows("distritos")
            if (departamento is None or r["departamento"] == departamento) and needle in _fold(r["descripcion"])]


def ciudades(distrito: int | None = None, nombre: str = "") -> list[dict]:
    """Like GET /ciudades/<distritoId>?nombre=: each with its distrito (and departamento)."""
    needle = _fold(nombre)
    dis = _index("distritos")
    out = []
    for r in _rows("ciudades"):
        if (distrito is None or r["distrito"] == distrito) and needle in _fold(r["descripcion"]):
            d = dis[r["distrito"]]
            out.append({"codigo": r["codigo"], "descripcion": r["descripcion"],
                        "distrito": {"codigo": d["codigo"], "descripcion": d["descripcion"],
                                     "departamento": _departamento(d["departamento"])}})
    return out


def consistent(departamento: int | None, distrito: int | None, ciudad: int | None) -> bool:
    """True when the city lies in the district and the district in the department (1326/1329)."""
    if ciudad is not None:
        c = _index("ciudades").get(int(ciudad))
        if c is None or (distrito is not None and c["distrito"] != int(distrito)):
            return False
        distrito = c["distrito"]
    if distrito is not None:
        d = _index("distritos").get(int(distrito))
        if d is None or (departamento is not None and d["departamento"] != int(departamento)):
            return False
    return True


def unidades() -> list[dict]:
    return [{"codigo": k, "descripcion": v} for k, v in sorted(catalog.units().items())]


def paises() -> list[dict]:
    return [{"codigo": k, "descripcion": v} for k, v in sorted(catalog.countries().items())]


def monedas() -> list[dict]:
    return [{"codigo": k, "descripcion": v} for k, v in sorted(catalog.currencies().items())]


PLACE_KEYS = ("departamento", "distrito", "ciudad")  # each narrows the next


def _code(text) -> int | None:
    text = str(text or "").strip()
    return int(text) if text.isdigit() else None


def place_choices(key: str, cells) -> list[tuple[str, str]] | None:
    """What a person picks for the place field `key` of an address, as (code, 'NAME (code)'),
    narrowed by the fields before it in `cells` ({'departamento': '12', …}: a distrito within
    the chosen departamento, a ciudad within the chosen distrito); None for any other field."""
    if key == "departamento":
        rows = departamentos()
    elif key == "distrito":
        rows = distritos(_code(cells.get("departamento")))
    elif key == "ciudad":
        distrito = _code(cells.get("distrito"))
        if distrito is None and _code(cells.get("departamento")) is not None:
            wanted = {d["codigo"] for d in distritos(_code(cells.get("departamento")))}
            rows = [c for c in _rows("ciudades") if c["distrito"] in wanted]
        else:
            rows = ciudades(distrito)
    else:
        return None
    return [(str(r["codigo"]), f"{r['descripcion']} ({r['codigo']})") for r in rows]
