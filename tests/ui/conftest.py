"""Fixtures for the cashier's window: a demo company (catalog, users, open shift) and the
main window driven offscreen with real key events."""
from __future__ import annotations

from contextlib import ExitStack

import pytest

pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("pytestqt")


@pytest.fixture
def demo_session(tmp_path):
    from app.ui.main import make_app, prepare_demo

    make_app()
    session = prepare_demo(tmp_path / "data")
    yield session
    session.close()


@pytest.fixture
def make_window(qtbot, demo_session):
    """make_window(start_worker=False) → MainWindow on the demo company, shown and active."""
    stacks, windows = [], []

    def make(start_worker: bool = False, user_pin: str = "1234"):
        from app.pos import users
        from app.ui.main import MainWindow, build_context

        stack = ExitStack()
        stacks.append(stack)
        user = users.authenticate(demo_session.conn, user_pin)
        ctx = build_context(demo_session, user, demo=True, stack=stack, start_worker=start_worker)
        window = MainWindow(ctx)
        windows.append(window)
        qtbot.addWidget(window)
        window.resize(1024, 768)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        window.sale.code.setFocus()
        return window

    yield make
    for window in windows:
        window.shutdown()
    for stack in stacks:
        stack.close()
