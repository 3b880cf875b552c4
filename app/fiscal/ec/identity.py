"""Cédula and RUC check digits (REFERENCE §5.5, python-stdnum ec/ci.py and ec/ruc.py).

Cédulas and natural-person RUCs are reliable: a bad check digit is an error. RUCs of
companies (third digit 9) and public bodies (6) are not: SRI-registered numbers fail the
formula (stdnum issues #290/#457/#497), so only the structure is enforced and a checksum
failure is a warning.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.fiscal.ec import catalog


@dataclass
class IdCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _province_ok(number: str) -> bool:
    p = number[:2]
    return "01" <= p <= "24" or p in ("30", "50")


def cedula_check_digit(first9: str) -> int:
    total = 0
    for i, ch in enumerate(first9):
        v = int(ch) * (2 if i % 2 == 0 else 1)
        total += v - 9 if v > 9 else v
    return (10 - total % 10) % 10


def check_cedula(number: str) -> IdCheck:
    r = IdCheck()
    if len(number) != 10 or not number.isdigit():
        r.errors.append(f"la cédula debe tener 10 dígitos (recibido '{number}')")
        return r
    if not _province_ok(number):
        r.errors.append(f"la cédula {number} tiene un código de provincia inválido ({number[:2]})")
    if int(number[2]) > 5:
        r.errors.append(f"la cédula {number} tiene un tercer dígito inválido ({number[2]})")
    dv = cedula_check_digit(number[:9])
    if dv != int(number[9]):
        r.errors.append(f"la cédula {number} tiene un dígito verificador incorrecto "
                        f"(se esperaba {dv}, tiene {number[9]})")
    return r


def _mod11(digits: str, weights: tuple[int, ...]) -> int:
    s = sum(int(d) * w for d, w in zip(digits, weights))
    r = 11 - s % 11
    return 0 if r == 11 else r  # r == 10 cannot be a valid digit: caller compares and fails


def check_ruc(number: str) -> IdCheck:
    r = IdCheck()
    if len(number) != 13 or not number.isdigit():
        r.errors.append(f"el RUC debe tener 13 dígitos (recibido '{number}')")
        return r
    if not _province_ok(number):
        r.errors.append(f"el RUC {number} tiene un código de provincia inválido ({number[:2]})")
    third = int(number[2])
    if third <= 5:  # natural person: a valid cédula followed by an establishment >= 001
        ced = check_cedula(number[:10])
        r.errors.extend(e.replace("la cédula", "el RUC (cédula)") for e in ced.errors
                        if "provincia" not in e)
        if number[10:] == "000":
            r.errors.append(f"el RUC {number} debe terminar en un establecimiento 001 o mayor")
    elif third == 9:  # private company
        if number[10:] == "000":
            r.errors.append(f"el RUC {number} debe terminar en un establecimiento 001 o mayor")
        dv = _mod11(number[:9], (4, 3, 2, 7, 6, 5, 4, 3, 2))
        if dv != int(number[9]):
            r.warnings.append(f"el RUC {number} no cumple el dígito verificador de sociedades "
                              f"(se esperaba {dv}); el SRI tiene RUC válidos así, se acepta")
    elif third == 6:  # public body
        if number[9:] == "0000":
            r.errors.append(f"el RUC {number} debe terminar en un establecimiento 0001 o mayor")
        dv = _mod11(number[:8], (3, 2, 7, 6, 5, 4, 3, 2))
        if dv != int(number[8]):
            r.warnings.append(f"el RUC {number} no cumple el dígito verificador de entidades "
                              f"públicas (se esperaba {dv}); el SRI tiene RUC válidos así, se acepta")
    else:
        r.errors.append(f"el RUC {number} tiene un tercer dígito inválido ({third})")
    return r


def check_identification(id_type: str, number: str) -> IdCheck:
    """Checks `number` against the SRI identification type (Tabla 6)."""
    if id_type == catalog.ID_CEDULA:
        return check_cedula(number)
    if id_type == catalog.ID_RUC:
        return check_ruc(number)
    r = IdCheck()
    if id_type == catalog.ID_CONSUMIDOR_FINAL:
        if number != catalog.CONSUMIDOR_FINAL_ID:
            r.errors.append(f"para consumidor final la identificación debe ser "
                            f"{catalog.CONSUMIDOR_FINAL_ID}")
    elif id_type in (catalog.ID_PASAPORTE, catalog.ID_EXTERIOR):
        if not (1 <= len(number) <= 20):
            r.errors.append("la identificación debe tener entre 1 y 20 caracteres")
    else:
        r.errors.append(f"tipo de identificación desconocido '{id_type}' "
                        f"(válidos: {', '.join(sorted(catalog.ID_TYPES))})")
    return r


def is_company_ruc(ruc: str) -> bool:
    """Sociedad / entidad pública (tipoSujetoRetenido 02) vs persona natural (01)."""
    return len(ruc) == 13 and ruc[2] in "69"
