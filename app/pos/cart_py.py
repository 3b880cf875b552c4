"""The sale being rung up in a Paraguayan shop: SIFEN arithmetic for the lines and totals, the
buyer (RUC with check digit, cédula, innominado) and the FacturaSend `de/create` body that
`checkout.issue` turns into a signed rDE.

Prices include IVA (10 %, 5 % or exento) and are whole guaraníes; the amounts come from
`app.fiscal.py.totals`, the same code that writes the XML, so the screen and the KuDE agree.
"""
from __future__ import annotations

import re
from decimal import Decimal

from app.core.company import Company
from app.core.money import ZERO, round_half_up
from app.fiscal.py import catalog as py_cat
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.totals import ItemAmounts, ItemInput, compute, item_amounts
from app.pos.cart import (HUNDRED, PY_ANONYMOUS, PY_CEDULA, PY_FOREIGN_ID, PY_PASSPORT, PY_PAYMENT_METHODS,
                          PY_RUC, Buyer, BuyerRequired, Cart, CartLine, Settlement, Totals)

CURRENCY = "PYG"
UNIT = 77  # SIFEN unidad de medida "UNI"
# FacturaSend cliente.documentoTipo of each buyer kind (SIFEN iTipIDRec)
DOCUMENT_TYPES = {PY_CEDULA: 1, PY_PASSPORT: 2, PY_FOREIGN_ID: 3, PY_ANONYMOUS: py_cat.ANONYMOUS_ID_TYPE}
_FREE_ID = re.compile(r"[0-9A-Za-z\-]{1,20}")


def gs(value: Decimal) -> str:
    """'Gs. 7.000.000': guaraníes as people write them."""
    return "Gs. " + f"{round_half_up(Decimal(value), 0):,.0f}".replace(",", ".")


# ----------------------------------------------------------------------------------- lines

def price_with_iva(line: CartLine) -> Decimal:
    """dPUniProSer: the unit price with IVA, whole guaraníes (a price typed without IVA gets it)."""
    price = line.price
    if not line.price_includes_tax and line.tax.rate:
        price = price * (HUNDRED + line.tax.rate) / HUNDRED
    return round_half_up(price, 0)


def unit_discount(line: CartLine) -> Decimal:
    """dDescItem: the discount per unit, whole guaraníes."""
    if not line.discount_percent:
        return ZERO
    return round_half_up(price_with_iva(line) * line.discount_percent / HUNDRED, 0)


def item_input(line: CartLine) -> ItemInput:
    t = line.tax
    gravado = t.iva_type == 1
    return ItemInput(price_with_iva(line), line.quantity, t.iva_type, HUNDRED if gravado else ZERO,
                     int(t.rate) if gravado else 0, unit_discount(line))


def line_amounts(line: CartLine) -> ItemAmounts:
    return item_amounts(item_input(line), currency=CURRENCY)


def totals_of(lines: list[CartLine]) -> Totals:
    """Totals in the cart's shape: by_tax maps PY10/PY5/PYEX -> (amount with IVA, IVA)."""
    foreign = [ln for ln in lines if not ln.is_py]
    if foreign:
        raise ValueError(f"El producto {foreign[0].code} tiene una categoría de IVA de Ecuador")
    _rows, t = compute([item_input(ln) for ln in lines], currency=CURRENCY)
    by_tax: dict[str, tuple[Decimal, Decimal]] = {}
    present = {ln.tax_code for ln in lines}
    for code, sub, iva in (("PY10", t.sub10, t.iva10), ("PY5", t.sub5, t.iva5), ("PYEX", t.sub_exe, ZERO)):
        if code in present:
            by_tax[code] = (sub, iva)
    return Totals(t.tot_ope, t.tot_desc, by_tax, t.tot_iva, t.tot_gral)


# ----------------------------------------------------------------------------------- buyer

def detect_id_type(identification: str) -> str:
    """Empty → innominado; with a dash → RUC ('80069563-1'); digits → cédula; else pasaporte."""
    text = identification.strip()
    if not text:
        return PY_ANONYMOUS
    if "-" in text:
        return PY_RUC
    if text.isdigit():
        return PY_CEDULA
    return PY_PASSPORT


def identification_errors(id_type: str, identification: str) -> list[str]:
    text = identification.strip()
    if id_type == PY_ANONYMOUS:
        return []
    if not text:
        return ["Escriba el número de identificación del cliente"]
    if id_type == PY_RUC:
        return ruc_mod.validate(text, require_dv=True)
    if id_type == PY_CEDULA:
        return [] if text.isdigit() and len(text) <= 20 else ["La cédula paraguaya lleva solo números, sin puntos"]
    if id_type in (PY_PASSPORT, PY_FOREIGN_ID):
        return [] if _FREE_ID.fullmatch(text) else ["Solo letras, números y guiones (hasta 20)"]
    return [f"Tipo de identificación desconocido: {id_type}"]


def anonymous_allowed(total: Decimal) -> bool:
    """NT-024: an innominado B2C factura must stay below 7.000.000 Gs."""
    return total < py_cat.ANONYMOUS_LIMIT_PYG


def buyer_problem(cart: Cart) -> str | None:
    b = cart.buyer
    if b.id_type == PY_ANONYMOUS:
        total = cart.totals().total
        if not anonymous_allowed(total):
            return (f"El total ({gs(total)}) alcanza {gs(Decimal(py_cat.ANONYMOUS_LIMIT_PYG))}: la factura no "
                    "puede ser innominada (NT-024). Identifique al cliente (RUC o cédula).")
        return None
    errors = identification_errors(b.id_type, b.identification)
    if errors:
        return "; ".join(errors)
    if len(b.name.strip()) < 4:
        return "Escriba el nombre o razón social del cliente (al menos 4 letras)"
    return None


