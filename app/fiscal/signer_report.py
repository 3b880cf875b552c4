"""What `verify` says about the certificate that signed a document, whatever the country:
who holds it (holder, RUC), who issued it, whether it was valid when the document was signed,
whether its RUC is the issuer's, and whether it chains to an authority-accepted root.

The roots are public certificates shipped in resources/ca/<cc>/ (*.pem, *.crt, *.cer); when a
country has none there, the chain is reported as not checked, never as verified. Countries pass
their own facts in (the RUC the certificate carries, the issuer's RUC and how to compare them).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache

from cryptography import x509
from cryptography.x509.oid import NameOID

from app.core.documents import Finding
from app.resources import resource

MAX_CHAIN = 8


def printable(text: object, limit: int = 300) -> str:
    """Text safe to print on one line: control and format characters shown as \\uXXXX."""
    out = []
    for ch in str(text)[:limit]:
        if unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out) + ("…" if len(str(text)) > limit else "")


def holder(cert: x509.Certificate) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = cert.subject.get_attributes_for_oid(oid)
        if attrs:
            return printable(attrs[0].value)
    return printable(cert.subject.rfc4514_string())


def _issuer_name(cert: x509.Certificate) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = cert.issuer.get_attributes_for_oid(oid)
        if attrs:
            return printable(attrs[0].value)
    return printable(cert.issuer.rfc4514_string())


@lru_cache(maxsize=8)
def roots(country: str) -> tuple[x509.Certificate, ...]:
    """The accepted root certificates shipped for `country` (lower-case code); () when none."""
    folder = resource("ca", country.lower())
    found = []
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".pem", ".crt", ".cer"):
                continue
            data = path.read_bytes()
            try:
                found += (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                          else [x509.load_der_x509_certificate(data)])
            except ValueError:
                continue
    return tuple(found)


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
        return True
    except Exception:  # InvalidSignature, unsupported key types, malformed parameters
        return False


def chain_finding(cert: x509.Certificate, extra: list[x509.Certificate], country: str,
                  when: datetime | None) -> Finding:
    trusted = roots(country)
    if not trusted:
        return Finding("chain", True, "Cadena de confianza NO VERIFICADA: Mostrador no incluye los certificados "
                                      "raíz de las autoridades certificadoras aceptadas (resources/ca/"
                                      f"{country.lower()}/)", unverified=True)
    current, pool = cert, [c for c in extra if c != cert]
    for _ in range(MAX_CHAIN):
        root = next((r for r in trusted if r.subject == current.issuer and _issued_by(current, r)), None)
        if root is not None:
            if when is not None and not (root.not_valid_before_utc <= when <= root.not_valid_after_utc):
                return Finding("chain", False, f"La raíz {_issuer_name(current)} no era válida al firmar")
            return Finding("chain", True, f"Cadena de confianza verificada hasta la raíz {holder(root)}")
        parent = next((c for c in pool if c.subject == current.issuer and _issued_by(current, c)), None)
        if parent is None:
            break
        pool.remove(parent)
        current = parent
    return Finding("chain", False, f"El certificado no proviene de una autoridad certificadora aceptada "
                                   f"(emisor: {_issuer_name(current)})")


def certificate_findings(cert: x509.Certificate, extra: list[x509.Certificate], *, country: str,
                         cert_ruc: str | None, issuer_ruc: str, same_ruc: Callable[[str | None, str], bool],
                         signed_at: datetime | None) -> list[Finding]:
    """'certificate' (facts and validity at signing time), 'certificate_ruc', 'chain'."""
    nb, na = cert.not_valid_before_utc, cert.not_valid_after_utc
    facts = (f"titular {holder(cert)}; RUC {printable(cert_ruc or '(no encontrado)')}; emitido por "
             f"{_issuer_name(cert)}; válido del {nb:%Y-%m-%d %H:%M} al {na:%Y-%m-%d %H:%M} UTC")
    out = []
    if signed_at is None:
        out.append(Finding("certificate", True, f"Certificado: {facts}; no se conoce la fecha de firma, vigencia "
                                                "NO VERIFICADA", unverified=True))
    else:
        when = signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=timezone.utc)
        ok = nb <= when <= na
        out.append(Finding("certificate", ok, f"Certificado: {facts}; " + (
            f"vigente al firmar ({when.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC)" if ok else
            f"NO vigente al firmar ({when.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC)")))
    if cert_ruc is None:
        out.append(Finding("certificate_ruc", True, "No se encontró el RUC en el certificado: no se pudo comparar "
                                                    "con el RUC del emisor", unverified=True))
    elif same_ruc(cert_ruc, issuer_ruc):
        out.append(Finding("certificate_ruc", True, f"El RUC del certificado ({printable(cert_ruc)}) es el del emisor"))
    else:
        out.append(Finding("certificate_ruc", False, f"El RUC del certificado ({printable(cert_ruc)}) no es el del "
                                                     f"emisor del documento ({printable(issuer_ruc)})"))
    out.append(chain_finding(cert, extra, country, signed_at))
    return out
