"""KuDE on A4 ("formato 1 convencional", MT v150 §13.5) from the stored signed rDE.

Only what the signed XML says, plus the SIFEN consultation block (§13.2, §13.4.5):
emisor and timbrado, document, receptor, items with Exentas / 5 % / 10 % columns,
subtotals, IVA liquidation, the CDC in groups of four and the QR from dCarQR (32 mm; the
MT asks >= 25 mm), "página n de N". Embedded DejaVu font; PRUEBAS / SANDBOX watermark
outside production; "COPIA" on reprints.
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.fiscal.py.reader import LEGEND_72H, LEGEND_XML, PyDocument, cdc_groups, gs, gs_exact, read_py_document
from app.render.barcodes import draw_qr_pdf
from app.render.fonts import SANS, SANS_BOLD, register_pdf_fonts

MARGIN = 12 * mm
WIDTH = A4[0] - 2 * MARGIN
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#EEEEEE")
QR_SIZE = 32 * mm


def _ts(rules) -> TableStyle:
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS)] + list(rules))


def _styles() -> dict:
    base = ParagraphStyle("base", fontName=SANS, fontSize=8, leading=10)
    return {
        "n": base,
        "b": ParagraphStyle("b", parent=base, fontName=SANS_BOLD),
        "title": ParagraphStyle("t", parent=base, fontName=SANS_BOLD, fontSize=12, leading=15, alignment=TA_CENTER),
        "big": ParagraphStyle("big", parent=base, fontName=SANS_BOLD, fontSize=10, leading=13),
        "c": ParagraphStyle("c", parent=base, alignment=TA_CENTER),
        "cb": ParagraphStyle("cb", parent=base, alignment=TA_CENTER, fontName=SANS_BOLD, fontSize=9, leading=12),
        "r": ParagraphStyle("r", parent=base, alignment=TA_RIGHT),
        "rb": ParagraphStyle("rb", parent=base, alignment=TA_RIGHT, fontName=SANS_BOLD),
        "small": ParagraphStyle("s", parent=base, fontSize=7, leading=8.5),
        "sb": ParagraphStyle("sb", parent=base, fontName=SANS_BOLD, fontSize=7, leading=8.5),
        "sr": ParagraphStyle("sr", parent=base, fontSize=7, leading=8.5, alignment=TA_RIGHT),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _kv(label: str, value, st) -> Paragraph:
    return Paragraph(f"<font name='{SANS_BOLD}'>{escape(label)}</font> {escape(str(value))}", st["n"])


def _box(rows, width) -> Table:
    t = Table([[r] for r in rows], colWidths=[width])
    t.setStyle(_ts([("BOX", (0, 0), (-1, -1), 0.6, GRID), ("TOPPADDING", (0, 0), (-1, -1), 1.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2)]))
    return t


class QrFlowable(Flowable):
    """The dCarQR symbol, `size` points square (quiet zone included)."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.data, self.width, self.height = data, size, size

    def draw(self):
        quiet = self.width * 0.1  # MT §13.8.1: quiet zone 10 % of the width
        draw_qr_pdf(self.canv, self.data, quiet, quiet, self.width - 2 * quiet)


def _page_canvas(mark: str | None, copy: bool, footer: str, info: dict):
    """A canvas that knows the page count ("página n de N", MT §13.3) and draws the marks."""

    class KudeCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = info["pages"] = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _decorate(self, total: int):
            self.saveState()
            if mark:
                self.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.13))
                self.setFont(SANS_BOLD, min(72, 200 * mm / stringWidth(mark, SANS_BOLD, 1)))
                self.translate(A4[0] / 2, A4[1] / 2)
                self.rotate(40)
                self.drawCentredString(0, 0, mark)
                self.rotate(-40)
                self.translate(-A4[0] / 2, -A4[1] / 2)
            self.setFillColor(colors.black)
            self.setFont(SANS, 7)
            text = f"{'COPIA — ' if copy else ''}{footer} — página {self._pageNumber} de {total}"
            self.drawRightString(A4[0] - MARGIN, MARGIN - 4 * mm, text)
            self.restoreState()

    return KudeCanvas


