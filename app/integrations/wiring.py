"""Wiring the integrations into a worker: registers the job handlers (e-mail, the mall report,
the local API's webhooks),
installs the `store.documents` status listeners that queue them, and returns the callable for
`Worker(extra_work=[...])`. Idempotent (a process may build several workers).

A listener runs inside the transaction that records the authority's answer: it is guarded by
a savepoint, so a failure of ours (logged) never keeps an authorization from being recorded."""
from __future__ import annotations

import logging
import sqlite3
from typing import Callable

from app.integrations import jobs, mail, mall, webhooks
from app.store import documents

log = logging.getLogger("mostrador.integrations")


def _guarded(listener: Callable[[sqlite3.Connection, int, str], None]):
    def run(conn: sqlite3.Connection, doc_id: int, status: str) -> None:
        conn.execute("SAVEPOINT integrations_listener")
        try:
            listener(conn, doc_id, status)
        except Exception:
            log.exception("no se pudo encolar el trabajo de integraciones del documento %s", doc_id)
            conn.execute("ROLLBACK TO integrations_listener")
        finally:
            conn.execute("RELEASE integrations_listener")
    run.__name__ = f"guarded_{listener.__module__}.{listener.__name__}"
    return run


LISTENERS = (_guarded(mail.on_status), _guarded(mall.on_status), _guarded(webhooks.on_status))


def install() -> Callable[[sqlite3.Connection], int]:
    jobs.register(mail.KIND, mail.handler())
    jobs.register(mall.KIND, mall.handler())
    jobs.register(webhooks.KIND, webhooks.deliver, on_uncertain="retry")
    for listener in LISTENERS:
        if listener not in documents.STATUS_LISTENERS:
            documents.STATUS_LISTENERS.append(listener)
    return jobs.extra_work()
