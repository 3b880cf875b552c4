"""Configuración › Integraciones › API local, offscreen with real widgets and a real server."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("pytestqt")

import requests  # noqa: E402

from app.api import keys  # noqa: E402
from app.config import DataDir  # noqa: E402
from app.pos.demo import create_demo_company  # noqa: E402


def free_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_box_creates_keys_serves_and_lists_calls(qtbot, tmp_path):
    from app.ui.api_settings import ApiSettingsBox, running, stop_server

    session = create_demo_company(DataDir(tmp_path / "data"), "EC")
    box = ApiSettingsBox(session)
    qtbot.addWidget(box)
    try:
        box.key_name.setText("erp")
        box.create_button.click()
        key = box.new_key.text()
        assert key.startswith("api_key_") and keys.lookup(session.conn, key).name == "erp"
        assert box.keys.rowCount() == 1 and box.keys.item(0, 0).text() == "erp"
        box.port.setValue(free_port())
        box.enabled.setChecked(True)
        handle = running(session)
        assert handle is not None and str(box.port.value()) in handle.url
        r = requests.post(handle.url + "/datil/invoices/issue", json={}, headers={"X-Key": key}, timeout=10)
        assert r.status_code == 400  # the key works: the body is what is wrong
        box.refresh_calls()
        assert "/datil/invoices/issue" in box.calls.item(0).text() and "400" in box.calls.item(0).text()
        box.keys.setCurrentCell(0, 0)
        box.revoke_button.click()
        assert keys.lookup(session.conn, key) is None and box.keys.item(0, 4).text() == "revocada"
        box.enabled.setChecked(False)
        assert running(session) is None
    finally:
        stop_server(session)
        session.close()
