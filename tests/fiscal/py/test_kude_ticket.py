"""PY KuDE ticket from the SET v150 samples: legends, CDC by fours, QR that scans, Gs."""
from __future__ import annotations

import re
from html import unescape

import pytest
from printing_helpers import pdf_text, pdf_to_png, raster_images, stack, zbar

from app.render.barcodes import qr_matrix
from app.devices.escpos_render import render_escpos
from app.devices.layout import layout
from app.devices.ticket import Code
from app.devices.ticket_pdf import render_ticket_pdf
from app.devices.ticket_png import render_ticket_png
from app.fiscal.py.printables import FACET as PRINTABLES
from sample_paths import PY_SET_SAMPLES  # noqa: E402

PY = PY_SET_SAMPLES
FE = (PY / "FE_v150_20190910.xml").read_bytes()
CDC = "01800138848001001123456412018121817819792239"
QR_URL = unescape(re.search(rb"<dCarQR>(.*?)</dCarQR>", FE).group(1).decode())


def text_of(t, columns=48) -> str:
    return " ".join("\n".join(r.text for r in layout(t, columns) if r.code is None).split())


@pytest.mark.parametrize(
    "name,title",
    [("FE", "Factura Electrónica"), ("AFE", "Autofactura Electrónica"), ("NC", "Nota de Crédito Electrónica"), ("ND", "Nota de Débito Electrónica"), ("NRE", "Nota de Remisión Electrónica")],
)
def test_every_sample_has_kude_legends(name, title):
    xml = (PY / f"{name}_v150_20190910.xml").read_bytes()
    t = PRINTABLES.ticket(xml, {})
    text = text_of(t)
    assert t.country == "PY" and t.title == title
    assert f"KuDE de {title}" in text and "TIMBRADO N°" in text and "Inicio de vigencia:" in text
    assert f"Consulte la validez de esta {title.replace(' Electrónica', '')} Electrónica con el número de CDC impreso abajo en:" in text
    assert "ESTE DOCUMENTO ES UNA REPRESENTACIÓN GRÁFICA DE UN DOCUMENTO ELECTRÓNICO (XML)" in text
    groups = " ".join(t.key[i : i + 4] for i in range(0, 44, 4))
    assert len(t.key) == 44 and groups.replace(" ", "") == t.key
    g = groups.split()
    assert " ".join(g[:6]) in text and " ".join(g[6:]) in text


def test_factura_fields():
    t = PRINTABLES.ticket(FE, {"tendered": "60000000", "change": "1000"})
    text = text_of(t)
    for expected in [
        "BANCARD S.A.",
        "RUC: 80013884-8",
        "AVENIDA BRASILIA N° 765",
        "ASUNCION (DISTRITO)",
        "Actividad: OTRAS ACTIVIDADES DE SERVICIOS FINANCIEROS",
        "TIMBRADO N° 12557209",
        "Inicio de vigencia: 12-10-2018",  # DD-MM-AAAA (NT-010)
        "N° 001-001-1234564",
        "Fecha de emisión: 18-12-2018 17:44:36",
        "Condición de venta: Crédito",
        "Moneda: Guarani",
        "RUC: 80002201-7",
        "Nombre o razón social: BANCO DEL PARAGUAY S.A.",
        "CAC/CTAC CUENTAS ACTIVAS",
        "423.378 UNI x 125,94133776 [10%] 53.320.791,70",
        "36 UNI x 92.015 desc. 123 [10%] 3.312.540",
        "SUBTOTAL EXENTAS",
        "SUBTOTAL 5%",
        "SUBTOTAL 10%",
        "TOTAL A PAGAR Gs.",
        "LIQUIDACIÓN DEL IVA",
        "TOTAL IVA",
        "RECIBIDO Gs. 60.000.000",
        "VUELTO Gs. 1.000",
        "https://ekuatia.set.gov.py/consultas-test/",
        "AMBIENTE DE PRUEBAS",
    ]:
        assert expected in text, expected
    assert [c.data for c in t.elements if isinstance(c, Code)] == [QR_URL]


def test_native_qr_carries_the_url_at_30mm(tmp_path):
    t = PRINTABLES.ticket(FE, {})
    out = render_escpos(t, width_mm=80, profile="TM-T20II")
    n = len(QR_URL) + 3
    assert b"\x1d(k" + bytes([n % 256, n // 256]) + b"1P0" + QR_URL.encode() in out
    size = out[out.index(b"\x1d(k\x03\x001C") + 8]
    modules = len(qr_matrix(QR_URL))
    assert modules * size >= 22 * 8 and (modules + 8) * size >= 30 / 25.4 * 203  # symbol >= 22 mm, with quiet zone >= 30 mm
    assert "₲".encode() not in out and b"Gs." in out


def test_raster_qr_on_58mm_scans_and_is_30mm(tmp_path):
    t = PRINTABLES.ticket(FE, {})
    out = render_escpos(t, width_mm=58, profile="POS-5890")
    images = raster_images(out)
    assert images
    png = tmp_path / "qr.png"
    stack(images).save(png)
    assert zbar(png) == [f"QR-Code:{QR_URL}"]
    # the dark area spans >= 22 mm and the symbol with quiet zone >= 30 mm at 8 dots/mm
    img = stack(images)
    bbox = img.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert bbox[2] - bbox[0] >= 22 * 8


@pytest.mark.parametrize("width", [80, 58])
def test_pdf_and_png_qr_decode_to_dcarqr(tmp_path, width):
    t = PRINTABLES.ticket(FE, {})
    pdf = render_ticket_pdf(t, width)
    assert zbar(pdf_to_png(pdf, tmp_path, dpi=300)[0]) == [f"QR-Code:{QR_URL}"]
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "KuDE de Factura Electrónica" in text and "TOTAL A PAGAR Gs." in text
    png = tmp_path / "p.png"
    png.write_bytes(render_ticket_png(t, width))
    assert zbar(png) == [f"QR-Code:{QR_URL}"]


def test_cash_payment_in_xml_kicks_drawer_and_credit_does_not():
    afe = PRINTABLES.ticket((PY / "AFE_v150_20190910.xml").read_bytes(), {})
    assert afe.cash_payment and b"\x1bp\x00" in render_escpos(afe, drawer_pin=2)
    fe = PRINTABLES.ticket(FE, {})
    assert not fe.cash_payment and b"\x1bp" not in render_escpos(fe, drawer_pin=2)


def test_nota_de_remision_lists_goods_without_totals():
    t = PRINTABLES.ticket((PY / "NRE_v150_20190910.xml").read_bytes(), {})
    text = text_of(t)
    assert "Motivo del traslado: Traslado por consignación" in text
    assert "Documento asociado: Factura 001-001-9000032" in text
    assert "TOTAL A PAGAR" not in text and "1 UNI" in text


def test_associated_document_and_reason_on_credit_note():
    text = text_of(PRINTABLES.ticket((PY / "NC_v150_20190910.xml").read_bytes(), {"copy": True}))
    assert "Motivo de emisión: Recupero de costo" in text
    assert "Documento asociado (CDC): 01800138848001001123456412018121817819792239" in text
    assert text.count("REIMPRESIÓN - COPIA") == 2