def render_kude(xml: bytes, extras: dict | None = None, company=None) -> bytes:
    """A4 KuDE PDF of a signed SIFEN document. `extras`: 'environment', 'copy'."""
    extras = dict(extras or {})
    register_pdf_fonts()
    environment = extras.get("environment")
    doc = read_py_document(xml, environment)
    st = _styles()
    if environment == "sandbox":
        mark = "SANDBOX - SIN VALIDEZ"
    elif doc.test:
        mark = "PRUEBAS - SIN VALIDEZ FISCAL"
    else:
        mark = None
    pdf, pages = _build(doc, extras, st, mark, consult_first=False)
    if pages > 1:
        # More than one page: the QR must be on the first page (MT §13.3), so the
        # consultation block moves up, before the items.
        pdf, _ = _build(doc, extras, st, mark, consult_first=True)
    return pdf


def _build(doc: PyDocument, extras: dict, st, mark, consult_first: bool) -> tuple[bytes, int]:
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 2 * mm,
        title=f"KuDE {doc.title} {doc.number}", author=doc.emisor, subject=doc.cdc,
        initialFontName=SANS, initialFontSize=8,  # no unembedded Helvetica resource
    )
    story = [_header(doc, extras, st), Spacer(1, 2.5 * mm), _general(doc, st), Spacer(1, 2.5 * mm)]
    if consult_first:
        story += [_consult(doc, st), Spacer(1, 2.5 * mm)]
    story.append(_items(doc, st))
    if doc.totals:
        story += [Spacer(1, 2.5 * mm), _totals(doc, st)]
    for text in (doc.info_fisc, doc.info_emi):
        if text:
            story += [Spacer(1, 2 * mm), _box([_p(text, st["n"])], WIDTH)]
    if not consult_first:
        story += [Spacer(1, 3 * mm), _consult(doc, st)]
    info: dict = {}
    pdf.build(story, canvasmaker=_page_canvas(mark, bool(extras.get("copy")), f"{doc.title} {doc.number}", info))
    return buf.getvalue(), info["pages"]


