"""Configuración › Central, offscreen with real widgets: joining a real central server (in a
thread, on a real PostgreSQL) from the box, its pinned fingerprint and the last replication."""
from __future__ import annotations

import random
from contextlib import ExitStack
from types import SimpleNamespace

import pytest

pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("pytestqt")

from test_central_rules import server  # noqa: E402,F401  (the in-thread central server)

from app.config import DataDir  # noqa: E402
from app.pos import checkout  # noqa: E402
from app.pos.demo import create_demo_company, demo_sale  # noqa: E402
from app.pos.runtime import make_worker  # noqa: E402


def test_join_from_the_box_shows_fingerprint_and_last_replication(qtbot, server, tmp_path):  # noqa: F811
    from app.ui.central_settings import CentralSettingsBox

    session = create_demo_company(DataDir(tmp_path / "caja"))
    stack = ExitStack()
    worker = make_worker(session, stack)  # the window's running worker (not joined when it started)
    before = len(worker.extra_work)
    box = CentralSettingsBox(session, SimpleNamespace(worker=worker))
    qtbot.addWidget(box)
    try:
        assert "no está unida" in box.status.text()
        box.join_button.click()
        assert "dirección y el código" in box.message.text()
        box.url.setText("http://127.0.0.1:1/")
        box.code.setText("x")
        box.join_button.click()
        assert "https://HOST:PUERTO/#sha256=" in box.message.text()
        box.url.setText(server.url[:-64] + "0" * 64)  # another server's fingerprint: refused
        box.join_button.click()
        assert "huella distinta" in box.message.text() and "no está unida" in box.status.text()

        server.store_.put_products([{"code": "CEN-9", "name": "Café central", "price": "2.50", "tax_category": "0"}])
        box.url.setText(server.url)
        box.code.setText(server.store_.new_enrolment("Caja Pantalla"))
        box.join_button.click()
        assert "Caja unida a la central como «Caja Pantalla»" in box.message.text(), box.message.text()
        fp = server.fingerprint.upper()
        text = box.status.text()
        assert f"{fp[:2]}:{fp[2:4]}" in text and fp[-2:] in text
        assert "«Caja Pantalla»" in text and "todavía ninguna" not in text and "Pendiente de enviar: 0" in text
        assert session.conn.execute("SELECT name FROM products WHERE code='CEN-9'").fetchone()[0] == "Café central"
        assert box.code.text() == ""
        # the running worker replicates from now on: a sale reaches the central store
        assert len(worker.extra_work) == before + 1
        company = session.company
        estab = company.establishments[0]
        body, kind = demo_sale(company, random.Random(1), 1, estab=estab.code, point=estab.points[0].code)
        key = checkout.issue(session, body, kind).key
        worker.run_once()
        keys = [d["key"] for d in server.store_.documents()]
        assert key in keys
        # a code works once
        box.url.setText(server.url)
        box.code.setText("codigo-usado")
        box.join_button.click()
        assert "no es válido o ya se usó" in box.message.text()
    finally:
        stack.close()
        session.close()
