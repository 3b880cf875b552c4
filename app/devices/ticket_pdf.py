"""Ticket -> one long 80 mm / 58 mm PDF page (e-mail, reprint, archive)."""
from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from app.render.fonts import MONO, MONO_BOLD, register_pdf_fonts
from app.devices.layout import layout
from app.devices.ticket import Ticket

MONO_ADVANCE = 0.6021  # em


def _code_height(code, printable: float, narrow: bool) -> tuple[str, float]:
    symbology = code.fallback if (code.symbology == "code128" and narrow and code.fallback) else code.symbology
    if symbology == "code128":
        return "code128", 14 * mm
    return "qr", max(code.min_mm or 22.0, 22.0) * mm


def render_ticket_pdf(ticket: Ticket, width_mm: int = 80, columns: int | None = None) -> bytes:
    register_pdf_fonts()
    narrow = width_mm < 70
    margin = 4 * mm if not narrow else 5 * mm
    page_w = width_mm * mm
    printable = page_w - 2 * margin
    columns = columns or (32 if narrow else 48)
    size = printable / columns / MONO_ADVANCE
    lead = size * 1.25
    rows = layout(ticket, columns)
    heights = []
    for r in rows:
        if r.code is not None:
            heights.append(_code_height(r.code, printable, narrow)[1] + 2 * mm)
        else:
            heights.append(lead * (2 if r.big else 1))
    page_h = sum(heights) + 2 * margin
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(page_w, page_h), pageCompression=1, initialFontName=MONO, initialFontSize=8)
    c.setTitle(f"{ticket.title} {ticket.number}")
    c.setAuthor("Mostrador")
    y = page_h - margin
    for r, h in zip(rows, heights):
        y -= h
        if r.code is not None:
            _draw_code(c, r.code, margin, y + 1 * mm, printable, narrow)
            continue
        if not r.text:
            continue
        t = c.beginText(margin, y + size * 0.3)
        t.setFont(MONO_BOLD if r.bold else MONO, size * (2 if r.big else 1))
        # Double height, same width (like ESC/POS); the scale is canvas state, so always set it.
        t.setHorizScale(50 if r.big else 100)
        t.textOut(r.text)
        c.drawText(t)
    c.showPage()
    c.save()
    return buf.getvalue()


def _draw_code(c, code, x: float, y: float, width: float, narrow: bool) -> None:
    symbology, height = _code_height(code, width, narrow)
    if symbology == "code128":
        from reportlab.graphics.barcode.code128 import Code128

        from app.render.barcodes import QUIET_MODULES, code128_modules

        modules = sum(w for _, w in code128_modules(code.data)) + 2 * QUIET_MODULES
        bar = Code128(code.data, barHeight=height, barWidth=width / modules, quiet=1, lquiet=width / modules * QUIET_MODULES, rquiet=width / modules * QUIET_MODULES)
        bar.drawOn(c, x + (width - bar.width) / 2, y)
        return
    from app.render.barcodes import draw_qr_pdf

    quiet = height * 0.08  # white margin inside the reserved square
    draw_qr_pdf(c, code.data, x + (width - height) / 2 + quiet, y + quiet, height - 2 * quiet)
