"""The day's exchange rate of a foreign currency the till may invoice in: asked once a day at
Cobrar (or set in Configuración), kept per day in `settings` as 'exchange_rate.<ISO code>' =
{'YYYY-MM-DD': 'rate'}. Names no country: the till facet says which currencies exist."""
from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

from app.store import settings

_KEY = "exchange_rate.{0}"
KEEP_DAYS = 60  # older days are dropped when a rate is written


def get(conn: sqlite3.Connection, currency: str, day: date) -> Decimal | None:
    """The rate stored for `day`, or None (then the cashier is asked)."""
    value = (settings.get(conn, _KEY.format(currency), {}) or {}).get(day.isoformat())
    return Decimal(str(value)) if value not in (None, "") else None


def latest(conn: sqlite3.Connection, currency: str) -> tuple[date, Decimal] | None:
    """The most recent day with a rate and that rate (a hint for today's), or None."""
    rows = settings.get(conn, _KEY.format(currency), {}) or {}
    if not rows:
        return None
    day = max(rows)
    return date.fromisoformat(day), Decimal(str(rows[day]))


def put(conn: sqlite3.Connection, currency: str, day: date, rate: Decimal) -> None:
    if rate <= 0:
        raise ValueError("El tipo de cambio debe ser mayor que cero")
    rows = dict(settings.get(conn, _KEY.format(currency), {}) or {})
    rows[day.isoformat()] = f"{Decimal(rate).normalize():f}"
    for old in sorted(rows)[:-KEEP_DAYS]:
        del rows[old]
    settings.put(conn, _KEY.format(currency), rows)  # autocommit: one statement


class DayRates:
    """The rates of one day (what the payment dialog reads and writes)."""

    def __init__(self, conn: sqlite3.Connection, day: date):
        self.conn, self.day = conn, day

    def get(self, currency: str) -> Decimal | None:
        return get(self.conn, currency, self.day)

    def put(self, currency: str, rate: Decimal) -> None:
        put(self.conn, currency, self.day, rate)


def today_of(country) -> date:
    """Today where `country`'s authority dates documents (the rate is the day's there)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = getattr(country, "timezone", "") or None
    return datetime.now(ZoneInfo(zone)).date() if zone else date.today()
