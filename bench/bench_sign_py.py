"""Build + sign + QR of a 10-item SIFEN FE, 300 iterations; prints median/p95 in ms.

Run: python bench/bench_sign_py.py   (needs nothing but the repo; key is generated here)
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import date, datetime, timezone, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from app.core.company import Company, Establishment  # noqa: E402
from app.fiscal.py import cdc, dsig, qr, xml_build  # noqa: E402
from app.fiscal.py.model import Document, Item, Payment, Receiver  # noqa: E402


def identity():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "BENCH"),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, "RUC80089752-8")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return key, cert


def main(iterations: int = 300) -> None:
    key, cert = identity()
    company = Company(country="PY", ruc="80089752-8", razon_social="BENCH S.A.",
                      establishments=(Establishment("001", "CALLE 1", departamento=1, distrito=1, ciudad=1,
                                                    phone="021123456", email="a@bench.com.py"),),
                      timbrado="12345678", timbrado_start=date(2024, 1, 1),
                      actividades=(("47190", "VENTA AL POR MENOR"),))
    items = [Item(code=f"P{i}", description=f"Producto {i}", quantity=Decimal(1 + i % 3),
                  price=Decimal(12000 + 750 * i), iva_rate=10 if i % 3 else 5) for i in range(10)]
    model = Document(doc_type=1, establishment="001", point="001", issued_at=datetime(2026, 11, 23, 10),
                     receiver=Receiver(False, "Sin Nombre", 2, id_type=5, id_number="0"), items=items,
                     payments=[Payment(1, Decimal(500000))])
    times = []
    for n in range(1, iterations + 1):
        t0 = time.perf_counter()
        _, xml = xml_build.build(model, company, n, cdc.new_security_code(avoid=n), model.issued_at)
        dsig.sign(xml, key, cert, csc_id="0001", csc=qr.TEST_CSC["0001"])
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"SIFEN FE 10 items build+sign+QR, {iterations} runs: median {statistics.median(times):.2f} ms, "
          f"p95 {p95:.2f} ms, min {times[0]:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
