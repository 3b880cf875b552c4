"""A country that exists only in the tests: its setup rules render in the wizard with no change
to generic code."""
from app.fiscal.base import Country


class Toyland(Country):
    code = "ZZ"
    name = "Toylandia"
    authority = "DGT"
    currency = "USD"
    timezone = "UTC"
    package = "toy_country"


COUNTRY = Toyland()
