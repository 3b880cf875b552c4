"""The `api` facet of Paraguay: FacturaSend's and DTEpy's dialects."""
from __future__ import annotations

from app.fiscal.py.api_dtepy import DtepyDialect
from app.fiscal.py.api_facturasend import FacturaSendDialect


class PyApi:
    def __init__(self) -> None:
        self.dialects = {"facturasend": FacturaSendDialect(), "dtepy": DtepyDialect()}


FACET = PyApi()
