"""First-run setup (and Configuración later): company, establishments, certificate,
environment, users. The wizard only collects answers; this module checks and saves them."""
from __future__ import annotations

import importlib.util
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from app.config import DataDir
from app.core.company import Company
from app.core.errors import CertificateError, ConfigurationError, FieldError, ValidationError
from app.fiscal import registry
from app.fiscal.base import SetupField  # noqa: F401  (what rules(country).company_fields holds)
from app.pos import audit, users
from app.pos.session import p12_account
from app.pos.setup_advice import with_next_step
from app.store import settings
from app.store.db import transaction

TILL_ESTABLISHMENT, TILL_POINT = "pos.establishment", "pos.point"


def countries(facet: str = "setup") -> dict[str, str]:
    """The countries whose package has `facet` (a company may be set up in those with `setup`;
    `demo`: those with a demo company): code -> 'name (authority)', in registry order."""
    return {c.code: f"{c.name} ({c.authority})" for c in registry.all_countries()
            if importlib.util.find_spec(f"{c.package}.{facet}") is not None}


def rules(country: str):
    """The country's `SetupRules` (app.fiscal.base)."""
    return registry.country(country).setup()


def authority(country: str) -> str:
    """The name of the authority that receives the country's documents."""
    return registry.country(country).authority


def environments(country: str) -> dict[str, str]:
    return dict(rules(country).environments)


@dataclass(frozen=True)
class CertificateFacts:
    holder: str
    ruc: str | None
    ruc_matches: bool
    key_usage: str
    not_after: datetime
    days_left: int


def inspect_certificate(p12: bytes, password: str, expected_ruc: str, country: str) -> CertificateFacts:
    """Loads the .p12 as signing will; raises CertificateError with the reason to refuse it
    (wrong password, not a signing certificate, expired, another RUC)."""
    from cryptography import x509

    from app.fiscal import signing

    try:
        identity = signing.load_identity(p12, password, expected_ruc=expected_ruc,
                                         profile=registry.country(country).certificate())
    except CertificateError as exc:
        raise with_next_step(exc) from None
    try:
        ku = identity.cert.extensions.get_extension_for_class(x509.KeyUsage).value
        usage = ", ".join(n for n, on in (("firma digital", ku.digital_signature),
                                          ("no repudio", ku.content_commitment),
                                          ("cifrado de clave", ku.key_encipherment)) if on)
    except x509.ExtensionNotFound:
        usage = "sin restricciones declaradas"
    return CertificateFacts(identity.holder, identity.ruc, True, usage, identity.not_after,
                            identity.days_to_expiry())


@dataclass
class SetupAnswers:
    company: Company
    till_establishment: str = "001"
    till_point: str = "001"
    p12: bytes | None = None  # None: keep the certificate already imported
    p12_password: str = ""
    production_confirmed: bool = False
    new_users: list[tuple[str, str, str]] = field(default_factory=list)  # (name, role, pin)
    # the country's 'secret' setup fields (kept only in the OS keyring); None = keep the stored one
    secrets: dict[str, str | None] = field(default_factory=dict, repr=False)


def company_errors(c: Company) -> list[FieldError]:
    if c.country not in registry.codes():
        names = " o ".join(x.name for x in registry.all_countries())
        return [FieldError("country", f"País no soportado: {c.country} ({names})")]
    return rules(c.country).company_errors(c)


def save(data: DataDir, conn: sqlite3.Connection, answers: SetupAnswers, *, actor: str = "configuración") -> Company:
    """Validates everything, then saves: certificate file + keyring first (checked against the
    RUC), then the company, till and users in one transaction."""
    c = answers.company
    errors = company_errors(c)
    try:
        c.establishment(answers.till_establishment)
        if answers.till_point not in {p.code for p in c.establishment(answers.till_establishment).points}:
            errors.append(FieldError("till_point", "Esta caja debe usar un punto de emisión del establecimiento: "
                                                  "escriba en el paso Establecimientos uno de los que registró"))
    except KeyError:
        errors.append(FieldError("till_establishment", "Esta caja debe pertenecer a un establecimiento registrado: "
                                                  "escriba en el paso Establecimientos el código de uno de ellos"))
    if c.environment == "produccion" and not answers.production_confirmed:
        errors.append(FieldError("environment", "Confirme expresamente el paso a producción (los documentos "
                                                "tendrán validez tributaria): marque la casilla en el paso "
                                                "Ambiente, o elija otro ambiente"))
    existing_users = conn.execute("SELECT COUNT(*) FROM users WHERE active=1").fetchone()[0]
    for name, role, pin in answers.new_users:
        problem = users.pin_problem(pin)
        if problem:
            errors.append(FieldError("users", f"{name}: {problem}. Escriba otro PIN para ese usuario"))
        if role not in users.ROLES:
            errors.append(FieldError("users", f"{name}: rol desconocido {role}. Elija uno de la lista "
                                              f"({', '.join(users.ROLES)})"))
    roles = {r for _, r, _ in answers.new_users}
    if not existing_users and "administrador" not in roles:
        errors.append(FieldError("users", "Cree al menos un usuario administrador: escriba su nombre y PIN "
                                          "en el paso Usuarios y pulse Enter"))
    cert_path = data.cert_path(c.ruc)
    if answers.p12 is None and not cert_path.exists():
        errors.append(FieldError("certificate", "Falta el certificado de firma electrónica: en el paso Certificado "
                                                "escriba la ruta del archivo .p12 (o use Examinar…) y su contraseña"))
    if c.country in registry.codes():
        errors += rules(c.country).secret_errors(c, answers.secrets)
    if errors:
        raise ValidationError(errors)
    if answers.p12 is not None:
        inspect_certificate(answers.p12, answers.p12_password, c.ruc, c.country)  # raises CertificateError
        from app.pos.certificates import install_certificate

        data.ensure()
        # keyring first, then one rename; the old pair stays until the new one signs a test document
        try:
            install_certificate(cert_path, answers.p12, answers.p12_password, ruc=c.ruc, country=c.country)
        except (CertificateError, ConfigurationError) as exc:
            raise with_next_step(exc) from None
    try:
        rules(c.country).store_secrets(c, answers.secrets)  # the keyring, never the database
    except ConfigurationError as exc:
        raise with_next_step(exc) from None
    with transaction(conn):
        settings.save_company(conn, c)
        settings.put(conn, TILL_ESTABLISHMENT, answers.till_establishment)
        settings.put(conn, TILL_POINT, answers.till_point)
        for name, role, pin in answers.new_users:
            users.create_user(conn, name, role, pin, in_transaction=True)
        audit.record(conn, "settings", actor, {"ruc": c.ruc, "environment": c.environment,
                                                "users_added": [n for n, _, _ in answers.new_users]},
                     in_transaction=True)
    return c


def is_configured(conn: sqlite3.Connection) -> bool:
    try:
        settings.load_company(conn)
    except ConfigurationError:
        return False
    return True


def till(conn: sqlite3.Connection, company: Company) -> tuple[str, str]:
    """(establishment, point) this computer issues from; the first ones when not chosen."""
    est = settings.get(conn, TILL_ESTABLISHMENT) or (company.establishments[0].code if company.establishments else "001")
    try:
        points = company.establishment(est).points
    except KeyError:
        est, points = company.establishments[0].code, company.establishments[0].points
    point = settings.get(conn, TILL_POINT) or points[0].code
    if point not in {p.code for p in points}:
        point = points[0].code
    return est, point

