"""First-run setup (and Configuración later): company, establishments, certificate,
environment, users. The wizard only collects answers; this module checks and saves them."""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from app.config import DataDir
from app.core.company import Company
from app.core.errors import ConfigurationError, FieldError, ValidationError
from app.pos import audit, users
from app.pos.cart import identification_errors
from app.pos.session import p12_account
from app.store import settings
from app.store.db import transaction

ENVIRONMENTS = {"sandbox": "Sandbox (SRI simulado en este equipo)",
                "pruebas": "Pruebas (SRI celcer)",
                "produccion": "Producción (documentos con validez tributaria)"}
ENVIRONMENTS_PY = {"sandbox": "Sandbox (SIFEN simulado en este equipo)",
                   "pruebas": "Pruebas (SIFEN de pruebas, sifen-test)",
                   "produccion": "Producción (documentos con validez tributaria)"}
COUNTRIES = {"EC": "Ecuador (SRI)", "PY": "Paraguay (SIFEN)"}
AUTHORITY = {"EC": "SRI", "PY": "SIFEN"}
# SIFEN cTipReg (MT §10 D.2.1, Tabla 3); 0 = not declared (the element is optional)
PY_REGIMES = {1: "Régimen de Turismo", 2: "Importador", 3: "Exportador", 4: "Maquila",
              5: "Ley N° 60/90", 6: "Régimen del Pequeño Productor", 7: "Régimen del Mediano Productor",
              8: "Régimen Contable"}
PY_TAXPAYER_TYPES = {1: "Persona física", 2: "Persona jurídica"}


def environments(country: str) -> dict[str, str]:
    return ENVIRONMENTS_PY if country == "PY" else ENVIRONMENTS
RIMPE_OPTIONS = ("", "CONTRIBUYENTE RÉGIMEN RIMPE", "CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE")
TILL_ESTABLISHMENT, TILL_POINT = "pos.establishment", "pos.point"
_CODE = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class CertificateFacts:
    holder: str
    ruc: str | None
    ruc_matches: bool
    key_usage: str
    not_after: datetime
    days_left: int


def inspect_certificate(p12: bytes, password: str, expected_ruc: str) -> CertificateFacts:
    """Loads the .p12 as signing will; raises CertificateError with the reason to refuse it
    (wrong password, not a signing certificate, expired, another RUC)."""
    from cryptography import x509

    from app.fiscal import signing

    identity = signing.load_identity(p12, password, expected_ruc=expected_ruc)
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
    # Paraguay: the CSC secret, kept only in the OS keyring (csc:<RUC>); None = keep the stored one
    csc_secret: str | None = field(default=None, repr=False)


