"""Fixtures for the printing tests: real signed SRI samples, a hand-made liquidación,
ESC/POS raster extraction, zbarimg / pdftoppm / pdftotext helpers and TCP listeners."""
from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageOps
from sample_paths import EC_SIGNER_SAMPLES  # noqa: E402

SAMPLES = EC_SIGNER_SAMPLES
EC_SAMPLES = {
    "factura": SAMPLES / "invoice" / "signed.xml",
    "notaCredito": SAMPLES / "credit-note" / "signed.xml",
    "notaDebito": SAMPLES / "debit-note" / "signed.xml",
    "guiaRemision": SAMPLES / "delivery-guide" / "signed.xml",
    "comprobanteRetencion": SAMPLES / "withholding-certificate" / "signed.xml",
}

LIQUIDACION = """<?xml version="1.0" encoding="UTF-8"?>
<liquidacionCompra id="comprobante" version="1.1.0">
  <infoTributaria>
    <ambiente>2</ambiente><tipoEmision>1</tipoEmision>
    <razonSocial>Panadería La Española Cía. Ltda.</razonSocial>
    <nombreComercial>La Española</nombreComercial>
    <ruc>1790011674001</ruc>
    <claveAcceso>0102202503179001167400120010020000001231234567811</claveAcceso>
    <codDoc>03</codDoc><estab>001</estab><ptoEmi>002</ptoEmi><secuencial>000000123</secuencial>
    <dirMatriz>Av. Amazonas N24-03 y Colón, Quito</dirMatriz>
    <agenteRetencion>1</agenteRetencion>
    <contribuyenteRimpe>CONTRIBUYENTE RÉGIMEN RIMPE</contribuyenteRimpe>
  </infoTributaria>
  <infoLiquidacionCompra>
    <fechaEmision>01/02/2025</fechaEmision>
    <dirEstablecimiento>Calle Ñuñoa 12, Cumbayá</dirEstablecimiento>
    <contribuyenteEspecial>12345</contribuyenteEspecial>
    <obligadoContabilidad>SI</obligadoContabilidad>
    <tipoIdentificacionProveedor>05</tipoIdentificacionProveedor>
    <razonSocialProveedor>José Núñez Güemes</razonSocialProveedor>
    <identificacionProveedor>1710034065</identificacionProveedor>
    <direccionProveedor>Pifo, barrio El Señor</direccionProveedor>
    <totalSinImpuestos>120.00</totalSinImpuestos>
    <totalDescuento>5.00</totalDescuento>
    <totalConImpuestos>
      <totalImpuesto><codigo>2</codigo><codigoPorcentaje>4</codigoPorcentaje><baseImponible>100.00</baseImponible><valor>15.00</valor></totalImpuesto>
      <totalImpuesto><codigo>2</codigo><codigoPorcentaje>0</codigoPorcentaje><baseImponible>20.00</baseImponible><valor>0.00</valor></totalImpuesto>
    </totalConImpuestos>
    <importeTotal>135.00</importeTotal>
    <moneda>DOLAR</moneda>
    <pagos><pago><formaPago>01</formaPago><total>135.00</total></pago></pagos>
  </infoLiquidacionCompra>
  <detalles>
    <detalle><codigoPrincipal>HAR-01</codigoPrincipal><descripcion>Harina de trigo, saco 50 kg</descripcion><cantidad>2.000000</cantidad><precioUnitario>50.000000</precioUnitario><descuento>0.00</descuento><precioTotalSinImpuesto>100.00</precioTotalSinImpuesto>
      <impuestos><impuesto><codigo>2</codigo><codigoPorcentaje>4</codigoPorcentaje><tarifa>15</tarifa><baseImponible>100.00</baseImponible><valor>15.00</valor></impuesto></impuestos></detalle>
    <detalle><codigoPrincipal>HUE-01</codigoPrincipal><descripcion>Huevos de campo (cubeta)</descripcion><cantidad>5.000000</cantidad><precioUnitario>5.000000</precioUnitario><descuento>5.00</descuento><precioTotalSinImpuesto>20.00</precioTotalSinImpuesto>
      <impuestos><impuesto><codigo>2</codigo><codigoPorcentaje>0</codigoPorcentaje><tarifa>0</tarifa><baseImponible>20.00</baseImponible><valor>0.00</valor></impuesto></impuestos></detalle>
  </detalles>
  <infoAdicional><campoAdicional nombre="Correo">jose@ejemplo.ec</campoAdicional></infoAdicional>
</liquidacionCompra>
""".encode("utf-8")


def sale_xml(lines: int = 3, cash: bool = True, ice: bool = False) -> bytes:
    """A factura with accented text, several IVA rates, ICE/IRBPNR/propina and `lines` lines."""
    det = []
    for i in range(lines):
        det.append(
            f"<detalle><codigoPrincipal>P{i:03d}</codigoPrincipal><descripcion>Piña, café y jalapeños nº{i} ¿ok? ¡sí! Über</descripcion>"
            "<cantidad>2.000000</cantidad><precioUnitario>1.500000</precioUnitario><descuento>0.00</descuento>"
            "<precioTotalSinImpuesto>3.00</precioTotalSinImpuesto><impuestos><impuesto><codigo>2</codigo><codigoPorcentaje>4</codigoPorcentaje>"
            "<tarifa>15.00</tarifa><baseImponible>3.00</baseImponible><valor>0.45</valor></impuesto></impuestos></detalle>"
        )
    base = f"{3 * lines:.2f}"
    iva = f"{0.45 * lines:.2f}"
    extra_tax = (
        "<totalImpuesto><codigo>3</codigo><codigoPorcentaje>3031</codigoPorcentaje><baseImponible>1.00</baseImponible><valor>0.75</valor></totalImpuesto>"
        "<totalImpuesto><codigo>5</codigo><codigoPorcentaje>5001</codigoPorcentaje><baseImponible>1.00</baseImponible><valor>0.02</valor></totalImpuesto>"
        if ice
        else ""
    )
    forma = "01" if cash else "19"
    total = f"{3 * lines + 0.45 * lines + 0.5 + (0.77 if ice else 0):.2f}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<factura id="comprobante" version="1.1.0"><infoTributaria><ambiente>1</ambiente><tipoEmision>1</tipoEmision>
