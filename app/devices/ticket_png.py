"""PNG preview of a ticket: what the thermal printer prints, dot for dot (203 dpi)."""
from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from app.render.barcodes import centered, code_bitmap
from app.render.fonts import MONO, MONO_BOLD, font_path
from app.devices.layout import layout
from app.devices.ticket import Ticket

MARGIN = 32  # dots of blank paper each side (4 mm)
ROW = 24  # Font A is 12 x 24 dots


@lru_cache(maxsize=8)
def _font(bold: bool, size: float):
    return ImageFont.truetype(str(font_path(MONO_BOLD if bold else MONO)), size)


def render_ticket_image(ticket: Ticket, width_mm: int = 80, columns: int | None = None) -> Image.Image:
    narrow = width_mm < 70
    width_px, dpi = (384 if narrow else 576), 203
    columns = columns or (32 if narrow else 48)
    size = width_px / columns / 0.6021  # DejaVu Sans Mono advance is 0.602 em
    blocks: list[Image.Image] = []
    for row in layout(ticket, columns):
        if row.code is not None:
            _, img = code_bitmap(row.code, width_px, dpi, narrow)
            blocks.append(centered(img, width_px).convert("L"))
            continue
        img = Image.new("L", (width_px, ROW), 255)
        ImageDraw.Draw(img).text((0, 2), row.text, font=_font(row.bold, size), fill=0)
        if row.big:
            img = img.resize((width_px, ROW * 2))
        blocks.append(img)
    height = sum(b.height for b in blocks) + 2 * MARGIN
    page = Image.new("L", (width_px + 2 * MARGIN, height), 255)
    y = MARGIN
    for b in blocks:
        page.paste(b, (MARGIN, y))
        y += b.height
    return page


def render_ticket_png(ticket: Ticket, width_mm: int = 80) -> bytes:
    buf = io.BytesIO()
    render_ticket_image(ticket, width_mm).save(buf, "PNG", dpi=(203, 203))
    return buf.getvalue()
