"""How long documents have waited for the authority, against the legal clock.

Ecuador: the SRI asks for transmission "en el momento mismo" of issuing (REFERENCE §6.2), so
the configured deadline is ours (default 24 h). Paraguay: 72 h after signing, after which
SIFEN answers 1005 extemporáneo. A document is `warning` past `warn_after_minutes` and
`overdue` past the deadline; the worker logs both, the CLI and the status bar show them.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from app.store import settings

WAITING = ("signed", "sent")


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


def limits(conn: sqlite3.Connection, country: str) -> tuple[int, int]:
    """(warn after, deadline) in seconds for this authority, from the settings."""
    warn = int(float(settings.get(conn, "transmission.warn_after_minutes")) * 60)
    deadlines = settings.get(conn, "transmission.deadline_hours") or {}
    deadline = int(float(deadlines.get(country, 72)) * 3600)
    return warn, deadline


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
