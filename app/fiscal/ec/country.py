"""Ecuador (SRI): identity and facet modules of this package."""
from __future__ import annotations

from app.fiscal.base import Country

# Besides the comprobantes themselves (app/fiscal/ec/documents): the SRI's authorization wrappers.
_WRAPPERS = (b"<autorizacion", b"<respuestaAutorizacionComprobante", b"<RespuestaAutorizacionComprobante",
             b"ec.gob.sri.ws")


class Ecuador(Country):
    code = "EC"
    name = "Ecuador"
    authority = "SRI"
    currency = "USD"
    timezone = "America/Guayaquil"
    package = "app.fiscal.ec"

    def owns_xml(self, head: bytes) -> bool:
        from app.fiscal.ec import documents  # lazy: loading the country stays cheap

        return any(b"<" + root.encode() in head for root in documents.roots()) or any(w in head for w in _WRAPPERS)


COUNTRY = Ecuador()
