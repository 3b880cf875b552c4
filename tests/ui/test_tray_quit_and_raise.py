"""What test_tray.py leaves to an injected `ask`: the real "Salir" dialog (its text with the
deadline's remaining time, its buttons by keyboard), and a second launch showing the first
window again when it was hidden in the tray, wired as app.ui.main.install_tray wires it."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sales_helper import sell

from app.ui.single_instance import SingleInstance
from app.ui.status_panel import age_text
from app.ui.tray import Tray, quit_question


def _answer_dialog(qtbot, key, seen: list[str]) -> None:
    """When the modal box is up: record its text and buttons, then press `key` on it."""

    def press():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        seen.append("|".join(b.text() for b in box.buttons()))
        if key == "salir":
            box.button(QMessageBox.StandardButton.Yes).setFocus()
            qtbot.keyClick(box.button(QMessageBox.StandardButton.Yes), Qt.Key.Key_Space)
        else:
            qtbot.keyClick(box, key)

    QTimer.singleShot(0, press)


def test_the_real_quit_dialog_says_the_deadline_and_defaults_to_keep_sending(make_window, qtbot):
    w = make_window()
    tray = Tray(w)  # the real QMessageBox, no injected answer
    try:
        sell(w, ["PAN"])
        sell(w, ["PAN"])
        seen: list[str] = []
        _answer_dialog(qtbot, Qt.Key.Key_Return, seen)  # Enter takes the default button
        assert tray.quit() is False
        text, buttons = seen
        facts = tray.facts()
        assert text.startswith("Hay 2 documentos por enviar.")
        assert f"El plazo legal para enviarlo es de {int(facts.deadline_hours)} h y vence en " in text
        assert "Si sale, no se enviarán hasta que vuelva a abrir Mostrador" in text
        assert sorted(buttons.split("|")) == ["Salir", "Seguir enviando"]
        assert tray.timer.isActive() and w.status.timer.isActive()  # still transmitting

        seen.clear()
        _answer_dialog(qtbot, "salir", seen)
        assert tray.quit() is True
        assert "vence en" in seen[0] and not tray.timer.isActive()
    finally:
        tray.timer.stop()


def test_the_deadline_left_is_the_oldest_documents(make_window):
    w = make_window()
    tray = Tray(w, ask=lambda _t: False)
    try:
        sell(w, ["PAN"])
        facts = tray.facts()
        hour_old = replace(facts, oldest_age_seconds=3600.0)
        expected = age_text(facts.deadline_hours * 3600 - 3600.0)
        assert f"vence en {expected} (el más antiguo)" in quit_question(hour_old)
        assert quit_question(replace(facts, pending=0)) is None
    finally:
        tray.timer.stop()


def test_a_second_launch_shows_the_window_hidden_in_the_tray(make_window, qtbot, tmp_path):
    from app.ui.main import install_tray

    w = make_window()
    first = SingleInstance(tmp_path / "tienda")
    assert first.acquire() is True
    install_tray(w, first)  # what the first launch does
    try:
        w.hide()  # what closing it does when the tray holds it (Tray.hide_window)
        assert not w.isVisible()
        second = SingleInstance(tmp_path / "tienda")
        assert second.acquire() is False  # the second launch knocks and exits
        qtbot.waitUntil(w.isVisible, timeout=5000)
        assert not (w.windowState() & Qt.WindowState.WindowMinimized)
        w.showMinimized()
        assert SingleInstance(tmp_path / "tienda").acquire() is False
        qtbot.waitUntil(lambda: not (w.windowState() & Qt.WindowState.WindowMinimized), timeout=5000)
    finally:
        tray = getattr(w, "tray", None)
        if tray is not None:
            tray.timer.stop()
        first.release()
