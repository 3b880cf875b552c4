"""The local API serving while the cashier sells: the GUI (pytest-qt MainWindow on the demo
company, its own worker against the embedded sandbox) and the API server (as `mostrador serve`
runs it, with its own Session on the same data folder) issue at the same time. Both kinds of
document share one gap-free numbering, both are authorized by the sandbox, and the GUI's
worker delivers the API's webhooks (no `serve` worker runs here)."""
from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest
import requests

pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from app.api import keys  # noqa: E402
from app.api.server import start  # noqa: E402
from app.core import status as st  # noqa: E402
from app.store.db import connect  # noqa: E402
from test_datil import body_of  # noqa: E402
from test_webhooks import Receiver  # noqa: E402

ENTER = Qt.Key.Key_Return
API_DOCS = 4
TILL_SALES = 4


@pytest.fixture
def window_and_api(qtbot, tmp_path):
    from app.config import DataDir
    from app.pos import users
    from app.pos.session import Session
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    make_app()
    gui_session = prepare_demo(tmp_path / "data", "EC")
    stack = ExitStack()
    ctx = build_context(gui_session, users.authenticate(gui_session.conn, "1234"), demo=True, stack=stack,
                        start_worker=True)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    api_session = Session(DataDir(tmp_path / "data"))  # what `mostrador serve` opens: its own Session
    key = keys.create(api_session.conn, "erp", api_session.company.ruc)
    running = start(api_session)
    try:
        yield window, running.url, key["key"]
    finally:
        running.stop()
        window.shutdown()
        stack.close()
        api_session.close()
        gui_session.close()


def _sell_by_keyboard(qtbot, window) -> int:
    sale = window.sale
    sale.code.setFocus()
    qtbot.keyClicks(sale.code, "2*ARROZ1")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClicks(dlg.fields["efectivo"], "50")
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)
    assert sale.cart.empty
    return sale.last_sale.result.document_id


def test_api_issues_while_the_till_sells(qtbot, window_and_api):
    window, url, key = window_and_api
    assert window.ctx.worker is not None, window.ctx.worker_error
    company = window.ctx.session.company
    hdr = {"x-key": key, "x-password": "demo", "content-type": "application/json"}
    receiver = Receiver(0)
    hook = f"http://127.0.0.1:{receiver.server.server_address[1]}/hook"
    sub = requests.post(f"{url}/datil/webhooks", headers=hdr, timeout=10,
                        json={"event_name": "receipt-issued", "webhook_url": hook})
    assert sub.status_code == 200, sub.text

    api_ids: list[int] = []
    api_errors: list[str] = []

    def issue_through_api():
        for i in range(API_DOCS):
            body = body_of("invoices", company)
            r = requests.post(f"{url}/datil/invoices/issue", json=body, timeout=60,
                              headers={**hdr, "Idempotency-Key": f"concurrent-{i}"})
            if r.status_code != 200:
                api_errors.append(r.text)
            else:
                api_ids.append(int(r.json()["id"]))

    try:
        erp = threading.Thread(target=issue_through_api)
        erp.start()
        till_ids = [_sell_by_keyboard(qtbot, window) for _ in range(TILL_SALES)]
        qtbot.waitUntil(lambda: not erp.is_alive(), timeout=60000)
        assert not api_errors, api_errors
        assert len(api_ids) == API_DOCS and len(set(api_ids) & set(till_ids)) == 0
        window.ctx.wake_worker()

        conn = connect(window.ctx.session.data.db_path)
        try:
            def all_authorized():
                rows = conn.execute("SELECT id, status FROM documents").fetchall()
                assert {r[0] for r in rows} == set(api_ids) | set(till_ids)
                assert all(r[1] == st.AUTHORIZED for r in rows), rows

            qtbot.waitUntil(all_authorized, timeout=90000)
            rows = conn.execute("SELECT d.establishment, d.point, d.sequential, s.source FROM documents d "
                                "JOIN sales s ON s.id = d.sale_id WHERE d.kind='invoices'").fetchall()
        finally:
            conn.close()
        by_series: dict[tuple[str, str], list[int]] = {}
        for est, point, seq, _ in rows:
            by_series.setdefault((est, point), []).append(seq)
        assert len(by_series) == 1  # the ERP and the till share the establishment and point
        (seqs,) = by_series.values()
        assert len(seqs) == API_DOCS + TILL_SALES
        for seqs in by_series.values():  # no gaps, no duplicates in any series
            assert sorted(seqs) == list(range(min(seqs), min(seqs) + len(seqs)))
        sources = {r[3] for r in rows}
        assert any(s.startswith("api:") for s in sources) and any(not s.startswith("api:") for s in sources)
        # the GUI's worker delivered the API's webhooks: one per API document
        qtbot.waitUntil(lambda: len(receiver.got) >= API_DOCS, timeout=60000)
        assert {h["x-mostrador-event"] for h, _ in receiver.got} == {"receipt-issued"}
    finally:
        receiver.stop()
