"""Wiring the background worker for a session: the authority's client per environment, and
the built-in sandbox when the company works in the `sandbox` environment."""
from __future__ import annotations

import logging
from contextlib import ExitStack

from app.pos.session import Session
from app.store import settings
from app.store.db import connect
from app.sync.worker import Worker

log = logging.getLogger("mostrador.runtime")

SANDBOX_URL_KEY = "sandbox.url"


def sandbox_accepts(company) -> dict[str, set[str]]:
    return {company.ruc: {e.code for e in company.establishments}}


def start_embedded_sandbox(session: Session, stack: ExitStack, port: int = 0):
    """Starts the simulated SRI on loopback for this data folder (its state in sandbox.db)."""
    from app.sandbox.sri import SriSandbox

    sandbox = SriSandbox(port=port, accepted=sandbox_accepts(session.company),
                         db_path=str(session.data.root / "sandbox.db"))
    sandbox.start()
    stack.callback(sandbox.stop)
    return sandbox


def make_worker(session: Session, stack: ExitStack, *, owner: str | None = None) -> Worker:
    """A worker for `session`'s company. In the sandbox environment it talks to the sandbox
    whose URL is in the settings (`sandbox.url`), or starts one in this process."""
    company = session.company
    protocols = {}
    if company.country == "EC":
        from app.fiscal.ec.client import SriClient
        from app.sync.ec import SriProtocol

        if company.environment == "sandbox":
            url = settings.get(session.conn, SANDBOX_URL_KEY)
            if not url:
                url = start_embedded_sandbox(session, stack).url
            client = SriClient.for_environment("sandbox", sandbox_url=url)
        else:
            client = SriClient.for_environment(company.environment)
        poll_delay = float(session.setting("ec.poll_delay_seconds"))
        if company.environment == "sandbox":
            poll_delay = float(session.setting("sandbox.poll_delay_seconds", 0))
        protocols["EC"] = SriProtocol(client, poll_delay=poll_delay,
                                      max_backoff=float(session.setting("sync.max_backoff_seconds")))
    if company.country == "PY":
        from app.sync.py import make_protocol

        protocols["PY"] = make_protocol(session, stack)
    conn = connect(session.data.db_path)  # the worker owns its connection (it may run in a thread)
    stack.callback(conn.close)
    return Worker(conn, protocols, owner=owner,
                  max_backoff=float(session.setting("sync.max_backoff_seconds")))
