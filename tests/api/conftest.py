"""A real API server on loopback (uvicorn in a thread, port 0) over a demo company's data folder."""
from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pytest

from app.api import keys
from app.api.server import start
from app.config import DataDir
from app.pos.demo import create_demo_company

DATA = Path(__file__).resolve().parent / "data"
EC_SUPPORT = Path(__file__).resolve().parents[1] / "fiscal" / "ec"
if str(EC_SUPPORT) not in sys.path:
    sys.path.insert(0, str(EC_SUPPORT))


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class Api:
    def __init__(self, session, running, key: dict):
        self.session, self.running, self.url = session, running, running.url
        self.key, self.tenant = key["key"], key["tenant"]

    def doc_count(self) -> int:
        return self.session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]


def _api(tmp_path, country: str):
    session = create_demo_company(DataDir(tmp_path / "data"), country)
    key = keys.create(session.conn, "erp", session.company.ruc)
    session.identity  # noqa: B018  (load the certificate before timing anything)
    running = start(session)
    return session, running, key


@pytest.fixture
def ec_api(tmp_path):
    session, running, key = _api(tmp_path, "EC")
    yield Api(session, running, key)
    running.stop()
    session.close()


@pytest.fixture
def py_api(tmp_path):
    session, running, key = _api(tmp_path, "PY")
    yield Api(session, running, key)
    running.stop()
    session.close()


def today_ec():
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("America/Guayaquil")).date()
