"""Wiring the background worker for a session: the country's `transport` facet makes the worker
protocol (the authority's client per environment, or its sandbox in the `sandbox` environment)."""
from __future__ import annotations

import logging
from contextlib import ExitStack

from app.fiscal import registry
from app.pos.session import Session
from app.store.db import connect
from app.sync.worker import Worker

log = logging.getLogger("mostrador.runtime")


def start_embedded_sandbox(session: Session, stack: ExitStack, port: int = 0):
    """Starts the authority's simulated services on loopback for this data folder."""
    return registry.country(session.company.country).transport().start_sandbox(session, stack, port=port)


def make_worker(session: Session, stack: ExitStack, *, owner: str | None = None) -> Worker:
    """A worker for `session`'s company. In the sandbox environment it talks to the sandbox
    whose URL is in the settings (the country's `sandbox_url_key`), or starts one in this process."""
    country = registry.country(session.company.country)
    protocols = {country.code: country.transport().make_protocol(session, stack)}
    conn = connect(session.data.db_path)  # the worker owns its connection (it may run in a thread)
    stack.callback(conn.close)
    from app.integrations import wiring  # e-mail and mall jobs (lazy: keeps start-up light)

    return Worker(conn, protocols, owner=owner,
                  max_backoff=float(session.setting("sync.max_backoff_seconds")),
                  extra_work=[wiring.install(), *central_work(session)])


def central_work(session: Session) -> list:
    """The central replication pass, when this register has joined a central store (after the
    commit, in the worker: a sale never waits on the central server)."""
    from app.central import replica

    url = replica.joined(session.conn)
    if not url:
        return []
    rep = replica.Replicator(url, replica.token(session.conn), info=register_info(session))
    return [rep.run_pass]


def register_info(session: Session) -> dict:
    """What the central views need to know about this register: company and certificate expiry."""
    from app.core.errors import MostradorError

    company = session.company
    info = {"company_ruc": company.ruc, "company_name": company.razon_social, "country": company.country}
    try:
        info["cert_not_after"] = session.identity.not_after.isoformat()
    except MostradorError:
        info["cert_not_after"] = None
    return info
