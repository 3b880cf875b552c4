"""Ecuador's till rules (facet `till`, see `app.fiscal.base.TillRules`): IVA categories, SRI
formas de pago, buyer identification (cédula, RUC, pasaporte, consumidor final), dollars.

Arithmetic is the SRI builder's (app.fiscal.ec.totals and, for tax-included prices,
app.fiscal.ec.included): a net-price line's base = round(cantidad × precio_unitario − descuento, 2),
tax = round(base × tarifa / 100, 2); a tax-included line is billed exactly at its shelf price;
header bases are sums, the header IVA per totals.header_tax_value.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.core.money import ZERO, MoneyFormat, round_half_up, to_decimal
from app.core.sale import (IssuedLine, LineTax, Party, PaymentMethod, Return, ReturnedLine, Sale, SaleLine, SaleTotals,
                           TaxCategory)
from app.core import status
from app.fiscal.ec import catalog, identity, included
from app.fiscal.ec import totals as ec_totals

HUNDRED = Decimal(100)
IVA = catalog.IVA  # SRI tax code of IVA ('2')

TAX_CATEGORIES: dict[str, TaxCategory] = {c.code: c for c in (
    TaxCategory("4", Decimal("15"), "IVA 15 %"),
    TaxCategory("0", Decimal("0"), "IVA 0 %"),
    TaxCategory("5", Decimal("5"), "IVA 5 %"),
    TaxCategory("10", Decimal("13"), "IVA 13 %"),
    TaxCategory("6", Decimal("0"), "No objeto de IVA"),
    TaxCategory("7", Decimal("0"), "Exento de IVA"),
)}

# `code` is Dátil's name of the method; `authority_code` the SRI formaPago (tabla 24)
PAYMENT_METHODS: dict[str, PaymentMethod] = {m.code: m for m in (
    PaymentMethod("efectivo", "01", "Efectivo", gives_change=True),
    PaymentMethod("tarjeta_credito", "19", "Tarjeta de crédito"),
    PaymentMethod("tarjeta_debito", "16", "Tarjeta de débito"),
    PaymentMethod("transferencia", "20", "Transferencia"),
    PaymentMethod("dinero_electronico_ec", "17", "Dinero electrónico"),
    PaymentMethod("cheque", "20", "Cheque"),
    PaymentMethod("otros", "20", "Otros"),
)}
SRI_PAYMENT_LABELS = {"01": "Efectivo", "15": "Compensación", "16": "Tarjeta de débito",
                      "17": "Dinero electrónico", "18": "Tarjeta prepago", "19": "Tarjeta de crédito",
                      "20": "Transferencia / otros", "21": "Endoso de títulos"}

ID_RUC, ID_CEDULA, ID_PASSPORT, ID_FINAL, ID_FOREIGN = "04", "05", "06", "07", "08"
ID_TYPES = {ID_CEDULA: "Cédula", ID_RUC: "RUC", ID_PASSPORT: "Pasaporte", ID_FOREIGN: "Identificación del exterior",
            ID_FINAL: "Consumidor final"}
CONSUMIDOR_FINAL_ID = catalog.CONSUMIDOR_FINAL_ID
CONSUMIDOR_FINAL_NAME = catalog.CONSUMIDOR_FINAL_NAME
CONSUMIDOR_FINAL_LIMIT = catalog.CONSUMIDOR_FINAL_LIMIT  # importe_total above this needs an identified buyer
FINAL_CONSUMER = Party(ID_FINAL, CONSUMIDOR_FINAL_ID, CONSUMIDOR_FINAL_NAME)

USD = MoneyFormat("USD", "$", 2, unit="USD", change_word="cambio", plural="dólares")
# USD notes and coins, as a cashier counts them
DENOMINATIONS = tuple(Decimal(d) for d in ("100", "50", "20", "10", "5", "2", "1", "0.50", "0.25",
                                           "0.10", "0.05", "0.01"))

DEMO_PRODUCTS = (
    ("ARROZ1", "7861001234561", "Arroz Gustadina 1 kg", "1.35", "0"),
    ("AZUCAR1", "7861001234578", "Azúcar San Carlos 1 kg", "1.20", "0"),
    ("LECHE1", "7861001234585", "Leche entera Vita 1 L", "1.05", "0"),
    ("ACEITE1", "7861001234592", "Aceite La Favorita 1 L", "3.15", "4"),
    ("COLA3", "7861001234608", "Gaseosa cola 3 L", "2.75", "4"),
    ("JABON", "7861001234615", "Jabón de tocador x3", "2.40", "4"),
    ("ATUN", "7861001234622", "Atún Real 180 g", "1.85", "4"),
    ("PAN", "7861001234639", "Pan de molde Supan", "2.30", "0"),
    ("CEMENTO", "7861001234646", "Cemento Holcim 50 kg", "8.90", "5"),
    ("RECARGA", "", "Recarga celular", "5.00", "6"),
    ("DETERG", "7861001234653", "Detergente Deja 1 kg", "3.60", "4"),
    ("CAFE", "7861001234660", "Café Minerva 200 g", "4.25", "4"),
)
DEMO_CUSTOMERS = (
    ("05", "1710034065", "María Fernanda Andrade", "maria.andrade@example.com"),
    ("04", "1790011674001", "Distribuidora Andina S.A.", "compras@andina.example.com"),
    ("06", "AB123456", "John Smith", "john.smith@example.com"),
)


def tax_category(code: str) -> TaxCategory:
    try:
        return TAX_CATEGORIES[str(code)]
    except KeyError:
        raise ValueError(f"Categoría de IVA desconocida: {code}") from None


# ----------------------------------------------------------------------------------- lines

LineAmounts = included.LineAmounts


def _rate(code: str) -> Decimal:
    return tax_category(code).rate


def unit_price(line: SaleLine) -> Decimal:
    """The line's price without IVA on its own (6 decimals); `sale_amounts` may move it by a few
    millionths so that a tax-included shelf price is billed exactly."""
    rate = tax_category(line.tax_category).rate
    if line.price_includes_tax and rate:
        return round_half_up(line.price * HUNDRED / (HUNDRED + rate), 6)
    return round_half_up(line.price, 6)


def sale_amounts(lines: Sequence[SaleLine]) -> list[LineAmounts]:
    """The amounts of every line as the factura carries them (app.fiscal.ec.included): a
    tax-included line's base + IVA is exactly quantity × shelf price (less its discount)."""
    return included.allocate(lines, _rate)


