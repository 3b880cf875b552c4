"""Item values, IVA and totals (MT §10 E8/F, NT-001, NT-008, NT-013). Prices include IVA.

Per-item IVA fields keep 8 decimals (as TIPS does); totals are summed from those values and
rounded once, HALF_UP: 0 decimals for PYG, 2 for any other currency. Decimal only.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_Q8 = Decimal("0.00000001")

GRAVADO, EXONERADO, EXENTO, PARCIAL = 1, 2, 3, 4


def places_for(currency: str) -> int:
    return 0 if currency == "PYG" else 2


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _q8(value: Decimal) -> Decimal:
    return value.quantize(_Q8, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemInput:
    price: Decimal  # dPUniProSer, IVA included
    quantity: Decimal  # dCantProSer
    iva_type: int = GRAVADO  # iAfecIVA
    iva_base: Decimal = HUNDRED  # dPropIVA (% gravado)
    iva_rate: int = 10  # dTasaIVA
    discount: Decimal = ZERO  # dDescItem, per unit
    advance: Decimal = ZERO  # dAntPreUniIt, per unit
    exchange_rate: Decimal | None = None  # dTiCamIt (dCondTiCam = 2)


@dataclass(frozen=True)
class ItemAmounts:
    gross: Decimal  # dTotBruOpeItem E727
    discount: Decimal  # dDescItem EA002
    discount_pct: Decimal  # dPorcDesIt EA003
    global_discount: Decimal  # dDescGloItem EA004
    advance: Decimal  # dAntPreUniIt EA006
    global_advance: Decimal  # dAntGloPreUniIt EA007
    total: Decimal  # dTotOpeItem EA008
    total_gs: Decimal | None  # dTotOpeGs EA009
    iva_type: int
    proportion: Decimal  # dPropIVA
    rate: int  # dTasaIVA
    base: Decimal  # dBasGravIVA E735
    iva: Decimal  # dLiqIVAItem E736
    exempt_base: Decimal  # dBasExe E737


@dataclass(frozen=True)
class Totals:
    sub_exe: Decimal
    sub_exo: Decimal
    sub5: Decimal
    sub10: Decimal
    tot_ope: Decimal
    tot_desc: Decimal
    tot_desc_glo: Decimal
    tot_ant_item: Decimal
    tot_ant: Decimal
    porc_desc_total: Decimal
    desc_total: Decimal
    anticipo: Decimal
    redon: Decimal
    comi: Decimal
    tot_gral: Decimal
    iva5: Decimal
    iva10: Decimal
    liq_iva5: Decimal
    liq_iva10: Decimal
    iva_comi: Decimal
    tot_iva: Decimal
    base5: Decimal
    base10: Decimal
    tbase: Decimal
    total_gs: Decimal | None
    places: int


def item_amounts(item: ItemInput, *, currency: str = "PYG", global_discount_pct: Decimal = ZERO,
                 with_iva: bool = True) -> ItemAmounts:
    """One item. `with_iva=False` for AFE/NRE items (no gCamIVA)."""
    places = places_for(currency)
    price, qty = Decimal(item.price), Decimal(item.quantity)
    discount, advance = Decimal(item.discount), Decimal(item.advance)
    gross = _q(price * qty, places)
    pct = _q8(discount * HUNDRED / price) if discount and price else ZERO
    glo = _q8(Decimal(global_discount_pct) * price / HUNDRED) if global_discount_pct else ZERO
    total = _q((price - discount - glo - advance) * qty, places)
    if total < 0:
        raise ValueError("El descuento/anticipo del ítem supera su precio")
    total_gs = _q(total * item.exchange_rate, 0) if item.exchange_rate else None
    iva_type, P, T = item.iva_type, Decimal(item.iva_base), int(item.iva_rate)
    base = iva = exe = ZERO
    if with_iva and iva_type in (GRAVADO, PARCIAL):
        denom = Decimal(10000) + T * P
        base = _q8(HUNDRED * total * P / denom)
        iva = _q8(base * T / HUNDRED)
        if iva_type == PARCIAL:
            exe = _q8(HUNDRED * total * (HUNDRED - P) / denom)
    elif iva_type in (EXONERADO, EXENTO):
        P, T = ZERO, 0
    return ItemAmounts(gross, discount, pct, glo, advance, ZERO, total, total_gs, iva_type, P, T,
                       base, iva, exe)


def compute(items: list[ItemInput], *, currency: str = "PYG", exchange_rate: Decimal | None = None,
            round_to_50: bool = False, global_discount_pct: Decimal = ZERO,
            with_iva: bool = True, commission: Decimal = ZERO) -> tuple[list[ItemAmounts], Totals]:
    """Items and group F. `round_to_50` applies the SEDECO rounding (PYG only): dRedon =
    dTotOpe mod 50. `exchange_rate` = global dTiCam (dCondTiCam 1) for dTotalGs."""
    places = places_for(currency)
    rows = [item_amounts(i, currency=currency, global_discount_pct=global_discount_pct,
                         with_iva=with_iva) for i in items]
    sub_exe = sum((r.total for r in rows if r.iva_type == EXENTO), ZERO) + \
        sum((r.exempt_base for r in rows if r.iva_type == PARCIAL), ZERO)
    sub_exo = sum((r.total for r in rows if r.iva_type == EXONERADO), ZERO)

    def sub(rate: int) -> Decimal:
        return sum((r.total for r in rows if r.iva_type == GRAVADO and r.rate == rate), ZERO) + \
            sum((r.base + r.iva for r in rows if r.iva_type == PARCIAL and r.rate == rate), ZERO)

    sub5, sub10 = sub(5), sub(10)
    if with_iva:
        tot_ope = sub_exe + sub_exo + sub5 + sub10
    else:  # AFE: Σ EA008
        tot_ope = sum((r.total for r in rows), ZERO)
    iva5 = sum((r.iva for r in rows if r.rate == 5), ZERO)
    iva10 = sum((r.iva for r in rows if r.rate == 10), ZERO)
    base5 = sum((r.base for r in rows if r.rate == 5), ZERO)
    base10 = sum((r.base for r in rows if r.rate == 10), ZERO)
    tot_desc = sum((r.discount * Decimal(i.quantity) for r, i in zip(rows, items)), ZERO)
    tot_glo = sum((r.global_discount * Decimal(i.quantity) for r, i in zip(rows, items)), ZERO)
    tot_ant_item = sum((r.advance * Decimal(i.quantity) for r, i in zip(rows, items)), ZERO)
    # Rounded once per published field, and the published sums are sums of published
    # fields (F008 = F002+F003+F004+F005, F017 = F015+F016, F020 = F018+F019) so SIFEN's
    # arithmetic checks hold exactly on what it reads.
    if with_iva:
        tot_ope_r = _q(sub_exe, places) + _q(sub_exo, places) + _q(sub5, places) + _q(sub10, places)
    else:
        tot_ope_r = _q(tot_ope, places)
    redon = Decimal(int(tot_ope_r) % 50) if (round_to_50 and currency == "PYG") else ZERO
    commission = Decimal(commission)
    iva_comi = _q(commission / Decimal(11), places) if commission else ZERO
    tot_gral = tot_ope_r - redon + commission
    total_gs = None
    if currency != "PYG":
        if exchange_rate:
            total_gs = _q(tot_gral * Decimal(exchange_rate), 0)
        else:
            total_gs = _q(sum((r.total_gs or ZERO for r in rows), ZERO), 0)
    tot_iva = _q(iva5, places) + _q(iva10, places) + iva_comi
    t = Totals(
        sub_exe=_q(sub_exe, places), sub_exo=_q(sub_exo, places), sub5=_q(sub5, places),
        sub10=_q(sub10, places), tot_ope=tot_ope_r, tot_desc=_q(tot_desc, places),
        tot_desc_glo=_q(tot_glo, places), tot_ant_item=_q(tot_ant_item, places), tot_ant=ZERO,
        porc_desc_total=Decimal(global_discount_pct), desc_total=_q(tot_desc + tot_glo, places),
        anticipo=_q(tot_ant_item, places), redon=redon, comi=commission, tot_gral=tot_gral,
        iva5=_q(iva5, places), iva10=_q(iva10, places), liq_iva5=ZERO, liq_iva10=ZERO,
        iva_comi=iva_comi, tot_iva=tot_iva, base5=_q(base5, places), base10=_q(base10, places),
        tbase=_q(base5, places) + _q(base10, places), total_gs=total_gs, places=places)
    return rows, t
