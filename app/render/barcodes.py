"""Bitmaps of Code128 and QR symbols, for ESC/POS raster printing and the PNG preview.

Code128 patterns come from reportlab (its encoder switches to code set C for digit runs);
QR matrices come from `qrcode`. Both are drawn here at whole printer dots per module so
the print is sharp.
"""
from __future__ import annotations

from PIL import Image, ImageDraw

QUIET_MODULES = 10


def code128_modules(data: str) -> list[tuple[bool, int]]:
    """[(is_bar, width_in_modules), ...] for `data`, start/check/stop included."""
    from reportlab.graphics.barcode.code128 import Code128

    c = Code128(data)
    c.validate()
    c.encode()
    c.decompose()
    # reportlab spells bars as 'A'..'D' (1..4 modules) and spaces as 'a'..'d'.
    return [(ch.isupper(), ord(ch.lower()) - ord("a") + 1) for ch in c.decomposed]


def code128_width(data: str, module: int = 1) -> int:
    return (sum(w for _, w in code128_modules(data)) + 2 * QUIET_MODULES) * module


def code128_image(data: str, module: int = 2, height: int = 120, vertical: bool = False) -> Image.Image:
    """Black-on-white Code128 with quiet zones; `module` and `height` in dots. `vertical`
    runs the symbol along the paper (bars across it)."""
    mods = code128_modules(data)
    length = (sum(w for _, w in mods) + 2 * QUIET_MODULES) * module
    line = bytearray(b"\xff" * length)
    x = QUIET_MODULES * module
    for is_bar, w in mods:
        if is_bar:
            line[x : x + w * module] = b"\x00" * (w * module)
        x += w * module
    # One scan line, stretched: much faster than drawing every bar.
    if vertical:
        return Image.frombytes("L", (1, length), bytes(line)).resize((height, length), Image.NEAREST).convert("1")
    return Image.frombytes("L", (length, 1), bytes(line)).resize((length, height), Image.NEAREST).convert("1")


def qr_modules(data: str) -> int:
    """Modules per side of the QR (ECC M) for `data`, without building the matrix."""
    import qrcode

    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    q.add_data(data)
    return q.best_fit() * 4 + 17


def qr_matrix(data: str) -> list[list[bool]]:
    import qrcode

    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    q.add_data(data)
    q.make(fit=True)
    return q.get_matrix()


def qr_image(data: str, min_dots: int = 0, box: int = 0, border: int = 4) -> Image.Image:
    """QR bitmap; `box` dots per module, or the smallest box reaching `min_dots` wide."""
    matrix = qr_matrix(data)
    n = len(matrix)
    if not box:
        box = max(2, -(-min_dots // (n + 2 * border)))
    size = (n + 2 * border) * box
    img = Image.new("1", (size, size), 1)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                x0, y0 = (x + border) * box, (y + border) * box
                draw.rectangle([x0, y0, x0 + box - 1, y0 + box - 1], fill=0)
    return img


def centered(img: Image.Image, width: int) -> Image.Image:
    """Pads a bitmap to the printable width so it prints centred on any printer."""
    if img.width >= width:
        return img
    out = Image.new("1", (width, img.height), 1)
    out.paste(img, ((width - img.width) // 2, 0))
    return out


def code_bitmap(code, width_px: int, dpi: int, narrow: bool) -> tuple[str, Image.Image]:
    """The bitmap a thermal printer should print for a ticket Code element.

    Returns (symbology actually used, image). A Code128 that cannot fit at >= 2 dots per
    module is printed vertically (along the paper) at 2 dots; on narrow paper the
    element's fallback (a QR) is used instead, as the issue asks.
    """
    symbology = code.symbology
    if symbology == "code128" and narrow and code.fallback:
        symbology = code.fallback
    if symbology == "code128":
        module = width_px // code128_width(code.data)
        if module >= 2:
            return "code128", code128_image(code.data, module=min(module, 3), height=int(dpi * 0.45))
        return "code128", code128_image(code.data, module=2, height=int(dpi * 0.8), vertical=True)
    min_mm = code.min_mm or 22.0
    return "qr", qr_image(code.data, min_dots=int(min_mm / 25.4 * dpi))


def draw_qr_pdf(canvas, data: str, x: float, y: float, size: float) -> None:
    """Draws a QR (ECC M, no quiet zone: leave white around it) as vector rectangles on a
    reportlab canvas; (x, y) is the lower-left corner, `size` the side in points.

    Drawn directly (not through reportlab.graphics) so no unembedded Helvetica resource
    ends up in the PDF."""
    matrix = qr_matrix(data)
    n = len(matrix)
    box = size / n
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        top = y + size - (row + 1) * box
        col = 0
        while col < n:  # one rectangle per run of dark modules
            if cells[col]:
                start = col
                while col < n and cells[col]:
                    col += 1
                path.rect(x + start * box, top, (col - start) * box, box)
            else:
                col += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