def line_amounts(line: SaleLine) -> LineAmounts:
    """One line's amounts as if sold alone (its total is the same within any sale)."""
    return sale_amounts([line])[0]


def totals_of(lines: Sequence[SaleLine]) -> SaleTotals:
    amounts = sale_amounts(lines)
    by_tax = included.header_taxes(amounts, [ln.tax_category for ln in lines])
    subtotal = sum((a.base for a in amounts), ZERO)
    discount = sum((a.discount for a in amounts), ZERO)
    tax = sum((v for _, v in by_tax.values()), ZERO)
    return SaleTotals(subtotal, discount, by_tax, tax, subtotal + tax)


def billed_price(price: Decimal, category: str, includes_tax: bool = True) -> Decimal:
    """What one unit at shelf `price` is billed at, IVA included (the sale line's total)."""
    line = SaleLine("", "", Decimal(1), to_decimal(price), includes_tax, category)
    return line_amounts(line).total


# ----------------------------------------------------------------------------------- buyer

def detect_id_type(identification: str) -> str:
    """The SRI identification type a typed number most likely is: 13 nines → 07, 13 digits → 04
    RUC, 10 digits → 05 cédula, anything else → 06 pasaporte."""
    text = identification.strip()
    if text == CONSUMIDOR_FINAL_ID:
        return ID_FINAL
    if text.isdigit() and len(text) == 13:
        return ID_RUC
    if text.isdigit() and len(text) == 10:
        return ID_CEDULA
    return ID_PASSPORT


