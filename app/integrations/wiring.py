"""Wiring the integrations into a worker: registers the job handlers (e-mail, the mall report),
installs the `store.documents` status listeners that queue them, and returns the callable for
`Worker(extra_work=[...])`. Idempotent (a process may build several workers)."""
from __future__ import annotations

import sqlite3
from typing import Callable

from app.integrations import jobs, mail, mall
from app.store import documents


def install() -> Callable[[sqlite3.Connection], int]:
    jobs.register(mail.KIND, mail.handler())
    jobs.register(mall.KIND, mall.handler())
    for listener in (mail.on_status, mall.on_status):
        if listener not in documents.STATUS_LISTENERS:
            documents.STATUS_LISTENERS.append(listener)
    return jobs.extra_work()