<razonSocial>Ferretería Muñoz S.A.</razonSocial><nombreComercial>El Tornillo Feliz</nombreComercial><ruc>1790011674001</ruc>
<claveAcceso>2311202601179001167400110010010000001231234567819</claveAcceso><codDoc>01</codDoc><estab>001</estab><ptoEmi>001</ptoEmi>
<secuencial>000000123</secuencial><dirMatriz>Av. 10 de Agosto y Colón, Quito</dirMatriz><agenteRetencion>1</agenteRetencion>
<contribuyenteRimpe>CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE</contribuyenteRimpe></infoTributaria>
<infoFactura><fechaEmision>23/11/2026</fechaEmision><dirEstablecimiento>Calle Ñandú 5, Guayaquil</dirEstablecimiento>
<contribuyenteEspecial>5368</contribuyenteEspecial><obligadoContabilidad>SI</obligadoContabilidad>
<tipoIdentificacionComprador>07</tipoIdentificacionComprador><razonSocialComprador>CONSUMIDOR FINAL</razonSocialComprador>
<identificacionComprador>9999999999999</identificacionComprador><totalSinImpuestos>{base}</totalSinImpuestos><totalDescuento>0.00</totalDescuento>
<totalConImpuestos><totalImpuesto><codigo>2</codigo><codigoPorcentaje>4</codigoPorcentaje><baseImponible>{base}</baseImponible><valor>{iva}</valor></totalImpuesto>
<totalImpuesto><codigo>2</codigo><codigoPorcentaje>0</codigoPorcentaje><baseImponible>0.00</baseImponible><valor>0.00</valor></totalImpuesto>{extra_tax}</totalConImpuestos>
<propina>0.50</propina><importeTotal>{total}</importeTotal><moneda>DOLAR</moneda>
<pagos><pago><formaPago>{forma}</formaPago><total>{total}</total></pago></pagos></infoFactura>
<detalles>{''.join(det)}</detalles>
<infoAdicional><campoAdicional nombre="Email">cliente@correo.ec</campoAdicional></infoAdicional></factura>""".encode("utf-8")


@pytest.fixture(params=sorted(EC_SAMPLES))
def ec_sample(request) -> tuple[str, bytes]:
    return request.param, EC_SAMPLES[request.param].read_bytes()


def zbar(path: Path) -> list[str]:
    """Decoded symbols as 'TYPE:data' lines (zbarimg is the oracle)."""
    r = subprocess.run(["zbarimg", "-q", str(path)], capture_output=True, text=True)
    assert r.returncode in (0, 4), r.stderr  # 4 = nothing found
    return [ln for ln in r.stdout.splitlines() if ln]


def pdf_to_png(pdf: bytes, tmp: Path, dpi: int = 300, name: str = "page") -> list[Path]:
    src = tmp / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(tmp / name)], check=True)
    return sorted(tmp.glob(f"{name}-*.png"))


def pdf_text(pdf: bytes, tmp: Path) -> str:
    src = tmp / "text.pdf"
    src.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(src), "-"], capture_output=True, text=True, check=True).stdout


def raster_images(data: bytes) -> list[Image.Image]:
    """Every GS v 0 raster image in an ESC/POS job, as black-on-white pictures."""
    out = []
    i = data.find(b"\x1dv0")
    while i != -1:
        wb = data[i + 4] + 256 * data[i + 5]
        h = data[i + 6] + 256 * data[i + 7]
        raw = data[i + 8 : i + 8 + wb * h]
        img = Image.frombytes("1", (wb * 8, h), raw)  # bit 1 = dot = black
        out.append(ImageOps.invert(img.convert("L")))
        i = data.find(b"\x1dv0", i + 8 + wb * h)
    return out


def stack(images: list[Image.Image]) -> Image.Image:
    w = max(im.width for im in images)
    page = Image.new("L", (w + 80, sum(im.height for im in images) + 80), 255)
    y = 40
    for im in images:
        page.paste(im, (40, y))
        y += im.height
    return page


class Listener:
    """A real TCP server on 127.0.0.1 that records what it receives; optionally answers
    DLE EOT status queries with fixed bytes, like a printer."""

    def __init__(self, status: dict | None = None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.status = status
        self.received = bytearray()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        conn.settimeout(5)
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.received += chunk
                for query, answer in (self.status or {}).items():
                    if chunk.endswith(query):
                        conn.sendall(answer)
        self.done.set()

    def close(self):
        self.sock.close()


@pytest.fixture
def listener():
    made = []

    def make(status: dict | None = None) -> Listener:
        lst = Listener(status)
        made.append(lst)
        return lst

    yield make
    for lst in made:
        lst.close()


def ticket_from_xml(xml: bytes, extras: dict | None = None, company=None):
    """The ticket of any signed XML, by the printables facet of the country that wrote it."""
    from app.fiscal import registry

    code = registry.detect_country(xml)
    if code is None:
        raise ValueError("No se reconoce el documento a imprimir.")
    return registry.country(code).printables().ticket(xml, extras, company)
