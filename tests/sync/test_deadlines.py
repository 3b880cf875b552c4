"""Documents waiting for the authority are flagged before and after the legal deadline."""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta, timezone

from app.config import DataDir
from app.pos import checkout
from app.pos.demo import create_demo_company
from app.fiscal.ec.demo import demo_invoice
from app.sync import deadlines
from app.sync.worker import Worker


def test_levels_follow_the_settings_and_the_worker_logs_them(tmp_path, caplog):
    session = create_demo_company(DataDir(tmp_path / "d"), "EC")
    r = checkout.issue(session, demo_invoice(session.company, random.Random(1), 1), "invoices")
    now = datetime.now(timezone.utc)
    assert [w.level for w in deadlines.waiting(session.conn, now=now)] == ["ok"]
    w = deadlines.waiting(session.conn, now=now + timedelta(minutes=61))[0]
    assert w.level == "warning" and w.number == r.document.number and "plazo" in w.message
    w = deadlines.waiting(session.conn, now=now + timedelta(hours=25))[0]
    assert w.level == "overdue" and "superó el plazo de 24 h" in w.message
    # the worker logs it (nobody transmits here: no protocol registered)
    session.conn.execute("UPDATE documents SET signed_at=?", ((now - timedelta(hours=30)).isoformat(),))
    worker = Worker(session.conn, {})
    with caplog.at_level(logging.WARNING, logger="mostrador.sync"):
        late = worker.warn_deadlines()
    assert [x.level for x in late] == ["overdue"]
    assert any("superó el plazo" in rec.message and rec.levelno == logging.ERROR for rec in caplog.records)
    assert worker.warn_deadlines() == []  # not again within the minute
