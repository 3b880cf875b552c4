"""Where a company's signing certificate comes from: the keyring account of its password, and
the throwaway certificate a demo company always has (the Session asks for it on opening the
identity, so a fresh process on a demo folder — `mostrador sync` — finds it too).

`install_certificate` imports or renews a real company's .p12 atomically: the new file is
checked, written beside the old one, its password goes to the keyring first, then the file
takes the old one's place in one rename; the old file and password are kept until the
installed pair signs a test document, and put back if anything on the way fails. Without a
usable keyring nothing is copied."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import keyring

from app.fiscal import registry


def p12_account(ruc: str) -> str:
    return f"p12:{ruc}"


def ensure_usable_keyring() -> bool:
    """True when the OS keyring works. On a machine without one (a fresh headless Linux),
    demo mode keeps the throwaway certificate's password in this process's memory only —
    never in a file — and regenerates the certificate on the next start."""
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if isinstance(backend, fail.Keyring) or name.startswith("keyrings.alt"):
        from app.fiscal.session_keyring import SessionKeyring

        keyring.set_keyring(SessionKeyring())
        return False
    return True


def ensure_demo_certificate(session) -> None:
    """A demo company always has a usable throwaway certificate: made anew when its password
    is not in the keyring (e.g. it lived in a previous process's memory). `session`: an open
    Session (its company and data folder)."""
    from app.fiscal import signing

    company = session.company
    if not company.extra.get("demo"):
        return  # never touch a real company's certificate
    ensure_usable_keyring()
    cert = session.data.cert_path(company.ruc)
    if not cert.exists() or signing.load_secret(p12_account(company.ruc)) is None:
        password = secrets.token_urlsafe(18)
        p12 = signing.generate_test_p12(ruc=company.ruc, holder=company.razon_social, password=password,
                                        profile=registry.country(company.country).certificate())
        cert.write_bytes(p12)
        signing.store_secret(p12_account(company.ruc), password)
    registry.country(company.country).demo().ensure_secrets(company)


TEST_DOCUMENT = b"<pruebaFirma>Mostrador: comprobacion del certificado instalado</pruebaFirma>"


def test_signature(p12: bytes, password: str, *, expected_ruc: str, country: str) -> None:
    """Signs a test document with the certificate as the till will load it, and checks the
    signature against the certificate's public key. Raises CertificateError."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from app.core.errors import CertificateError
    from app.fiscal import signing

    identity = signing.load_identity(p12, password, expected_ruc=expected_ruc,
                                     profile=registry.country(country).certificate())
    signature = identity.key.sign(TEST_DOCUMENT, padding.PKCS1v15(), hashes.SHA256())
    try:
        identity.cert.public_key().verify(signature, TEST_DOCUMENT, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise CertificateError("La clave privada del certificado no corresponde a su certificado: "
                               "no firma documentos válidos. Pida a la entidad certificadora un archivo "
                               ".p12 nuevo") from None


def _fsync_write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def install_certificate(cert_path: Path, p12: bytes, password: str, *, ruc: str, country: str) -> None:
    """Puts `p12` in place of the company's certificate, or changes nothing.

    Order: (1) the new .p12 must open with `password` and belong to `ruc` (else
    CertificateError, nothing touched); (2) a usable OS keyring is required (else
    ConfigurationError, nothing copied); (3) the new file is written beside the old one
    (`.p12.new`); (4) its password goes to the keyring (if that fails, the new file is removed:
    the till keeps signing with the old certificate); (5) the old file is kept as `.p12.old`
    and the new one takes its place in one rename (if that fails, the old password goes back to
    the keyring); (6) the installed pair must sign a test document, else the old file and
    password are put back; (7) only then is `.p12.old` removed."""
    from app.core.errors import CertificateError, ConfigurationError
    from app.fiscal import signing

    test_signature(p12, password, expected_ruc=ruc, country=country)  # (1)
    account = p12_account(ruc)
    signing._secure_keyring()  # (2) raises ConfigurationError without a real OS keyring
    old_password = signing.load_secret(account)
    cert_path = Path(cert_path)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    new = cert_path.with_name(cert_path.name + ".new")
    old = cert_path.with_name(cert_path.name + ".old")
    had_old = cert_path.exists()

    def restore_password() -> None:
        if old_password is None:
            signing.delete_secret(account)
        else:
            signing.store_secret(account, old_password)

    try:
        _fsync_write(new, p12)  # (3)
    except OSError as exc:
        new.unlink(missing_ok=True)
        raise ConfigurationError(f"No se pudo escribir el certificado nuevo en {new.parent}: "
                                 f"{exc.strerror or exc}. Revise que haya espacio en el disco y permiso "
                                 "de escritura en esa carpeta, e intente de nuevo") from None
    try:
        signing.store_secret(account, password)  # (4)
    except BaseException:
        new.unlink(missing_ok=True)
        raise
    try:
        if had_old:
            if old.exists():
                old.unlink()
            os.link(cert_path, old)  # (5) the old file stays reachable until the new one signs
        os.replace(new, cert_path)
    except OSError as exc:
        new.unlink(missing_ok=True)
        if had_old and not cert_path.exists() and old.exists():
            os.replace(old, cert_path)
        else:
            old.unlink(missing_ok=True)
        restore_password()
        raise ConfigurationError(f"No se pudo reemplazar el certificado ({exc.strerror or exc}); "
                                 "se sigue usando el anterior. Cierre los programas que tengan abierto "
                                 "el archivo .p12 e intente de nuevo") from None
    try:  # (6) the installed pair, read back as the till will read it
        test_signature(cert_path.read_bytes(), signing.load_secret(account) or "",
                       expected_ruc=ruc, country=country)
    except BaseException as exc:
        if had_old and old.exists():
            os.replace(old, cert_path)
        elif not had_old:
            cert_path.unlink(missing_ok=True)
        restore_password()
        if isinstance(exc, (CertificateError, ConfigurationError)):
            raise CertificateError(f"El certificado nuevo no pudo firmar un documento de prueba ({exc}); "
                                   "se sigue usando el anterior. Corrija lo indicado e importe el "
                                   "certificado otra vez") from None
        raise
    old.unlink(missing_ok=True)  # (7)
