"""The sale being rung up: lines, buyer, totals per tax rate, payments, and the Dátil
/invoices/issue body that `checkout.issue` turns into a signed factura.

Arithmetic is the EC builder's: per line base = round(cantidad × precio_unitario − descuento, 2),
tax = round(base × tarifa / 100, 2); totals are sums of the line values per tax code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from app.core.company import Company
from app.core.money import ZERO, round_half_up, to_decimal

HUNDRED = Decimal(100)
CONSUMIDOR_FINAL_ID = "9999999999999"
CONSUMIDOR_FINAL_NAME = "CONSUMIDOR FINAL"
CONSUMIDOR_FINAL_LIMIT = Decimal("50.00")  # importe_total above this needs an identified buyer


@dataclass(frozen=True)
class TaxCategory:
    code: str  # EC: SRI codigo_porcentaje (tabla 17); PY: 'PY10' | 'PY5' | 'PYEX'
    rate: Decimal  # tarifa, percent
    label: str
    country: str = "EC"
    iva_type: int | None = None  # PY only: SIFEN iAfecIVA (1 gravado, 3 exento), FacturaSend ivaTipo


TAX_CATEGORIES: dict[str, TaxCategory] = {
    "4": TaxCategory("4", Decimal("15"), "IVA 15 %"),
    "0": TaxCategory("0", Decimal("0"), "IVA 0 %"),
    "5": TaxCategory("5", Decimal("5"), "IVA 5 %"),
    "10": TaxCategory("10", Decimal("13"), "IVA 13 %"),
    "6": TaxCategory("6", Decimal("0"), "No objeto de IVA"),
    "7": TaxCategory("7", Decimal("0"), "Exento de IVA"),
    # Paraguay: prices always include IVA; FacturaSend ivaTipo / iva (ivaBase 100 or 0)
    "PY10": TaxCategory("PY10", Decimal("10"), "IVA 10 %", "PY", 1),
    "PY5": TaxCategory("PY5", Decimal("5"), "IVA 5 %", "PY", 1),
    "PYEX": TaxCategory("PYEX", Decimal("0"), "Exento", "PY", 3),
}
DEFAULT_TAX_CATEGORY = {"EC": "4", "PY": "PY10"}


def tax_category(code: str) -> TaxCategory:
    try:
        return TAX_CATEGORIES[str(code)]
    except KeyError:
        raise ValueError(f"Categoría de IVA desconocida: {code}") from None


def categories_for(country: str) -> dict[str, TaxCategory]:
    """The tax categories a product of a `country` shop may have (what Productos offers)."""
    return {k: c for k, c in TAX_CATEGORIES.items() if c.country == country}


@dataclass(frozen=True)
class PaymentMethod:
    medio: str  # Dátil code, what the sale body carries
    sri_code: str  # SRI formaPago (tabla 24), what the payments table stores
    label: str
    gives_change: bool = False


PAYMENT_METHODS: dict[str, PaymentMethod] = {m.medio: m for m in (
    PaymentMethod("efectivo", "01", "Efectivo", gives_change=True),
    PaymentMethod("tarjeta_credito", "19", "Tarjeta de crédito"),
    PaymentMethod("tarjeta_debito", "16", "Tarjeta de débito"),
    PaymentMethod("transferencia", "20", "Transferencia"),
    PaymentMethod("cheque", "20", "Cheque"),
    PaymentMethod("dinero_electronico_ec", "17", "Dinero electrónico"),
    PaymentMethod("otros", "20", "Otros"),
)}

SRI_PAYMENT_LABELS = {"01": "Efectivo", "15": "Compensación", "16": "Tarjeta de débito",
                      "17": "Dinero electrónico", "18": "Tarjeta prepago", "19": "Tarjeta de crédito",
                      "20": "Transferencia / otros", "21": "Endoso de títulos"}

ID_TYPE_LABELS = {"04": "RUC", "05": "Cédula", "06": "Pasaporte", "07": "Consumidor final",
                  "08": "Identificación del exterior"}


# ----------------------------------------------------------------------------------- buyer

@dataclass(frozen=True)
class Buyer:
    id_type: str  # tipo_identificacion
    identification: str
    name: str
    email: str = ""
    address: str = ""
    phone: str = ""

    @property
    def is_final_consumer(self) -> bool:
        """EC consumidor final or PY innominado: nobody to remember or to credit."""
        return self.id_type in ("07", PY_ANONYMOUS)

    def as_comprador(self) -> dict:
        d = {"tipo_identificacion": self.id_type, "identificacion": self.identification,
             "razon_social": self.name}
        for k, v in (("email", self.email), ("direccion", self.address), ("telefono", self.phone)):
            if v:
                d[k] = v
        return d


FINAL_CONSUMER = Buyer("07", CONSUMIDOR_FINAL_ID, CONSUMIDOR_FINAL_NAME)

# Paraguay's buyer kinds (app.pos.cart_py maps them to FacturaSend's cliente)
PY_RUC, PY_CEDULA, PY_PASSPORT, PY_FOREIGN_ID, PY_ANONYMOUS = "PY-RUC", "PY-CI", "PY-PAS", "PY-CE", "PY-INN"
PY_ID_TYPE_LABELS = {PY_RUC: "RUC", PY_CEDULA: "Cédula paraguaya", PY_PASSPORT: "Pasaporte",
                     PY_FOREIGN_ID: "Cédula extranjera", PY_ANONYMOUS: "Innominado"}
INNOMINADO = Buyer(PY_ANONYMOUS, "0", "Sin Nombre")


def anonymous_buyer(country: str) -> Buyer:
    """The buyer of a sale nobody identified: EC consumidor final, PY innominado."""
    return INNOMINADO if country == "PY" else FINAL_CONSUMER


def id_type_labels(country: str) -> dict[str, str]:
    return PY_ID_TYPE_LABELS if country == "PY" else ID_TYPE_LABELS


def detect_id_type_for(country: str, identification: str) -> str:
    if country == "PY":
        from app.pos import cart_py

        return cart_py.detect_id_type(identification)
    return detect_id_type(identification)


def identification_errors_for(country: str, id_type: str, identification: str) -> list[str]:
    if country == "PY":
        from app.pos import cart_py

        return cart_py.identification_errors(id_type, identification)
    return identification_errors(id_type, identification)


def detect_id_type(identification: str) -> str:
    """The SRI identification type a typed number most likely is: 13 nines → 07, 13 digits → 04
    RUC, 10 digits → 05 cédula, anything else → 06 pasaporte."""
    text = identification.strip()
    if text == CONSUMIDOR_FINAL_ID:
        return "07"
    if text.isdigit() and len(text) == 13:
        return "04"
    if text.isdigit() and len(text) == 10:
        return "05"
    return "06"


def identification_errors(id_type: str, identification: str) -> list[str]:
    """Spanish reasons why `identification` is not a valid number of type `id_type`.

    Check digits come from `app.fiscal.ec.identity` (the SRI rules); without that module only
    the shape is checked here."""
    text = identification.strip()
    if id_type == "07":
        return [] if text == CONSUMIDOR_FINAL_ID else [
            f"Consumidor final se identifica con {CONSUMIDOR_FINAL_ID}"]
    if not text:
        return ["Escriba el número de identificación del cliente"]
    if id_type == "06":
        return [] if 3 <= len(text) <= 20 else ["El pasaporte debe tener entre 3 y 20 caracteres"]
    if id_type == "08":
        return [] if 1 <= len(text) <= 20 else ["La identificación del exterior tiene hasta 20 caracteres"]
    if id_type == "05":
        if not (text.isdigit() and len(text) == 10):
            return ["La cédula debe tener 10 dígitos"]
    elif id_type == "04":
        if not (text.isdigit() and len(text) == 13):
            return ["El RUC debe tener 13 dígitos"]
    else:
        return [f"Tipo de identificación desconocido: {id_type}"]
    return _check_digit_errors(id_type, text)


def _check_digit_errors(id_type: str, text: str) -> list[str]:
    try:
        from app.fiscal.ec.identity import check_identification
    except ImportError:
        return []
    return [m[:1].upper() + m[1:] for m in check_identification(id_type, text).errors]


# ----------------------------------------------------------------------------------- lines

@dataclass
class CartLine:
    code: str
    description: str
    quantity: Decimal
    price: Decimal  # per unit, as shown to the cashier (with or without tax: price_includes_tax)
    price_includes_tax: bool
    tax_code: str
    discount_percent: Decimal = ZERO
    list_price: Decimal | None = None  # catalog price, to tell price changes apart

    @property
    def tax(self) -> TaxCategory:
        return tax_category(self.tax_code)

    @property
    def is_py(self) -> bool:
        return self.tax.country == "PY"

    @property
    def unit_price(self) -> Decimal:
        """precio_unitario: without tax, 6 decimals."""
        if self.price_includes_tax and self.tax.rate:
            return round_half_up(self.price * HUNDRED / (HUNDRED + self.tax.rate), 6)
        return round_half_up(self.price, 6)

    @property
    def gross(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def discount(self) -> Decimal:
        return round_half_up(self.gross * self.discount_percent / HUNDRED, 2)

    @property
    def base(self) -> Decimal:
        return round_half_up(self.gross - self.discount, 2)

    @property
    def tax_value(self) -> Decimal:
        return round_half_up(self.base * self.tax.rate / HUNDRED, 2)

    @property
    def total(self) -> Decimal:
        if self.is_py:  # SIFEN arithmetic: price with IVA, whole guaraníes
            from app.pos import cart_py

            return cart_py.line_amounts(self).total
        return self.base + self.tax_value

    def as_item(self) -> dict:
        return {
            "cantidad": self.quantity,
            "codigo_principal": self.code,
            "descripcion": self.description,
            "precio_unitario": self.unit_price,
            "descuento": self.discount,
            "precio_total_sin_impuestos": self.base,
            "impuestos": [{"codigo": "2", "codigo_porcentaje": self.tax_code,
                           "tarifa": round_half_up(self.tax.rate, 2), "base_imponible": self.base,
                           "valor": self.tax_value}],
        }


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal  # total_sin_impuestos
    discount: Decimal
    by_tax: dict[str, tuple[Decimal, Decimal]]  # codigo_porcentaje -> (base, value)
    tax: Decimal
    total: Decimal  # importe_total


def totals_of(lines: list[CartLine]) -> Totals:
    if any(ln.is_py for ln in lines):
        from app.pos import cart_py

        return cart_py.totals_of(lines)
    by_tax: dict[str, tuple[Decimal, Decimal]] = {}
    for line in lines:
        base, value = by_tax.get(line.tax_code, (ZERO, ZERO))
        by_tax[line.tax_code] = (base + line.base, value + line.tax_value)
    subtotal = sum((ln.base for ln in lines), ZERO)
    tax = sum((v for _, v in by_tax.values()), ZERO)
    return Totals(subtotal, sum((ln.discount for ln in lines), ZERO), by_tax, tax, subtotal + tax)


# ----------------------------------------------------------------------------------- payments

# Paraguay: SIFEN iTiPago (app.fiscal.py.catalog.PAYMENT_TYPES); `sri_code` holds that code here
PY_PAYMENT_METHODS: dict[str, PaymentMethod] = {m.medio: m for m in (
    PaymentMethod("efectivo", "1", "Efectivo", gives_change=True),
    PaymentMethod("tarjeta_credito", "3", "Tarjeta de crédito"),
    PaymentMethod("tarjeta_debito", "4", "Tarjeta de débito"),
    PaymentMethod("transferencia", "5", "Transferencia"),
    PaymentMethod("billetera", "7", "Billetera electrónica"),
    PaymentMethod("cheque", "2", "Cheque"),
)}
PY_PAYMENT_LABELS = {m.sri_code: m.label for m in PY_PAYMENT_METHODS.values()}
CURRENCY = {"EC": "USD", "PY": "PYG"}


def payment_methods(country: str) -> dict[str, PaymentMethod]:
    return PY_PAYMENT_METHODS if country == "PY" else PAYMENT_METHODS


def payment_label(country: str, code: str) -> str:
    """The name of a stored payment code (SRI formaPago or SIFEN iTiPago)."""
    if country == "PY":
        from app.fiscal.py.catalog import PAYMENT_TYPES

        if code in PY_PAYMENT_LABELS:
            return PY_PAYMENT_LABELS[code]
        return PAYMENT_TYPES.get(int(code), code) if code.isdigit() else code
    return SRI_PAYMENT_LABELS.get(code, code)


def money_places(country: str) -> int:
    """Decimals of the shop's currency: USD 2, PYG 0."""
    return 0 if country == "PY" else 2