def identification_errors(id_type: str, identification: str) -> list[str]:
    """Spanish reasons why `identification` is not a valid number of type `id_type` (the SRI's
    check digits from app.fiscal.ec.identity)."""
    text = identification.strip()
    if id_type == ID_FINAL:
        return [] if text == CONSUMIDOR_FINAL_ID else [
            f"Consumidor final se identifica con {CONSUMIDOR_FINAL_ID}"]
    if not text:
        return ["Escriba el número de identificación del cliente"]
    if id_type == ID_PASSPORT:
        return [] if 3 <= len(text) <= 20 else ["El pasaporte debe tener entre 3 y 20 caracteres"]
    if id_type == ID_FOREIGN:
        return [] if 1 <= len(text) <= 20 else ["La identificación del exterior tiene hasta 20 caracteres"]
    if id_type == ID_CEDULA:
        if not (text.isdigit() and len(text) == 10):
            return ["La cédula debe tener 10 dígitos"]
    elif id_type == ID_RUC:
        if not (text.isdigit() and len(text) == 13):
            return ["El RUC debe tener 13 dígitos"]
    else:
        return [f"Tipo de identificación desconocido: {id_type}"]
    return [m[:1].upper() + m[1:] for m in identity.check_identification(id_type, text).errors]


# ----------------------------------------------------------------------------------- reading back

def _dec(value, default=ZERO) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError:
        return default


def _datil_lines(body: Mapping) -> list[IssuedLine]:
    out = []
    for i, it in enumerate(body.get("items") or []):
        if not isinstance(it, dict):
            continue
        taxes = [t for t in it.get("impuestos") or [] if isinstance(t, dict)]
        iva = next((t for t in taxes if str(t.get("codigo", IVA)) == IVA), taxes[0] if taxes else {})
        code = str(iva.get("codigo_porcentaje", "0"))
        code = code.lstrip("0") or "0"
        rate = _dec(iva.get("tarifa"), catalog.IVA_RATES.get(code, ZERO))
        qty, price, disc = _dec(it.get("cantidad")), _dec(it.get("precio_unitario")), _dec(it.get("descuento"))
        base = _dec(it.get("precio_total_sin_impuestos"), None)
        if base is None:
            base = ec_totals.line_subtotal(qty, price, disc)
        tax = _dec(iva.get("valor"), None)
        if tax is None:
            tax = ec_totals.tax_value(base, rate)
        out.append(IssuedLine(i, str(it.get("codigo_principal", "")), str(it.get("descripcion", "")), qty, price,
                              disc, code, rate, base, tax))
    return out


def invoice_other_taxes(request: Mapping, line: IssuedLine) -> tuple[LineTax, ...]:
    """The ICE and IRBPNR an invoice line carried, read from its stored request (a till `Sale`
    carries neither; a Dátil body may)."""
    items = request.get("items") if isinstance(request.get("items"), list) else []
    source = items[line.index] if line.index < len(items) and isinstance(items[line.index], dict) else {}
    out = []
    for t in source.get("impuestos") or []:
        if not isinstance(t, dict) or str(t.get("codigo", IVA)) == IVA:
            continue
        code, cp = str(t.get("codigo")), str(t.get("codigo_porcentaje", "")).lstrip("0")
        if code == catalog.ICE:
            out.append(LineTax(code, cp, _dec(t.get("tarifa")), _dec(t.get("valor"))))
        elif code == catalog.IRBPNR and cp in catalog.IRBPNR_PER_UNIT:
            per_unit = catalog.IRBPNR_PER_UNIT[cp]
            out.append(LineTax(code, cp, per_unit, round_half_up(per_unit * line.quantity, 2)))
    return tuple(out)


@dataclass(frozen=True)
class ReturnedAmounts:
    """The amounts of one returned line of a credit note: taxes as (codigo, codigo_porcentaje,
    tarifa, base_imponible, valor), ICE first, then IVA, then the rest."""

    line: IssuedLine
    quantity: Decimal
    discount: Decimal
    base: Decimal
    taxes: tuple[tuple[str, str, Decimal, Decimal, Decimal], ...]


