from __future__ import annotations

import pytest

from app.config import DataDir
from app.pos.demo import create_demo_company
from app.fiscal.ec.transport import SANDBOX_URL_KEY, sandbox_accepts
from app.fiscal.ec.sandbox import SriSandbox
from app.store import settings
from app.store.db import transaction


@pytest.fixture
def ec_shop(tmp_path):
    """A demo EC company whose worker talks to a sandbox this test controls."""
    session = create_demo_company(DataDir(tmp_path / "data"), "EC")
    sandbox = SriSandbox(accepted=sandbox_accepts(session.company), db_path=str(tmp_path / "sri.db"))
    sandbox.start()
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "sync.max_backoff_seconds", 0.2)
    yield session, sandbox
    sandbox.stop()
    session.close()
