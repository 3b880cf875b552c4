"""Certificates for the signing tests: the public throw-away .p12 files of the
bryancalisto samples and freshly generated RSA-2048 ones (generated once per session:
key generation costs tens of milliseconds each). The in-memory keyring comes from
tests/conftest.py (autouse)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.fiscal.ec.certificate import PROFILE as EC_CERTIFICATE
from app.fiscal.signing import generate_test_p12, load_identity
from sample_paths import EC_SIGNER_SAMPLES  # noqa: E402

SAMPLES = EC_SIGNER_SAMPLES
SAMPLE_P12 = SAMPLES / "pkcs12" / "signature.p12"  # password ''
EMAIL_P12 = SAMPLES / "invoice" / "edge-cases" / "certificate-with-email-address" / "pkcs12" / "signature.p12"
EC_RUC = "1790012345001"
EC_PASSWORD = "Clave-De-Prueba-Ñ-7781"


@pytest.fixture(scope="session")
def signer_samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.fail(f"missing shared samples folder {SAMPLES}")
    return SAMPLES


@pytest.fixture(scope="session")
def bc_identity(signer_samples):
    return load_identity(SAMPLE_P12.read_bytes(), "")


@pytest.fixture(scope="session")
def bc_email_identity(signer_samples):
    return load_identity(EMAIL_P12.read_bytes(), "")


@pytest.fixture(scope="session")
def generated_p12() -> bytes:
    return generate_test_p12(ruc=EC_RUC, holder="Ferretería Ñandú S.A.", password=EC_PASSWORD,
                             profile=EC_CERTIFICATE)


@pytest.fixture(scope="session")
def generated_identity(generated_p12):
    return load_identity(generated_p12, EC_PASSWORD, expected_ruc=EC_RUC, profile=EC_CERTIFICATE)


@pytest.fixture(scope="session")
def unrelated_identity():
    """A second, unrelated identity (wrong-key tests)."""
    return load_identity(generate_test_p12(ruc="0912345678001", holder="Otro Emisor", password="x",
                                           profile=EC_CERTIFICATE), "x")
