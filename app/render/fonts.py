"""The shipped DejaVu fonts (resources/fonts), registered once with reportlab.

Base-14 Helvetica cannot draw '₲' and is not embedded; DejaVu is embedded in every PDF.
"""
from __future__ import annotations

import threading

from app.resources import resource

SANS, SANS_BOLD, MONO, MONO_BOLD = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono", "DejaVuSansMono-Bold"
_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
    MONO_BOLD: "DejaVuSansMono-Bold.ttf",
}
_done = False
_lock = threading.Lock()


def font_path(name: str):
    return resource("fonts", _FILES[name])


def register_pdf_fonts() -> None:
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name in _FILES:
            pdfmetrics.registerFont(TTFont(name, str(font_path(name))))
        addMapping(SANS, 0, 0, SANS)
        addMapping(SANS, 1, 0, SANS_BOLD)
        addMapping(MONO, 0, 0, MONO)
        addMapping(MONO, 1, 0, MONO_BOLD)
        _done = True
