"""PKCS#12 loading (multi-key, legacy encryption), certificate facts, and the keyring."""
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import keyring
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from keyring.backend import KeyringBackend

from app.core.errors import CertificateError, ConfigurationError
from app.fiscal import pkcs12_bags
from app.fiscal import registry
from app.fiscal.ec.certificate import PROFILE as EC
from app.fiscal.py.certificate import PROFILE as PY
from app.fiscal.signing import (
    SERVICE, SigningIdentity, delete_secret, extension_texts, generate_test_p12, java_rfc2253, load_identity,
    load_secret, store_secret, subject_texts,
)

EC_RUC = "1790012345001"  # as in tests/fiscal/conftest.py (generated_p12, generated_identity)
EC_PASSWORD = "Clave-De-Prueba-Ñ-7781"

NOW = datetime.now(timezone.utc)


def _signs_with_cert(identity: SigningIdentity) -> None:
    data = b"comprobante de prueba"
    sig = identity.key.sign(data, padding.PKCS1v15(), hashes.SHA1())
    identity.cert.public_key().verify(sig, data, padding.PKCS1v15(), hashes.SHA1())  # raises if wrong


def _error(p12: bytes, password: str, **kw) -> CertificateError:
    kw.setdefault("profile", EC)
    with pytest.raises(CertificateError) as info:
        load_identity(p12, password, **kw)
    return info.value


def _chain_text(exc: BaseException) -> str:
    parts = []
    while exc is not None:
        parts += [str(exc), repr(exc)]
        exc = exc.__cause__ or exc.__context__
    return " ".join(parts)


# --------------------------------------------------------------------------- RC2 / KDF primitives

@pytest.mark.parametrize("key,bits,plain,cipher", [  # RFC 2268 section 5 test vectors
    ("0000000000000000", 63, "0000000000000000", "ebb773f993278eff"),
    ("ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"),
    ("3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"),
    ("88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"),
])
def test_rc2_matches_rfc2268_vectors(key, bits, plain, cipher):
    k = pkcs12_bags._rc2_key_schedule(bytes.fromhex(key), bits)
    assert pkcs12_bags._rc2_encrypt_block(k, bytes.fromhex(plain)).hex() == cipher
    assert pkcs12_bags._rc2_decrypt_block(k, bytes.fromhex(cipher)).hex() == plain


# --------------------------------------------------------------------------- loading

def test_generated_identity_facts(generated_identity):
    assert generated_identity.ruc == EC_RUC
    assert generated_identity.holder == "Ferretería Ñandú S.A."
    assert generated_identity.serial == generated_identity.cert.serial_number
    assert generated_identity.key.key_size == 2048
    assert 363 <= generated_identity.days_to_expiry(NOW) <= 365
    assert generated_identity.days_to_expiry(NOW + timedelta(days=400)) < 0
    assert generated_identity.days_to_expiry(NOW.replace(tzinfo=None)) == generated_identity.days_to_expiry(NOW)
    assert generated_identity.is_valid_at(NOW) and not generated_identity.is_valid_at(NOW + timedelta(days=400))
    # Java RFC 2253 form: serialNumber is not a Java keyword, so it is printed as OID=#hex
    assert generated_identity.issuer_rfc4514 == (
        "CN=Ferretería Ñandú S.A.,2.5.4.5=#130d" + EC_RUC.encode().hex() + ",O=Ferretería Ñandú S.A.,C=EC")
    _signs_with_cert(generated_identity)


def test_sample_p12_loads_with_empty_password(bc_identity):
    assert bc_identity.holder == "ec-sri-invoice-sign"
    assert bc_identity.key.key_size == 4096
    assert bc_identity.ruc is None
    assert bc_identity.serial == 351528550960585927571275087853777147364671302413
    assert bc_identity.issuer_rfc4514 == \
        "CN=ec-sri-invoice-sign,OU=engineering,O=ec-sri-invoice-sign,L=Quito,ST=Pichincha,C=EC"


