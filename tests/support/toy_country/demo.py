"""The `demo` facet: Juguetería Toy, a demo company of Toylandia."""
from __future__ import annotations

from decimal import Decimal

from app.core.company import Company, Establishment, PointOfSale
from app.fiscal.base import DemoSalePlan, DemoShowcase
from toy_country.till import FACET as till


class ToyDemo:
    company = Company(country="ZZ", ruc="123456789", razon_social="Juguetería Toy S.A.",
                      nombre_comercial="Toy", address="Calle de los Juguetes 1",
                      establishments=(Establishment("001", "Calle de los Juguetes 1",
                                                    points=(PointOfSale("001"),)),),
                      environment="sandbox", extra={"demo": True})
    opening_float = Decimal("100.00")
    showcase = DemoShowcase(sales=(DemoSalePlan(("PELOTA", "YOYO")),), cart=("TROMPO",))

    def ensure_secrets(self, company: Company) -> None:
        """The DGT asks for nothing but the signing certificate (made by the generic demo)."""

    def sale_body(self, company, rng, n: int, *, estab: str, point: str) -> tuple[dict, str]:
        code, _bar, name, price, _tax = till.demo_products[n % len(till.demo_products)]
        qty = rng.randint(1, 3)
        total = Decimal(price) * qty
        return ({"establecimiento": estab, "punto": point, "cliente": {"id": "0", "nombre": "Anónimo"},
                 "items": [{"codigo": code, "nombre": name, "cantidad": qty, "precio": price}],
                 "pagos": [{"medio": "E", "monto": str(total)}]}, "invoices")


FACET = ToyDemo()
