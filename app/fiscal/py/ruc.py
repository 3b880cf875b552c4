"""Paraguayan RUC: base (up to 8 chars, may end in A-D) + check digit, SET módulo 11."""
from __future__ import annotations

import re

_BASE = re.compile(r"[1-9][0-9]*[0-9A-D]?")


def mod11(text: str, base_max: int = 11) -> int:
    """SET 'digito verificador': letters become their ASCII code, weights 2..base_max from
    the right (restarting at 2), DV = 11 - (sum mod 11), or 0 when the remainder is 0 or 1."""
    digits = "".join(ch if ch.isdigit() else str(ord(ch.upper())) for ch in text)
    total, weight = 0, 2
    for ch in reversed(digits):
        total += int(ch) * weight
        weight = 2 if weight >= base_max else weight + 1
    rest = total % 11
    return 11 - rest if rest > 1 else 0


def check_digit(base: str) -> int:
    return mod11(base.strip().upper())


def split(ruc: str) -> tuple[str, int | None]:
    """'80012345-6' -> ('80012345', 6); '80012345' -> ('80012345', None). Leading zeros go."""
    text = (ruc or "").strip().upper().replace(".", "").replace(" ", "")
    if "-" in text:
        base, _, dv = text.rpartition("-")
        base = base.lstrip("0")
        return base, int(dv) if dv.isdigit() and len(dv) == 1 else -1
    return text.lstrip("0"), None


def validate(ruc: str, *, require_dv: bool = True) -> list[str]:
    """Problems with a RUC as people write it ('80012345-6'), in Spanish; [] when valid."""
    base, dv = split(ruc)
    errors = []
    if not base or not _BASE.fullmatch(base) or not 3 <= len(base) <= 8:
        errors.append(f"RUC '{ruc}' inválido: se esperan 3 a 8 caracteres (dígitos, el último puede ser A-D)")
        return errors
    if dv is None:
        if require_dv:
            errors.append(f"RUC '{ruc}': falta el dígito verificador (formato 80012345-6)")
    elif dv < 0:
        errors.append(f"RUC '{ruc}': el dígito verificador debe ser un número de 0 a 9")
    elif dv != check_digit(base):
        errors.append(f"RUC '{ruc}': dígito verificador incorrecto (corresponde {check_digit(base)})")
    return errors


def format_ruc(base: str, dv: int | None = None) -> str:
    return f"{base}-{check_digit(base) if dv is None else dv}"
