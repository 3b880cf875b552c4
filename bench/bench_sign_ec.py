"""Times app.fiscal.ec.xades.sign() on a 10-line factura (build not included).

Run on demand: python bench/bench_sign_ec.py [runs]
The identity is loaded once, as the product does per session; the figure is signing only.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.fiscal.ec import xades  # noqa: E402
from app.fiscal.ec.certificate import PROFILE  # noqa: E402
from app.fiscal.signing import generate_test_p12, load_identity  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "specs" / "ec" / "samples" / "ec-sri-invoice-signer" / "invoice" / "original.xml"


def ten_line_invoice() -> bytes:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(SAMPLE.read_bytes(), parser)
    detalles = root.find("detalles")
    line = detalles[0]
    for i in range(2, 11):
        copy = etree.fromstring(etree.tostring(line), parser)
        copy.find("codigoPrincipal").text = f"5667{i:02d}"
        copy.find("descripcion").text = f"Artículo de prueba {i}"
        detalles.append(copy)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def measure(xml: bytes, identity, algorithm: str, runs: int) -> tuple[float, float]:
    for _ in range(10):  # warm up caches (cert base64, digests, modulus)
        xades.sign(xml, identity, algorithm=algorithm)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        xades.sign(xml, identity, algorithm=algorithm)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    xml = ten_line_invoice()
    t0 = time.perf_counter()
    identity = load_identity(generate_test_p12(ruc="1790012345001", holder="Bench", password="b", profile=PROFILE), "b")
    print(f"identity (generate + load, once per session): {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"factura: {xml.count(b'<detalle>')} detalles, {len(xml)} bytes; {runs} runs, RSA-{identity.key.key_size}")
    for algorithm in ("sha1", "sha256"):
        median, p95 = measure(xml, identity, algorithm, runs)
        print(f"sign {algorithm:6}: median {median:.3f} ms   p95 {p95:.3f} ms")


if __name__ == "__main__":
    main()
