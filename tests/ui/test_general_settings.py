"""Configuración › General: "Iniciar Mostrador con la sesión del usuario" (issue #12 item 4),
real widgets offscreen, a real XDG autostart entry under a tmp HOME."""
from __future__ import annotations

import sys

import pytest

from app import autostart
from app.store import settings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the XDG entry; Windows uses the registry")


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


def _view(qtbot, session, *, demo: bool):
    from app.pos import users
    from app.ui.general_settings import GeneralSettingsBox
    from app.ui.main import build_context
    from app.ui.settings_view import SettingsView

    admin = users.authenticate(session.conn, "9753")
    view = SettingsView(build_context(session, admin, demo=demo, stack=None))
    qtbot.addWidget(view)
    box = next(view.tabs.widget(i) for i in range(view.tabs.count())
               if isinstance(view.tabs.widget(i), GeneralSettingsBox))
    assert view.tabs.tabText(view.tabs.indexOf(box)) == "General"
    return view, box


def test_the_switch_registers_and_unregisters_on_save(qtbot, home, demo_session):
    entry = home / ".config" / "autostart" / autostart.DESKTOP_FILE
    view, box = _view(qtbot, demo_session, demo=False)
    assert box.autostart.text() == "Iniciar Mostrador con la sesión del usuario"
    assert not box.autostart.isChecked()  # unset: off for a checkout (not the installed program)
    box.autostart.setChecked(True)
    assert not entry.exists()  # nothing happens before saving
    view.save()
    assert "guardada" in view.message.text(), view.message.text()
    assert settings.get(demo_session.conn, autostart.SETTING) == "1"
    assert entry.exists() and autostart.registered(home=home) == autostart.command()
    view2, box2 = _view(qtbot, demo_session, demo=False)  # a new Configuración shows what is stored
    assert box2.autostart.isChecked()
    box2.autostart.setChecked(False)
    view2.save()
    assert settings.get(demo_session.conn, autostart.SETTING) == "0"
    assert not entry.exists() and autostart.registered(home=home) is None


def test_a_read_only_profile_is_said_not_fatal(qtbot, home, demo_session):
    (home / ".config").write_text("not a folder")  # the entry's folder cannot be created
    view, box = _view(qtbot, demo_session, demo=False)
    box.autostart.setChecked(True)
    view.save()
    assert "guardada" in view.message.text()
    assert settings.get(demo_session.conn, autostart.SETTING) == "1"
    assert box.result.text().startswith("No se pudo cambiar el inicio con la sesión")


def test_the_demo_never_registers_itself(qtbot, home, demo_session):
    view, box = _view(qtbot, demo_session, demo=True)
    assert not box.autostart.isEnabled()
    box.autostart.setChecked(True)
    view.save()
    assert not (home / ".config" / "autostart" / autostart.DESKTOP_FILE).exists()
    assert settings.get(demo_session.conn, autostart.SETTING) is None
