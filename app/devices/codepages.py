"""Code pages for Spanish text on ESC/POS printers.

We encode text ourselves (Python codecs) and send `ESC t n` once, because the table
number `n` for a given code page differs between Epson and cheap clones; the per-printer
setting `codepage_table` overrides the profile's number. Characters missing from the
page fall back to the unaccented letter, never to a wrong glyph.
"""
from __future__ import annotations

import unicodedata

# Name (as python-escpos profiles spell it) -> Python codec.
CODECS = {
    "CP858": "cp858",
    "CP850": "cp850",
    "CP437": "cp437",
    "CP1252": "cp1252",
    "ISO_8859-15": "iso8859_15",
    "CP852": "cp852",
}
# Epson's ESC t numbers, used when a profile does not list the page.
EPSON_TABLES = {"CP437": 0, "CP850": 2, "CP1252": 16, "CP852": 18, "CP858": 19, "ISO_8859-15": 40}
PREFERENCE = ("CP858", "CP850", "CP1252", "CP437")
# Signs no common code page has: printed as text.
REPLACEMENTS = {"₲": "Gs.", "€": "EUR", "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."}
SPANISH_SAMPLE = "ñ Ñ á é í ó ú Á É Í Ó Ú ü Ü ¿ ¡ º ª"


def profile_pages(profile_data: dict) -> dict[str, int]:
    """{'CP858': 19, ...} from a python-escpos profile, lowest table number first."""
    pages: dict[str, int] = {}
    for number, name in sorted(profile_data.get("codePages", {}).items(), key=lambda kv: int(kv[0])):
        pages.setdefault(name, int(number))
    return pages


def choose(profile_data: dict, requested: str | None = None, table: int | None = None) -> tuple[str, int]:
    """(code page name, ESC t number) for a printer. Raises ValueError (Spanish) for an
    unknown page."""
    pages = profile_pages(profile_data)
    if requested:
        name = requested.upper()
        if name not in CODECS:
            raise ValueError(f"Página de códigos no soportada: {requested}. Use una de: {', '.join(CODECS)}.")
    else:
        name = next((p for p in PREFERENCE if p in pages), "CP437")
    if table is None:
        table = pages.get(name, EPSON_TABLES[name])
    if not 0 <= int(table) <= 255:
        raise ValueError(f"Número de tabla de caracteres inválido: {table}.")
    return name, int(table)


def select_bytes(table: int) -> bytes:
    return b"\x1bt" + bytes([table])


def _fallback(ch: str, codec: str) -> bytes:
    for candidate in (REPLACEMENTS.get(ch), unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()):
        if candidate:
            try:
                return candidate.encode(codec)
            except UnicodeEncodeError:
                continue
    return b"?"


def encode(text: str, name: str) -> bytes:
    codec = CODECS[name]
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        out = bytearray()
        for ch in text:
            try:
                out += ch.encode(codec)
            except UnicodeEncodeError:
                out += _fallback(ch, codec)
        return bytes(out)
