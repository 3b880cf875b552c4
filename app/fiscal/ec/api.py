"""The `api` facet of Ecuador: Dátil's dialect (app/fiscal/ec/api_datil.py)."""
from __future__ import annotations

from app.fiscal.ec.api_datil import DatilDialect


class EcApi:
    def __init__(self) -> None:
        self.dialects = {"datil": DatilDialect()}


FACET = EcApi()
