"""Paraguay (SIFEN / e-Kuatia): identity and facet modules of this package."""
from __future__ import annotations

from app.fiscal.base import Country


class Paraguay(Country):
    code = "PY"
    name = "Paraguay"
    authority = "SIFEN"
    currency = "PYG"
    timezone = "America/Asuncion"
    package = "app.fiscal.py"
    input_dialects = ("facturasend", "dtepy")

    def owns_xml(self, head: bytes) -> bool:
        return b"ekuatia.set.gov.py" in head or b"<rDE" in head or b"rLoteDE" in head


COUNTRY = Paraguay()
