"""Scale labels: EAN-13 codes printed by a weighing scale that carry the item and its price or
its weight. Layout (the common one): 2 prefix digits, 5 item digits, 5 value digits, 1 check digit.

The prefixes and the meaning of the value are settings of the shop (the scale's programming), not
of any country: `pos.scale_prefixes` (comma separated, e.g. "20,21,22"; empty: no scale labels) and
`pos.scale_mode` ("price": the value is the amount in the currency's smallest unit; "weight": grams).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from app.store import settings

PREFIXES_KEY = "pos.scale_prefixes"
MODE_KEY = "pos.scale_mode"
MODES = ("price", "weight")


@dataclass(frozen=True)
class ScaleConfig:
    prefixes: tuple[str, ...] = ()
    mode: str = "price"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"Modo de balanza desconocido: «{self.mode}» (use price o weight)")
        for p in self.prefixes:
            if not (p.isdigit() and len(p) == 2):
                raise ValueError(f"Prefijo de balanza no válido: «{p}» (dos dígitos, p. ej. 20)")


@dataclass(frozen=True)
class ScaleCode:
    item: str  # the 5 item digits, as the scale prints them
    mode: str  # 'price' | 'weight'
    value: Decimal  # an amount (price mode) or kilograms (weight mode)


def ean13_check_digit(first12: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == int(code[12])


def parse_prefixes(value) -> tuple[str, ...]:
    """'20,21' / '20; 21' / ['20', '21'] / 20 (a setting stored as a number) → ('20', '21')."""
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return tuple(p.strip() for p in str(value or "").replace(";", ",").split(",") if p.strip())


def config(conn: sqlite3.Connection) -> ScaleConfig:
    return ScaleConfig(parse_prefixes(settings.get(conn, PREFIXES_KEY, "")),
                       str(settings.get(conn, MODE_KEY, "price") or "price"))


def parse(code: str, cfg: ScaleConfig, *, money_places: int) -> ScaleCode | None:
    """The scale label in `code`, or None when it is not one (an ordinary barcode). A code with a
    scale prefix and a wrong check digit is a misread: ValueError (Spanish)."""
    code = code.strip()
    if len(code) != 13 or not code.isdigit() or code[:2] not in cfg.prefixes:
        return None
    if not is_valid_ean13(code):
        raise ValueError(f"Etiqueta de balanza ilegible (dígito verificador incorrecto): {code}")
    raw = Decimal(int(code[7:12]))
    if cfg.mode == "weight":
        value = raw / 1000
    else:
        value = raw.scaleb(-money_places) if money_places else raw
    return ScaleCode(code[2:7], cfg.mode, value)


def item_keys(item: str) -> list[str]:
    """The product codes a scale item may be stored under: as printed and without leading zeros."""
    keys = [item]
    stripped = item.lstrip("0")
    if stripped and stripped != item:
        keys.append(stripped)
    return keys
