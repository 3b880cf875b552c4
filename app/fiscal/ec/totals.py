"""Arithmetic of SRI documents: the rule we compute with, and the Checker the document types use
(app.fiscal.ec.arithmetic.check runs it on any SRI XML). docs/sri.md, "Arithmetic", has the
evidence behind each figure.

The rule (what datil.py / the till compute and what we emit):
- precioTotalSinImpuesto = round(cantidad * precioUnitario - descuento, 2), HALF_UP.
- each line tax is computed on its own line: valor = round(baseImponible * tarifa / 100, 2);
  the IVA base of a line is its precioTotalSinImpuesto plus that line's ICE (ICE is part
  of the IVA base, FICHA Anexo 18); IRBPNR is a fixed amount per unit. A tax-included price
  (app.fiscal.ec.included) may carry a line IVA one cent off that rounding, so that base + IVA
  is exactly the shelf price.
- totalConImpuestos has one totalImpuesto per (codigo, codigoPorcentaje) whose base is the SUM
  of the line bases. Its IVA valor is the tax of that summed base, round(base * tarifa / 100, 2)
  (rounded once, as Odoo's l10n_ec does), or the sum of the line values when that sum is within
  one cent of it (then the document also adds up line by line); ICE and IRBPNR are sums of lines.
- importeTotal = totalSinImpuestos + sum(totalImpuesto.valor) + propina (+ export costs).

The checker applies the tolerance SRI-authorized documents show (error 52 "ERROR EN
DIFERENCIAS"): one cent on every value computed by a rounding (a line's precioTotalSinImpuesto,
a line's tax valor, the header IVA valor against the tax of the header base). The header against
the sum of its lines (each totalImpuesto baseImponible, totalSinImpuestos) may differ by up to
HEADER_SUM_TOLERANCE, the largest difference seen on SRI-authorized invoices (observed, not
published): such a difference is a warning, not a problem. Sums of the header's own values
(importeTotal, payments, ICE/IRBPNR totals) are exact.
"""
from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal, InvalidOperation
from typing import Iterable

from app.core.money import round_half_up

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal(100)


# ---------------------------------------------------------------- the rule
def line_subtotal(quantity: Decimal, unit_price: Decimal, discount: Decimal) -> Decimal:
    return round_half_up(quantity * unit_price - discount, 2)


def tax_value(base: Decimal, rate_percent: Decimal) -> Decimal:
    return round_half_up(base * rate_percent / HUNDRED, 2)


TAX_TOLERANCE = CENT  # a value computed by a rounding may differ by this much (docs/sri.md)
# A header base / totalSinImpuestos against the sum of its lines: the SRI authorized 0.02
# (Corporación Favorita 18/11/2023: 49.62 vs 49.64, 175.75 vs 175.77) and 0.01 (Procafecol,
# Flota Imbabura). The largest OBSERVED difference; the SRI publishes none (docs/sri.md).
HEADER_SUM_TOLERANCE = Decimal("0.02")


def header_tax_value(base: Decimal, rate_percent: Decimal, line_sum: Decimal) -> Decimal:
    """The header IVA valor of one rate: the sum of its lines' values when that is within
    TAX_TOLERANCE of the tax of the summed base, else the tax of the summed base."""
    once = tax_value(base, rate_percent)
    return line_sum if abs(line_sum - once) <= TAX_TOLERANCE else once


def iva_rate(code: str, tarifa: Decimal | None) -> Decimal | None:
    """The rate of an IVA codigoPorcentaje: the document's `tarifa`, else Tabla 17's."""
    if tarifa is not None:
        return tarifa
    from app.fiscal.ec import catalog  # catalog is data only; imported late to keep this module light
    return catalog.IVA_RATES.get(code)


def group_taxes(taxes: Iterable) -> "OrderedDict[tuple[str, str], dict]":
    """Sums line taxes per (codigo, codigo_porcentaje), keeping first-seen order.
    Each item needs .codigo, .codigo_porcentaje, .tarifa, .base, .valor."""
    groups: OrderedDict[tuple[str, str], dict] = OrderedDict()
    for t in taxes:
        g = groups.setdefault((t.codigo, t.codigo_porcentaje),
                              {"tarifa": t.tarifa, "base": ZERO, "valor": ZERO, "lines": 0})
        g["base"] += t.base
        g["valor"] += t.valor
        g["lines"] += 1
    return groups


