"""Clave de acceso: 49 digits, módulo 11 check digit (FICHA §5.2, REFERENCE §2)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

LENGTH = 49


def check_digit(k48: str) -> int:
    """Módulo 11 with weights 2..7 from the right; 11 -> 0 and 10 -> 1."""
    if len(k48) != 48 or not k48.isdigit():
        raise ValueError("la clave de acceso sin dígito verificador debe tener 48 dígitos")
    s, w = 0, 2
    for ch in reversed(k48):
        s += int(ch) * w
        w = 2 if w == 7 else w + 1
    r = 11 - (s % 11)
    return 0 if r == 11 else 1 if r == 10 else r


def random_codigo_numerico() -> str:
    """The 8-digit código numérico ("potestad absoluta del contribuyente"): unpredictable."""
    return f"{secrets.randbelow(10 ** 8):08d}"


def build(issued: date, cod_doc: str, ruc: str, ambiente: str, estab: str, pto_emi: str,
          secuencial: int, codigo_numerico: str, tipo_emision: str = "1") -> str:
    parts = {
        "tipo de comprobante": (str(cod_doc), 2), "RUC": (str(ruc), 13), "ambiente": (str(ambiente), 1),
        "establecimiento": (str(estab), 3), "punto de emisión": (str(pto_emi), 3),
        "código numérico": (str(codigo_numerico), 8), "tipo de emisión": (str(tipo_emision), 1),
    }
    for name, (value, size) in parts.items():
        if len(value) != size or not value.isdigit():
            raise ValueError(f"{name} debe tener {size} dígitos (recibido '{value}')")
    if not isinstance(secuencial, int) or not 1 <= secuencial <= 999_999_999:
        raise ValueError(f"el secuencial debe estar entre 1 y 999999999 (recibido {secuencial!r})")
    k48 = (f"{issued:%d%m%Y}{cod_doc}{ruc}{ambiente}{estab}{pto_emi}{secuencial:09d}"
           f"{codigo_numerico}{tipo_emision}")
    return k48 + str(check_digit(k48))


@dataclass(frozen=True)
class AccessKeyParts:
    issued: date
    cod_doc: str
    ruc: str
    ambiente: str
    estab: str
    pto_emi: str
    secuencial: int
    codigo_numerico: str
    tipo_emision: str
    check_digit: int

    @property
    def serie(self) -> str:
        return self.estab + self.pto_emi

    @property
    def number(self) -> str:
        return f"{self.estab}-{self.pto_emi}-{self.secuencial:09d}"


def parse(clave: str) -> AccessKeyParts:
    """Splits a clave into its fields. Raises ValueError (Spanish) if it is not 49 digits
    or its date is impossible; the check digit is NOT enforced here (see validate)."""
    clave = (clave or "").strip()
    if len(clave) != LENGTH or not clave.isdigit():
        raise ValueError(f"la clave de acceso debe tener 49 dígitos (tiene {len(clave)} caracteres)")
    try:
        issued = date(int(clave[4:8]), int(clave[2:4]), int(clave[0:2]))
    except ValueError:
        raise ValueError(f"la fecha de la clave de acceso ({clave[:8]}) no es una fecha válida") from None
    return AccessKeyParts(issued=issued, cod_doc=clave[8:10], ruc=clave[10:23], ambiente=clave[23],
                          estab=clave[24:27], pto_emi=clave[27:30], secuencial=int(clave[30:39]),
                          codigo_numerico=clave[39:47], tipo_emision=clave[47],
                          check_digit=int(clave[48]))


def validate(clave: str) -> list[str]:
    """Every problem of a clave, in Spanish; empty list when it is well formed."""
    if clave is None:
        return ["la clave de acceso está vacía"]
    clave = str(clave).strip()
    problems: list[str] = []
    if not clave:
        return ["la clave de acceso está vacía"]
    if not clave.isdigit():
        problems.append("la clave de acceso solo puede contener dígitos")
    if len(clave) != LENGTH:
        problems.append(f"la clave de acceso debe tener 49 dígitos (tiene {len(clave)})")
    if problems:
        return problems
    try:
        parts = parse(clave)
    except ValueError as exc:
        return [str(exc)]
    expected = check_digit(clave[:48])
    if expected != parts.check_digit:
        problems.append(f"el dígito verificador de la clave de acceso es incorrecto: "
                        f"se esperaba {expected} y tiene {parts.check_digit}")
    # codDoc is not judged here: lote keys (FICHA §8) carry other codes; verify compares it
    # with the document's own codDoc instead.
    if parts.ambiente not in ("1", "2"):
        problems.append(f"ambiente inválido en la clave de acceso ({parts.ambiente})")
    if parts.tipo_emision != "1":
        problems.append(f"tipo de emisión {parts.tipo_emision} en la clave de acceso; "
                        "el esquema offline solo admite 1")
    return problems
