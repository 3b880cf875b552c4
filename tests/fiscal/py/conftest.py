"""Fixtures for the SIFEN document layer: a real RSA key + self-signed certificate carrying
the issuer's RUC (as a PSC certificate does), a PY company, and a small FE model."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.core.company import Company, Establishment, PointOfSale
from app.fiscal.py.model import Document, Item, Payment, Receiver

DATA = Path(__file__).parent / "data"
ISSUER_RUC = "80089752-8"


def make_identity(ruc: str = ISSUER_RUC, holder: str = "EMPRESA DE PRUEBA S.A."):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, holder),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "RUC" + ruc),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "PY"),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
            .sign(key, hashes.SHA256()))
    return key, cert


@pytest.fixture(scope="session")
def identity():
    return make_identity()


@pytest.fixture(scope="session")
def cert_pem(identity, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cert") / "cert.pem"
    path.write_bytes(identity[1].public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture(scope="session")
def company() -> Company:
    est = Establishment(code="001", address="AVDA. MCAL. LOPEZ 1234", name="Casa Central",
                        points=(PointOfSale("001"), PointOfSale("002")), house_number="1234",
                        departamento=1, distrito=1, ciudad=1, phone="021123456",
                        email="ventas@empresa.com.py")
    return Company(country="PY", ruc=ISSUER_RUC, razon_social="EMPRESA DE PRUEBA S.A.",
                   nombre_comercial="Mostrador Demo", address="AVDA. MCAL. LOPEZ 1234",
                   establishments=(est,), environment="pruebas", timbrado="12345678",
                   timbrado_start=dt.date(2024, 1, 1), tipo_contribuyente=2,
                   actividades=(("47190", "VENTA AL POR MENOR EN COMERCIOS NO ESPECIALIZADOS"),),
                   csc_id="0001", email="ventas@empresa.com.py", phone="021123456")


ISSUED = dt.datetime(2026, 11, 23, 10, 15, 0)


def fe_model(n_items: int = 2, **kw) -> Document:
    items = [Item(code=f"P-{i:03d}", description=f"Producto {i}", quantity=Decimal(1 + i % 3),
                  price=Decimal(10000 + 500 * i), iva_rate=10 if i % 2 == 0 else 5)
             for i in range(n_items)]
    defaults = dict(doc_type=1, establishment="001", point="001", issued_at=ISSUED,
                    receiver=Receiver(contribuyente=False, name="Sin Nombre", operation=2,
                                      id_type=5, id_number="0"),
                    items=items, payments=[Payment(kind=1, amount=Decimal(10_000_000))])
    defaults.update(kw)
    return Document(**defaults)


def load_json(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))
