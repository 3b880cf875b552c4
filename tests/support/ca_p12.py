"""A signing certificate made the way a certification authority issues one, for tests and benches.

A root CA signs an end-entity certificate (RSA 2048, SHA-256) whose RUC sits where the
country's CAs put it — Ecuador: Security Data's private extension 1.3.6.1.4.1.37746.3.11 (a DER
UTF8String), with the holder's name in the CN; Paraguay: 'RUC<base>-<dv>' in serialNumber —
key usage digitalSignature + nonRepudiation, extended key usage emailProtection/clientAuth as
the CAs issue them for "firma electrónica", and the whole chain packed in a PKCS#12 with the
legacy 3DES/SHA-1 encryption most CAs still use, under a password.

`issue()`'s keyword arguments make the faulty files a shop meets: expired, not yet valid, a
key-encipherment-only certificate, no RUC, another RUC, a file without its private key."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, PrivateFormat, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SECURITY_DATA_RUC_OID = "1.3.6.1.4.1.37746.3.11"  # app/fiscal/ec/certificate.py RUC_OIDS[0]

_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def _key(name: str) -> rsa.RSAPrivateKey:
    """RSA 2048 keys, made once per process (each takes ~50 ms)."""
    if name not in _KEYS:
        _KEYS[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEYS[name]


def _utf8string(text: str) -> bytes:
    body = text.encode("utf-8")
    assert len(body) < 128
    return bytes([0x0C, len(body)]) + body


def _subject_and_extensions(country: str, ruc: str | None, holder: str):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, country),
             x509.NameAttribute(NameOID.COMMON_NAME, holder)]
    extensions = []
    if country == "EC":
        if ruc:
            extensions.append(x509.UnrecognizedExtension(x509.ObjectIdentifier(SECURITY_DATA_RUC_OID),
                                                         _utf8string(ruc)))
        attrs.insert(1, x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ENTIDAD DE CERTIFICACION DE INFORMACION"))
    elif country == "PY":
        if ruc:
            digits = ruc.replace("-", "")
            attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"RUC{digits[:-1]}-{digits[-1]}"))
    else:
        raise ValueError(f"no CA profile for {country}")
    return x509.Name(attrs), extensions


def issue(ruc: str | None, password: str, *, country: str = "EC", holder: str = "FERRETERIA EL CLAVO S.A.",
          days_valid: int = 730, starts_in_days: int = -1, signing: bool = True, with_key: bool = True,
          now: datetime | None = None) -> bytes:
    """The .p12 bytes a CA would hand the shop (see the module's docstring)."""
    now = now or datetime.now(timezone.utc)
    ca_key, key = _key("ca"), _key("holder")
    ca_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ENTIDAD CERTIFICADORA DE PRUEBA"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "AC RAIZ DE PRUEBA")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(1)
               .not_valid_before(now - timedelta(days=3650)).not_valid_after(now + timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=True, crl_sign=True, encipher_only=False,
                                            decipher_only=False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    subject, extensions = _subject_and_extensions(country, ruc, holder)
    start = now + timedelta(days=starts_in_days)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(start + timedelta(days=days_valid))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=signing, content_commitment=signing,
                                            key_encipherment=not signing, data_encipherment=not signing,
                                            key_agreement=False, key_cert_sign=False, crl_sign=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                                     ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    for ext in extensions:
        builder = builder.add_extension(ext, critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    encryption = (PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2048)
                  .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())
                  .build(password.encode("utf-8")))
    if not with_key:  # a file exported without its private key
        return pkcs12.serialize_key_and_certificates(b"firma", None, cert, [ca_cert],
                                                     BestAvailableEncryption(password.encode("utf-8")))
    return pkcs12.serialize_key_and_certificates(b"firma", key, cert, [ca_cert], encryption)