@dataclass(frozen=True)
class Settlement:
    payments: list[tuple[str, Decimal]]  # (Dátil medio, amount applied to the sale)
    tendered: Decimal
    change: Decimal
    missing: Decimal
    country: str = "EC"
    # what a method needs besides the amount, e.g. {'cheque': {'numero': '123', 'banco': 'Itaú'}}
    details: dict = field(default_factory=dict, compare=False)

    @property
    def complete(self) -> bool:
        return self.missing == ZERO

    def sri_payments(self) -> list[tuple[str, Decimal]]:
        """(authority code, amount): SRI formaPago for EC, SIFEN iTiPago for PY."""
        methods = payment_methods(self.country)
        return [(methods[m].sri_code, a) for m, a in self.payments]


def settle(total: Decimal, tenders: list[tuple[str, Decimal]], *, country: str = "EC") -> Settlement:
    """Applies what the customer hands over to `total`. Non-cash methods are applied first and
    may not exceed what is owed; only cash gives change. Amounts are rounded to the currency
    (USD cents, whole guaraníes). Raises ValueError (Spanish)."""
    methods = payment_methods(country)
    places = money_places(country)
    for medio, _a in tenders:
        if medio not in methods:
            raise ValueError(f"Forma de pago desconocida: {medio}")
    noncash = [(m, a) for m, a in tenders if not methods[m].gives_change]
    cash = [(m, a) for m, a in tenders if methods[m].gives_change]
    remaining = total
    applied: list[tuple[str, Decimal]] = []
    for medio, amount in noncash + cash:
        amount = round_half_up(to_decimal(amount), places)
        if amount <= ZERO:
            raise ValueError("Cada pago debe ser mayor que cero")
        if not methods[medio].gives_change and amount > remaining:
            raise ValueError(f"El pago con {methods[medio].label.lower()} "
                             f"({amount}) supera el saldo pendiente ({remaining})")
        use = min(amount, remaining)
        if use > ZERO:
            applied.append((medio, use))
        remaining -= use
    tendered = sum((round_half_up(to_decimal(a), places) for _, a in tenders), ZERO)
    change = max(ZERO, tendered - total)
    return Settlement(_merge(applied), tendered, change, max(ZERO, remaining), country)


