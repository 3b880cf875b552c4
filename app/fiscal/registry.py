"""Which country package serves which country code, and which authority a piece of XML belongs to.

Adding a country is one line in `_PACKAGES` (or `register` from a test); nothing else here
names a country.
"""
from __future__ import annotations

import importlib

from app.core.errors import ConfigurationError
from app.fiscal.base import Country

# country code -> module exposing `COUNTRY` (a `Country`)
_PACKAGES: dict[str, str] = {
    "EC": "app.fiscal.ec.country",
    "PY": "app.fiscal.py.country",
}
_loaded: dict[str, Country] = {}


def register(code: str, module: str) -> None:
    """Adds (or replaces) a country served by `module` (which exposes `COUNTRY`)."""
    code = code.upper()
    _PACKAGES[code] = module
    _loaded.pop(code, None)


def unregister(code: str) -> None:
    _PACKAGES.pop(code.upper(), None)
    _loaded.pop(code.upper(), None)


def codes() -> list[str]:
    return list(_PACKAGES)


def country(code: str | None) -> Country:
    code = (code or "").upper()
    try:
        return _loaded[code]
    except KeyError:
        pass
    if code not in _PACKAGES:
        raise ConfigurationError(f"País no soportado todavía: {code or '(vacío)'}")
    _loaded[code] = c = importlib.import_module(_PACKAGES[code]).COUNTRY
    return c


def all_countries() -> list[Country]:
    return [country(c) for c in codes()]


def backend_for(code: str):
    return country(code).backend()


def detect_country(xml: bytes) -> str | None:
    """The code of the country whose authority wrote `xml`, or None when no package claims it."""
    head = xml[:4096]
    for c in all_countries():
        if c.owns_xml(head):
            return c.code
    return None
