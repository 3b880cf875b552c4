"""Driving the "Nuevo documento" dialog by key events, for the tests of its forms (both countries)."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox

from app.pos import reports

ENTER = Qt.Key.Key_Return
CTRL = Qt.KeyboardModifier.ControlModifier


def ec_day(days_ago: int) -> str:
    """A day in the SRI's zone (the issue date's), as typed on screen."""
    return (reports.today_in(ZoneInfo("America/Guayaquil")) - timedelta(days=days_ago)).strftime("%d/%m/%Y")


def focus():
    w = QApplication.focusWidget()
    assert w is not None
    return w


def type_text(qtbot, text: str) -> None:
    """Types into the focused field (replacing what a default left selected)."""
    w = focus()
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(w, ch)
        else:  # QTest types ASCII only: the key event a keyboard layout with «é» sends
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(w, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
    qtbot.wait(60)  # keys typed in a dialog are held ~35 ms by the scanner filter, then delivered


def open_dialog(qtbot, window):
    view = window.show_screen("documents")
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_N, CTRL)
    dialog = view.new_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    return view, dialog


def choose(qtbot, dialog, search: str, form_id: str) -> None:
    assert focus() is dialog.filter
    type_text(qtbot, search)
    qtbot.keyClick(dialog.filter, ENTER)
    assert dialog.form is not None and dialog.form.id == form_id, dialog.title.text()


def fill_header(qtbot, dialog, header: dict[str, str]) -> None:
    """Walks every header field with Enter, typing where `header` says."""
    for f in dialog.form.fields:
        w = dialog.inputs[f.name]
        assert focus() is w or (isinstance(w, QComboBox) and focus() is w.lineEdit()), (f.name, focus())
        if f.name in header:
            edit = w.lineEdit() if isinstance(w, QComboBox) else w
            edit.selectAll()
            type_text(qtbot, header[f.name])
        qtbot.keyClick(focus(), ENTER)


def type_rows(qtbot, cells_by_row: list[list[str | None]]) -> None:
    """Row by row: Enter after each cell (None: left as it is); Enter on the last adds a row."""
    for cells in cells_by_row:
        for text in cells:
            if text is not None:
                type_text(qtbot, text)
            qtbot.keyClick(focus(), ENTER)


def fill(qtbot, dialog, header: dict[str, str], rows: dict[str, list[list[str | None]]]) -> None:
    """Every header field (`fill_header`), then every table's rows (`type_rows`)."""
    fill_header(qtbot, dialog, header)
    for t in dialog.form.tables:
        type_rows(qtbot, rows.get(t.name, []))
