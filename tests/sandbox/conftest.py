"""Fixtures for the SRI sandbox tests: one signing identity per session, a fresh sandbox and
a client talking to it over real HTTP on 127.0.0.1."""
from __future__ import annotations

import pytest

from sri_docs import RUC, Signer


@pytest.fixture(scope="session")
def signer() -> Signer:
    return Signer(RUC)


@pytest.fixture
def sandbox(tmp_path):
    from app.fiscal.ec.sandbox import SriSandbox
    with SriSandbox(accepted={RUC: {"001", "002"}}, db_path=str(tmp_path / "sri.sqlite3")) as sri:
        yield sri
        assert sri.errors == [], "el simulador tuvo errores internos"


@pytest.fixture
def client(sandbox):
    from app.fiscal.ec.client import SriClient
    c = SriClient(sandbox.recepcion_url, sandbox.autorizacion_url, timeout=(2, 5))
    yield c
    c.close()
