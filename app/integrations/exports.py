"""`mostrador export KEY --authorized`: the authorized form of a stored document, from its
country's `reports` facet (Ecuador: the SRI `autorizacion` document)."""
from __future__ import annotations

import sqlite3

from app.core import status as st
from app.core.errors import ConfigurationError, ValidationError
from app.fiscal import registry


def authorized_xml(row: sqlite3.Row) -> bytes:
    if st.parse(row["status"]) not in (st.AUTHORIZED, st.CANCELLED) or not row["authorization_number"]:
        raise ValidationError(f"El documento no está autorizado (estado: {st.SHORT_ES[st.parse(row['status'])]})",
                              "--authorized")
    country = registry.country(row["country"])
    try:
        reports = country.facet("reports")
    except ImportError:
        raise ConfigurationError(f"{country.authority} no tiene una forma autorizada distinta del XML firmado; "
                                 "use 'mostrador export' sin --authorized") from None
    return reports.authorized_form(bytes(row["xml"]), row["authorization_number"], row["authorized_at"] or "")
