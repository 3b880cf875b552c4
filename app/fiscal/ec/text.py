"""Text hygiene for SRI XML values: one line, single spaces, no control characters.

XSD text types use pattern [^\\n]* and FICHA Anexo 1 warns against runs of spaces, so
tabs/newlines/runs collapse to one space; any other control character is refused (it is
either invalid XML or invisible garbage from a till).
"""
from __future__ import annotations

import re

_WS = re.compile(r"\s+")
# Unicode categories Cc (C0 and C1 controls) and Cs (surrogates), plus the non-characters
# U+FFFE/U+FFFF; tab, newline and carriage return are whitespace and get collapsed instead.
# A regex, not a per-character unicodedata loop: this runs for every value of every document.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def bad_character(value: str) -> str | None:
    """The first character that cannot go into an SRI text value, or None."""
    m = _BAD.search(value)
    return m.group() if m else None


def clean(value: str) -> str:
    """Collapses whitespace (newlines included) to single spaces and strips the ends.
    Raises ValueError (Spanish) on control characters."""
    m = _BAD.search(value)
    if m is not None:
        raise ValueError(f"contiene un carácter de control no permitido (U+{ord(m.group()):04X})")
    # str.split() splits on exactly the characters `\s` matches (str.isspace), in C
    return " ".join(value.split())
