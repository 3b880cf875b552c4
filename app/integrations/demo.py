"""Demo mode's stand-ins for the integrations, on loopback: a local SMTP sink (the buyer's
e-mail lands there and Configuración shows it) and the mall's REST sandbox for establishment
001. Each is configured only when the owner has not configured that integration: settings we
write are remembered (`MANAGED`) so the next demo run may point them at its new port, while a
server the owner typed in is never touched."""
from __future__ import annotations

import logging
import sqlite3
from contextlib import ExitStack
from dataclasses import dataclass

from app.core.company import Company
from app.integrations import config, jobs, mail, mall
from app.store import settings as store_settings
from app.store.db import transaction

log = logging.getLogger("mostrador.integrations.demo")

MANAGED = "integrations.demo_managed"  # the integrations demo mode configured itself: ["smtp", "mall.001"]
LOOPBACK = "127.0.0.1"
MALL_ESTAB = "001"
DEFAULT_SENDER = "facturas@demo.mostrador.example"


@dataclass
class DemoServices:
    """What demo mode started (None: the owner configured that integration, or it failed)."""
    sink: object | None = None  # app.integrations.sandbox_smtp.SmtpSink
    portal: object | None = None  # app.integrations.sandbox_mall.MallPortal

    def received(self, limit: int = 20) -> list[str]:
        """The sink's last messages, newest last: 'to: subject'."""
        if self.sink is None:
            return []
        return [f"{', '.join(r.rcpt_tos)}: {r.message()['Subject']}" for r in self.sink.received[-limit:]]


def _managed(conn: sqlite3.Connection) -> list[str]:
    return list(store_settings.get(conn, MANAGED) or [])


def _ours(conn: sqlite3.Connection, what: str, host_setting: str, prefix: str) -> bool:
    """True when the integration is not configured, or was configured by an earlier demo run
    (and still points at loopback)."""
    host = config.setting(conn, host_setting) or ""
    return not host or (what in _managed(conn) and host.startswith(prefix))


def start(conn: sqlite3.Connection, company: Company, stack: ExitStack) -> DemoServices:
    """Starts what the demo company needs and points its settings at it; everything stops with
    `stack`. A failure is logged and leaves the integration as it was: never stops the demo."""
    services = DemoServices()
    if not company.extra.get("demo"):
        return services
    try:
        services.sink = _start_smtp(conn, company, stack)
    except Exception:
        log.exception("no se pudo iniciar el buzón de prueba (SMTP) de la demostración")
    try:
        services.portal = _start_mall(conn, company, stack)
    except Exception:
        log.exception("no se pudo iniciar el centro comercial simulado de la demostración")
    return services


def _remember(conn: sqlite3.Connection, what: str) -> None:
    managed = _managed(conn)
    if what not in managed:
        store_settings.put(conn, MANAGED, [*managed, what])


def _start_smtp(conn: sqlite3.Connection, company: Company, stack: ExitStack):
    if not _ours(conn, "smtp", "smtp.host", LOOPBACK):
        return None
    from app.integrations.sandbox_smtp import SmtpSink

    sink = SmtpSink().start()
    stack.callback(sink.stop)
    with transaction(conn):
        config.set_value(conn, "smtp.host", LOOPBACK)
        config.set_value(conn, "smtp.port", str(sink.port))
        config.set_value(conn, "smtp.security", "none")
        config.set_value(conn, "smtp.user", "")
        if not config.setting(conn, "smtp.from"):
            config.set_value(conn, "smtp.from", company.email or DEFAULT_SENDER)
        if not config.setting(conn, "smtp.name"):
            config.set_value(conn, "smtp.name", company.razon_social)
        _remember(conn, "smtp")
    return sink


def _start_mall(conn: sqlite3.Connection, company: Company, stack: ExitStack):
    if MALL_ESTAB not in {e.code for e in company.establishments}:
        return None
    what = f"mall.{MALL_ESTAB}"
    if store_settings.get(conn, f"{what}.mode") and not (
            store_settings.get(conn, f"{what}.mode") == "rest"
            and _ours(conn, what, f"{what}.rest.url", f"http://{LOOPBACK}:")):
        return None  # the owner's own mall settings
    from app.integrations.sandbox_mall import MallPortal

    portal = MallPortal().start()
    stack.callback(portal.stop)
    with transaction(conn):
        config.set_value(conn, f"{what}.mode", "rest")
        config.set_value(conn, f"{what}.rest.url", portal.base_url)
        config.set_value(conn, f"{what}.rest.user", portal.user)
        _remember(conn, what)
    config.store_secret(conn, f"{what}.rest.password", portal.password)
    return portal


def settled(conn: sqlite3.Connection) -> bool:
    """No e-mail or mall job is still waiting for its first attempt (one that is retrying after
    an error counts as settled: its error is what the owner sees)."""
    return not any(v.status == jobs.PENDING and not v.last_error
                   for kind in (mail.KIND, mall.KIND) for v in jobs.listing(conn, kind, limit=1000))
