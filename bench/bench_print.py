"""Printing benchmark: ticket bytes and A4 RIDE for a 20-line sale (median of N runs).

Targets (issue): ESC/POS ticket bytes <= 10 ms, A4 PDF <= 100 ms.
Run: python bench/bench_print.py [runs]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.devices.escpos_render import render_escpos  # noqa: E402
from app.devices.ticket_pdf import render_ticket_pdf  # noqa: E402
from app.devices.ticket_png import render_ticket_png  # noqa: E402
from app.fiscal.ec.ride import render_ride  # noqa: E402
from app.fiscal.py.kude import render_kude  # noqa: E402
from app.fiscal.ec.printables import FACET as EC_PRINTABLES  # noqa: E402
from app.fiscal.py.printables import FACET as PY_PRINTABLES  # noqa: E402

ticket_from_xml = EC_PRINTABLES.ticket

PY_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "specs" / "py" / "samples" / "set-2019-v150" / "FE_v150_20190910.xml"


def sale_xml(lines: int = 20) -> bytes:
    det = "".join(
        f"<detalle><codigoPrincipal>P{i:03d}</codigoPrincipal><descripcion>Artículo de ferretería nº{i} con descripción larga</descripcion>"
        "<cantidad>2.000000</cantidad><precioUnitario>1.500000</precioUnitario><descuento>0.00</descuento>"
        "<precioTotalSinImpuesto>3.00</precioTotalSinImpuesto><impuestos><impuesto><codigo>2</codigo><codigoPorcentaje>4</codigoPorcentaje>"
        "<tarifa>15.00</tarifa><baseImponible>3.00</baseImponible><valor>0.45</valor></impuesto></impuestos></detalle>"
        for i in range(lines)
    )
    base, iva = 3 * lines, 0.45 * lines
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<factura id="comprobante" version="1.1.0"><infoTributaria><ambiente>1</ambiente><tipoEmision>1</tipoEmision>
<razonSocial>Ferretería Muñoz S.A.</razonSocial><ruc>1790011674001</ruc>
<claveAcceso>2311202601179001167400110010010000001231234567819</claveAcceso><codDoc>01</codDoc><estab>001</estab><ptoEmi>001</ptoEmi>
<secuencial>000000123</secuencial><dirMatriz>Av. 10 de Agosto y Colón, Quito</dirMatriz></infoTributaria>
<infoFactura><fechaEmision>23/11/2026</fechaEmision><obligadoContabilidad>SI</obligadoContabilidad>
<tipoIdentificacionComprador>07</tipoIdentificacionComprador><razonSocialComprador>CONSUMIDOR FINAL</razonSocialComprador>
<identificacionComprador>9999999999999</identificacionComprador><totalSinImpuestos>{base:.2f}</totalSinImpuestos><totalDescuento>0.00</totalDescuento>
<totalConImpuestos><totalImpuesto><codigo>2</codigo><codigoPorcentaje>4</codigoPorcentaje><baseImponible>{base:.2f}</baseImponible><valor>{iva:.2f}</valor></totalImpuesto></totalConImpuestos>
<propina>0.00</propina><importeTotal>{base + iva:.2f}</importeTotal><moneda>DOLAR</moneda>
<pagos><pago><formaPago>01</formaPago><total>{base + iva:.2f}</total></pago></pagos></infoFactura>
<detalles>{det}</detalles></factura>""".encode()


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up: imports, font registration, escpos capabilities
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    xml = sale_xml(20)
    extras = {"tendered": "100", "change": "31", "environment": "pruebas"}
    ticket = ticket_from_xml(xml, extras)
    results = [
        ("ticket model from XML (20 lines)", median_ms(lambda: ticket_from_xml(xml, extras), runs), None),
        ("ESC/POS bytes 80 mm, XML -> bytes (Code128 raster)", median_ms(lambda: render_escpos(ticket_from_xml(xml, extras), 80, "TM-T20II", 2), runs), 10),
        ("ESC/POS bytes 58 mm, XML -> bytes (native QR)", median_ms(lambda: render_escpos(ticket_from_xml(xml, extras), 58, "default", 2), runs), 10),
        ("ticket PDF 80 mm", median_ms(lambda: render_ticket_pdf(ticket, 80), runs), None),
        ("ticket PNG preview 80 mm", median_ms(lambda: render_ticket_png(ticket, 80), runs), None),
        ("A4 RIDE PDF (20 lines)", median_ms(lambda: render_ride(xml, extras), runs), 100),
    ]
    if PY_SAMPLE.exists():
        py = PY_SAMPLE.read_bytes()
        results += [
            ("PY KuDE ticket bytes 80 mm (native QR)", median_ms(lambda: render_escpos(PY_PRINTABLES.ticket(py, {}), 80, "TM-T20II", 2), runs), 10),
            ("PY A4 KuDE PDF (SET FE sample)", median_ms(lambda: render_kude(py, {}), runs), 100),
        ]
    print(f"median of {runs} runs")
    for name, ms, target in results:
        verdict = "" if target is None else (f"  target <= {target} ms: " + ("OK" if ms <= target else "OVER"))
        print(f"  {name:<52} {ms:8.2f} ms{verdict}")


if __name__ == "__main__":
    main()