def test_email_issuer_uses_emailaddress_keyword(bc_email_identity):
    assert bc_email_identity.issuer_rfc4514 == \
        "EMAILADDRESS=info@mycompany.com,CN=my company name,O=my company,L=Ibarra,ST=Imbabura,C=EC"
    # what plain cryptography would have printed, and MITyC would not parse as an e-mail
    assert bc_email_identity.cert.issuer.rfc4514_string().startswith("1.2.840.113549.1.9.1=")


def test_java_rfc2253_escapes_and_hex_for_unknown_oids():
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
        x509.NameAttribute(x509.ObjectIdentifier("2.5.4.97"), "VATES-A66721499"),
        x509.NameAttribute(NameOID.COMMON_NAME, "UANATACA CA2 2016, sub+1"),
    ])
    assert java_rfc2253(name) == \
        r"CN=UANATACA CA2 2016\, sub\+1,2.5.4.97=#0c0f56415445532d413636373231343939,C=ES"


def test_wrong_password_is_reported_without_the_password(generated_p12):
    exc = _error(generated_p12, "otra-clave-secreta-991")
    assert str(exc) == "La contraseña del certificado es incorrecta"
    assert "otra-clave-secreta-991" not in _chain_text(exc)


def test_not_a_pkcs12_file():
    exc = _error(b"%PDF-1.4 esto no es un certificado", "x")
    assert "no es un certificado PKCS#12" in str(exc)
    assert "no es un certificado PKCS#12" in str(_error(b"", "x"))