def returned_amounts(returned: ReturnedLine) -> ReturnedAmounts:
    """`quantity` units of an invoice line given back: the line's discount and ICE in proportion
    (IVA is then charged on base + ICE, as on the invoice), its IVA at the line's rate, its IRBPNR
    per unit."""
    line, qty = returned.line, returned.quantity
    discount = round_half_up(line.discount * qty / line.quantity, 2)
    base = ec_totals.line_subtotal(qty, line.unit_price, discount)
    ice, others, ice_total = [], [], ZERO
    for t in returned.other_taxes:
        if t.code == catalog.ICE:
            value = round_half_up(t.amount * qty / line.quantity, 2)
            ice_total += value
            ice.append((t.code, t.category, t.rate, base, value))
        elif t.code == catalog.IRBPNR:
            others.append((t.code, t.category, t.rate, base, round_half_up(t.rate * qty, 2)))
    iva_base = base + ice_total
    value = ec_totals.tax_value(iva_base, line.rate)
    if not ice_total and line.quantity:
        # the invoice line's own IVA in proportion (a tax-included line may carry a cent off the
        # rounding, app.fiscal.ec.included): what was charged is what is given back
        share = round_half_up((line.base + line.tax) * qty / line.quantity, 2) - iva_base
        if share >= 0 and abs(share - value) <= ec_totals.TAX_TOLERANCE:
            value = share
    iva = (IVA, line.tax_category, line.rate, iva_base, value)
    return ReturnedAmounts(line, qty, discount, base, (*ice, iva, *others))


def return_total(ret: Return) -> Decimal:
    """What a credit note of `ret` gives back: bases plus every tax."""
    amounts = [returned_amounts(x) for x in ret.lines]
    return sum((a.base + sum((t[4] for t in a.taxes), ZERO) for a in amounts), ZERO)


def _sale_lines(sale: Sale) -> list[IssuedLine]:
    out = []
    for i, (ln, a) in enumerate(zip(sale.lines, sale_amounts(sale.lines))):
        out.append(IssuedLine(i, ln.code, ln.name, ln.quantity, a.unit_price, a.discount, ln.tax_category, a.rate,
                              a.base, a.tax))
    return out


def _return_lines(ret: Return) -> list[IssuedLine]:
    """The lines of a till credit note, as issued (its IVA as `tax`; ICE and IRBPNR are not)."""
    out = []
    for i, x in enumerate(ret.lines):
        a = returned_amounts(x)
        iva = next(t for t in a.taxes if t[0] == IVA)
        out.append(IssuedLine(i, x.line.code, x.line.name, x.quantity, x.line.unit_price, a.discount,
                              x.line.tax_category, x.line.rate, a.base, iva[4]))
    return out


# ----------------------------------------------------------------------------------- the facet