# ---------------------------------------------------------------- the checker
def _local(el) -> str:
    tag = el.tag  # plain string work: QName() costs more and this runs for every element
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def child(el, name):
    if el is None:
        return None
    for c in el:
        if _local(c) == name:
            return c
    return None


def children(el, name):
    return [c for c in (el if el is not None else []) if _local(c) == name]


def _path(el, *names):
    for n in names:
        el = child(el, n)
        if el is None:
            return None
    return el


def dec(el, name, default=None):
    c = child(el, name)
    if c is None or c.text is None or not c.text.strip():
        return default
    try:
        return Decimal(c.text.strip())
    except InvalidOperation:
        return default


def txt(el, name) -> str:
    c = child(el, name)
    return (c.text or "").strip() if c is not None else ""


def _s(v: Decimal) -> str:
    return f"{v:.2f}"


class Checker:
    def __init__(self):
        self.problems: list[str] = []
        self.warnings: list[str] = []  # differences within what the SRI is seen to authorize

    def same(self, label: str, found: Decimal | None, expected: Decimal, tolerance: Decimal = ZERO,
             why: str = "") -> None:
        if found is None:
            self.problems.append(f"ERROR EN DIFERENCIAS: falta el valor de {label}; "
                                 f"el calculado es {_s(expected)}")
            return
        if abs(found - expected) > tolerance:
            self.problems.append(f"ERROR EN DIFERENCIAS: el valor de {label} {_s(found)} "
                                 f"no coincide con el calculado {_s(expected)}{why}"
                                 + (f" (tolerancia {_s(tolerance)})" if tolerance else ""))

    def near(self, label: str, found: Decimal | None, expected: Decimal,
             tolerance: Decimal = HEADER_SUM_TOLERANCE) -> None:
        """A header value against the sum of its lines: equal is silent, a difference within
        `tolerance` (what the SRI authorizes) is a warning, beyond it a problem."""
        if found is None or abs(found - expected) > tolerance:
            self.same(label, found, expected, tolerance)
        elif found != expected:
            self.warnings.append(f"DIFERENCIA ACEPTADA: el valor de {label} {_s(found)} difiere en "
                                 f"{_s(abs(found - expected))} del calculado {_s(expected)}; el SRI ha "
                                 f"autorizado diferencias de hasta {_s(tolerance)} entre la cabecera y la "
                                 f"suma de los detalles")

    # -- detail lines (factura, liquidación, nota de crédito)
    def lines(self, detalles) -> tuple[Decimal, Decimal, OrderedDict, int]:
        subtotal, discount, n = ZERO, ZERO, 0
        found_taxes = []
        for i, det in enumerate(children(detalles, "detalle"), start=1):
            n += 1
            qty, price = dec(det, "cantidad", ZERO), dec(det, "precioUnitario", ZERO)
            desc = dec(det, "descuento", ZERO)
            pt = dec(det, "precioTotalSinImpuesto")
            expected = line_subtotal(qty, price, desc)
            self.same(f"precioTotalSinImpuesto del detalle {i}", pt, expected, TAX_TOLERANCE)
            pt = pt if pt is not None else expected
            subtotal += pt
            discount += desc
            ice = sum((dec(t, "valor", ZERO) for t in children(child(det, "impuestos"), "impuesto")
                       if txt(t, "codigo") == "3"), ZERO)
            for t in children(child(det, "impuestos"), "impuesto"):
                code, cp = txt(t, "codigo"), txt(t, "codigoPorcentaje")
                base, valor, tarifa = dec(t, "baseImponible", ZERO), dec(t, "valor", ZERO), dec(t, "tarifa")
                if code == "2":
                    self.same(f"baseImponible del IVA del detalle {i}", base, pt + ice, CENT)
                    if tarifa is not None:
                        self.same(f"valor del IVA del detalle {i}", valor, tax_value(base, tarifa), TAX_TOLERANCE)
                found_taxes.append(_T(code, cp, tarifa, base, valor))
        return subtotal, discount, group_taxes(found_taxes), n

    def tax_totals(self, container, line_groups: OrderedDict, tag: str = "totalImpuesto") -> tuple[Decimal, Decimal]:
        """-> (sum of the tax values, sum of descuentoAdicional)."""
        total, extra_discount = ZERO, ZERO
        seen = set()
        for t in children(container, tag):
            code, cp = txt(t, "codigo"), txt(t, "codigoPorcentaje")
            base, valor = dec(t, "baseImponible", ZERO), dec(t, "valor", ZERO)
            # descuentoAdicional (factura/liquidación) lowers that group's base after the lines
            additional = dec(t, "descuentoAdicional", ZERO)
            extra_discount += additional
            total += valor
            seen.add((code, cp))
            g = line_groups.get((code, cp))
            label = f"impuesto {code} código {cp}"
            if g is None:
                self.problems.append(f"ERROR EN DIFERENCIAS: el total del {label} no corresponde "
                                     f"a ningún detalle")
                continue
            self.near(f"baseImponible del total del {label}", base, g["base"] - additional)
            if code == "2":  # IVA: the tax of the header base, rounded once (docs/sri.md)
                tarifa = iva_rate(cp, dec(t, "tarifa", g["tarifa"]))
                if tarifa is not None:
                    self.same(f"valor del total del {label}", valor, tax_value(base, tarifa), TAX_TOLERANCE,
                              f", el IVA de la base {_s(base)} al {tarifa.normalize():f} %")
                else:
                    self.same(f"valor del total del {label}", valor, g["valor"], ZERO)
            else:  # ICE, IRBPNR: sums of the lines' values
                self.same(f"valor del total del {label}", valor, g["valor"], ZERO)
        for key, g in line_groups.items():
            if key not in seen:
                self.problems.append(f"ERROR EN DIFERENCIAS: falta el total del impuesto {key[0]} "
                                     f"código {key[1]} (base {_s(g['base'])}, valor {_s(g['valor'])})")
        return total, extra_discount

    def payments(self, info, total: Decimal) -> None:
        pagos = children(child(info, "pagos"), "pago")
        if pagos:
            paid = sum((dec(p, "total", ZERO) for p in pagos), ZERO)
            if paid != total:
                self.problems.append(f"ERROR EN DIFERENCIAS: la suma de las formas de pago "
                                     f"{_s(paid)} no coincide con el total {_s(total)}")