def taxpayer_type(ruc: str) -> int:
    """1 persona física, 2 persona jurídica: the SET gives companies RUCs of the 80 million series."""
    base, _dv = ruc_mod.split(ruc)
    return 2 if base.isdigit() and len(base) == 8 and base.startswith("80") else 1


def cliente(b: Buyer) -> dict:
    """FacturaSend `cliente` of the buyer (B2B with a RUC, B2C otherwise)."""
    if b.id_type == PY_RUC:
        base, dv = ruc_mod.split(b.identification)
        d = {"contribuyente": True, "ruc": ruc_mod.format_ruc(base, dv), "razonSocial": b.name.strip(),
             "tipoOperacion": 1, "tipoContribuyente": taxpayer_type(b.identification), "pais": "PRY"}
    elif b.id_type == PY_ANONYMOUS:
        d = {"contribuyente": False, "documentoTipo": DOCUMENT_TYPES[PY_ANONYMOUS], "documentoNumero": "0",
             "razonSocial": "Sin Nombre", "tipoOperacion": 2, "pais": "PRY"}
    else:
        d = {"contribuyente": False, "documentoTipo": DOCUMENT_TYPES[b.id_type],
             "documentoNumero": b.identification.strip(), "razonSocial": b.name.strip(), "tipoOperacion": 2,
             "pais": "PRY"}
    if b.email and b.id_type != PY_ANONYMOUS:
        d["email"] = b.email.strip()
    if b.phone and b.id_type != PY_ANONYMOUS:
        d["telefono"] = b.phone.strip()
    return d


# ----------------------------------------------------------------------------------- body

def _entrega(medio: str, amount: Decimal, details: dict) -> dict:
    method = PY_PAYMENT_METHODS[medio]
    e: dict = {"tipo": int(method.sri_code), "monto": str(amount), "moneda": CURRENCY}
    if medio in ("tarjeta_credito", "tarjeta_debito"):
        # the brand is not asked at the counter: SIFEN's "otra" (99) with a description
        e["infoTarjeta"] = {"tipo": 99, "tipoDescripcion": "Tarjeta", "medioPago": 1}
    if medio == "cheque":
        cheque = details.get("cheque") or {}
        number, bank = str(cheque.get("numero", "")).strip(), str(cheque.get("banco", "")).strip()
        if not number or not bank:
            raise ValueError("Pago con cheque: escriba el número del cheque y el banco")
        e["infoCheque"] = {"numeroCheque": number, "banco": bank}
    return e


def facturasend_body(cart: Cart, company: Company, establishment: str, point: str,
                     settlement: Settlement | None = None, *, cashier: str = "") -> dict:
    """The FacturaSend `de/create` JSON (seed 002) for this sale: a factura (tipoDocumento 1),
    contado, in guaraníes. No `numero` or `fecha`: Mostrador numbers and dates it when signing.
    Payments are what was applied to the total (the vuelto is the cashier's, not SIFEN's)."""
    if cart.empty:
        raise ValueError("La venta no tiene productos")
    problem = cart.buyer_problem()
    if problem:
        raise BuyerRequired(problem)
    company.establishment(establishment)  # KeyError → a till configured on a missing establishment
    totals = cart.totals()
    payments = settlement.payments if settlement is not None else [("efectivo", totals.total)]
    details = settlement.details if settlement is not None else {}
    paid = sum((a for _, a in payments), ZERO)
    if paid != totals.total:
        raise ValueError(f"Los pagos ({gs(paid)}) no suman el total ({gs(totals.total)})")
    items = []
    for ln in cart.lines:
        i = item_input(ln)
        item = {"codigo": ln.code, "descripcion": ln.description, "unidadMedida": UNIT,
                "cantidad": f"{ln.quantity.normalize():f}", "precioUnitario": str(i.price), "ivaTipo": i.iva_type, "ivaBase": str(i.iva_base.normalize()),
                "iva": i.iva_rate}
        if i.discount:
            item["descuento"] = str(i.discount)
        items.append(item)
    body = {
        "tipoDocumento": py_cat.FE,
        "establecimiento": establishment,
        "punto": point,
        "tipoEmision": 1,
        "tipoTransaccion": 1,
        "tipoImpuesto": 1,
        "moneda": CURRENCY,
        "cliente": cliente(cart.buyer),
        "factura": {"presencia": 1},
        "condicion": {"tipo": 1, "entregas": [_entrega(m, a, details) for m, a in payments]},
        "items": items,
    }
    if cashier:
        body["observacion"] = f"Cajero: {cashier}"[:3000]
    return body


# ----------------------------------------------------------------------------------- nominación

def nomination_body(cdc: str, reason: str, buyer: Buyer) -> dict:
    """FacturaSend `evento/nominacion` body: who the receptor of an innominado factura really
    was (NT-014). Raises ValueError (Spanish) when the buyer is not identified properly."""
    if buyer.id_type == PY_ANONYMOUS:
        raise ValueError("Para nominar, identifique al receptor (RUC o cédula) y su nombre")
    errors = identification_errors(buyer.id_type, buyer.identification)
    if errors:
        raise ValueError("; ".join(errors))
    if len(buyer.name.strip()) < 4:
        raise ValueError("Escriba el nombre o razón social del receptor (al menos 4 letras)")
    return {"cdc": cdc, "motivo": reason, **cliente(buyer)}
