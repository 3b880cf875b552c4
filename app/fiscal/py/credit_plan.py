"""A sale on credit at the till (iCondOpe 2, gPagCred): what the cashier typed for the "Crédito"
payment (a term in days, or a number of cuotas) turned into SIFEN's credit group.

N cuotas split the amount in equal parts in the operation's currency, the last one absorbing the
rounding; they fall due monthly from the issue date (the same day of each following month, the
month's last day when it has fewer days).
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from app.core.money import ZERO, round_half_up
from app.fiscal.py.parts import Credit, Installment

MAX_CUOTAS = 999  # dCuotas: 1-3 digits
PLAZO, CUOTAS = 1, 2  # iCondCred


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split(amount: Decimal, parts: int, places: int) -> list[Decimal]:
    """`amount` in `parts` equal pieces rounded to `places`; the last absorbs the rounding."""
    each = round_half_up(amount / parts, places)
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


def plan(extra: Mapping, amount: Decimal, *, currency: str, places: int, issued: date,
         down_payment: Decimal = ZERO) -> Credit:
    """The credit of `amount` (what is left to pay after `down_payment`). `extra` is the
    "Crédito" payment's fields: 'cuotas' (a number) or 'plazo' (days, or a text like '30 días').
    Raises ValueError (Spanish)."""
    cuotas = str(extra.get("cuotas", "") or "").strip()
    plazo = str(extra.get("plazo", "") or "").strip()
    if cuotas and plazo:
        raise ValueError("Crédito: escriba el número de cuotas o el plazo, no ambos")
    if not cuotas and not plazo:
        raise ValueError("Crédito: escriba el número de cuotas o el plazo en días")
    if amount <= ZERO:
        raise ValueError("Crédito: el monto a crédito debe ser mayor que cero")
    down = down_payment if down_payment > ZERO else None
    if cuotas:
        if not re.fullmatch(r"[0-9]{1,3}", cuotas) or not 1 <= int(cuotas) <= MAX_CUOTAS:
            raise ValueError(f"Crédito: el número de cuotas va de 1 a {MAX_CUOTAS}")
        n = int(cuotas)
        amounts = split(amount, n, places)
        if amounts[0] <= ZERO:
            raise ValueError("Crédito: demasiadas cuotas para el monto")
        return Credit(kind=CUOTAS, installments_count=n, down_payment=down,
                      installments=[Installment(a, currency, add_months(issued, k + 1))
                                    for k, a in enumerate(amounts)])
    if plazo.isdigit():
        days = int(plazo)
        if not 1 <= days <= 9999:
            raise ValueError("Crédito: el plazo va de 1 a 9999 días")
        plazo = f"{days} días"
    if len(plazo) > 15:
        raise ValueError("Crédito: el plazo tiene hasta 15 caracteres (p. ej. '30 días')")
    return Credit(kind=PLAZO, term=plazo, down_payment=down)


def describe(credit: Credit, money) -> list[str]:
    """Lines a person reads: 'Plazo: 30 días' or 'Cuota 1: Gs. 33.334 vence 01/02/2027'."""
    if credit.kind == PLAZO:
        return [f"Plazo: {credit.term}"]
    return [f"Cuota {n}: {money(q.amount)} vence {q.due:%d/%m/%Y}" for n, q in enumerate(credit.installments, 1)]