def test_damaged_files_raise_only_certificate_errors(generated_p12):
    for cut in (1, 10, 100, len(generated_p12) // 2, len(generated_p12) - 1):
        with pytest.raises(CertificateError):
            load_identity(generated_p12[:cut], EC_PASSWORD)
    flipped = bytearray(generated_p12)
    flipped[len(flipped) // 2] ^= 0xFF  # MAC no longer matches: reported as a bad password
    assert str(_error(bytes(flipped), EC_PASSWORD)) == "La contraseña del certificado es incorrecta"


def test_password_never_appears_in_any_error(generated_p12):
    secret = "S3creta-Clave-Ñ-4242"
    expired = generate_test_p12(profile=EC, ruc=EC_RUC, holder="X", password=secret, days_valid=30,
                                not_before=NOW - timedelta(days=400))
    texts = [
        _chain_text(_error(expired, secret)),  # expired
        _chain_text(_error(generated_p12, secret)),  # wrong password
        _chain_text(_error(generated_p12, EC_PASSWORD, expected_ruc="0999999999001")),  # RUC mismatch
        _chain_text(_error(b"garbage", secret)),  # not PKCS#12
    ]
    for text in texts:
        assert secret not in text and EC_PASSWORD not in text


def test_legacy_rc2_3des_file_from_our_writer_loads():
    p12 = generate_test_p12(profile=EC, ruc=EC_RUC, holder="Legado", password="legado", legacy=True)
    identity = load_identity(p12, "legado", profile=EC)
    assert identity.ruc == EC_RUC
    _signs_with_cert(identity)
    # an independent reader (OpenSSL through cryptography) agrees with our writer
    loaded = pkcs12.load_pkcs12(p12, b"legado")
    assert loaded.cert.certificate == identity.cert


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_legacy_file_written_by_openssl_loads(tmp_path, generated_identity):
    (tmp_path / "key.pem").write_bytes(generated_identity.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "cert.pem").write_bytes(generated_identity.cert.public_bytes(serialization.Encoding.PEM))
    out = tmp_path / "legacy.p12"
    subprocess.run(["openssl", "pkcs12", "-export", "-legacy", "-inkey", "key.pem", "-in", "cert.pem",
                    "-name", "Signing Key", "-out", str(out), "-passout", "pass:clave"],
                   cwd=tmp_path, check=True, capture_output=True)
    info = subprocess.run(["openssl", "pkcs12", "-info", "-noout", "-legacy", "-in", str(out),
                           "-passin", "pass:clave"], capture_output=True, text=True, check=True)
    assert "pbeWithSHA1And40BitRC2-CBC" in info.stdout + info.stderr
    identity = load_identity(out.read_bytes(), "clave")
    assert identity.cert == generated_identity.cert
    assert identity.key.private_numbers() == generated_identity.key.private_numbers()
    assert str(_error(out.read_bytes(), "mala")) == "La contraseña del certificado es incorrecta"


@pytest.mark.parametrize("builder", ["best", "3des"])
def test_files_written_by_cryptography_load(generated_identity, builder):
    pw = "contraseña".encode()
    enc = serialization.BestAvailableEncryption(pw) if builder == "best" else (
        serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(5000)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1()).build(pw))
    p12 = pkcs12.serialize_key_and_certificates(b"firma", generated_identity.key, generated_identity.cert, None, enc)
    identity = load_identity(p12, "contraseña")
    assert identity.key.private_numbers() == generated_identity.key.private_numbers()


def test_bce_two_key_file_picks_the_signing_key():
    p12 = generate_test_p12(profile=EC, ruc="1760013210001", holder="Banco Style", password="bce",
                            extra_decryption_key=True)
    contents = pkcs12_bags.read_pkcs12(p12, "bce")
    assert [k.friendly_name for k in contents.keys] == ["Decryption Key", "Signing Key"]
    # OpenSSL's parser (cryptography.load_pkcs12) returns only the first key: the wrong one
    first = pkcs12.load_pkcs12(p12, b"bce").key
    identity = load_identity(p12, "bce")
    assert first.private_numbers() != identity.key.private_numbers()
    usage = identity.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_encipherment
    _signs_with_cert(identity)


def test_renewed_file_with_expired_and_current_keys_picks_the_current_one():
    old = pkcs12_bags.read_pkcs12(generate_test_p12(
        profile=EC, ruc=EC_RUC, holder="Renovado", password="r", days_valid=365, not_before=NOW - timedelta(days=400)), "r")
    new = pkcs12_bags.read_pkcs12(generate_test_p12(profile=EC, ruc=EC_RUC, holder="Renovado", password="r"), "r")
    p12 = pkcs12_bags.write_pkcs12(old.keys + new.keys, old.certs + new.certs, "r")
    identity = load_identity(p12, "r")
    assert identity.cert.public_bytes(serialization.Encoding.DER) == new.certs[0].der
    assert identity.not_after > NOW


def test_expired_certificate_names_the_date():
    p12 = generate_test_p12(profile=EC, ruc=EC_RUC, holder="Vencido", password="v", days_valid=30,
                            not_before=datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert str(_error(p12, "v")) == "El certificado de firma venció el 31/01/2024"
    # the same file was fine while it was valid
    assert load_identity(p12, "v", now=datetime(2024, 1, 15, tzinfo=timezone.utc)).holder == "Vencido"


def test_not_yet_valid_certificate_names_the_date():
    p12 = generate_test_p12(profile=EC, ruc=EC_RUC, holder="Futuro", password="f",
                            not_before=datetime(2099, 3, 1, tzinfo=timezone.utc))
    assert str(_error(p12, "f")) == "El certificado de firma aún no es válido: rige desde el 01/03/2099"


def test_certificate_without_digital_signature_usage_is_refused():
    p12 = generate_test_p12(profile=EC, ruc=EC_RUC, holder="Cifrado", password="c", key_usage_signing=False)
    assert "no es de firma digital" in str(_error(p12, "c"))


def test_ruc_mismatch(generated_p12):
    exc = _error(generated_p12, EC_PASSWORD, expected_ruc="0990000000001")
    assert str(exc) == f"El certificado pertenece al RUC {EC_RUC}, no a 0990000000001"


def test_paraguay_ruc_from_serial_number():
    p12 = generate_test_p12(ruc="80069563-1", holder="Empresa PY S.A.", password="p", profile=PY)
    identity = load_identity(p12, "p", expected_ruc="80069563-1", profile=PY)
    assert identity.ruc == "80069563-1"
    assert identity.cert.subject.rfc4514_string() == \
        "CN=Empresa PY S.A.,2.5.4.5=RUC80069563-1,O=Empresa PY S.A.,C=PY"
    assert [e.oid.dotted_string for e in identity.cert.extensions] == ["2.5.29.19", "2.5.29.15"]  # no RUC one
    assert load_identity(p12, "p", expected_ruc="80069563", profile=PY).ruc == "80069563-1"  # base without DV
    assert "80069563-1, no a 80012345-6" in str(_error(p12, "p", expected_ruc="80012345-6", profile=PY))
    # a base without dash gets its check digit split off
    no_dash = generate_test_p12(ruc="800695631", holder="E", password="p", profile=PY)
    assert load_identity(no_dash, "p", profile=PY).ruc == "80069563-1"


def test_ecuador_test_certificate_carries_the_ruc_in_serial_number_and_bce_extension(generated_identity):
    cert = generated_identity.cert
    assert cert.subject.rfc4514_string() == \
        f"CN=Ferretería Ñandú S.A.,2.5.4.5={EC_RUC},O=Ferretería Ñandú S.A.,C=EC"
    assert extension_texts(cert, ["1.3.6.1.4.1.37947.3.11"]) == [EC_RUC]
    assert [e.critical for e in cert.extensions] == [True, True, False]


def test_without_a_profile_no_ruc_is_read_nor_checked(generated_p12):
    identity = load_identity(generated_p12, EC_PASSWORD)
    assert identity.ruc is None and identity.holder == "Ferretería Ñandú S.A."
    with pytest.raises(ValueError):
        load_identity(generated_p12, EC_PASSWORD, expected_ruc=EC_RUC)


def test_countries_reach_their_profile_through_the_registry():
    assert registry.country("EC").certificate() is EC
    assert registry.country("PY").certificate() is PY


def test_email_goes_after_the_common_name():
    p12 = generate_test_p12(ruc=EC_RUC, holder="Con Correo", password="m", profile=EC, email="a@b.ec")
    cert = load_identity(p12, "m", profile=EC).cert
    assert [a.oid for a in cert.subject][-2:] == [NameOID.COMMON_NAME, NameOID.EMAIL_ADDRESS]


def _cert_with(subject_attrs, extensions=()):
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name(subject_attrs)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
         .serial_number(1).not_valid_before(NOW).not_valid_after(NOW + timedelta(days=1)))
    for ext in extensions:
        b = b.add_extension(ext, critical=False)
    return b.sign(key, hashes.SHA256())


def test_ruc_found_where_ecuadorian_cas_put_it():
    find_ruc = EC.ruc_of
    cn = NameOID.COMMON_NAME
    # Security Data private extension, value as a DER UTF8String
    sd = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.37746.3.11"),
                                    pkcs12_bags.tlv(0x0C, b"1791234567001"))
    assert find_ruc(_cert_with([x509.NameAttribute(cn, "JUAN PEREZ")], [sd])) == "1791234567001"
    # Banco Central extension as bare ASCII bytes
    bce = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.37947.3.11"), b"0991234567001")
    assert find_ruc(_cert_with([x509.NameAttribute(cn, "EMPRESA")], [bce])) == "0991234567001"
    # RUC in the CN; a cédula in serialNumber becomes the natural person's RUC (cédula + 001)
    assert find_ruc(_cert_with([x509.NameAttribute(cn, "TIENDA 1712345678001")])) == "1712345678001"
    assert find_ruc(_cert_with([x509.NameAttribute(NameOID.SERIAL_NUMBER, "1712345678"),
                                x509.NameAttribute(cn, "MARIA")])) == "1712345678001"
    assert find_ruc(_cert_with([x509.NameAttribute(cn, "SIN NUMERO")])) is None
    # a 10-digit number outside serialNumber/CN (a phone, say) is not taken for a cédula
    assert find_ruc(_cert_with([x509.NameAttribute(cn, "SIN NUMERO"),
                                x509.NameAttribute(NameOID.LOCALITY_NAME, "Tel 0991234567")])) is None
    # ... but a full RUC there is
    assert find_ruc(_cert_with([x509.NameAttribute(cn, "SIN NUMERO"),
                                x509.NameAttribute(NameOID.LOCALITY_NAME, "RUC 0991234567001")])) == "0991234567001"
    assert EC.ruc_matches("1791234567001", " 1791234567001 ") and not EC.ruc_matches(None, "1791234567001")


