"""Ecuador demo: a throwaway SRI company, and varied demo sales as Dátil /invoices/issue
bodies: several lines, IVA 15 %, 0 %, 5 %, exento, discounts, consumidor final and identified
buyers, several payment methods."""
from __future__ import annotations

import random
from decimal import Decimal

from app.core.company import Company, Establishment, PointOfSale
from app.core.money import round_half_up
from app.core.sale import Party
from app.fiscal.base import DemoSalePlan, DemoShowcase
from app.fiscal.ec import totals as ec_totals

DEMO_EC = Company(
    country="EC",
    ruc="1790011674001",
    razon_social="COMERCIAL MOSTRADOR DEMO S.A.",
    nombre_comercial="Tienda Demo Mostrador",
    address="Av. Amazonas N34-120 y Av. Atahualpa, Quito",
    establishments=(
        Establishment("001", "Av. Amazonas N34-120 y Av. Atahualpa, Quito", name="Matriz",
                      points=(PointOfSale("001", "Caja 1"), PointOfSale("002", "Caja 2"))),
        Establishment("002", "C.C. El Recreo, local 45, Quito", name="Recreo",
                      points=(PointOfSale("001", "Caja 1"),)),
    ),
    environment="sandbox",
    obligado_contabilidad=True,
    contribuyente_especial="",
    agente_retencion="",
    rimpe="",
    email="facturacion@demo.mostrador.ec",
    extra={"demo": True},
)

# (code, description, unit price without tax, IVA codigo_porcentaje, tarifa)
PRODUCTS = [
    ("7861001234567", "Arroz Flor 2 kg", Decimal("2.85"), "0", Decimal("0")),
    ("7861002345678", "Aceite de girasol 1 L", Decimal("3.10"), "4", Decimal("15")),
    ("7861003456789", "Leche entera 1 L", Decimal("1.05"), "0", Decimal("0")),
    ("7861004567890", "Café molido 250 g", Decimal("4.35"), "4", Decimal("15")),
    ("7861005678901", "Jabón de tocador x3", Decimal("2.40"), "4", Decimal("15")),
    ("7861006789012", "Cemento gris 50 kg", Decimal("7.90"), "5", Decimal("5")),
    ("7861007890123", "Consulta nutricional", Decimal("15.00"), "7", Decimal("0")),
    ("7861008901234", "Piña Golden", Decimal("1.75"), "0", Decimal("0")),
    ("7861009012345", "Detergente 1 kg \"Ñandú\" & Cía", Decimal("5.60"), "4", Decimal("15")),
    ("7861000123456", "Agua sin gas 625 ml", Decimal("0.45"), "4", Decimal("15")),
]

BUYERS = [
    ("05", "1710034065", "María José Cañizares Núñez", "maria.canizares@example.ec"),
    ("04", "1790011674001", "Distribuidora Ándes Cía. Ltda.", "compras@andes.example.ec"),
    ("06", "AB123456", "John O'Connor", "john@example.com"),
]

METHODS = ["efectivo", "tarjeta_credito", "tarjeta_debito", "transferencia", "dinero_electronico_ec"]


def demo_invoice(company: Company, rng: random.Random, n: int, *, estab: str = "001", point: str = "001") -> dict:
    lines = [(p, Decimal(rng.choice(["1", "2", "3", "0.5", "1.25", "12"])),
              Decimal(rng.choice(["0", "0", "0.05", "0.10"])))
             for p in rng.sample(PRODUCTS, k=rng.randint(2, 5))]
    body = invoice_body(company, lines, estab=estab, point=point)
    total = Decimal(body["totales"]["importe_total"])
    if n % 3 == 0 and total <= Decimal("50.00"):
        body["comprador"] = {"tipo_identificacion": "07", "identificacion": "9999999999999",
                             "razon_social": "CONSUMIDOR FINAL"}
    else:
        tipo, ident, name, email = BUYERS[n % len(BUYERS)]
        body["comprador"] = {"tipo_identificacion": tipo, "identificacion": ident, "razon_social": name,
                             "email": email, "direccion": "Quito"}
    body["pagos"] = _split(total, rng)
    body["informacion_adicional"] = {"Cajero": "Demo", "Venta": f"DEMO-{n:05d}"}
    return body


