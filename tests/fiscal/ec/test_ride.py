"""A4 RIDE for every SRI type, checked with poppler (pdftoppm/pdftotext/pdffonts/pdfimages)
and zbarimg as oracles."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from app.core.company import Company
from app.fiscal.ec.ride import render_ride
from sample_paths import EC_SIGNER_SAMPLES  # noqa: E402

SAMPLES = EC_SIGNER_SAMPLES
FILES = {
    "factura": SAMPLES / "invoice" / "signed.xml",
    "notaCredito": SAMPLES / "credit-note" / "signed.xml",
    "notaDebito": SAMPLES / "debit-note" / "signed.xml",
    "guiaRemision": SAMPLES / "delivery-guide" / "signed.xml",
    "comprobanteRetencion": SAMPLES / "withholding-certificate" / "signed.xml",
}
LIQ_CLAVE = "0102202503179001167400120010020000001231234567811"


def liquidacion(lines: int = 2) -> bytes:
    det = "".join(
        f"<detalle><codigoPrincipal>HAR-{i:02d}</codigoPrincipal><descripcion>Harina de trigo, saco nº{i}</descripcion><cantidad>2.000000</cantidad>"
        "<precioUnitario>50.000000</precioUnitario><descuento>0.00</descuento><precioTotalSinImpuesto>100.00</precioTotalSinImpuesto>"
        "<impuestos><impuesto><codigo>2</codigo><codigoPorcentaje>4</codigoPorcentaje><tarifa>15</tarifa><baseImponible>100.00</baseImponible><valor>15.00</valor></impuesto></impuestos></detalle>"
        for i in range(lines)
    )
    base = f"{100 * lines:.2f}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<liquidacionCompra id="comprobante" version="1.1.0"><infoTributaria><ambiente>2</ambiente><tipoEmision>1</tipoEmision>
<razonSocial>Panadería La Española Cía. Ltda.</razonSocial><nombreComercial>La Española</nombreComercial><ruc>1790011674001</ruc>
<claveAcceso>{LIQ_CLAVE}</claveAcceso><codDoc>03</codDoc><estab>001</estab><ptoEmi>002</ptoEmi><secuencial>000000123</secuencial>
<dirMatriz>Av. Amazonas N24-03 y Colón, Quito</dirMatriz><agenteRetencion>1</agenteRetencion>
<contribuyenteRimpe>CONTRIBUYENTE RÉGIMEN RIMPE</contribuyenteRimpe></infoTributaria>
<infoLiquidacionCompra><fechaEmision>01/02/2025</fechaEmision><dirEstablecimiento>Calle Ñuñoa 12, Cumbayá</dirEstablecimiento>
<contribuyenteEspecial>12345</contribuyenteEspecial><obligadoContabilidad>SI</obligadoContabilidad>
<tipoIdentificacionProveedor>05</tipoIdentificacionProveedor><razonSocialProveedor>José Núñez Güemes</razonSocialProveedor>
<identificacionProveedor>1710034065</identificacionProveedor><direccionProveedor>Pifo, barrio El Señor</direccionProveedor>
<totalSinImpuestos>{base}</totalSinImpuestos><totalDescuento>0.00</totalDescuento><totalConImpuestos><totalImpuesto><codigo>2</codigo>
<codigoPorcentaje>4</codigoPorcentaje><baseImponible>{base}</baseImponible><valor>{15 * lines:.2f}</valor></totalImpuesto></totalConImpuestos>
<importeTotal>{115 * lines:.2f}</importeTotal><moneda>DOLAR</moneda><pagos><pago><formaPago>20</formaPago><total>{115 * lines:.2f}</total>
<plazo>30</plazo><unidadTiempo>dias</unidadTiempo></pago></pagos></infoLiquidacionCompra><detalles>{det}</detalles>
<infoAdicional><campoAdicional nombre="Correo">jose@ejemplo.ec</campoAdicional></infoAdicional></liquidacionCompra>""".encode()


def clave_of(xml: bytes) -> str:
    return re.search(rb"<claveAcceso>(\d+)</claveAcceso>", xml).group(1).decode()


def pages_png(pdf: bytes, tmp: Path, dpi: int = 300) -> list[Path]:
    (tmp / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(tmp / "r.pdf"), str(tmp / "p")], check=True)
    return sorted(tmp.glob("p-*.png"))


