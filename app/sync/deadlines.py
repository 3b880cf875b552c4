"""How long documents have waited for the authority, against the legal clock.

Each country's legal deadline is its transport facet's `deadline_hours` (the SRI asks for
transmission "en el momento mismo": 24 h; SIFEN 72 h, then 1005 extemporáneo), which the setting
`transmission.deadline_hours` ({code: hours}) may override. A document is `warning` past
`warn_after_minutes` and `overdue` past the deadline; the worker logs both, the CLI and the
status bar show them.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from app.core.status import PENDING
from app.fiscal import registry
from app.store import settings

WAITING = tuple(sorted(PENDING))


@dataclass(frozen=True)
class Waiting:
    document_id: int
    number: str
    key: str
    status: str
    age_seconds: int
    level: str  # 'ok' | 'warning' | 'overdue'
    deadline_seconds: int

    @property
    def message(self) -> str:
        hours = self.age_seconds / 3600
        limit = self.deadline_seconds / 3600
        if self.level == "overdue":
            return (f"El documento {self.number} lleva {hours:.1f} h sin ser aceptado por la autoridad; "
                    f"superó el plazo de {limit:.0f} h. Revise la conexión y el estado del documento.")
        return (f"El documento {self.number} lleva {hours:.1f} h esperando transmisión "
                f"(plazo: {limit:.0f} h).")


def deadline_hours(conn: sqlite3.Connection, country: str) -> float:
    """The legal transmission deadline of `country`'s authority: the setting, else the country's."""
    overrides = settings.get(conn, "transmission.deadline_hours") or {}
    if not isinstance(overrides, dict):  # one number for every country
        return float(overrides)
    if country in overrides:
        return float(overrides[country])
    return float(registry.country(country).transport().deadline_hours)


def limits(conn: sqlite3.Connection, country: str) -> tuple[int, int]:
    """(warn after, deadline) in seconds for this authority, from the settings."""
    warn = int(float(settings.get(conn, "transmission.warn_after_minutes")) * 60)
    return warn, int(deadline_hours(conn, country) * 3600)


def waiting(conn: sqlite3.Connection, *, now: datetime | None = None) -> list[Waiting]:
    """Every document not yet accepted, oldest first, with its level."""
    now = now or datetime.now(timezone.utc)
    rows = conn.execute(
        "SELECT id, country, number, key, status, signed_at FROM documents "
        f"WHERE status IN ({','.join('?' * len(WAITING))}) ORDER BY signed_at", WAITING).fetchall()
    cache: dict[str, tuple[int, int]] = {}
    out = []
    for r in rows:
        warn, deadline = cache.setdefault(r["country"], limits(conn, r["country"]))
        age = int((now - datetime.fromisoformat(r["signed_at"])).total_seconds())
        level = "overdue" if age >= deadline else "warning" if age >= warn else "ok"
        out.append(Waiting(r["id"], r["number"], r["key"], r["status"], age, level, deadline))
    return out
