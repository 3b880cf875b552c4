"""Ecuador (SRI): identity and facet modules of this package."""
from __future__ import annotations

from app.fiscal.base import Country

_ROOTS = (b"<factura", b"<notaCredito", b"<notaDebito", b"<comprobanteRetencion", b"<guiaRemision",
          b"<liquidacionCompra", b"<autorizacion", b"<respuestaAutorizacionComprobante",
          b"<RespuestaAutorizacionComprobante", b"ec.gob.sri.ws")


class Ecuador(Country):
    code = "EC"
    name = "Ecuador"
    authority = "SRI"
    currency = "USD"
    timezone = "America/Guayaquil"
    package = "app.fiscal.ec"

    def owns_xml(self, head: bytes) -> bool:
        return any(root in head for root in _ROOTS)


COUNTRY = Ecuador()
