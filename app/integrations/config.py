"""Settings and secrets of the integrations (SMTP, the mall), with the names the CLI and
Configuración share (`mostrador settings set|get|list`, `mostrador secret set NAME`).

Plain values live in the `settings` table; passwords only in the OS keyring (account
`integrations:<RUC>:<name>`), never in the database, the logs or an error message.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Callable

from app.core.errors import ConfigurationError, ValidationError
from app.store import settings as store_settings

SECURITY = ("none", "starttls", "tls")
MALL_MODES = ("sftp", "rest")

_ESTAB = r"(?P<estab>\d{3})"


def _port(v: str) -> int:
    try:
        n = int(str(v).strip())
    except ValueError:
        raise ValueError("debe ser un número de puerto") from None
    if not 1 <= n <= 65535:
        raise ValueError("debe estar entre 1 y 65535")
    return n


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(v: str) -> str:
        v = str(v).strip().lower()
        if v not in options:
            raise ValueError(f"debe ser uno de: {', '.join(options)}")
        return v
    return parse


def _text(v: str) -> str:
    return str(v).strip()


def _email(v: str) -> str:
    v = str(v).strip()
    if v and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", v):
        raise ValueError("no es una dirección de correo válida")
    return v


def _hour(v: str) -> str:
    v = str(v).strip()
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", v)
    if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        raise ValueError("debe ser una hora como 23:30")
    return f"{int(m.group(1)):02d}:{int(m.group(2) or 0):02d}"


def _url(v: str) -> str:
    v = str(v).strip().rstrip("/")
    if not re.match(r"https?://", v):
        raise ValueError("debe empezar con http:// o https://")
    return v


@dataclass(frozen=True)
class Key:
    pattern: str
    parse: Callable[[str], Any]
    label: str  # Spanish
    default: Any = None


KEYS: tuple[Key, ...] = (
    Key("smtp.host", _text, "Servidor SMTP"),
    Key("smtp.port", _port, "Puerto SMTP", 587),
    Key("smtp.security", _choice(SECURITY), "Seguridad SMTP (none, starttls, tls)", "starttls"),
    Key("smtp.user", _text, "Usuario SMTP"),
    Key("smtp.from", _email, "Remitente (correo)"),
    Key("smtp.name", _text, "Nombre del remitente"),
    Key("smtp.reply_to", _email, "Responder a"),
    Key("smtp.ca_file", _text, "Certificado de CA adicional (PEM) para el servidor SMTP"),
    Key(rf"mall\.{_ESTAB}\.mode", _choice(MALL_MODES), "Modo de reporte al centro comercial (sftp, rest)"),
    Key(rf"mall\.{_ESTAB}\.sftp\.host", _text, "Servidor SFTP del centro comercial"),
    Key(rf"mall\.{_ESTAB}\.sftp\.port", _port, "Puerto SFTP", 22),
    Key(rf"mall\.{_ESTAB}\.sftp\.user", _text, "Usuario SFTP"),
    Key(rf"mall\.{_ESTAB}\.sftp\.dir", _text, "Carpeta remota", "."),
    Key(rf"mall\.{_ESTAB}\.sftp\.hostkey", _text, "Clave del servidor SFTP fijada (huella SHA256)"),
    Key(rf"mall\.{_ESTAB}\.rest\.url", _url, "URL del API REST del centro comercial"),
    Key(rf"mall\.{_ESTAB}\.rest\.user", _text, "Usuario del API REST"),
    Key(rf"mall\.{_ESTAB}\.hour", _hour, "Hora del reporte diario", "23:30"),
)

SECRETS: tuple[str, ...] = ("smtp.password", rf"mall\.{_ESTAB}\.sftp\.password", rf"mall\.{_ESTAB}\.rest\.password")


def find_key(name: str) -> Key | None:
    for k in KEYS:
        if re.fullmatch(k.pattern, name):
            return k
    return None


def is_secret(name: str) -> bool:
    return any(re.fullmatch(p, name) for p in SECRETS)


def parse_value(name: str, value: str) -> Any:
    """The stored form of `value` for setting `name`, or a Spanish `ValidationError`."""
    if is_secret(name):
        raise ValidationError(f"'{name}' es un secreto: use 'mostrador secret set {name}'", name)
    key = find_key(name)
    if key is not None:
        try:
            return key.parse(value)
        except ValueError as exc:
            raise ValidationError(f"{key.label}: {exc}", name) from None
    if name in store_settings.DEFAULTS:  # the program's other settings: JSON values
        try:
            return json.loads(value)
        except ValueError:
            return value
    raise ValidationError(f"No existe el ajuste '{name}'", name)


def set_value(conn: sqlite3.Connection, name: str, value: str) -> Any:
    parsed = parse_value(name, value)
    store_settings.put(conn, name, parsed)
    return parsed


def get_value(conn: sqlite3.Connection, name: str) -> Any:
    if is_secret(name):
        raise ValidationError(f"'{name}' es un secreto y no se muestra", name)
    key = find_key(name)
    if key is None and name not in store_settings.DEFAULTS:
        raise ValidationError(f"No existe el ajuste '{name}'", name)
    value = store_settings.get(conn, name)
    return key.default if value is None and key is not None else value


def listing(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every stored or defaulted setting (never a secret), by name."""
    out: dict[str, Any] = dict(store_settings.DEFAULTS)
    for k in KEYS:
        if "(?P" not in k.pattern and k.default is not None:
            out[k.pattern.replace("\\", "")] = k.default
    for row in conn.execute("SELECT key, value FROM settings ORDER BY key"):
        if row["key"] == store_settings.COMPANY_KEY or is_secret(row["key"]):
            continue
        out[row["key"]] = json.loads(row["value"])
    return dict(sorted(out.items()))


def setting(conn: sqlite3.Connection, name: str) -> Any:
    """A setting's value or its default (for the integrations' own code)."""
    value = store_settings.get(conn, name)
    if value is None:
        key = find_key(name)
        return key.default if key else None
    return value


# ------------------------------------------------------------------------------ secrets

def _account(conn: sqlite3.Connection, name: str) -> str:
    try:
        ruc = store_settings.load_company(conn).ruc
    except ConfigurationError:
        ruc = "-"
    return f"integrations:{ruc}:{name}"


def store_secret(conn: sqlite3.Connection, name: str, value: str) -> None:
    from app.fiscal import signing

    if not is_secret(name):
        raise ValidationError(f"'{name}' no es un secreto conocido (smtp.password, "
                              f"mall.<estab>.sftp.password, mall.<estab>.rest.password)", name)
    value = value.rstrip("\r\n")
    if not value:
        raise ValidationError("El secreto está vacío", name)
    signing.store_secret(_account(conn, name), value)


def load_secret(conn: sqlite3.Connection, name: str) -> str | None:
    from app.fiscal import signing

    return signing.load_secret(_account(conn, name))


def establishments_with_mall(conn: sqlite3.Connection) -> list[str]:
    """Establishment codes that have a mall mode configured."""
    found = []
    for row in conn.execute("SELECT key FROM settings WHERE key LIKE 'mall.%.mode' ORDER BY key"):
        m = re.fullmatch(rf"mall\.{_ESTAB}\.mode", row["key"])
        if m:
            found.append(m.group("estab"))
    return found