def _merge(payments: list[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    out: dict[str, Decimal] = {}
    for m, a in payments:
        out[m] = out.get(m, ZERO) + a
    return list(out.items())


# ----------------------------------------------------------------------------------- cart

class BuyerRequired(ValueError):
    """The total is above the consumidor-final limit: the buyer must be identified."""


@dataclass
class Cart:
    lines: list[CartLine] = field(default_factory=list)
    buyer: Buyer | None = None  # None: the country's anonymous buyer
    prebilled: bool = False  # a pre-bill was printed: removing lines now needs a supervisor
    country: str = "EC"

    def __post_init__(self) -> None:
        if self.buyer is None:
            self.buyer = anonymous_buyer(self.country)

    def add(self, product, quantity: Decimal = Decimal(1)) -> CartLine:
        """Adds a catalog product (anything with code, name, price, price_includes_tax,
        tax_category). Scanning the product of the last line again adds to that line."""
        quantity = to_decimal(quantity)
        if quantity <= ZERO:
            raise ValueError("La cantidad debe ser mayor que cero")
        category = tax_category(product.tax_category)
        if category.country != self.country:
            raise ValueError(f"El producto {product.code} tiene la categoría «{category.label}», que no es de "
                             f"{'Paraguay' if self.country == 'PY' else 'Ecuador'}: corríjala en Productos")
        last = self.lines[-1] if self.lines else None
        if (last and last.code == product.code and last.price == product.price
                and last.discount_percent == ZERO):
            last.quantity += quantity
            return last
        line = CartLine(product.code, product.name, quantity, product.price, product.price_includes_tax,
                        product.tax_category, list_price=product.price)
        self.lines.append(line)
        return line

    def remove(self, index: int) -> CartLine:
        return self.lines.pop(index)

    def clear(self) -> None:
        self.lines.clear()
        self.buyer = anonymous_buyer(self.country)
        self.prebilled = False

    @property
    def empty(self) -> bool:
        return not self.lines

    def totals(self) -> Totals:
        return totals_of(self.lines)

    def buyer_problem(self) -> str | None:
        """Spanish reason why the sale cannot be issued to this buyer, or None."""
        if self.country == "PY":
            from app.pos import cart_py

            return cart_py.buyer_problem(self)
        if self.buyer.is_final_consumer and self.totals().total > CONSUMIDOR_FINAL_LIMIT:
            return (f"El total supera USD {CONSUMIDOR_FINAL_LIMIT}: la factura no puede ser a "
                    "consumidor final. Identifique al cliente (cédula, RUC o pasaporte).")
        errors = identification_errors(self.buyer.id_type, self.buyer.identification)
        if errors:
            return "; ".join(errors)
        if not self.buyer.is_final_consumer and not self.buyer.name.strip():
            return "Escriba el nombre o razón social del cliente"
        return None

    def to_facturasend_body(self, company: Company, establishment: str, point: str,
                            settlement: Settlement | None = None, *, cashier: str = "") -> dict:
        """The FacturaSend `de/create` body of this sale (Paraguay); see app.pos.cart_py."""
        from app.pos import cart_py

        return cart_py.facturasend_body(self, company, establishment, point, settlement, cashier=cashier)

    def to_datil_body(self, company: Company, establishment: str, point: str,
                      payments: list[tuple[str, Decimal]] | None = None) -> dict:
        """The Dátil /invoices/issue JSON for this sale (Decimals, never floats)."""
        if self.empty:
            raise ValueError("La venta no tiene productos")
        problem = self.buyer_problem()
        if problem:
            raise BuyerRequired(problem)
        totals = self.totals()
        estab = company.establishment(establishment)
        if payments is None:
            payments = [("efectivo", totals.total)]
        paid = sum((a for _, a in payments), ZERO)
        if paid != totals.total:
            raise ValueError(f"Los pagos ({paid}) no suman el total ({totals.total})")
        return {
            "ambiente": int(company.ambiente),
            "tipo_emision": 1,
            "moneda": "USD",
            "emisor": {
                "ruc": company.ruc,
                "obligado_contabilidad": company.obligado_contabilidad,
                "contribuyente_especial": company.contribuyente_especial,
                "nombre_comercial": company.nombre_comercial,
                "razon_social": company.razon_social,
                "direccion": company.address,
                "establecimiento": {"codigo": establishment, "punto_emision": point,
                                    "direccion": estab.address},
            },
            "comprador": self.buyer.as_comprador(),
            "items": [line.as_item() for line in self.lines],
            "totales": {
                "total_sin_impuestos": totals.subtotal,
                "descuento": totals.discount,
                "propina": ZERO,
                "impuestos": [{"codigo": "2", "codigo_porcentaje": code, "base_imponible": base,
                               "valor": value} for code, (base, value) in sorted(totals.by_tax.items())],
                "importe_total": totals.total,
            },
            "pagos": [{"medio": m, "total": a} for m, a in payments],
        }
