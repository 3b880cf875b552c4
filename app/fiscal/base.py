"""The interface every country package (`fiscal/ec`, `fiscal/py`, a test's toy country) implements.

Generic code (core, store, pos, sync, devices, render, ui, cli) reaches a country only through
`app.fiscal.registry.country(code)` and the `Country` object below; it never compares country
codes. A country package provides one module per facet (`backend`, `till`, `setup`, `demo`,
`transport`, `printables`, `actions`), each exposing `FACET`; adding a country is a new package
plus one registry line, and nothing else changes shape.
"""
from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any, Protocol

from app.core.company import Company
from app.core.documents import Draft, Finding, SeriesKey, SignedDocument  # noqa: F401  (the interface's types)


class FiscalBackend(Protocol):
    country: str

    def parse(self, body: dict, kind: str, company: Company, *, now: datetime | None = None) -> Draft:
        """Validates an issue request (the seed APIs' JSON) -> Draft, or raises
        `app.core.errors.ValidationError` naming every bad field."""

    def sign(self, draft: Draft, sequential: int, identity: Any, company: Company,
             *, now: datetime | None = None) -> SignedDocument:
        """Builds the XML for `sequential`, validates it against the XSD, signs it."""

    def verify(self, xml: bytes, **options) -> list[Finding]:
        """Checks any document of this authority (ours or anybody's)."""


class Country:
    """One country: its identity and its facets, each loaded lazily from `<package>.<facet>`.

    Facets (each module exposes `FACET`; its Protocol is documented beside the generic code
    that uses it):
    - `backend`: a `FiscalBackend` (parse input dialects, turn a `Sale` into a draft, sign, verify).
    - `till`: the POS rules the till applies (taxes, payment methods, buyer types and ID checks,
      money format, legal limits).
    - `setup`: company setup fields, environments and their validation.
    - `demo`: the demo company, certificate extras and demo sales.
    - `transport`: the worker protocol for the authority's web services and its sandbox.
    - `printables`: readers of the signed XML, the ticket model and the A4 PDF.
    - `actions`: what else can be done to a document (events, corrections) on Documentos.
    """

    code: str = ""  # ISO 3166-1 alpha-2, what the company row stores
    name: str = ""  # "Ecuador"
    authority: str = ""  # "SRI"
    currency: str = ""  # ISO 4217 of the till's default currency
    timezone: str = ""  # IANA zone the authority dates documents in
    package: str = ""  # the Python package holding the facet modules

    def __init__(self) -> None:
        self._facets: dict[str, Any] = {}

    def facet(self, name: str) -> Any:
        try:
            return self._facets[name]
        except KeyError:
            module = importlib.import_module(f"{self.package}.{name}")
            self._facets[name] = value = module.FACET
            return value

    def backend(self) -> "FiscalBackend":
        return self.facet("backend")

    def till(self) -> Any:
        return self.facet("till")

    def setup(self) -> Any:
        return self.facet("setup")

    def demo(self) -> Any:
        return self.facet("demo")

    def transport(self) -> Any:
        return self.facet("transport")

    def printables(self) -> Any:
        return self.facet("printables")

    def actions(self) -> Any:
        return self.facet("actions")

    def owns_xml(self, head: bytes) -> bool:
        """Whether the first bytes of an XML document belong to this authority."""
        return False

    def __repr__(self) -> str:
        return f"<Country {self.code}>"