def invoice_body(company: Company, lines: list[tuple[tuple, Decimal, Decimal]], *, estab: str = "001",
                 point: str = "001") -> dict:
    """A Dátil invoice body for (product, quantity, discount fraction) lines, totals filled with
    the SRI rule (each line's tax rounded on its own; each rate's header tax rounded once on its
    summed base, docs/sri.md "Arithmetic"); buyer and payments left to the caller (payments
    default to one cash payment of the total)."""
    items, per_rate, rates = [], {}, {}
    for (code, desc, price, pct, tarifa), qty, disc in lines:
        gross = round_half_up(qty * price, 2)
        discount = round_half_up(gross * disc, 2)
        base = gross - discount
        value = round_half_up(base * tarifa / 100, 2)
        items.append({
            "cantidad": str(qty), "codigo_principal": code, "descripcion": desc,
            "precio_unitario": str(price), "descuento": str(discount),
            "precio_total_sin_impuestos": str(base), "unidad_medida": "Unidad",
            "impuestos": [{"codigo": "2", "codigo_porcentaje": pct, "tarifa": str(tarifa),
                           "base_imponible": str(base), "valor": str(value)}],
        })
        b, v = per_rate.get(pct, (Decimal(0), Decimal(0)))
        per_rate[pct] = (b + base, v + value)
        rates[pct] = tarifa
    per_rate = {pct: (b, ec_totals.header_tax_value(b, rates[pct], v)) for pct, (b, v) in per_rate.items()}
    subtotal = sum((b for b, _ in per_rate.values()), Decimal(0))
    total = subtotal + sum((v for _, v in per_rate.values()), Decimal(0))
    return {
        "ambiente": int(company.ambiente),
        "tipo_emision": 1,
        "emisor": {"ruc": company.ruc, "establecimiento": {"codigo": estab, "punto_emision": point}},
        "moneda": "USD",
        "totales": {
            "total_sin_impuestos": str(subtotal),
            "descuento": str(sum((Decimal(i["descuento"]) for i in items), Decimal(0))),
            "propina": "0.00", "importe_total": str(total),
            "impuestos": [{"codigo": "2", "codigo_porcentaje": pct, "base_imponible": str(b), "valor": str(v)}
                          for pct, (b, v) in sorted(per_rate.items())],
        },
        "comprador": {"tipo_identificacion": "07", "identificacion": "9999999999999",
                      "razon_social": "CONSUMIDOR FINAL"},
        "items": items,
        "pagos": [{"medio": "efectivo", "total": str(total)}],
    }


def _split(total: Decimal, rng: random.Random) -> list[dict]:
    methods = rng.sample(METHODS, k=rng.choice([1, 1, 2]))
    if len(methods) == 1 or total < Decimal("1.00"):
        return [{"medio": methods[0], "total": str(total)}]
    first = round_half_up(total * Decimal(rng.choice(["0.3", "0.5", "0.6"])), 2)
    return [{"medio": methods[0], "total": str(first)}, {"medio": methods[1], "total": str(total - first)}]


# the till sales of the screenshots (codes of the demo catalog)
_PLANS = (
    DemoSalePlan(("ARROZ1", "LECHE1", "ACEITE1"), None, (("efectivo", Decimal("20")),)),
    DemoSalePlan(("CEMENTO", "CEMENTO", "DETERG"),
                 Party("05", "1710034065", "María Fernanda Andrade", "maria.andrade@example.com"),
                 (("tarjeta_credito", None),)),
    DemoSalePlan(("COLA3", "PAN", "ATUN"), None, (("efectivo", Decimal("10")),)),
    DemoSalePlan(("CAFE", "JABON"), Party("04", "1790011674001", "Distribuidora Andina S.A."),
                 (("transferencia", None),)),
    DemoSalePlan(("RECARGA", "AZUCAR1"), None, (("tarjeta_debito", None),)),
)


class EcDemo:
    company = DEMO_EC
    opening_float = Decimal("50.00")
    showcase = DemoShowcase(
        sales=_PLANS + _PLANS[:1], pending=_PLANS[:2],
        credit_buyer="1710034065", credit_reason="Devolución de un saco dañado",
        cart=("3*7861001234561", "ACEITE1", "7861001234608", "CEMENTO"), discount="5", buyer_id="1710034065",
        tenders=(("tarjeta_credito", "10.00"), ("efectivo", "20.00")))

    def ensure_secrets(self, company: Company) -> None:
        """The SRI needs nothing besides the certificate."""

    def sale_body(self, company: Company, rng: random.Random, n: int, *, estab: str, point: str) -> tuple[dict, str]:
        return demo_invoice(company, rng, n, estab=estab, point=point), "invoices"


FACET = EcDemo()
