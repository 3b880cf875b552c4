"""Paraguay's till rules (facet `till`, see `app.fiscal.base.TillRules`): SIFEN arithmetic for the
lines and totals, the buyer (RUC with check digit, cédula, innominado), guaraníes, iTiPago.

Prices include IVA (10 %, 5 % or exento) and are whole guaraníes; the amounts come from
`app.fiscal.py.totals`, the same code that writes the XML, so the screen and the KuDE agree.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from app.core import status
from app.core.money import ZERO, MoneyFormat, round_half_up, to_decimal
from app.core.sale import (IssuedLine, Party, PaymentField, PaymentMethod, Return, ReturnedLine, Sale, SaleLine,
                           SaleTotals, TaxCategory)
from app.fiscal.py import catalog as py_cat
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.totals import HUNDRED, ItemAmounts, ItemInput, compute, item_amounts

CURRENCY = "PYG"
UNIT = 77  # SIFEN unidad de medida "UNI"
GRAVADO, EXENTO = 1, 3  # SIFEN iAfecIVA

TAX_CATEGORIES: dict[str, TaxCategory] = {c.code: c for c in (
    TaxCategory("PY10", Decimal("10"), "IVA 10 %"),
    TaxCategory("PY5", Decimal("5"), "IVA 5 %"),
    TaxCategory("PYEX", Decimal("0"), "Exento"),
)}
IVA_TYPE = {"PY10": GRAVADO, "PY5": GRAVADO, "PYEX": EXENTO}  # FacturaSend ivaTipo
_TAX_CODE = {(GRAVADO, 10): "PY10", (GRAVADO, 5): "PY5"}

CHEQUE_FIELDS = (PaymentField("numero", "número", 8, hint="N.º de cheque"),
                 PaymentField("banco", "banco", 20, hint="Banco"))
# asked for card payments (gPagTarCD): the brand (iDenTarj; another brand goes as 99 with its
# name) and the authorisation number of the terminal (dCodAuOpe); blank brand = "Tarjeta" (99)
CARD_FIELDS = (PaymentField("marca", "marca", 20, required=False, hint="Marca (Visa, Mastercard…)"),
               PaymentField("autorizacion", "autorización", 10, required=False, hint="N.º de autorización"))
# a sale on credit (iCondOpe 2, gPagCred): not a SIFEN iTiPago; the payments table keeps this code,
# so Caja and Reportes count it as credit, never as cash. Asked: a term (dPlazoCre) or N cuotas.
CREDIT_METHOD, CREDIT_CODE = "credito", "credito"
CREDIT_FIELDS = (PaymentField("cuotas", "cuotas", 3, required=False, hint="N.º de cuotas"),
                 PaymentField("plazo", "plazo", 15, required=False, hint="o plazo (días)"))
# `authority_code` is SIFEN iTiPago (app.fiscal.py.catalog.PAYMENT_TYPES)
PAYMENT_METHODS: dict[str, PaymentMethod] = {m.code: m for m in (
    PaymentMethod("efectivo", "1", "Efectivo", gives_change=True),
    PaymentMethod("tarjeta_credito", "3", "Tarjeta de crédito", fields=CARD_FIELDS),
    PaymentMethod("tarjeta_debito", "4", "Tarjeta de débito", fields=CARD_FIELDS),
    PaymentMethod("transferencia", "5", "Transferencia"),
    PaymentMethod("billetera", "7", "Billetera electrónica"),
    PaymentMethod("cheque", "2", "Cheque", fields=CHEQUE_FIELDS),
    PaymentMethod("credito", CREDIT_CODE, "Crédito", fields=CREDIT_FIELDS),
)}
PAYMENT_LABELS = {m.authority_code: m.label for m in PAYMENT_METHODS.values()}
CARD_METHODS = ("tarjeta_credito", "tarjeta_debito")


def _folded(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def card_details(extra: Mapping) -> tuple[int, str, int | None]:
    """(SIFEN iDenTarj, the brand's name when it is another one (99), dCodAuOpe or None) from
    what the cashier typed for a card payment. Raises ValueError (Spanish)."""
    typed = str(extra.get("marca", "") or "").strip()
    brand, desc = 99, "Tarjeta"
    if typed:
        key = _folded(typed)
        matches = [code for code, name in py_cat.CARD_BRANDS.items()
                   if _folded(name) == key or (len(key) >= 3 and _folded(name).startswith(key))]
        if len(matches) == 1:
            brand, desc = matches[0], ""
        else:
            if len(typed) < 4:
                raise ValueError("Pago con tarjeta: escriba la marca completa (al menos 4 letras)")
            desc = typed[:20]
    auth_text = str(extra.get("autorizacion", "") or "").strip()
    auth = None
    if auth_text:
        if not re.fullmatch(r"[0-9]{6,10}", auth_text):
            raise ValueError("Pago con tarjeta: el número de autorización tiene de 6 a 10 dígitos")
        auth = int(auth_text)
    return brand, desc, auth

# buyer kinds
RUC, CEDULA, PASSPORT, FOREIGN_ID, ANONYMOUS = "PY-RUC", "PY-CI", "PY-PAS", "PY-CE", "PY-INN"
ID_TYPES = {RUC: "RUC", CEDULA: "Cédula paraguaya", PASSPORT: "Pasaporte", FOREIGN_ID: "Cédula extranjera",
            ANONYMOUS: "Innominado"}
INNOMINADO = Party(ANONYMOUS, "0", "Sin Nombre")
# FacturaSend cliente.documentoTipo of each buyer kind (SIFEN iTipIDRec)
DOCUMENT_TYPES = {CEDULA: 1, PASSPORT: 2, FOREIGN_ID: 3, ANONYMOUS: py_cat.ANONYMOUS_ID_TYPE}
_KIND_OF_DOCUMENT_TYPE = {v: k for k, v in DOCUMENT_TYPES.items()}
_FREE_ID = re.compile(r"[0-9A-Za-z\-]{1,20}")

GUARANIES = MoneyFormat("PYG", "Gs.", 0, thousands=".", unit="Gs.", change_word="vuelto", plural="guaraníes")
# what a sale may be invoiced in besides guaraníes (cMoneOpe), at the day's rate (dTiCam)
DOLLARS = MoneyFormat("USD", "US$", 2, unit="US$", change_word="vuelto", plural="dólares")
FOREIGN_CURRENCIES = {"USD": DOLLARS}
# guaraní notes and coins
DENOMINATIONS = tuple(Decimal(d) for d in ("100000", "50000", "20000", "10000", "5000", "2000", "1000",
                                           "500", "100", "50"))

# (code, barcode, name, price in guaraníes with IVA, category)
DEMO_PRODUCTS = (
    ("YERBA1", "7840001000011", "Yerba mate Pajarito 1 kg", "24500", "PY5"),
    ("ACEITE9", "7840001000028", "Aceite de soja 900 ml", "15900", "PY10"),
    ("HARINA1", "7840001000035", "Harina de trigo 1 kg", "6500", "PY5"),
    ("COLA2", "7840001000042", "Gaseosa cola 2 L", "11000", "PY10"),
    ("DETERG", "7840001000059", "Detergente Ñandutí 750 ml", "13750", "PY10"),
    ("LIBRO", "7840001000066", "Libro escolar de lectura", "45000", "PYEX"),
    ("MANDIOCA", "7840001000073", "Mandioca fresca (kg)", "4000", "PYEX"),
    ("CARNE", "7840001000080", "Carne vacuna (kg)", "48000", "PY5"),
    ("TV55", "7840001000097", "Televisor LED 55 pulgadas", "3650000", "PY10"),
)
DEMO_CUSTOMERS = (
    ("PY-RUC", "80033303-9", "Distribuidora Guaraní S.R.L.", "compras@guarani.example.com.py"),
    ("PY-CI", "3456789", "María José Benítez Núñez", "mariajose.benitez@example.com.py"),
)


def gs(value: Decimal) -> str:
    """'Gs. 7.000.000': guaraníes as people write them."""
    return GUARANIES.money(value)


def tax_category(code: str) -> TaxCategory:
    try:
        return TAX_CATEGORIES[str(code)]
    except KeyError:
        raise ValueError(f"Categoría de IVA desconocida: {code}") from None


# ----------------------------------------------------------------------------------- lines

def price_with_iva(line: SaleLine) -> Decimal:
    """dPUniProSer: the unit price with IVA, whole guaraníes (a price typed without IVA gets it)."""
    rate = tax_category(line.tax_category).rate
    price = line.price
    if not line.price_includes_tax and rate:
        price = price * (HUNDRED + rate) / HUNDRED
    return round_half_up(price, 0)


def unit_discount(line: SaleLine) -> Decimal:
    """dDescItem: the discount per unit, whole guaraníes."""
    if not line.discount_percent:
        return ZERO
    return round_half_up(price_with_iva(line) * line.discount_percent / HUNDRED, 0)


def item_input(line: SaleLine) -> ItemInput:
    t = tax_category(line.tax_category)
    gravado = IVA_TYPE[t.code] == GRAVADO
    return ItemInput(price_with_iva(line), line.quantity, IVA_TYPE[t.code], HUNDRED if gravado else ZERO,
                     int(t.rate) if gravado else 0, unit_discount(line))


def parse_rate(text: str) -> Decimal:
    """The day's exchange rate as typed: guaraníes per unit ('7.310', '7310', '7310,25'). Raises
    ValueError (Spanish)."""
    raw = str(text).strip().replace(" ", "")
    if not re.fullmatch(r"[0-9.]+(,[0-9]{1,4})?", raw):
        raise ValueError(f"Tipo de cambio no válido: '{text}' (guaraníes por unidad, p. ej. 7.310)")
    value = Decimal(raw.replace(".", "").replace(",", "."))
    if not Decimal(100) <= value <= Decimal(99_999):
        raise ValueError(f"Tipo de cambio fuera de rango: {text} (guaraníes por unidad)")
    return value


def rate_text(rate: Decimal) -> str:
    """'7.310' / '7.310,25': a rate as people in Paraguay write it."""
    whole = f"{int(rate):,}".replace(",", ".")
    frac = rate - int(rate)
    return whole if not frac else whole + "," + f"{frac.normalize():f}"[2:]


def foreign_format(currency: str) -> MoneyFormat:
    try:
        return FOREIGN_CURRENCIES[currency]
    except KeyError:
        raise ValueError(f"Moneda no admitida en caja: {currency}") from None


def foreign_input(line: SaleLine, rate: Decimal, currency: str) -> ItemInput:
    """The SIFEN inputs of a line invoiced in `currency`: the guaraní price with IVA (and the
    per-unit discount) divided by the rate, to the currency's cents."""
    i = item_input(line)
    places = foreign_format(currency).places
    price = round_half_up(i.price / rate, places)
    discount = round_half_up(i.discount / rate, places) if i.discount else ZERO
    return ItemInput(price, i.quantity, i.iva_type, i.iva_base, i.iva_rate, discount)


def foreign_totals(lines: Sequence[SaleLine], currency: str, rate: Decimal):
    """(item amounts, SIFEN totals) of the lines invoiced in `currency` at `rate` (dTiCam)."""
    return compute([foreign_input(ln, rate, currency) for ln in lines], currency=currency, exchange_rate=rate)


def line_amounts(line: SaleLine) -> ItemAmounts:
    return item_amounts(item_input(line), currency=CURRENCY)


def totals_of(lines: Sequence[SaleLine]) -> SaleTotals:
    """by_tax maps PY10/PY5/PYEX -> (amount with IVA, IVA)."""
    foreign = [ln for ln in lines if ln.tax_category not in TAX_CATEGORIES]
    if foreign:
        raise ValueError(f"El producto {foreign[0].code} tiene una categoría de IVA que no es de Paraguay")
    _rows, t = compute([item_input(ln) for ln in lines], currency=CURRENCY)
    by_tax: dict[str, tuple[Decimal, Decimal]] = {}
    present = {ln.tax_category for ln in lines}
    for code, sub, iva in (("PY10", t.sub10, t.iva10), ("PY5", t.sub5, t.iva5), ("PYEX", t.sub_exe, ZERO)):
        if code in present:
            by_tax[code] = (sub, iva)
    return SaleTotals(t.tot_ope, t.tot_desc, by_tax, t.tot_iva, t.tot_gral)


# ----------------------------------------------------------------------------------- buyer

def detect_id_type(identification: str) -> str:
    """Empty → innominado; with a dash → RUC ('80069563-1'); digits → cédula; else pasaporte."""
    text = identification.strip()
    if not text:
        return ANONYMOUS
    if "-" in text:
        return RUC
    if text.isdigit():
        return CEDULA
    return PASSPORT


def identification_errors(id_type: str, identification: str) -> list[str]:
    text = identification.strip()
    if id_type == ANONYMOUS:
        return []
    if not text:
        return ["Escriba el número de identificación del cliente"]
    if id_type == RUC:
        return ruc_mod.validate(text, require_dv=True)
    if id_type == CEDULA:
        return [] if text.isdigit() and len(text) <= 20 else ["La cédula paraguaya lleva solo números, sin puntos"]
    if id_type in (PASSPORT, FOREIGN_ID):
        return [] if _FREE_ID.fullmatch(text) else ["Solo letras, números y guiones (hasta 20)"]
    return [f"Tipo de identificación desconocido: {id_type}"]


def anonymous_allowed(total: Decimal) -> bool:
    """NT-024: an innominado B2C factura must stay below 7.000.000 Gs."""
    return total < py_cat.ANONYMOUS_LIMIT_PYG


def buyer_problem(buyer: Party, total: Decimal) -> str | None:
    if buyer.id_type == ANONYMOUS:
        if not anonymous_allowed(total):
            return (f"El total ({gs(total)}) alcanza {gs(Decimal(py_cat.ANONYMOUS_LIMIT_PYG))}: la factura no "
                    "puede ser innominada (NT-024). Identifique al cliente (RUC o cédula).")
        return None
    errors = identification_errors(buyer.id_type, buyer.identification)
    if errors:
        return "; ".join(errors)
    if len(buyer.name.strip()) < 4:
        return "Escriba el nombre o razón social del cliente (al menos 4 letras)"
    return None


def taxpayer_type(ruc: str) -> int:
    """1 persona física, 2 persona jurídica: the SET gives companies RUCs of the 80 million series."""
    base, _dv = ruc_mod.split(ruc)
    return 2 if base.isdigit() and len(base) == 8 and base.startswith("80") else 1


def cliente(b: Party) -> dict:
    """FacturaSend `cliente` of the buyer (B2B with a RUC, B2C otherwise)."""
    if b.id_type == RUC:
        base, dv = ruc_mod.split(b.identification)
        d = {"contribuyente": True, "ruc": ruc_mod.format_ruc(base, dv), "razonSocial": b.name.strip(),
             "tipoOperacion": 1, "tipoContribuyente": taxpayer_type(b.identification), "pais": "PRY"}
    elif b.id_type == ANONYMOUS:
        d = {"contribuyente": False, "documentoTipo": DOCUMENT_TYPES[ANONYMOUS], "documentoNumero": "0",
             "razonSocial": "Sin Nombre", "tipoOperacion": 2, "pais": "PRY"}
    else:
        d = {"contribuyente": False, "documentoTipo": DOCUMENT_TYPES[b.id_type],
             "documentoNumero": b.identification.strip(), "razonSocial": b.name.strip(), "tipoOperacion": 2,
             "pais": "PRY"}
    if b.email and b.id_type != ANONYMOUS:
        d["email"] = b.email.strip()
    if b.phone and b.id_type != ANONYMOUS:
        d["telefono"] = b.phone.strip()
    return d


def party_of_cliente(c: Mapping) -> Party:
    """The buyer a FacturaSend `cliente` names."""
    name = str(c.get("razonSocial", ""))
    if c.get("contribuyente"):
        return Party(RUC, str(c.get("ruc", "")), name, str(c.get("email", "")), "", str(c.get("telefono", "")))
    kind = _KIND_OF_DOCUMENT_TYPE.get(int(c.get("documentoTipo") or 0) if str(c.get("documentoTipo", "")).isdigit()
                                      else 0, PASSPORT)
    return Party(kind, str(c.get("documentoNumero", "")), name, str(c.get("email", "")), "",
                 str(c.get("telefono", "")))


# ----------------------------------------------------------------------------------- nominación

def nomination_body(cdc: str, reason: str, buyer: Party) -> dict:
    """FacturaSend `evento/nominacion` body: who the receptor of an innominado factura really
    was (NT-014). Raises ValueError (Spanish) when the buyer is not identified properly."""
    if buyer.id_type == ANONYMOUS:
        raise ValueError("Para nominar, identifique al receptor (RUC o cédula) y su nombre")
    errors = identification_errors(buyer.id_type, buyer.identification)
    if errors:
        raise ValueError("; ".join(errors))
    if len(buyer.name.strip()) < 4:
        raise ValueError("Escriba el nombre o razón social del receptor (al menos 4 letras)")
    return {"cdc": cdc, "motivo": reason, **cliente(buyer)}


# ----------------------------------------------------------------------------------- reading back

def _dec(value, default=ZERO) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError:
        return default


def _issued(index: int, code: str, name: str, i: ItemInput, a: ItemAmounts) -> IssuedLine:
    tax_code = _TAX_CODE.get((i.iva_type, i.iva_rate), "PYEX")
    base = a.base if a.iva_type == GRAVADO else a.total  # without IVA
    return IssuedLine(index, code, name, i.quantity, i.price, i.discount, tax_code, Decimal(i.iva_rate), base,
                      a.iva)


def _facturasend_inputs(body: Mapping) -> list[tuple[dict, ItemInput]]:
    out = []
    for it in body.get("items") or []:
        if isinstance(it, dict):
            out.append((it, ItemInput(_dec(it.get("precioUnitario", 0)), _dec(it.get("cantidad", 0)),
                                      int(it.get("ivaTipo", 1)), _dec(it.get("ivaBase", 100)),
                                      int(it.get("iva", 10)), _dec(it.get("descuento", 0)))))
    return out


def returned_input(x: ReturnedLine) -> ItemInput:
    """The SIFEN inputs of a returned line: the invoice's price and per-unit discount, the
    quantity given back, the IVA type and base `PyTill.returned_line` kept in `extra`."""
    gravado = bool(x.line.rate)
    return ItemInput(x.line.unit_price, x.quantity, int(x.extra.get("iva_type", GRAVADO if gravado else EXENTO)),
                     _dec(x.extra.get("iva_base", HUNDRED if gravado else ZERO)), int(x.line.rate), x.line.discount)


def invoiced_currency(request: Mapping) -> str:
    """The currency an issued invoice is in: a till sale's payments say when it was charged in a
    foreign currency (Cobrar's F9); a FacturaSend body has `moneda`."""
    if Sale.is_record(request):
        for p in request["sale"].get("payments") or []:
            code = (p.get("extra") or {}).get("moneda")
            if code and code != CURRENCY:
                return code
        return request["sale"].get("currency") or CURRENCY
    return request.get("moneda") or CURRENCY


# ----------------------------------------------------------------------------------- the facet

class PyTill:
    money = GUARANIES
    tax_categories = TAX_CATEGORIES
    default_tax_category = "PY10"
    prices_include_tax = True  # SIFEN: prices always include IVA
    payment_methods = PAYMENT_METHODS
    cash_method = "efectivo"
    id_types = ID_TYPES
    anonymous_buyer = INNOMINADO
    anonymous_label = "Innominado"
    anonymous_limit = Decimal(py_cat.ANONYMOUS_LIMIT_PYG)
    denominations = DENOMINATIONS
    approval_word = "aprobar"
    authority_phrase = "SIFEN"
    demo_products = DEMO_PRODUCTS
    demo_customers = DEMO_CUSTOMERS
    anonymous_note = f"Innominado (total menor a {GUARANIES.money(py_cat.ANONYMOUS_LIMIT_PYG)})"

    foreign_currencies = FOREIGN_CURRENCIES  # what Cobrar may switch the sale to (F9), at the day's rate
    credit_method = CREDIT_METHOD  # the payment that leaves the amount owed (iCondOpe 2)

    def place_choices(self, key: str, cells: Mapping[str, str]) -> list[tuple[str, str]] | None:
        """(code, label) to choose the place field `key` from, narrowed by the ones before it
        in `cells`; None when `key` is typed freely (app.fiscal.py.geo)."""
        from app.fiscal.py import geo

        return geo.place_choices(key, cells)

    def parse_exchange_rate(self, text: str) -> Decimal:
        return parse_rate(text)

    def exchange_rate_text(self, rate: Decimal) -> str:
        return rate_text(rate)

    def foreign_total(self, lines: Sequence[SaleLine], currency: str, rate: Decimal) -> Decimal:
        """What the invoice in `currency` at `rate` totals (the same arithmetic as its XML)."""
        return foreign_totals(lines, currency, rate)[1].tot_gral

    def credit_terms(self, extra: Mapping, amount: Decimal, issued, *, currency: str = CURRENCY) -> list[str]:
        """The cuotas or the term of a credit payment, as lines to show before confirming.
        Raises ValueError (Spanish)."""
        from app.fiscal.py import credit_plan

        fmt = GUARANIES if currency == CURRENCY else foreign_format(currency)
        credit = credit_plan.plan(extra, amount, currency=currency, places=fmt.places, issued=issued)
        return credit_plan.describe(credit, fmt.money)

    date_field = "fecha"  # the input field of the document's date (refusals name it)

    def document_rate(self, xml: bytes) -> Decimal | None:
        """Guaraníes per unit of a signed DE's currency (dTiCam), None for a DE in guaraníes."""
        from app.fiscal.py.reader import document_rate

        return document_rate(xml)

    def is_anonymous(self, party: Party) -> bool:
        return party.id_type == ANONYMOUS

    def detect_id_type(self, identification: str) -> str:
        return detect_id_type(identification)

    def identification_errors(self, id_type: str, identification: str) -> list[str]:
        return identification_errors(id_type, identification)

    def payment_label(self, authority_code: str) -> str:
        if authority_code in PAYMENT_LABELS:
            return PAYMENT_LABELS[authority_code]
        if authority_code.isdigit():
            return py_cat.PAYMENT_TYPES.get(int(authority_code), authority_code)
        return authority_code

    def line_total(self, line: SaleLine) -> Decimal:
        return line_amounts(line).total

    def tax_short_label(self, code: str) -> str:
        return "Exento" if code == "PYEX" else f"{TAX_CATEGORIES[code].rate.normalize():f} %"

    def totals_rows(self, totals: SaleTotals) -> list[tuple[str, Decimal]]:
        """Amounts per rate with IVA included (10 % first), the discount they include, then the
        IVA each contains (liquidación)."""
        names = {"PY10": "Gravado 10 %", "PY5": "Gravado 5 %", "PYEX": "Exento"}
        rows = [(names[c], sub) for c, (sub, _v) in sorted(totals.by_tax.items(), key=lambda kv: kv[0] != "PY10")]
        if totals.discount:
            rows.append(("Descuento incluido", totals.discount))
        rows += [(f"Liq. IVA {self.tax_short_label(c)}", v) for c, (_s, v) in sorted(totals.by_tax.items()) if v]
        return rows

    def totals(self, lines: Sequence[SaleLine]) -> SaleTotals:
        return totals_of(lines)

    def buyer_problem(self, sale: Sale) -> str | None:
        return buyer_problem(sale.buyer, totals_of(sale.lines).total)

    nomination_body = staticmethod(nomination_body)

    # -- reading back
    def issued_lines(self, request: Mapping) -> list[IssuedLine]:
        if Sale.is_record(request):
            sale = Sale.from_dict(request)
            return [_issued(n, ln.code, ln.name, item_input(ln), line_amounts(ln)) for n, ln in enumerate(sale.lines)]
        currency = request.get("moneda") or CURRENCY
        return [_issued(n, str(it.get("codigo", "")), str(it.get("descripcion", "")), i,
                        item_amounts(i, currency=currency))
                for n, (it, i) in enumerate(_facturasend_inputs(request))]

    def issued_buyer(self, request: Mapping) -> Party | None:
        if Sale.is_record(request):
            return Sale.from_dict(request).buyer
        c = request.get("cliente")
        return party_of_cliente(c) if isinstance(c, dict) else None

    # -- credit notes (a `Return`: same buyer, same prices; app.fiscal.py.return_draft builds the NCE)
    def credit_note_problem(self, invoice: Mapping, request: Mapping) -> str | None:
        buyer = self.issued_buyer(request)
        if buyer is not None and self.is_anonymous(buyer):
            return "Una factura innominada no admite nota de crédito (SIFEN 1331)"
        currency = invoiced_currency(request)
        if (currency or CURRENCY) != CURRENCY:
            return "Por ahora las notas de crédito se emiten solo sobre facturas en guaraníes"
        if invoice["status"] != status.AUTHORIZED:
            return "La factura debe estar aprobada por SIFEN antes de emitir una nota de crédito"
        return None

    def credited_quantities(self, request: Mapping, invoice: Mapping) -> dict[int, Decimal]:
        """A till `Return` record, or a FacturaSend/DTEpy NCE body whose `extras` name the
        invoice's CDC and lines (what the till wrote before it spoke the domain)."""
        if Return.is_record(request):
            ret = Return.from_dict(request)
            return ret.quantities() if ret.invoice.key == invoice["key"] else {}
        out: dict[int, Decimal] = {}
        extras = request.get("extras") or {}
        if extras.get("cdc_factura") != invoice["key"]:
            return out
        for idx, item in zip(extras.get("lineas_factura", []), request.get("items", [])):
            out[int(idx)] = out.get(int(idx), ZERO) + to_decimal(item["cantidad"])
        return out

    def returned_line(self, request: Mapping, line: IssuedLine, quantity: Decimal) -> ReturnedLine:
        """The line with what the NCE copies from the invoice's item besides the domain's words:
        unidadMedida, ivaTipo (2/4 are not tax categories) and ivaBase, as `extra`
        {"unit", "iva_type", "iva_base"} (strings)."""
        if Sale.is_record(request):
            gravado = line.tax_category != "PYEX"
            unit, iva_type, iva_base = UNIT, IVA_TYPE[line.tax_category], HUNDRED if gravado else ZERO
        else:
            original, i = _facturasend_inputs(request)[line.index]
            unit, iva_type, iva_base = original.get("unidadMedida", UNIT), i.iva_type, i.iva_base
        return ReturnedLine(line, quantity, extra={"unit": str(unit), "iva_type": str(iva_type),
                                                   "iva_base": f"{iva_base.normalize():f}"})

    def return_buyer_extra(self, request: Mapping) -> dict:
        """The invoice's receptor as its request gave it (a FacturaSend/DTEpy `cliente`: location,
        trade name, operation type… that `Party` does not carry), JSON scalars only; empty for a
        till sale (its `Party` is the whole receptor)."""
        c = None if Sale.is_record(request) else request.get("cliente")
        if not isinstance(c, Mapping):
            return {}
        return {str(k): v for k, v in c.items() if v is None or isinstance(v, (str, int, float, bool))}

    def reserve_once(self, draft, taken) -> list[str]:
        """SIFEN wants one dCodSeg per DE (MT §10.3): when the draft's code (the client's
        `codigoSeguridadAleatorio`) is already in a stored CDC, `taken(like)` being true for a
        SQL LIKE pattern over stored keys, a fresh one is drawn. Returns warnings (Spanish)."""
        from app.fiscal.py import cdc as cdc_mod

        model = draft.model
        if not taken("_" * 34 + model.security_code + "_"):
            return []
        given = model.security_code
        while taken("_" * 34 + model.security_code + "_"):
            model.security_code = cdc_mod.new_security_code()
        return [f"El código de seguridad {given} ya se usó en otro DE: SIFEN pide uno por DE, se usa "
                f"{model.security_code}"]

    def note_reference(self, xml: bytes) -> dict | None:
        """What a signed credit/debit note modifies (app/pos/note_checks.py), or None."""
        from app.fiscal.py.note_ref import note_reference

        return note_reference(xml)

    def credit_note_total(self, ret: Return) -> Decimal:
        """The NCE's total (the same arithmetic as its XML: app.fiscal.py.return_draft)."""
        _rows, t = compute([returned_input(x) for x in ret.lines], currency=CURRENCY)
        return t.tot_gral


RETURN_REASON = 2  # SIFEN iMotEmi "Devolución"
FACET = PyTill()