class EcTill:
    money = USD
    tax_categories = TAX_CATEGORIES
    default_tax_category = "4"
    prices_include_tax = None  # each product says whether its price includes IVA
    payment_methods = PAYMENT_METHODS
    cash_method = "efectivo"
    id_types = ID_TYPES
    anonymous_buyer = FINAL_CONSUMER
    anonymous_label = "Consumidor final"
    anonymous_limit = CONSUMIDOR_FINAL_LIMIT
    denominations = DENOMINATIONS
    approval_word = "autorizar"
    authority_phrase = "el SRI"
    demo_products = DEMO_PRODUCTS
    demo_customers = DEMO_CUSTOMERS
    anonymous_note = "Consumidor final (hasta USD 50,00)"

    date_field = "fecha_emision"  # the input field of the document's date (refusals name it)

    def is_anonymous(self, party: Party) -> bool:
        return party.id_type == ID_FINAL

    def detect_id_type(self, identification: str) -> str:
        return detect_id_type(identification)

    def identification_errors(self, id_type: str, identification: str) -> list[str]:
        return identification_errors(id_type, identification)

    def payment_label(self, authority_code: str) -> str:
        return SRI_PAYMENT_LABELS.get(authority_code, authority_code)

    def line_total(self, line: SaleLine) -> Decimal:
        return line_amounts(line).total

    def billed_price(self, price: Decimal, tax_category: str, includes_tax: bool = True) -> Decimal:
        return billed_price(price, tax_category, includes_tax)

    def tax_short_label(self, code: str) -> str:
        short = {"6": "No obj.", "7": "Exento"}.get(code)
        return short or f"{tax_category(code).rate.normalize():f} %"

    def totals_rows(self, totals: SaleTotals) -> list[tuple[str, Decimal]]:
        """Subtotal per category (without IVA), the discount, then the IVA of each rate."""
        by_tax = sorted(totals.by_tax.items())
        rows = [(f"Subtotal {tax_category(c).label}", base) for c, (base, _v) in by_tax]
        if totals.discount:
            rows.append(("Descuento", totals.discount))
        rows += [(f"IVA {tax_category(c).rate.normalize():f} %", v) for c, (_b, v) in by_tax if tax_category(c).rate]
        return rows

    def totals(self, lines: Sequence[SaleLine]) -> SaleTotals:
        for line in lines:
            if line.tax_category not in TAX_CATEGORIES:
                raise ValueError(f"El producto {line.code} tiene una categoría de IVA que no es de Ecuador "
                                 f"({line.tax_category})")
        return totals_of(lines)

    def buyer_problem(self, sale: Sale) -> str | None:
        b = sale.buyer
        if self.is_anonymous(b) and self.totals(sale.lines).total > CONSUMIDOR_FINAL_LIMIT:
            return (f"El total supera USD {CONSUMIDOR_FINAL_LIMIT}: la factura no puede ser a "
                    "consumidor final. Identifique al cliente (cédula, RUC o pasaporte).")
        errors = identification_errors(b.id_type, b.identification)
        if errors:
            return "; ".join(errors)
        if not self.is_anonymous(b) and not b.name.strip():
            return "Escriba el nombre o razón social del cliente"
        return None

    # -- reading back
    def issued_lines(self, request: Mapping) -> list[IssuedLine]:
        if Sale.is_record(request):
            return _sale_lines(Sale.from_dict(request))
        if Return.is_record(request):
            return _return_lines(Return.from_dict(request))
        return _datil_lines(request)

    def issued_buyer(self, request: Mapping) -> Party | None:
        if Sale.is_record(request):
            return Sale.from_dict(request).buyer
        if Return.is_record(request):
            return Return.from_dict(request).buyer
        c = request.get("comprador")
        if not isinstance(c, dict):
            return None
        return Party(str(c.get("tipo_identificacion", "")), str(c.get("identificacion", "")),
                     str(c.get("razon_social", "")), str(c.get("email", "")), str(c.get("direccion", "")),
                     str(c.get("telefono", "")))

    # -- credit notes (a Dátil /credit-notes/issue body over the invoice's lines)
    def credit_note_problem(self, invoice: Mapping, request: Mapping) -> str | None:
        buyer = self.issued_buyer(request)
        if buyer is not None and self.is_anonymous(buyer):
            return "Una factura a consumidor final no admite nota de crédito (norma del SRI)"
        if invoice["status"] != status.AUTHORIZED:
            return "La factura debe estar autorizada por el SRI antes de emitir una nota de crédito"
        return None

    def credited_quantities(self, request: Mapping, invoice: Mapping) -> dict[int, Decimal]:
        """What a stored credit note gave back of `invoice`, per line: a till `Return` record or a
        Dátil body (CLI/API) whose items name their `linea_factura`."""
        if Return.is_record(request):
            ret = Return.from_dict(request)
            return ret.quantities() if ret.invoice.number == invoice["number"] else {}
        out: dict[int, Decimal] = {}
        if request.get("numero_documento_modificado") != invoice["number"]:
            return out
        for item in request.get("items", []):
            idx = (item.get("detalles_adicionales") or {}).get("linea_factura")
            if idx is not None:
                out[int(idx)] = out.get(int(idx), ZERO) + to_decimal(item["cantidad"])
        return out

    def returned_line(self, request: Mapping, line: IssuedLine, quantity: Decimal) -> ReturnedLine:
        """`quantity` units of an invoice line given back, with the ICE and IRBPNR it carried."""
        return ReturnedLine(line, quantity, invoice_other_taxes(request, line))

    def return_buyer_extra(self, request: Mapping) -> dict:
        """Nothing: the SRI's credit note names its buyer with what `Party` carries."""
        return {}

    def reserve_once(self, draft, taken) -> list[str]:
        """Nothing of an EC draft is used once per document besides its number (the clave's
        código numérico is derived per document)."""
        return []

    def note_reference(self, xml: bytes) -> dict | None:
        """What a signed credit/debit note modifies (app/pos/note_checks.py), or None."""
        from app.fiscal.ec.note_ref import note_reference

        return note_reference(xml)

    def credit_note_total(self, ret: Return) -> Decimal:
        """What a credit note of `ret` gives back (shown before issuing)."""
        return return_total(ret)


FACET = EcTill()
