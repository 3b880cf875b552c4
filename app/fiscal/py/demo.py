"""Paraguay demo: a throwaway SIFEN company and varied FacturaSend `de/create` bodies.

Sales mix IVA 10 %, 5 % and exento, guaraníes and dólares, contado and crédito (plazo and
cuotas), cash, card and cheque payments, innominado consumers, persons and companies.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from app.core.company import Company, Establishment, PointOfSale
from app.core.sale import Party
from app.fiscal.base import DemoSalePlan, DemoShowcase
from app.fiscal.py import qr
from app.fiscal.py.totals import ItemInput, compute

DEMO_PY = Company(
    country="PY",
    ruc="80012345-0",
    razon_social="COMERCIAL MOSTRADOR DEMO S.A.",
    nombre_comercial="Tienda Demo Mostrador",
    address="AVDA. MCAL. LOPEZ 1234",
    establishments=(
        Establishment("001", "AVDA. MCAL. LOPEZ 1234", name="Casa Central",
                      points=(PointOfSale("001", "Caja 1"), PointOfSale("002", "Caja 2")),
                      house_number="1234", departamento=1, distrito=1, ciudad=1,
                      phone="021123456", email="ventas@demo.mostrador.com.py"),
        Establishment("002", "AVDA. ESPAÑA 567", name="Sucursal España",
                      points=(PointOfSale("001", "Caja 1"),),
                      house_number="567", departamento=1, distrito=1, ciudad=1,
                      phone="021654321", email="espana@demo.mostrador.com.py"),
    ),
    environment="sandbox",
    timbrado="12560812",
    timbrado_start=date(2025, 1, 1),
    tipo_contribuyente=2,
    actividades=(("47190", "VENTA AL POR MENOR EN COMERCIOS NO ESPECIALIZADOS"),),
    csc_id="0001",
    email="facturacion@demo.mostrador.com.py",
    phone="021123456",
    extra={"demo": True},
)

# (code, description, price in PYG (IVA included), ivaTipo, iva, unit)
PRODUCTS = [
    ("7840001000011", "Yerba mate Pajarito 1 kg", 24500, 1, 5, 77),
    ("7840001000028", "Aceite de soja 900 ml", 15900, 1, 10, 77),
    ("7840001000035", "Harina de trigo 1 kg", 6500, 1, 5, 77),
    ("7840001000042", "Gaseosa cola 2 L", 11000, 1, 10, 77),
    ("7840001000059", "Detergente \"Ñandutí\" & Cía 750 ml", 13750, 1, 10, 77),
    ("7840001000066", "Libro escolar de lectura", 45000, 3, 0, 77),
    ("7840001000073", "Mandioca fresca", 4000, 3, 0, 83),
    ("7840001000080", "Carne vacuna (kg)", 48000, 1, 5, 83),
    ("7840001000097", "Servicio de entrega a domicilio", 15000, 1, 10, 77),
]
USD_RATE = Decimal("7350")
CUSTOMERS = [
    {"contribuyente": True, "ruc": "80033303-9", "razonSocial": "Distribuidora Guaraní S.R.L.",
     "tipoOperacion": 1, "tipoContribuyente": 2, "pais": "PRY", "email": "compras@guarani.example.com.py"},
    {"contribuyente": False, "documentoTipo": 1, "documentoNumero": "3456789",
     "razonSocial": "María José Benítez Núñez", "tipoOperacion": 2, "pais": "PRY"},
    {"contribuyente": True, "ruc": "1234567-9", "razonSocial": "Juan Pérez Ayala", "tipoOperacion": 1,
     "tipoContribuyente": 1, "pais": "PRY", "direccion": "Calle Palma 123", "numeroCasa": 123,
     "departamento": 1, "ciudad": 1, "distrito": 1},
]
INNOMINADO = {"contribuyente": False, "documentoTipo": 5, "documentoNumero": "0",
              "razonSocial": "Sin Nombre", "tipoOperacion": 2, "pais": "PRY"}


def ensure_demo_csc(company: Company) -> None:
    """Stores the public test CSC in the keyring for a sandbox company, so the demo signs
    its QR with a CSC read from the keyring exactly as production does."""
    from app.fiscal import signing
    from app.fiscal.py.backend import csc_account

    if company.environment == "produccion":
        return
    if signing.load_secret(csc_account(company.ruc)) is None:
        signing.store_secret(csc_account(company.ruc), qr.TEST_CSC.get(company.csc_id or "0001",
                                                                       qr.TEST_CSC["0001"]))


def _now_local() -> str:
    from app.fiscal.py.xml_build import local_naive

    return local_naive(datetime.now(timezone.utc)).isoformat()


def demo_py_sale(company: Company, rng: random.Random, n: int, *, estab: str = "001",
                 point: str = "001") -> dict:
    """A varied FacturaSend body (camelCase); no `numero`: Mostrador numbers it."""
    usd = n % 4 == 2
    chosen = rng.sample(PRODUCTS, k=rng.randint(2, 5))
    # make sure every rate appears now and then: one exento item every third sale
    if n % 3 == 0 and not any(p[3] == 3 for p in chosen):
        chosen[-1] = PRODUCTS[5]
    items, inputs = [], []
    for code, desc, price, iva_tipo, iva, unit in chosen:
        qty = Decimal(rng.choice(["1", "2", "3", "1.5"] if unit == 83 else ["1", "2", "3", "6"]))
        unit_price = (Decimal(price) / USD_RATE).quantize(Decimal("0.01")) if usd else Decimal(price)
        items.append({"codigo": code, "descripcion": desc, "unidadMedida": unit, "cantidad": str(qty),
                      "precioUnitario": str(unit_price), "ivaTipo": iva_tipo, "ivaBase": 100 if iva_tipo == 1 else 0,
                      "iva": iva})
        inputs.append(ItemInput(unit_price, qty, iva_tipo, Decimal(100 if iva_tipo == 1 else 0), iva))
    currency = "USD" if usd else "PYG"
    _, totals = compute(inputs, currency=currency, exchange_rate=USD_RATE if usd else None)
    total = totals.tot_gral
    total_pyg = totals.total_gs if usd else total
    if n % 4 == 1 and total_pyg < 7_000_000:
        cliente = dict(INNOMINADO)
    else:
        cliente = dict(CUSTOMERS[n % len(CUSTOMERS)])
    body: dict = {
        "tipoDocumento": 1, "establecimiento": estab, "punto": point, "fecha": _now_local(),
        "tipoEmision": 1, "tipoTransaccion": 1, "tipoImpuesto": 1, "moneda": currency,
        "cliente": cliente, "factura": {"presencia": 1}, "items": items,
        "observacion": f"Venta de demostración DEMO-{n:05d}",
    }
    if usd:
        body["condicionTipoCambio"] = 1
        body["cambio"] = str(USD_RATE)
    credit = n % 5 == 3 and cliente["contribuyente"]
    if credit:
        if n % 2:
            body["condicion"] = {"tipo": 2, "credito": {"tipo": 1, "plazo": "30 días"}}
        else:
            half = (total / 2).quantize(Decimal(1) if currency == "PYG" else Decimal("0.01"))
            due = date.today() + timedelta(days=30)
            body["condicion"] = {"tipo": 2, "credito": {"tipo": 2, "cuotas": 2, "infoCuotas": [
                {"moneda": currency, "monto": str(half), "vencimiento": due.isoformat()},
                {"moneda": currency, "monto": str(total - half),
                 "vencimiento": (due + timedelta(days=30)).isoformat()}]}}
    else:
        body["condicion"] = {"tipo": 1, "entregas": _payments(rng, n, total, currency)}
    return body


def _payments(rng: random.Random, n: int, total: Decimal, currency: str) -> list[dict]:
    extra = {"cambio": str(USD_RATE)} if currency != "PYG" else {}
    kind = [1, 3, 2, 4][n % 4] if n % 7 else 1
    if kind == 1 and currency == "PYG" and n % 2 == 0:  # cash with change: vuelto
        rounded = ((total // 10000) + 1) * 10000
        return [{"tipo": 1, "monto": str(rounded), "moneda": currency, **extra}]
    entry: dict = {"tipo": kind, "monto": str(total), "moneda": currency, **extra}
    if kind in (3, 4):
        entry["infoTarjeta"] = {"tipo": rng.choice([1, 2, 6]), "medioPago": 1, "titular": "Cliente Demo",
                                "numero": f"{rng.randint(0, 9999):04d}", "razonSocial": "Bancard S.A.",
                                "ruc": "80033303-9", "codigoAutorizacion": rng.randint(100000, 999999)}
    if kind == 2:
        entry["infoCheque"] = {"numeroCheque": f"{rng.randint(1, 99999999):08d}", "banco": "Banco Nacional de Fomento"[:20]}
    return [entry]


class PyDemo:
    company = DEMO_PY
    opening_float = Decimal("200000")
    showcase = DemoShowcase(
        sales=(DemoSalePlan(("YERBA1", "ACEITE9", "LIBRO"), Party("PY-RUC", "80033303-9", "Distribuidora Guaraní S.R.L."),
                            (("transferencia", None),)),
               DemoSalePlan(("COLA2", "HARINA1"), None, (("efectivo", None),))),
        cart=("2*YERBA1", "ACEITE9", "7840001000066", "3*HARINA1", "CARNE"), discount="10",
        buyer_id="80069563-1", buyer_name="Ferretería Asunción S.A.",
        tenders=(("tarjeta_debito", "100.000"), ("efectivo", "100.000")))

    def ensure_secrets(self, company: Company) -> None:
        ensure_demo_csc(company)

    def sale_body(self, company: Company, rng: random.Random, n: int, *, estab: str, point: str) -> tuple[dict, str]:
        return demo_py_sale(company, rng, n, estab=estab, point=point), "invoices"


FACET = PyDemo()