def company_errors(c: Company) -> list[FieldError]:
    if c.country == "PY":
        from app.pos import setup_py

        return setup_py.company_errors(c)
    errors = []
    if c.country != "EC":
        errors.append(FieldError("country", f"País no soportado: {c.country} (Ecuador o Paraguay)"))
    if not c.ruc.strip():
        errors.append(FieldError("ruc", "Escriba el RUC de la empresa"))
    else:
        errors += [FieldError("ruc", m) for m in identification_errors("04", c.ruc)]
    for name, label, value in (("razon_social", "La razón social", c.razon_social),
                               ("address", "La dirección matriz", c.address)):
        if not value.strip():
            errors.append(FieldError(name, f"{label} es obligatoria"))
        elif len(value) > 300:
            errors.append(FieldError(name, f"{label} tiene como máximo 300 caracteres"))
    if c.contribuyente_especial and not re.fullmatch(r"\d{3,13}", c.contribuyente_especial):
        errors.append(FieldError("contribuyente_especial", "El número de resolución tiene de 3 a 13 dígitos"))
    if c.agente_retencion and not re.fullmatch(r"[1-9]\d{0,7}", c.agente_retencion):
        errors.append(FieldError("agente_retencion", "Número de resolución sin ceros a la izquierda"))
    if c.rimpe not in RIMPE_OPTIONS:
        errors.append(FieldError("rimpe", "Régimen RIMPE desconocido"))
    if c.environment not in ENVIRONMENTS:
        errors.append(FieldError("environment", f"Ambiente desconocido: {c.environment}"))
    if not c.establishments:
        errors.append(FieldError("establishments", "Registre al menos un establecimiento"))
    seen = set()
    for i, e in enumerate(c.establishments):
        if not _CODE.match(e.code) or e.code == "000":
            errors.append(FieldError(f"establishments[{i}].code", "El código de establecimiento son 3 dígitos (001–999)"))
        if e.code in seen:
            errors.append(FieldError(f"establishments[{i}].code", f"Establecimiento {e.code} repetido"))
        seen.add(e.code)
        if not e.address.strip():
            errors.append(FieldError(f"establishments[{i}].address", "La dirección del establecimiento es obligatoria"))
        if not e.points:
            errors.append(FieldError(f"establishments[{i}].points", "Registre al menos un punto de emisión"))
        codes = [p.code for p in e.points]
        for p in e.points:
            if not _CODE.match(p.code) or p.code == "000":
                errors.append(FieldError(f"establishments[{i}].points", "El punto de emisión son 3 dígitos (001–999)"))
        if len(set(codes)) != len(codes):
            errors.append(FieldError(f"establishments[{i}].points", "Punto de emisión repetido"))
    return errors


def save(data: DataDir, conn: sqlite3.Connection, answers: SetupAnswers, *, actor: str = "configuración") -> Company:
    """Validates everything, then saves: certificate file + keyring first (checked against the
    RUC), then the company, till and users in one transaction."""
    c = answers.company
    errors = company_errors(c)
    try:
        c.establishment(answers.till_establishment)
        if answers.till_point not in {p.code for p in c.establishment(answers.till_establishment).points}:
            errors.append(FieldError("till_point", "Esta caja debe usar un punto de emisión del establecimiento"))
    except KeyError:
        errors.append(FieldError("till_establishment", "Esta caja debe pertenecer a un establecimiento registrado"))
    if c.environment == "produccion" and not answers.production_confirmed:
        errors.append(FieldError("environment", "Confirme expresamente el paso a producción: "
                                                "los documentos tendrán validez tributaria"))
    existing_users = conn.execute("SELECT COUNT(*) FROM users WHERE active=1").fetchone()[0]
    for name, role, pin in answers.new_users:
        problem = users.pin_problem(pin)
        if problem:
            errors.append(FieldError("users", f"{name}: {problem}"))
        if role not in users.ROLES:
            errors.append(FieldError("users", f"{name}: rol desconocido {role}"))
    roles = {r for _, r, _ in answers.new_users}
    if not existing_users and "administrador" not in roles:
        errors.append(FieldError("users", "Cree al menos un usuario administrador"))
    cert_path = data.cert_path(c.ruc)
    if answers.p12 is None and not cert_path.exists():
        errors.append(FieldError("certificate", "Importe el certificado de firma electrónica (.p12)"))
    if c.country == "PY":
        from app.pos import setup_py

        errors += setup_py.csc_errors(c, answers.csc_secret)
    if errors:
        raise ValidationError(errors)
    if answers.p12 is not None:
        inspect_certificate(answers.p12, answers.p12_password, c.ruc)  # raises CertificateError
        from app.fiscal import signing

        data.ensure()
        tmp = cert_path.with_suffix(".p12.tmp")
        tmp.write_bytes(answers.p12)
        tmp.replace(cert_path)
        signing.store_secret(p12_account(c.ruc), answers.p12_password)
    if c.country == "PY" and answers.csc_secret:
        from app.fiscal import signing

        signing.store_secret(f"csc:{c.ruc}", answers.csc_secret.strip())  # never the database
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

