"""The chain check of `verify` (app/fiscal/signer_report.py): with roots in resources/ca/<cc>/
a leaf issued by one passes, a self-signed one fails; with none it is 'not verified'."""
from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from app.fiscal import signer_report

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)


def _cert(name: str, key, issuer_name: str, issuer_key, ca: bool):
    def n(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    return (x509.CertificateBuilder().subject_name(n(name)).issuer_name(n(issuer_name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(dt.datetime(2020, 1, 1)).not_valid_after(dt.datetime(2040, 1, 1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
            .sign(issuer_key, hashes.SHA256()))


@pytest.fixture
def pki(tmp_path, monkeypatch):
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(4)]
    root = _cert("Raiz de prueba", keys[0], "Raiz de prueba", keys[0], True)
    psc = _cert("PSC de prueba", keys[1], "Raiz de prueba", keys[0], True)
    leaf = _cert("Firmante", keys[2], "PSC de prueba", keys[1], False)
    rogue = _cert("Firmante", keys[3], "PSC de prueba", keys[3], False)  # claims the PSC, self-signed
    (tmp_path / "ca" / "zz").mkdir(parents=True)
    (tmp_path / "ca" / "zz" / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    monkeypatch.setattr(signer_report, "resource", lambda *parts: tmp_path.joinpath(*parts))
    signer_report.roots.cache_clear()
    yield psc, leaf, rogue
    signer_report.roots.cache_clear()


def test_chain_through_the_psc_to_a_shipped_root(pki):
    psc, leaf, rogue = pki
    ok = signer_report.chain_finding(leaf, [psc], "zz", NOW)
    assert ok.ok and not ok.unverified and "Raiz de prueba" in ok.message
    assert not signer_report.chain_finding(leaf, [], "zz", NOW).ok  # the PSC is not in the document
    assert not signer_report.chain_finding(rogue, [psc], "zz", NOW).ok  # names the PSC, not signed by it


def test_without_roots_the_chain_is_not_verified(pki):
    _psc, leaf, _rogue = pki
    f = signer_report.chain_finding(leaf, [], "xx", NOW)
    assert f.ok and f.unverified and "NO VERIFICADA" in f.message


def test_printable_escapes_control_characters():
    assert signer_report.printable("a\nb\x1b[31m\u2028") == "a\\u000ab\\u001b[31m\\u2028"
