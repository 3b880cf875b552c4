"""What the wizard tests share: a first-run wizard on an empty data folder, and Alt+→."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.config import DataDir
from app.pos.session import Session

ENTER = Qt.Key.Key_Return


@pytest.fixture
def wizard(qtbot, tmp_path):
    from app.ui.main import make_app
    from app.ui.wizard import SetupWizard

    make_app()
    data = DataDir(tmp_path / "data")
    session = Session(data)
    w = SetupWizard(data, session.conn)
    qtbot.addWidget(w)
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    yield w, data, session
    session.close()


def next_page(qtbot, w):
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
