"""The signing certificate: loading a PKCS#12, the facts we need from it, and its password
in the OS keyring. Shared by every country's signer; where a country's CAs write the RUC is
its `certificate` facet (a `CertificateProfile`).

Load the .p12 once per session (its KDF costs tens of milliseconds) and keep the
`SigningIdentity`; every derived value the signers need is cached on it.
"""
from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.core.errors import CertificateError, ConfigurationError
from app.fiscal import pkcs12_bags
from app.fiscal.pkcs12_bags import Bag, BadPassword, NotPkcs12, UnsupportedPkcs12

if TYPE_CHECKING:
    from app.fiscal.base import CertificateProfile


@dataclass(frozen=True)
class SigningIdentity:
    """A private key able to sign and the facts of its certificate."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    holder: str
    ruc: str | None
    not_before: datetime
    not_after: datetime
    serial: int
    issuer_rfc4514: str
    _cache: dict = field(default_factory=dict, repr=False, compare=False, hash=False)

    def days_to_expiry(self, now: datetime | None = None) -> int:
        """Whole days left until `not_after` (negative once expired)."""
        return (self.not_after - _aware(now)) // timedelta(days=1)

    def is_valid_at(self, now: datetime | None = None) -> bool:
        return self.not_before <= _aware(now) <= self.not_after

    @cached_property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @cached_property
    def cert_b64(self) -> str:
        """Base64 of the certificate DER, one line (what X509Certificate carries)."""
        return base64.b64encode(self.cert_der).decode("ascii")

    def cert_digest_b64(self, hash_name: str) -> str:
        """base64(hash(cert DER)), cached per hash (XAdES CertDigest)."""
        key = ("cert_digest", hash_name)
        if key not in self._cache:
            self._cache[key] = base64.b64encode(hashlib.new(hash_name, self.cert_der).digest()).decode()
        return self._cache[key]

    @cached_property
    def rsa_key_value_b64(self) -> tuple[str, str]:
        """(Modulus, Exponent) as XMLDSig CryptoBinary: unsigned big-endian, no leading zero."""
        numbers = self.key.public_key().public_numbers()
        return _crypto_binary(numbers.n), _crypto_binary(numbers.e)


def _aware(now: datetime | None) -> datetime:
    """`now` or the current time; a naive value is taken as UTC."""
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)


def _crypto_binary(value: int) -> str:
    return base64.b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).decode("ascii")


# --------------------------------------------------------------------------- names

# Java X500Principal RFC 2253 keywords (plus EMAILADDRESS, which MITyC needs for e-mail
# attributes); every other attribute is printed as OID=#hex of its DER value, as Java does.
_JAVA_KEYWORDS = {
    "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O",
    "2.5.4.11": "OU", "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "EMAILADDRESS",
}


def _decode_string(tag: int, content: bytes) -> str | None:
    if tag in (0x0C,):
        return content.decode("utf-8", "replace")
    if tag in (0x13, 0x16, 0x1A, 0x12):  # Printable, IA5, Visible, Numeric
        return content.decode("ascii", "replace")
    if tag == 0x14:  # TeletexString: in practice Latin-1
        return content.decode("latin-1")
    if tag == 0x1E:
        return content.decode("utf-16-be", "replace")
    if tag == 0x1C:
        return content.decode("utf-32-be", "replace")
    return None


def _escape_rfc2253(value: str) -> str:
    out = []
    for i, ch in enumerate(value):
        if ch in ',+"\\<>;' or (i == 0 and ch in "# ") or (i == len(value) - 1 and ch == " "):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def java_rfc2253(name: x509.Name) -> str:
    """The distinguished name as Java's X500Principal.getName(RFC2253) prints it, with
    EMAILADDRESS for e-mail: last RDN first, unknown attribute types as OID=#hexDER."""
    rdns = []
    for rdn in pkcs12_bags.parse_one(name.public_bytes()).children():
        parts = []
        for atv in rdn.children():
            oid_tlv, value = atv.children()[:2]
            oid = oid_tlv.oid()
            text = _decode_string(value.tag, value.content) if oid in _JAVA_KEYWORDS else None
            if text is None:
                parts.append(f"{oid}=#{value.raw.hex()}")
            else:
                parts.append(f"{_JAVA_KEYWORDS[oid]}={_escape_rfc2253(text)}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns))


# --------------------------------------------------------------------------- certificate text
# Generic readers for the country's `CertificateProfile` (app/fiscal/base.py), which knows
# where its CAs write the RUC and how they spell it.

def _ext_text(raw: bytes) -> str:
    """An extension value that CAs encode either as a DER string or as bare ASCII."""
    try:
        tlv = pkcs12_bags.parse_one(raw)
        text = _decode_string(tlv.tag, tlv.content)
        if text is None and tlv.tag == pkcs12_bags.OCTET_STRING:
            text = tlv.content.decode("latin-1")
        if text is not None:
            return text
    except pkcs12_bags.Pkcs12Error:
        pass
    return raw.decode("latin-1")


def extension_texts(cert: x509.Certificate, oids: Iterable[str]) -> list[str]:
    """The values, as text, of the certificate's private extensions whose dotted OID is in
    `oids`, in certificate order."""
    wanted = set(oids)
    return [_ext_text(ext.value.value) for ext in cert.extensions
            if ext.oid.dotted_string in wanted and isinstance(ext.value, x509.UnrecognizedExtension)]


def subject_texts(cert: x509.Certificate, oids: Iterable[str] | None = None, *,
                  exclude: Iterable[str] = ()) -> list[str]:
    """The string values of the subject's attributes, in subject order: those whose dotted OID
    is in `oids` (every one when None) and not in `exclude`."""
    wanted = None if oids is None else set(oids)
    skip = set(exclude)
    return [a.value for a in cert.subject
            if (wanted is None or a.oid.dotted_string in wanted) and a.oid.dotted_string not in skip
            and isinstance(a.value, str)]


def _test_name(ruc: str, holder: str, email: str | None, profile: CertificateProfile
              ) -> tuple[x509.Name, list[x509.ExtensionType]]:
    """The subject and extra extensions of a throwaway certificate, as `profile` lays them out."""
    attrs, extensions = profile.test_subject(ruc, holder)
    attrs = list(attrs)
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs), list(extensions)


