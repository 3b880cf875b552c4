"""Toylandia: a country that exists only in the tests (a toy authority, the DGT, with one
document type, the boleta, and its own toy sandbox). It proves that adding a country is a new
package plus one registry line: `registry.register("ZZ", "toy_country")`, and nothing in
app/ changes shape. Each module here is one facet of `app.fiscal.base.Country`."""
from app.fiscal.base import Country

NS = "urn:toylandia:dgt:boleta:1"


class Toyland(Country):
    code = "ZZ"
    name = "Toylandia"
    authority = "DGT"
    currency = "XTS"  # ISO 4217's code reserved for testing
    timezone = "Pacific/Kiritimati"
    package = "toy_country"

    def owns_xml(self, head: bytes) -> bool:
        return NS.encode() in head


COUNTRY = Toyland()
