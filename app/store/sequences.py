"""Document numbering. Must be called inside the sale's transaction: a rollback
gives the number back, so there are no gaps and no duplicates."""
from __future__ import annotations

import sqlite3

from app.core.documents import SeriesKey


def next_sequential(conn: sqlite3.Connection, country: str, ambiente: str, series: SeriesKey) -> int:
    if not conn.in_transaction:
        raise RuntimeError("next_sequential must run inside the sale's transaction")
    row = conn.execute(
        "INSERT INTO sequences(country, ambiente, doc_code, establishment, point, last) "
        "VALUES (?, ?, ?, ?, ?, 1) "
        "ON CONFLICT(country, ambiente, doc_code, establishment, point) DO UPDATE SET last = last + 1 "
        "RETURNING last",
        (country, ambiente, series.doc_code, series.establishment, series.point),
    ).fetchone()
    return int(row[0])


def peek_last(conn: sqlite3.Connection, country: str, ambiente: str, series: SeriesKey) -> int:
    row = conn.execute(
        "SELECT last FROM sequences WHERE country=? AND ambiente=? AND doc_code=? "
        "AND establishment=? AND point=?",
        (country, ambiente, series.doc_code, series.establishment, series.point),
    ).fetchone()
    return int(row[0]) if row else 0
