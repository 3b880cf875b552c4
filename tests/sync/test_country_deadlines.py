"""The legal transmission deadline is country data (the transport facet), overridable by setting."""
from __future__ import annotations

import sqlite3

from app.fiscal import registry
from app.store import settings
from app.sync import deadlines


def _conn() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.execute("CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT)")
    return conn


def test_each_country_brings_its_deadline_and_the_setting_overrides_it():
    conn = _conn()
    for c in registry.all_countries():
        assert deadlines.deadline_hours(conn, c.code) == c.transport().deadline_hours
    assert deadlines.deadline_hours(conn, "EC") == 24 and deadlines.deadline_hours(conn, "PY") == 72
    settings.put(conn, "transmission.deadline_hours", {"PY": 48})
    assert deadlines.deadline_hours(conn, "PY") == 48 and deadlines.deadline_hours(conn, "EC") == 24
    assert deadlines.limits(conn, "PY")[1] == 48 * 3600
