"""CDC (Código de Control, MT §10.1): 44 digits, módulo 11, and its random dCodSeg."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from app.fiscal.py import documents
from app.fiscal.py.ruc import check_digit, mod11

LENGTH = 44
_SHAPE = re.compile(r"[0-9]{2}[0-9]{7}[0-9A-D][0-9]{34}")


@dataclass(frozen=True)
class CdcParts:
    doc_type: int  # iTiDE
    ruc: str  # without leading zeros
    ruc_dv: int
    establishment: str  # '001'
    point: str  # '001'
    number: str  # '0000001'
    taxpayer_type: int  # 1 física, 2 jurídica
    issued_on: date
    emission_type: int
    security_code: str  # dCodSeg, 9 digits
    dv: int


def check_digit_of(first43: str) -> int:
    return mod11(first43)


def new_security_code(*, avoid: int | None = None) -> str:
    """A fresh random dCodSeg: 000000001-999999999, from `secrets`, never equal to dNumDoc."""
    while True:
        value = secrets.randbelow(999_999_999) + 1
        if value != avoid:
            return f"{value:09d}"


def build(doc_type: int, ruc: str, ruc_dv: int | None, establishment: str, point: str,
          number: int | str, taxpayer_type: int, issued: date | datetime, security_code: str,
          emission_type: int = 1) -> str:
    """The 44-character CDC. `ruc` is the base without DV; `ruc_dv` None = compute it."""
    base = ruc.strip().upper().lstrip("0")
    dv_ruc = check_digit(base) if ruc_dv is None else int(ruc_dv)
    code = str(security_code)
    if not (code.isdigit() and len(code) == 9 and int(code) > 0):
        raise ValueError("dCodSeg debe tener 9 dígitos y ser mayor que cero")
    if isinstance(issued, datetime):
        issued = issued.date()
    first43 = (f"{int(doc_type):02d}{base.rjust(8, '0')}{dv_ruc}{int(establishment):03d}"
               f"{int(point):03d}{int(number):07d}{int(taxpayer_type)}{issued:%Y%m%d}"
               f"{int(emission_type)}{code}")
    if len(first43) != 43:
        raise ValueError("Los datos no forman un CDC de 44 caracteres")
    return first43 + str(check_digit_of(first43))


def parse(cdc: str) -> CdcParts:
    """Splits a CDC into its fields; ValueError (Spanish) if the shape is wrong."""
    if not isinstance(cdc, str) or not _SHAPE.fullmatch(cdc):
        raise ValueError("CDC inválido: se esperan 44 caracteres numéricos")
    try:
        issued = datetime.strptime(cdc[25:33], "%Y%m%d").date()
    except ValueError:
        raise ValueError("CDC inválido: la fecha de emisión (posiciones 26-33) no existe") from None
    return CdcParts(int(cdc[0:2]), cdc[2:10].lstrip("0"), int(cdc[10]), cdc[11:14], cdc[14:17],
                    cdc[17:24], int(cdc[24]), issued, int(cdc[33]), cdc[34:43], int(cdc[43]))


def validate(cdc: str) -> list[str]:
    """Every problem found in a CDC, in Spanish; [] when it is valid."""
    try:
        p = parse(cdc)
    except ValueError as exc:
        return [str(exc)]
    errors = []
    if documents.by_code(p.doc_type) is None:
        errors.append(f"CDC: tipo de documento {p.doc_type:02d} desconocido")
    if p.ruc_dv != check_digit(p.ruc):
        errors.append("CDC: dígito verificador del RUC incorrecto")
    if p.taxpayer_type not in (1, 2):
        errors.append("CDC: tipo de contribuyente debe ser 1 o 2")
    if p.emission_type not in (1, 2):
        errors.append("CDC: tipo de emisión debe ser 1 o 2")
    if int(p.security_code) == 0:
        errors.append("CDC: código de seguridad no puede ser cero")
    if int(p.number) == 0:
        errors.append("CDC: número de documento no puede ser cero")
    if p.dv != check_digit_of(cdc[:43]):
        errors.append(f"CDC: dígito verificador incorrecto (corresponde {check_digit_of(cdc[:43])})")
    return errors


def grouped(cdc: str) -> str:
    """As printed on the KuDE: 11 groups of 4."""
    return " ".join(cdc[i:i + 4] for i in range(0, len(cdc), 4))
