"""Settings and the company profile, stored as JSON rows in `settings`."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import date
from typing import Any

from app.core.company import Company, Establishment, PointOfSale
from app.core.errors import ConfigurationError

COMPANY_KEY = "company"

DEFAULTS: dict[str, Any] = {
    # seconds to wait after RECIBIDA before asking for the authorization
    "ec.poll_delay_seconds": 3,
    # warn when a document has waited this long without being accepted by the authority
    "transmission.warn_after_minutes": 60,
    # the hard alarm, {country code: hours}; a country not here uses its transport facet's deadline_hours
    "transmission.deadline_hours": {},
    "sync.max_backoff_seconds": 600,
    "signature.algorithm": "sha1",
}


def get(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    row = conn.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
    if row is None:
        return DEFAULTS.get(key, default) if default is None else default
    return json.loads(row["value"])


def put(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute(
        "INSERT INTO settings(key, value) VALUES(?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
    )


def company_to_dict(company: Company) -> dict:
    d = asdict(company)
    d["timbrado_start"] = company.timbrado_start.isoformat() if company.timbrado_start else None
    return d


def company_from_dict(d: dict) -> Company:
    d = dict(d)
    d["establishments"] = tuple(
        Establishment(**{**e, "points": tuple(PointOfSale(**p) for p in e.get("points", ()))})
        for e in d.get("establishments", ())
    )
    d["actividades"] = tuple(tuple(a) for a in d.get("actividades", ()))
    if d.get("timbrado_start"):
        d["timbrado_start"] = date.fromisoformat(d["timbrado_start"])
    return Company(**d)


def save_company(conn: sqlite3.Connection, company: Company) -> None:
    put(conn, COMPANY_KEY, company_to_dict(company))


def load_company(conn: sqlite3.Connection) -> Company:
    row = conn.execute("SELECT value FROM settings WHERE key=?", (COMPANY_KEY,)).fetchone()
    if row is None:
        raise ConfigurationError(
            "Esta carpeta de datos no tiene una empresa configurada. "
            "Ejecute 'mostrador demo' o configure la empresa."
        )
    return company_from_dict(json.loads(row["value"]))