class _T:
    __slots__ = ("codigo", "codigo_porcentaje", "tarifa", "base", "valor")

    def __init__(self, codigo, cp, tarifa, base, valor):
        self.codigo, self.codigo_porcentaje, self.tarifa, self.base, self.valor = codigo, cp, tarifa, base, valor


def check_sale(c: Checker, root, info_tag: str, total_tag: str) -> None:
    info = child(root, info_tag)
    subtotal, discount, groups, n = c.lines(child(root, "detalles"))
    tol = ZERO  # sums of the header's own values: exact (docs/sri.md, "Arithmetic")
    c.near("totalSinImpuestos", dec(info, "totalSinImpuestos"), subtotal)  # vs the lines: a warning up to 0.02
    taxes, extra_discount = c.tax_totals(child(info, "totalConImpuestos"), groups)
    if child(info, "totalDescuento") is not None:
        c.same("totalDescuento", dec(info, "totalDescuento"), discount + extra_discount, tol)
    extras = sum((dec(info, n_, ZERO) for n_ in ("propina", "fleteInternacional", "seguroInternacional",
                                                   "gastosAduaneros", "gastosTransporteOtros")), ZERO)
    comp = sum((dec(x, "valor", ZERO) for x in children(child(info, "compensaciones"), "compensacion")), ZERO)
    declared_sub = dec(info, "totalSinImpuestos", subtotal)
    expected = declared_sub - extra_discount + taxes + extras - comp
    total = dec(info, total_tag)
    c.same(total_tag, total, expected, tol)
    if total is not None:
        c.payments(info, total)
