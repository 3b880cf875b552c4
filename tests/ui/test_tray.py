"""Tray, single instance and start-with-the-session, on real widgets offscreen. The real tray
may be unavailable offscreen, so the logic is driven directly: the menu, the pending-count
text, the quit confirmation, two launches on one data folder, the autostart file."""
from __future__ import annotations

import sys

import pytest
from sales_helper import sell

from app import autostart
from app.ui.single_instance import SingleInstance, server_name
from app.ui.tray import Tray, pending_text, quit_question


@pytest.fixture
def tray_window(make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    w = make_window()
    asked: list[str] = []
    answers: list[bool] = []

    def ask(text: str) -> bool:
        asked.append(text)
        return answers.pop(0)

    tray = Tray(w, ask=ask)
    w.tray = tray
    yield w, tray, asked, answers
    tray.timer.stop()
    tray.icon.hide()


def test_menu_and_pending_count(tray_window):
    w, tray, _asked, _answers = tray_window
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Abrir Mostrador", "Enviar ahora", "Iniciar con la sesión", "Salir"]
    assert tray.refresh() == "Mostrador: sin documentos por enviar"
    for _ in range(3):
        sell(w, ["PAN"])  # no worker: they wait in the outbox
    assert tray.refresh() == "Mostrador: 3 documentos por enviar"
    assert tray.icon.toolTip() == "Mostrador: 3 documentos por enviar"
    assert pending_text(1) == "Mostrador: 1 documento por enviar"


def test_quit_asks_when_pending_and_says_the_deadline(tray_window, qtbot):
    w, tray, asked, answers = tray_window
    sell(w, ["PAN"])
    answers.append(False)
    assert tray.quit() is False  # "Seguir enviando": nothing stops
    assert len(asked) == 1
    facts = tray.facts()
    assert "Hay 1 documento por enviar." in asked[0]
    assert f"plazo legal para enviarlo es de {int(facts.deadline_hours)} h" in asked[0]
    assert w.status.timer.isActive() and tray.timer.isActive()
    answers.append(True)
    assert tray.quit() is True
    assert len(asked) == 2
    assert not tray.timer.isActive() and not w.status.timer.isActive()


def test_quit_without_pending_does_not_ask(tray_window):
    w, tray, asked, _answers = tray_window
    assert quit_question(tray.facts()) is None
    assert tray.quit() is True
    assert asked == []


def test_overdue_deadline_is_said(tray_window):
    from dataclasses import replace

    w, tray, _asked, _answers = tray_window
    sell(w, ["PAN"])
    facts = tray.facts()
    late = replace(facts, oldest_age_seconds=facts.deadline_hours * 3600 + 60)
    assert f"plazo legal de {int(facts.deadline_hours)} h ya venció" in quit_question(late)


def test_closing_the_window_hides_it_and_keeps_transmitting(tray_window, qtbot):
    w, tray, _asked, _answers = tray_window
    tray.icon.show()
    if not tray.icon.isVisible():
        pytest.skip("QSystemTrayIcon refuses to be visible on this platform plugin")
    w.close()
    assert not w.isVisible()
    assert w.status.timer.isActive()  # not shut down: the window comes back from the tray
    assert tray.told_hidden
    tray.show_window()
    qtbot.waitUntil(w.isVisible)


def test_autostart_switch_writes_and_removes_the_entry(tray_window, tmp_path):
    w, tray, _asked, _answers = tray_window
    entry = tmp_path / "home" / ".config" / "autostart" / "mostrador.desktop"
    tray.autostart_action.setChecked(True)
    assert entry.is_file()
    assert autostart.registered() == [sys.executable, "-m", "app"]
    assert tray.autostart_wanted() is True
    tray.autostart_action.setChecked(False)
    assert not entry.exists()
    assert tray.autostart_wanted() is False


def test_autostart_entry_quotes_paths_with_spaces(tmp_path):
    home = tmp_path / "casa"
    cmd = [str(tmp_path / "Mis programas" / "mostradorw"), "--data-dir", "/datos/tienda $1 \\ \"x\""]
    autostart.enable(cmd, home=home)
    text = autostart.autostart_file(home).read_text(encoding="utf-8")
    assert "[Desktop Entry]" in text and "Terminal=false" in text
    assert autostart.registered(home=home) == cmd
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith(r'"/datos/tienda \\$1 \\\\ \\"x\\""')  # the spec's quoting, then its \\ rule
    autostart.disable(home=home)
    assert autostart.registered(home=home) is None
    autostart.disable(home=home)  # twice is fine


def test_autostart_setting_default_is_frozen_only(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert autostart.wanted(None) is False
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert autostart.wanted(None) is True
    assert autostart.wanted("0") is False
    assert autostart.wanted("1") is True


def test_second_launch_brings_the_first_forward(qtbot, tmp_path):
    from app.ui.main import make_app

    make_app()
    first = SingleInstance(tmp_path / "tienda")
    assert first.acquire() is True
    second = SingleInstance(tmp_path / "tienda")
    with qtbot.waitSignal(first.activated, timeout=5000):
        assert second.acquire() is False
    assert second.server is None
    other = SingleInstance(tmp_path / "otra-tienda")  # another data folder is another instance
    assert other.acquire() is True
    assert server_name(tmp_path / "tienda") != server_name(tmp_path / "otra-tienda")
    other.release()
    first.release()
    again = SingleInstance(tmp_path / "tienda")  # the first quit: the next launch is the first
    assert again.acquire() is True
    again.release()
