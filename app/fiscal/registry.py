"""Which backend serves which authority, and which authority a piece of XML belongs to."""
from __future__ import annotations

from app.core.errors import ConfigurationError

_SRI_ROOTS = {"factura", "notaCredito", "notaDebito", "comprobanteRetencion", "guiaRemision",
              "liquidacionCompra", "autorizacion", "respuestaAutorizacionComprobante",
              "RespuestaAutorizacionComprobante"}


def backend_for(country: str):
    country = (country or "").upper()
    if country == "EC":
        from app.fiscal.ec.backend import EcBackend

        return EcBackend()
    if country == "PY":
        from app.fiscal.py.backend import PyBackend

        return PyBackend()
    raise ConfigurationError(f"País no soportado todavía: {country or '(vacío)'}")


def detect_country(xml: bytes) -> str | None:
    """'EC' for SRI documents, 'PY' for SIFEN ones, None when it cannot tell."""
    head = xml[:4096]
    if b"ekuatia.set.gov.py" in head or b"<rDE" in head or b"rLoteDE" in head:
        return "PY"
    for root in _SRI_ROOTS:
        if f"<{root}".encode() in head:
            return "EC"
    if b"ec.gob.sri.ws" in head:
        return "EC"
    return None