def test_ruc_found_where_paraguayan_cas_put_it():
    cn, serial = NameOID.COMMON_NAME, NameOID.SERIAL_NUMBER
    assert PY.ruc_of(_cert_with([x509.NameAttribute(serial, "RUC80069563-1"),
                                 x509.NameAttribute(cn, "EMPRESA")])) == "80069563-1"
    assert PY.ruc_of(_cert_with([x509.NameAttribute(serial, "CI1234567"),
                                 x509.NameAttribute(cn, "PERSONA PY")])) == "1234567"
    assert PY.ruc_of(_cert_with([x509.NameAttribute(cn, "EMPRESA RUC: 80012345 - 6")])) == "80012345-6"
    assert PY.ruc_of(_cert_with([x509.NameAttribute(cn, "SIN NUMERO")])) is None
    assert PY.ruc_of(_cert_with([x509.NameAttribute(serial, "1712345678001")])) is None  # an Ecuadorian RUC
    assert PY.ruc_matches("80069563-1", "80069563") and PY.ruc_matches("1234567", "1234567-8")
    assert not PY.ruc_matches("8006956", "80069563") and not PY.ruc_matches(None, "80069563")


def test_subject_texts_filter_by_oid():
    cert = _cert_with([x509.NameAttribute(NameOID.COUNTRY_NAME, "AR"), x509.NameAttribute(NameOID.COMMON_NAME, "A"),
                       x509.NameAttribute(NameOID.COMMON_NAME, "B")])
    assert subject_texts(cert) == ["AR", "A", "B"]
    assert subject_texts(cert, ["2.5.4.3"]) == ["A", "B"]
    assert subject_texts(cert, exclude=["2.5.4.3"]) == ["AR"]


