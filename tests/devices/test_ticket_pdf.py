"""The ticket as an 80/58 mm PDF and as a PNG preview, checked with poppler and zbar."""
from __future__ import annotations

import subprocess

import pytest
from printing_helpers import LIQUIDACION, pdf_text, pdf_to_png, sale_xml, ticket_from_xml, zbar

from app.devices.ticket_pdf import render_ticket_pdf
from app.devices.ticket_png import render_ticket_png

CLAVE = "2311202601179001167400110010010000001231234567819"


@pytest.fixture(scope="module")
def sale():
    return ticket_from_xml(sale_xml(lines=4, cash=True, ice=True), {"tendered": "20.00", "change": "4.93", "copy": True})


@pytest.mark.parametrize("width,expected", [(80, f"CODE-128:{CLAVE}"), (58, f"QR-Code:{CLAVE}")])
def test_pdf_code_decodes_to_the_clave(sale, tmp_path, width, expected):
    pdf = render_ticket_pdf(sale, width)
    pages = pdf_to_png(pdf, tmp_path, dpi=300)
    assert len(pages) == 1  # one long receipt page
    assert zbar(pages[0]) == [expected]


@pytest.mark.parametrize("width", [80, 58])
def test_pdf_text_has_mandatory_fields(sale, tmp_path, width):
    text = " ".join(pdf_text(render_ticket_pdf(sale, width), tmp_path).split())
    for expected in [
        "Ferretería Muñoz S.A.",
        "RUC: 1790011674001",
        "Matriz: Av. 10 de Agosto y Colón, Quito",
        "Sucursal: Calle Ñandú 5, Guayaquil",
        "Contribuyente Especial Nro: 5368",
        "OBLIGADO A LLEVAR CONTABILIDAD: SI",
        "Agente de Retención Resolución No. 1",
        "RÉGIMEN RIMPE",
        "FACTURA",
        "No. 001-001-000000123",
        "PRUEBAS",
        "NORMAL",
        "23/11/2026",
        "CONSUMIDOR FINAL",
        "Piña, café y jalapeños",
        "SUBTOTAL 15%",
        "IVA 15%",
        "ICE",
        "IRBPNR",
        "PROPINA",
        "VALOR TOTAL",
        "15.07",
        "CAMBIO",
        "REIMPRESIÓN - COPIA",
        "Email: cliente@correo.ec",
    ]:
        assert expected in text, (width, expected)
    digits = "".join(ch for ch in text if ch.isdigit())
    assert CLAVE in digits


def test_pdf_embeds_the_dejavu_font(sale, tmp_path):
    src = tmp_path / "t.pdf"
    src.write_bytes(render_ticket_pdf(sale, 80))
    fonts = subprocess.run(["pdffonts", str(src)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSansMono" in fonts and " yes " in fonts  # embedded subset
    assert "Helvetica" not in fonts


@pytest.mark.parametrize("width,expected,px", [(80, f"CODE-128:{CLAVE}", 640), (58, f"QR-Code:{CLAVE}", 448)])
def test_png_preview_decodes(sale, tmp_path, width, expected, px):
    png = tmp_path / "preview.png"
    png.write_bytes(render_ticket_png(sale, width))
    from PIL import Image

    assert Image.open(png).width == px  # printable dots + 4 mm margins, 203 dpi
    assert zbar(png) == [expected]


def test_liquidacion_pdf(tmp_path):
    t = ticket_from_xml(LIQUIDACION, {})
    text = " ".join(pdf_text(render_ticket_pdf(t, 80), tmp_path).split())
    assert "LIQUIDACIÓN DE COMPRA" in text and "José Núñez Güemes" in text and "PRODUCCIÓN" in text
