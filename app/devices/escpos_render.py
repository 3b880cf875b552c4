"""Ticket -> ESC/POS bytes, through python-escpos' Dummy printer (no device involved)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from app.devices import codepages
from app.render.barcodes import centered, code_bitmap, qr_modules
from app.devices.escpos_lib import escpos
from app.devices.layout import layout
from app.devices.ticket import Ticket


@dataclass(frozen=True)
class Media:
    columns: int
    width_px: int
    dpi: int
    narrow: bool  # 58 mm class paper


def media_for(profile_data: dict, width_mm: int, columns: int | None = None) -> Media:
    """Printable width, dots and columns: the profile's when it knows its paper and the
    width matches, otherwise the usual 80 mm (576 dots, 48 cols) / 58 mm (384, 32)."""
    narrow = width_mm < 70
    media = profile_data.get("media") or {}
    px = (media.get("width") or {}).get("pixels")
    dpi = media.get("dpi")
    fonts = profile_data.get("fonts") or {}
    profile_cols = (fonts.get("0") or {}).get("columns")
    known = isinstance(px, int) and ((px <= 432) == narrow)
    width_px = px if known else (384 if narrow else 576)
    dpi = dpi if isinstance(dpi, int) else 203
    if columns is None:
        columns = profile_cols if known and isinstance(profile_cols, int) else (32 if narrow else 48)
    return Media(columns, width_px, dpi, narrow)


def render_escpos(
    ticket: Ticket,
    width_mm: int = 80,
    profile: str = "default",
    drawer_pin: int | None = None,
    codepage: str | None = None,
    codepage_table: int | None = None,
    columns: int | None = None,
    cut: bool = True,
) -> bytes:
    """The print job for a ticket.

    `codepage` ('CP858', 'CP850', ...) and `codepage_table` (the ESC t number, for clones
    that number tables differently) come from the printer settings. The drawer is kicked
    (pin 2 or 5) only when the ticket records a cash payment; the paper is cut at the end.
    """
    mods = escpos()
    p = mods["Dummy"](profile=profile)
    data = p.profile.profile_data
    media = media_for(data, width_mm, columns)
    page, table = codepages.choose(data, codepage, codepage_table)
    supports_qr = bool(data.get("features", {}).get("qrCode"))

    p.hw("INIT")
    p._raw(codepages.select_bytes(table))
    state = (False, False)
    out = p._raw
    for row in layout(ticket, media.columns):
        if row.code is not None:
            if state != (False, False):
                p.set(bold=False, double_height=False, normal_textsize=True)
                state = (False, False)
            _print_code(p, row.code, media, supports_qr)
            continue
        style = (row.bold, row.big)
        if style != state:
            p.set(bold=row.bold, double_height=row.big, normal_textsize=not row.big)
            state = style
        out(codepages.encode(row.text, page) + b"\n")
    if state != (False, False):
        p.set(bold=False, double_height=False, normal_textsize=True)
    # a reprint never opens the drawer: a copy is no reason to reach into the till
    if drawer_pin is not None and ticket.cash_payment and not ticket.copy:
        if drawer_pin not in (2, 5):
            raise ValueError("El pin del cajón debe ser 2 o 5.")
        p.cashdraw(drawer_pin)
    if cut:
        p.cut()  # feeds, then GS V when the profile declares a cutter
    return p.output


def _print_code(p, code, media: Media, supports_qr: bool) -> None:
    symbology = code.symbology
    if symbology == "code128" and media.narrow and code.fallback:
        symbology = code.fallback
    if symbology == "qr" and supports_qr:
        # Native QR (GS ( k): the printer draws it; module size chosen to reach min size.
        n = qr_modules(code.data) + 8
        dots = (code.min_mm or 22.0) / 25.4 * media.dpi
        size = max(3, min(16, math.ceil(dots / n)))
        if n * size > media.width_px:
            size = max(1, media.width_px // n)
        p.set(align="center")
        p.qr(code.data, size=size, native=True, ec=1)  # ec=1: level M
        p.set(align="left")
        return
    _, img = code_bitmap(code, media.width_px, media.dpi, media.narrow)
    raster(p, centered(img, media.width_px))


_INVERT = bytes(255 - i for i in range(256))
BAND = 256  # rows per GS v 0 command: small enough for any printer's buffer


def raster(p, img) -> None:
    """Sends a 1-bit image as GS v 0 bands (same command python-escpos' image() emits,
    without its RGBA round trip, which cost ~7 ms per ticket)."""
    img = img.convert("1")
    if img.width % 8:
        img = centered(img, img.width + 8 - img.width % 8)
    wb = img.width // 8
    data = img.tobytes().translate(_INVERT)  # PIL: 1 = white; ESC/POS: 1 = dot
    for top in range(0, img.height, BAND):
        h = min(BAND, img.height - top)
        p._raw(b"\x1dv0\x00" + bytes([wb % 256, wb // 256, h % 256, h // 256]) + data[top * wb : (top + h) * wb])