# --------------------------------------------------------------------------- keyring

def test_keyring_round_trip(memory_keyring):
    store_secret("p12:1790012345001", "la-clave")
    assert memory_keyring.store[(SERVICE, "p12:1790012345001")] == "la-clave"
    assert load_secret("p12:1790012345001") == "la-clave"
    delete_secret("p12:1790012345001")
    assert load_secret("p12:1790012345001") is None
    delete_secret("p12:1790012345001")  # deleting twice is fine


class _PlaintextFileKeyring(KeyringBackend):
    """A real plaintext backend, marked 'not recommended' (priority < 1) as keyrings.alt's is."""

    priority = 0.5
    path = None

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        self.path.write_text(f"{service}/{username}={password}")

    def delete_password(self, service, username):
        pass


def test_plaintext_and_fail_backends_are_refused(tmp_path):
    from keyring.backends import fail

    previous = keyring.get_keyring()
    try:
        plain = _PlaintextFileKeyring()
        plain.path = tmp_path / "plain.cfg"
        keyring.set_keyring(plain)
        with pytest.raises(ConfigurationError, match="texto plano"):
            store_secret("p12:x", "secreto-en-claro")
        assert not plain.path.exists()
        keyring.set_keyring(fail.Keyring())
        for call in (lambda: store_secret("p12:x", "s"), lambda: load_secret("p12:x"),
                     lambda: delete_secret("p12:x")):
            with pytest.raises(ConfigurationError, match="llavero"):
                call()
    finally:
        keyring.set_keyring(previous)