def _header(doc: PyDocument, extras: dict, st) -> Table:
    left_w, right_w = WIDTH - 72 * mm, 70 * mm
    rows = [_p(doc.emisor, st["big"])]
    if doc.fantasia:
        rows.append(_p(doc.fantasia, st["b"]))
    rows += [_p(f"{doc.address} — {doc.city}", st["n"])]
    if doc.phone:
        rows.append(_kv("Teléfono:", doc.phone, st))
    if doc.email:
        rows.append(_kv("Correo:", doc.email, st))
    for act in doc.activities:
        rows.append(_kv("Actividad económica:", act, st))
    right = [
        _p(f"RUC: {doc.ruc}", st["cb"]),
        _p(f"Timbrado N° {doc.timbrado}", st["cb"]),
        _p(f"Fecha de inicio de vigencia: {doc.timbrado_start}", st["c"]),
    ]
    if doc.timbrado_end:
        right.append(_p(f"Fecha de fin de vigencia: {doc.timbrado_end}", st["c"]))
    right += [_p(f"KuDE de {doc.title}", st["title"]), _p(f"N° {doc.number}", st["cb"])]
    if extras.get("copy"):
        right.append(_p("COPIA — REIMPRESIÓN", st["cb"]))
    t = Table([[_box(rows, left_w), _box(right, right_w)]], colWidths=[left_w + 2 * mm, right_w])
    t.setStyle(_ts([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _general(doc: PyDocument, st) -> Table:
    rows = [_kv("Fecha y hora de emisión:", doc.fecha, st)]
    if doc.condition:
        cond = doc.condition + (f" — plazo: {doc.plazo}" if doc.plazo else "") + (f" — cuotas: {doc.cuotas}" if doc.cuotas else "")
        rows.append(_kv("Condición de venta:", cond, st))
    if doc.down_payment:
        rows.append(_kv("Entrega inicial:", f"{doc.symbol} {gs(doc.down_payment)}", st))
    for n, (amount, currency, due) in enumerate(doc.installments, 1):  # gPagCred/gCuotas
        sym = "Gs." if currency in ("", "PYG") else currency
        rows.append(_kv(f"Cuota {n}:", f"{sym} {gs(amount)}" + (f" — vence el {due}" if due else ""), st))
    rows.append(_kv("Moneda:", doc.currency_name + (f" — tipo de cambio: {gs(doc.exchange, 2)}" if doc.currency != "PYG" and doc.exchange else ""), st))
    if doc.transaction:
        rows.append(_kv("Tipo de transacción:", doc.transaction, st))
    if doc.receptor_id:
        label, _, value = doc.receptor_id.partition(": ")
        rows.append(_kv(f"{label} (receptor):", value, st))
    rows.append(_kv("Nombre o razón social:", doc.receptor_name, st))
    rows += [_kv(f"{label}:", value, st) for label, value in doc.receptor_extra + doc.specific]
    return _box(rows, WIDTH)


def _items(doc: PyDocument, st) -> Table:
    if any(it.unit_price is None for it in doc.items):  # Nota de Remisión
        data = [[_p(h, st["sb"]) for h in ("Código", "Descripción", "Unidad", "Cantidad")]]
        data += [[_p(it.code, st["small"]), _p(it.description, st["n"]), _p(it.unit, st["n"]), _p(gs_exact(it.quantity), st["r"])] for it in doc.items]
        widths = [30 * mm, WIDTH - 80 * mm, 25 * mm, 25 * mm]
    else:
        head = ["Código", "Descripción", "Unid.", "Cant.", "Precio unitario", "Desc.", "Exentas", "5%", "10%"]
        data = [[_p(h, st["sb"]) for h in head]]
        for it in doc.items:
            cols = {"Exenta": "", "5%": "", "10%": ""}
            cols[it.column if it.column in cols else "Exenta"] = gs(it.total) if it.total else ""
            data.append(
                [
                    _p(it.code, st["small"]), _p(it.description, st["n"]), _p(it.unit, st["small"]),
                    _p(gs_exact(it.quantity), st["sr"]), _p(gs_exact(it.unit_price), st["sr"]), _p(gs(it.discount), st["sr"]),
                    _p(cols["Exenta"], st["sr"]), _p(cols["5%"], st["sr"]), _p(cols["10%"], st["sr"]),
                ]
            )
        widths = [17 * mm, 0, 12 * mm, 16 * mm, 23 * mm, 14 * mm, 21 * mm, 21 * mm, 23 * mm]
        widths[1] = WIDTH - sum(widths)
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(_ts([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return t


def _totals(doc: PyDocument, st) -> Table:
    tot = doc.totals
    label_w = WIDTH - 65 * mm
    rows = [
        [_p("SUBTOTAL", st["b"]), _p(gs(tot["exentas"]), st["r"]), _p(gs(tot["sub5"]), st["r"]), _p(gs(tot["sub10"]), st["r"])],
    ]
    if tot["descuento"] != "0":
        rows.append([_p("TOTAL DESCUENTO", st["n"]), "", "", _p(gs(tot["descuento"]), st["r"])])
    rows.append([_p(f"TOTAL DE LA OPERACIÓN ({doc.symbol})", st["b"]), "", "", _p(gs(tot["total"]), st["rb"])])
    if doc.currency != "PYG" and tot["total_gs"] != "0":
        rows.append([_p("TOTAL EN GUARANÍES (Gs.)", st["b"]), "", "", _p(gs(tot["total_gs"]), st["rb"])])
    rows.append([_p(f"LIQUIDACIÓN IVA: (5%) {gs(tot['iva5'])}   (10%) {gs(tot['iva10'])}", st["n"]), _p("TOTAL IVA", st["b"]), "", _p(gs(tot["iva"]), st["rb"])])
    t = Table(rows, colWidths=[label_w, 21 * mm, 21 * mm, 23 * mm])
    t.setStyle(_ts([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 1), (-1, -1), SHADE), ("SPAN", (1, -1), (2, -1))]))
    return KeepTogether(t)


def _consult(doc: PyDocument, st) -> Table:
    text = [_p(doc.consult_legend, st["n"]), Spacer(1, 2 * mm), _p("CDC:", st["b"])]
    text += [_p(g, st["big"]) for g in cdc_groups(doc.cdc)]
    text += [Spacer(1, 2 * mm), _p(LEGEND_XML, st["b"]), _p(LEGEND_72H, st["small"])]
    qr = QrFlowable(doc.qr_url, QR_SIZE) if doc.qr_url else ""
    t = Table([[qr, text]], colWidths=[QR_SIZE + 6 * mm, WIDTH - QR_SIZE - 6 * mm])
    t.setStyle(_ts([("BOX", (0, 0), (-1, -1), 0.6, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return KeepTogether(t)