# --------------------------------------------------------------------------- loading

def _can_sign(cert: x509.Certificate) -> bool:
    """Authorities reject non-signing certificates (e.g. error 39 'no es del tipo firma digital')."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.digital_signature


def _same_key(key, cert: x509.Certificate) -> bool:
    try:
        return key.public_key().public_numbers() == cert.public_key().public_numbers()
    except (AttributeError, TypeError):
        return False


def _fmt_date(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%d/%m/%Y")


def _read(p12: bytes, password: str) -> tuple[list, list[x509.Certificate]]:
    """(private keys, certificates) in file order."""
    try:
        contents = pkcs12_bags.read_pkcs12(p12, password)
    except BadPassword:
        raise CertificateError("La contraseña del certificado es incorrecta") from None
    except NotPkcs12:
        raise CertificateError("El archivo no es un certificado PKCS#12 (.p12 / .pfx) válido") from None
    except UnsupportedPkcs12:
        # An algorithm our bag reader does not know: OpenSSL still gives us its first key.
        try:
            loaded = pkcs12.load_pkcs12(p12, password.encode("utf-8"))
        except ValueError:
            raise CertificateError(
                "La contraseña del certificado es incorrecta o el archivo está dañado") from None
        keys = [loaded.key] if loaded.key is not None else []
        certs = ([loaded.cert.certificate] if loaded.cert else []) + [c.certificate for c in loaded.additional_certs]
        return keys, certs
    keys, certs = [], []
    for bag in contents.keys:
        try:
            keys.append(serialization.load_der_private_key(bag.der, None))
        except (ValueError, TypeError, pkcs12_bags.Pkcs12Error):
            continue  # a key type we cannot use is simply not a candidate
    for bag in contents.certs:
        try:
            certs.append(x509.load_der_x509_certificate(bag.der))
        except ValueError:
            continue
    return keys, certs


def _holder(cert: x509.Certificate) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = cert.subject.get_attributes_for_oid(oid)
        if attrs:
            return str(attrs[0].value)
    return cert.subject.rfc4514_string()


def _chain_for(cert: x509.Certificate, others: list[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    """Issuer certificates present in the file, closest first."""
    chain, current = [], cert
    pool = [c for c in others if c != cert]
    while True:
        parent = next((c for c in pool if c.subject == current.issuer and c not in chain), None)
        if parent is None or parent.subject == current.subject:
            break
        chain.append(parent)
        current = parent
    return tuple(chain)


def load_identity(p12: bytes, password: str, *, profile: CertificateProfile | None = None,
                  expected_ruc: str | None = None, now: datetime | None = None) -> SigningIdentity:
    """Picks, among every key in the file, the one whose certificate can sign and is valid
    `now` (the newest when several are). Raises CertificateError with a Spanish message.
    `profile` (the country's `certificate` facet) finds the certificate's RUC (else `ruc` is
    None) and, with `expected_ruc`, refuses a certificate of another RUC."""
    if expected_ruc is not None and profile is None:
        raise ValueError("expected_ruc needs the country's certificate profile")
    now = _aware(now)
    if not isinstance(p12, (bytes, bytearray)) or not p12:
        raise CertificateError("El archivo no es un certificado PKCS#12 (.p12 / .pfx) válido")
    keys, certs = _read(bytes(p12), password)
    pairs = [(k, c) for k in keys if isinstance(k, rsa.RSAPrivateKey) for c in certs if _same_key(k, c)]
    if not pairs:
        raise CertificateError("El archivo .p12 no contiene una clave privada RSA con su certificado")
    signing = [(k, c) for k, c in pairs if _can_sign(c)]
    if not signing:
        raise CertificateError(
            "El certificado no es de firma digital: ninguna clave del archivo sirve para firmar")
    valid = [(k, c) for k, c in signing if c.not_valid_before_utc <= now <= c.not_valid_after_utc]
    if not valid:
        future = [c for _, c in signing if c.not_valid_before_utc > now]
        if future:
            first = min(c.not_valid_before_utc for c in future)
            raise CertificateError(f"El certificado de firma aún no es válido: rige desde el {_fmt_date(first)}")
        last = max(c.not_valid_after_utc for _, c in signing)
        raise CertificateError(f"El certificado de firma venció el {_fmt_date(last)}")
    key, cert = max(valid, key=lambda kc: kc[1].not_valid_after_utc)
    identity = SigningIdentity(
        key=key, cert=cert, chain=_chain_for(cert, certs), holder=_holder(cert),
        ruc=profile.ruc_of(cert) if profile is not None else None,
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        serial=cert.serial_number, issuer_rfc4514=java_rfc2253(cert.issuer))
    if expected_ruc is not None and not profile.ruc_matches(identity.ruc, expected_ruc):
        if identity.ruc is None:
            raise CertificateError(f"El certificado no indica ningún RUC; se esperaba el RUC {expected_ruc}")
        raise CertificateError(f"El certificado pertenece al RUC {identity.ruc}, no a {expected_ruc}")
    return identity


# --------------------------------------------------------------------------- test certificates

def _self_signed(key: rsa.RSAPrivateKey, subject: x509.Name, not_before: datetime, days: int,
                 usage: x509.KeyUsage, extra_ext: list[x509.ExtensionType]) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_before + timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(usage, critical=True))
    for ext in extra_ext:
        builder = builder.add_extension(ext, critical=False)
    return builder.sign(key, hashes.SHA256())


def _usage(signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=signing,
                         key_encipherment=not signing, data_encipherment=not signing,
                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def generate_test_p12(*, ruc: str, holder: str, password: str, profile: CertificateProfile,
                      days_valid: int = 365, not_before: datetime | None = None,
                      key_usage_signing: bool = True, extra_decryption_key: bool = False,
                      legacy: bool = False, email: str | None = None) -> bytes:
    """A self-signed throw-away certificate (RSA-2048) for demo mode and tests, carrying the
    RUC where the country's CAs put it (`profile.test_subject`). extra_decryption_key=True
    builds a two-key file as some CAs issue: a 'Decryption Key' bag (keyEncipherment only)
    before the 'Signing Key' bag. legacy=True encrypts like `openssl pkcs12 -legacy` (RC2-40
    certificates, 3DES keys)."""
    not_before = not_before or (datetime.now(timezone.utc) - timedelta(hours=1))
    subject, extra_ext = _test_name(ruc, holder, email, profile)

    def pair(signing: bool, name: str, key_id: bytes) -> tuple[Bag, Bag]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = _self_signed(key, subject, not_before, days_valid, _usage(signing), extra_ext)
        key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        return (Bag(key_der, name, key_id), Bag(cert.public_bytes(serialization.Encoding.DER), name, key_id))

    bags = []
    if extra_decryption_key:
        bags.append(pair(False, "Decryption Key", os.urandom(20)))
    bags.append(pair(key_usage_signing, "Signing Key", os.urandom(20)))
    return pkcs12_bags.write_pkcs12([k for k, _ in bags], [c for _, c in bags], password, legacy=legacy)


# --------------------------------------------------------------------------- keyring

SERVICE = "mostrador"
_INSECURE_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


def _secure_keyring():
    """The active keyring backend, refusing anything that is not a real OS vault: the
    `fail`/`null` backends, every keyrings.alt backend (plaintext or base64 files) and any
    backend whose own priority is below 1 (keyring's mark for "not recommended")."""
    import keyring
    from keyring.backends.chainer import ChainerBackend

    backend = keyring.get_keyring()
    members = list(backend.backends) if isinstance(backend, ChainerBackend) else [backend]
    writer = members[0] if members else None  # the chainer writes to its first member
    if writer is None or type(writer).__module__.startswith(_INSECURE_MODULES) or writer.priority < 1:
        raise ConfigurationError(
            "No hay un almacén seguro de contraseñas del sistema (llavero) disponible; "
            "la contraseña del certificado no se guarda en texto plano")
    return backend


def store_secret(account: str, secret: str) -> None:
    from keyring.errors import KeyringError

    try:
        _secure_keyring().set_password(SERVICE, account, secret)
    except KeyringError as exc:
        raise ConfigurationError(f"No se pudo guardar el secreto '{account}' en el llavero del sistema: "
                                 f"{type(exc).__name__}") from None


def load_secret(account: str) -> str | None:
    from keyring.errors import KeyringError

    try:
        return _secure_keyring().get_password(SERVICE, account)
    except KeyringError as exc:
        raise ConfigurationError(f"No se pudo leer el secreto '{account}' del llavero del sistema: "
                                 f"{type(exc).__name__}") from None


def delete_secret(account: str) -> None:
    """Removes the secret; deleting one that is not there is not an error."""
    from keyring.errors import KeyringError, PasswordDeleteError

    backend = _secure_keyring()
    try:
        backend.delete_password(SERVICE, account)
    except PasswordDeleteError:
        pass
    except KeyringError as exc:
        raise ConfigurationError(f"No se pudo borrar el secreto '{account}' del llavero del sistema: "
                                 f"{type(exc).__name__}") from None