def text_of(pdf: bytes, tmp: Path) -> str:
    (tmp / "t.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(tmp / "t.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def zbar(path: Path) -> list[str]:
    r = subprocess.run(["zbarimg", "-q", str(path)], capture_output=True, text=True)
    assert r.returncode in (0, 4), r.stderr
    return r.stdout.split()


ALL = {**{k: v.read_bytes() for k, v in FILES.items()}, "liquidacionCompra": liquidacion()}
TITLES = {
    "factura": "FACTURA",
    "notaCredito": "NOTA DE CRÉDITO",
    "notaDebito": "NOTA DE DÉBITO",
    "guiaRemision": "GUÍA DE REMISIÓN",
    "comprobanteRetencion": "COMPROBANTE DE RETENCIÓN",
    "liquidacionCompra": "LIQUIDACIÓN DE COMPRA DE BIENES Y PRESTACIÓN DE SERVICIOS",
}
SPECIFIC = {
    "factura": ["Don Venom", "0987654321", "Costo 1", "SUBTOTAL 15% 38.75", "IVA 15% 5.81", "VALOR TOTAL 44.56", "OTROS CON UTILIZACIÓN DEL SISTEMA", "ciudad: Quito", "Dirección Sucursal: Quito Sur (Villaflora)"],
    "notaCredito": ["Comprobante que se modifica: FACTURA 001-001-000000012", "19/12/2024", "Razón de Modificación: ANULACION", "VALOR TOTAL 115.00", "OBLIGADO A LLEVAR CONTABILIDAD: NO"],
    "notaDebito": ["INTERESES", "GASTO DE COBRANZA", "15.65", "IVA 15% 2.35", "VALOR TOTAL 18.66", "FACTURA 001-001-000000012"],
    "guiaRemision": ["Transportes S.A.", "1796875790001", "Placa: MCL0827", "21/10/2011", "22/10/2011", "Tonato Henry", "CAMIONETA 4X4 DIESEL 3.7", "Motivo traslado: Venta de Maquinaria de algo", "Contribuyente Especial Nro: 5368", "Dirección de partida: Av. Eloy Alfaro 34 y Av. Libertad Esq."],
    "comprobanteRetencion": ["RAZON SOCIAL", "1790013213001", "07/2023", "RENTA", "100.00", "10.00", "001-001-000000001", "TOTAL RETENIDO 10.00"],
    "liquidacionCompra": ["José Núñez Güemes", "1710034065", "Pifo, barrio El Señor", "Agente de Retención Resolución No. 1", "CONTRIBUYENTE RÉGIMEN RIMPE", "Contribuyente Especial Nro: 12345", "VALOR TOTAL 230.00", "30 dias"],
}


@pytest.mark.parametrize("kind", sorted(ALL))
def test_ride_barcode_decodes_and_mandatory_fields_present(kind, tmp_path):
    xml = ALL[kind]
    clave = clave_of(xml)
    pdf = render_ride(xml, {})
    pages = pages_png(pdf, tmp_path)
    assert len(pages) == 1
    assert zbar(pages[0]) == [f"CODE-128:{clave}"]
    text = text_of(pdf, tmp_path)
    production = b"<ambiente>2</ambiente>" in xml
    for expected in [
        TITLES[kind],
        "R.U.C.:",
        "No. 0",
        "NÚMERO DE AUTORIZACIÓN:",
        "CLAVE DE ACCESO:",
        f"AMBIENTE: {'PRODUCCIÓN' if production else 'PRUEBAS'}",
        "EMISIÓN: NORMAL",
        "Dirección Matriz:",
        *SPECIFIC[kind],
    ]:
        assert expected in text, (kind, expected)
    assert text.count(clave) >= 2  # authorization number and clave under the barcode


def test_watermark_outside_production_only(tmp_path):
    factura = ALL["factura"]
    def squeezed(pdf):  # rotated watermark text comes out letter-spaced
        return text_of(pdf, tmp_path).replace(" ", "")

    assert "SANDBOX-SINVALIDEZ" in squeezed(render_ride(factura, {"environment": "sandbox"}))
    assert squeezed(render_ride(factura, {"environment": "pruebas"})).count("PRUEBAS") == 2  # mark + AMBIENTE
    prod = squeezed(render_ride(ALL["comprobanteRetencion"], {}))  # ambiente 2
    assert "PRUEBAS" not in prod and "SANDBOX" not in prod


def test_copy_and_authorization_data(tmp_path):
    text = text_of(render_ride(ALL["factura"], {"copy": True, "authorization": {"numero": "1804202401123456789000110010010000000051234567816", "fecha": "18/04/2024 10:15:00"}}), tmp_path)
    assert "COPIA — REIMPRESIÓN" in text and "COPIA — FACTURA 001-001-000000005" in text
    assert "FECHA Y HORA DE AUTORIZACIÓN: 18/04/2024 10:15:00" in text
    assert "COPIA" not in text_of(render_ride(ALL["factura"], {}), tmp_path)


def test_fonts_embedded_and_logo_drawn(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (200, 30, 30)).save(logo)
    company = Company(country="EC", ruc="1790011674001", razon_social="X", extra={"logo": str(logo)})
    pdf = render_ride(ALL["liquidacionCompra"], {}, company=company)
    (tmp_path / "l.pdf").write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "l.pdf")], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes yes " in f for f in fonts) and any("DejaVuSans" in f for f in fonts)
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "l.pdf")], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert len(images) == 1 and " 300 " in images[0] and " 120 " in images[0]
    # Without a logo, no image at all (the barcode is vector).
    (tmp_path / "n.pdf").write_bytes(render_ride(ALL["liquidacionCompra"], {}))
    assert subprocess.run(["pdfimages", "-list", str(tmp_path / "n.pdf")], capture_output=True, text=True).stdout.splitlines()[2:] == []


def test_long_document_spans_pages_and_keeps_barcode_on_first(tmp_path):
    pdf = render_ride(liquidacion(lines=70), {})
    pages = pages_png(pdf, tmp_path, dpi=200)
    assert len(pages) >= 2
    assert zbar(pages[0]) == [f"CODE-128:{LIQ_CLAVE}"]
    text = text_of(pdf, tmp_path)
    assert "página 2" in text and "Harina de trigo, saco nº69" in text and "VALOR TOTAL 8050.00" in text


def test_not_an_sri_document_is_refused():
    with pytest.raises(ValueError, match="SRI"):
        render_ride(b"<factura/>", {})
