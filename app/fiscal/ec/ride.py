"""RIDE (Representación Impresa del Documento Electrónico) on A4, from the stored signed XML.

Every SRI type: factura, liquidación de compra, nota de crédito, nota de débito, guía de
remisión, comprobante de retención. Content per the SRI ficha técnica Anexo 2 and common
practice (REFERENCE.md §6.4): emisor block, document block with número de autorización,
ambiente, emisión and the clave de acceso as Code128, receptor, lines, totals, formas de
pago, información adicional. Embedded DejaVu font; PRUEBAS / SANDBOX watermark outside
production; "COPIA" mark on reprints.
"""
from __future__ import annotations

import io
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from app.fiscal.ec.reader import ID_TYPES, EcDocument, q2, qty, read_ec_document
from app.render.fonts import SANS, SANS_BOLD, register_pdf_fonts

MARGIN = 12 * mm
WIDTH = A4[0] - 2 * MARGIN
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#EEEEEE")


def _ts(rules) -> TableStyle:
    """Table style whose cells default to the embedded font (Table's default is Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS)] + list(rules))


def _styles():
    base = ParagraphStyle("base", fontName=SANS, fontSize=8, leading=10)
    return {
        "n": base,
        "b": ParagraphStyle("b", parent=base, fontName=SANS_BOLD),
        "title": ParagraphStyle("t", parent=base, fontName=SANS_BOLD, fontSize=13, leading=16),
        "big": ParagraphStyle("big", parent=base, fontName=SANS_BOLD, fontSize=11, leading=14),
        "c": ParagraphStyle("c", parent=base, alignment=TA_CENTER),
        "r": ParagraphStyle("r", parent=base, alignment=TA_RIGHT),
        "rb": ParagraphStyle("rb", parent=base, alignment=TA_RIGHT, fontName=SANS_BOLD),
        "small": ParagraphStyle("s", parent=base, fontSize=7, leading=8.5),
        "sb": ParagraphStyle("sb", parent=base, fontName=SANS_BOLD, fontSize=7, leading=8.5),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _kv(label: str, value, st) -> Paragraph:
    return Paragraph(f"<font name='{SANS_BOLD}'>{escape(label)}</font> {escape(str(value))}", st["n"])


def _box(rows, width, style=None) -> Table:
    t = Table([[r] for r in rows], colWidths=[width])
    t.setStyle(
        _ts(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, GRID),
                ("ROUNDEDCORNERS", [4, 4, 4, 4]),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ]
            + (style or [])
        )
    )
    return t


def _logo_path(company, extras) -> Path | None:
    raw = extras.get("logo") or (getattr(company, "extra", None) or {}).get("logo") if company is not None else extras.get("logo")
    if raw and Path(raw).is_file():
        return Path(raw)
    return None


def render_ride(xml: bytes, extras: dict | None = None, company=None) -> bytes:
    """A4 RIDE PDF of a signed SRI document. `extras`: 'environment', 'authorization'
    {'numero','fecha'}, 'copy', 'logo' (path; or company.extra['logo'])."""
    extras = dict(extras or {})
    register_pdf_fonts()
    doc = read_ec_document(xml)
    st = _styles()
    environment = extras.get("environment") or ("produccion" if doc.ambiente == "2" else "pruebas")
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"RIDE {doc.title} {doc.number}",
        author=doc.razon_social,
        subject=doc.clave,
        initialFontName=SANS,  # no unembedded Helvetica resource in the file
        initialFontSize=8,
    )
    story = [_header(doc, extras, company, st), Spacer(1, 3 * mm), _party(doc, st), Spacer(1, 3 * mm)]
    if doc.root == "guiaRemision":
        story += _guide(doc, st)
    elif doc.root == "comprobanteRetencion":
        story += [_retentions(doc, st), Spacer(1, 3 * mm), _footer(doc, st, totals=True)]
    else:
        story += [_lines(doc, st), Spacer(1, 3 * mm), _footer(doc, st, totals=True)]
    if doc.root == "guiaRemision" and doc.info:
        story += [Spacer(1, 3 * mm), _info_box(doc, st, WIDTH)]

    def decorate(canvas, _doc):
        canvas.saveState()
        mark = {"sandbox": "SANDBOX - SIN VALIDEZ", "pruebas": "PRUEBAS"}.get(environment)
        if environment != "produccion":
            mark = mark or "PRUEBAS"
            canvas.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.13))
            from reportlab.pdfbase.pdfmetrics import stringWidth

            canvas.setFont(SANS_BOLD, min(72, 200 * mm / stringWidth(mark, SANS_BOLD, 1)))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, 0, mark)
            canvas.rotate(-40)
            canvas.translate(-A4[0] / 2, -A4[1] / 2)
        canvas.setFillColor(colors.black)
        canvas.setFont(SANS, 7)
        foot = f"{doc.title} {doc.number} — página {canvas.getPageNumber()}"
        if extras.get("copy"):
            foot = "COPIA — " + foot
        canvas.drawRightString(A4[0] - MARGIN, MARGIN, foot)
        canvas.restoreState()

    pdf.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


def _header(doc: EcDocument, extras: dict, company, st) -> Table:
    left_w, right_w = 84 * mm, WIDTH - 86 * mm
    left = []
    logo = _logo_path(company, extras)
    if logo is not None:
        img = Image(str(logo))
        ratio = min(left_w * 0.9 / img.imageWidth, 26 * mm / img.imageHeight)
        img.drawWidth, img.drawHeight = img.imageWidth * ratio, img.imageHeight * ratio
        left.append(img)
    else:
        left.append(_p(doc.nombre_comercial or doc.razon_social, st["big"]))
    left.append(Spacer(1, 2 * mm))
    rows = [_p(doc.razon_social, st["b"])]
    if doc.nombre_comercial and doc.nombre_comercial != doc.razon_social:
        rows.append(_p(doc.nombre_comercial, st["n"]))
    rows.append(_kv("Dirección Matriz:", doc.dir_matriz, st))
    if doc.dir_establecimiento:
        rows.append(_kv("Dirección Sucursal:", doc.dir_establecimiento, st))
    especial = doc.contribuyente_especial or getattr(company, "contribuyente_especial", "")
    if especial:
        rows.append(_kv("Contribuyente Especial Nro:", especial, st))
    if doc.obligado:
        rows.append(_kv("OBLIGADO A LLEVAR CONTABILIDAD:", doc.obligado, st))
    agente = doc.agente_retencion or getattr(company, "agente_retencion", "")
    if agente:
        rows.append(_kv("Agente de Retención Resolución No.", agente, st))
    rimpe = doc.rimpe or getattr(company, "rimpe", "")
    if rimpe:
        rows.append(_p(rimpe, st["b"]))
    left.append(_box(rows, left_w))

    auth = extras.get("authorization") or {}
    right_rows = [
        _p(f"R.U.C.: {doc.ruc}", st["big"]),
        _p(doc.title, st["title"]),
        _p(f"No. {doc.number}", st["big"]),
    ]
    if extras.get("copy"):
        right_rows.append(_p("COPIA — REIMPRESIÓN", st["big"]))
    right_rows += [
        _p("NÚMERO DE AUTORIZACIÓN:", st["b"]),
        _p(str(auth.get("numero") or doc.clave), st["n"]),
    ]
    if auth.get("fecha"):
        right_rows.append(_kv("FECHA Y HORA DE AUTORIZACIÓN:", auth["fecha"], st))
    right_rows += [
        _kv("AMBIENTE:", doc.ambiente_name, st),
        _kv("EMISIÓN:", doc.emision_name, st),
        _p("CLAVE DE ACCESO:", st["b"]),
        Code128(doc.clave, barHeight=11 * mm, barWidth=0.26 * mm, humanReadable=False),
        _p(doc.clave, st["c"]),
    ]
    right = _box(right_rows, right_w)
    t = Table([[left, right]], colWidths=[left_w + 2 * mm, right_w])
    t.setStyle(_ts([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _party(doc: EcDocument, st) -> Table:
    id_label = "Identificación" if doc.party_id_type != "07" else "RUC/CI"
    kind = ID_TYPES.get(doc.party_id_type, "")
    label = {
        "Cliente": "Razón Social / Nombres y Apellidos:",
        "Proveedor": "Proveedor (Razón Social / Nombres y Apellidos):",
        "Sujeto retenido": "Razón Social / Nombres y Apellidos (sujeto retenido):",
        "Transportista": "Razón Social / Nombres y Apellidos (transportista):",
    }[doc.party_label]
    rows = [
        _kv(label, doc.party_name, st),
        _kv(f"{id_label}:", f"{doc.party_id}" + (f" ({kind})" if kind else ""), st),
    ]
    if doc.root == "guiaRemision":
        rows += [_kv(f"{k}:", v, st) for k, v in doc.transport if k not in ("Transportista", "RUC/CI transportista")]
    else:
        rows.append(_kv("Fecha Emisión:", doc.fecha, st))
    if doc.party_address:
        rows.append(_kv("Dirección:", doc.party_address, st))
    if doc.guia_remision:
        rows.append(_kv("Guía de Remisión:", doc.guia_remision, st))
    if doc.periodo_fiscal:
        rows.append(_kv("Ejercicio Fiscal:", doc.periodo_fiscal, st))
    if doc.modified_doc:
        rows.append(_kv("Comprobante que se modifica:", doc.modified_doc, st))
        rows.append(_kv("Fecha Emisión (Comprobante a modificar):", doc.modified_date, st))
    if doc.reason:
        rows.append(_kv("Razón de Modificación:", doc.reason, st))
    return _box(rows, WIDTH)


def _grid(data, widths, header_rows: int = 1, align_right_from: int | None = None) -> Table:
    t = Table(data, colWidths=widths, repeatRows=header_rows)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    t.setStyle(_ts(style))
    return t


def _lines(doc: EcDocument, st) -> Table:
    if doc.root == "notaDebito":
        data = [[_p("RAZÓN DE LA MODIFICACIÓN", st["b"]), _p("VALOR DE LA MODIFICACIÓN", st["b"])]]
        data += [[_p(ln.description, st["n"]), _p(q2(ln.total), st["r"])] for ln in doc.lines]
        return _grid(data, [WIDTH - 45 * mm, 45 * mm])
    head = ["Cod. Principal", "Cod. Auxiliar", "Cant.", "Descripción", "Detalle Adicional", "Precio Unitario", "Desc.", "Precio Total"]
    data = [[_p(h, st["b"]) for h in head]]
    for ln in doc.lines:
        extra = "; ".join(f"{k}: {v}" for k, v in ln.extra)
        data.append(
            [
                _p(ln.code, st["small"]),
                _p(ln.aux_code, st["small"]),
                _p(qty(ln.quantity), st["r"]),
                _p(ln.description, st["n"]),
                _p(extra, st["small"]),
                _p(qty(ln.unit_price), st["r"]),
                _p(q2(ln.discount), st["r"]),
                _p(q2(ln.total), st["r"]),
            ]
        )
    w = [20 * mm, 20 * mm, 14 * mm, 0, 28 * mm, 20 * mm, 17 * mm, 20 * mm]
    w[3] = WIDTH - sum(w)
    return _grid(data, w)


def _info_box(doc: EcDocument, st, width) -> Table:
    rows = [_p("Información Adicional", st["b"])]
    rows += [_kv(f"{k}:", v, st) for k, v in doc.info]
    return _box(rows, width)


def _payments(doc: EcDocument, st, width) -> Table:
    data = [[_p("Forma de pago", st["b"]), _p("Valor", st["b"]), _p("Plazo", st["b"])]]
    for name, amount, plazo, _code in doc.payments:
        data.append([_p(name, st["n"]), _p(q2(amount), st["r"]), _p(plazo, st["n"])])
    return _grid(data, [width - 44 * mm, 22 * mm, 22 * mm])


def _footer(doc: EcDocument, st, totals: bool) -> Table:
    left_w, right_w = WIDTH - 78 * mm, 76 * mm
    left = []
    if doc.info:
        left += [_info_box(doc, st, left_w), Spacer(1, 2 * mm)]
    if doc.payments:
        left.append(_payments(doc, st, left_w))
    rows = [[_p(label, st["b"] if i == len(doc.totals) - 1 else st["n"]), _p(q2(v), st["rb"] if i == len(doc.totals) - 1 else st["r"])] for i, (label, v) in enumerate(doc.totals)]
    tot = Table(rows, colWidths=[right_w - 24 * mm, 24 * mm])
    tot.setStyle(
        _ts(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ]
        )
    )
    t = Table([[left or "", tot]], colWidths=[left_w + 2 * mm, right_w])
    t.setStyle(_ts([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether(t)


def _retentions(doc: EcDocument, st) -> Table:
    head = ["Comprobante", "Número", "Fecha Emisión", "Ejercicio Fiscal", "Base Imponible", "Impuesto", "Código", "% Ret.", "Valor Retenido"]
    data = [[_p(h, st["sb"]) for h in head]]
    for r in doc.retentions:
        data.append(
            [
                _p(r.doc_sustento, st["small"]),
                _p(r.num_sustento, st["small"]),
                _p(r.fecha_sustento, st["n"]),
                _p(doc.periodo_fiscal, st["n"]),
                _p(q2(r.base), st["r"]),
                _p(r.tax, st["n"]),
                _p(r.code, st["n"]),
                _p(qty(r.percent), st["r"]),
                _p(q2(r.value), st["r"]),
            ]
        )
    w = [0, 30 * mm, 20 * mm, 17 * mm, 20 * mm, 15 * mm, 14 * mm, 14 * mm, 20 * mm]
    w[0] = WIDTH - sum(w)
    return _grid(data, w)


def _guide(doc: EcDocument, st) -> list:
    out = []
    for d in doc.destinations:
        rows = [
            _kv("Comprobante de venta:", f"{d.doc_sustento} {d.num_sustento}".strip(), st),
            _kv("Fecha de emisión:", d.fecha_sustento, st),
            _kv("Número de autorización:", d.aut_sustento, st),
            _kv("Motivo traslado:", d.reason, st),
            _kv("Destino (punto de llegada):", d.address, st),
            _kv("Identificación (destinatario):", d.party_id, st),
            _kv("Razón Social / Nombres y Apellidos:", d.name, st),
        ]
        if d.dau:
            rows.append(_kv("Documento aduanero:", d.dau, st))
        if d.cod_estab:
            rows.append(_kv("Código establecimiento destino:", d.cod_estab, st))
        if d.route:
            rows.append(_kv("Ruta:", d.route, st))
        data = [[_p(h, st["b"]) for h in ("Cant.", "Descripción", "Código Principal", "Código Auxiliar", "Detalle Adicional")]]
        for ln in d.lines:
            extra = "; ".join(f"{k}: {v}" for k, v in ln.extra)
            data.append([_p(qty(ln.quantity), st["r"]), _p(ln.description, st["n"]), _p(ln.code, st["small"]), _p(ln.aux_code, st["small"]), _p(extra, st["small"])])
        w = [18 * mm, 0, 28 * mm, 28 * mm, 50 * mm]
        w[1] = WIDTH - sum(w)
        out += [_box(rows, WIDTH), Spacer(1, 1.5 * mm), _grid(data, w), Spacer(1, 3 * mm)]
    return out
