"""Configuración › General: whether Mostrador starts with the user's session (the setting
`ui.autostart`, registered through app/autostart.py — the tray's menu switches the same
thing). Applied when Configuración is saved: it listens to `ctx.settings.changed`, which
SettingsView emits only after an administrator's save succeeded."""
from __future__ import annotations

import logging

from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from app import autostart
from app.store import settings
from app.store.db import transaction
from app.ui.i18n import tr

log = logging.getLogger("mostrador.ui")


def _(text: str) -> str:
    return tr("GeneralSettings", text)


class GeneralSettingsBox(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.conn = ctx.session.conn
        lay = QVBoxLayout(self)
        self.autostart = QCheckBox(_("Iniciar Mostrador con la sesión del usuario"))
        lay.addWidget(self.autostart)
        self.note = QLabel(_("Así los comprobantes se siguen enviando aunque nadie abra la ventana."))
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.result = QLabel()
        self.result.setWordWrap(True)
        lay.addWidget(self.result)
        lay.addStretch(1)
        if ctx.demo:  # the demonstration never registers itself (as app.ui.main.install_tray)
            self.autostart.setEnabled(False)
            self.note.setText(_("No se aplica en la demostración."))
        self.load()
        ctx.settings.changed.connect(self.save)

    def load(self) -> None:
        self.autostart.setChecked(autostart.wanted(settings.get(self.conn, autostart.SETTING)))

    def save(self) -> None:
        """Stores `ui.autostart` and makes the registration match (best effort: a read-only
        profile is said here and logged, never stops the save)."""
        if self.ctx.demo:
            return
        on = self.autostart.isChecked()
        with transaction(self.conn):
            settings.put(self.conn, autostart.SETTING, "1" if on else "0")
        try:
            autostart.apply(on)
        except OSError as exc:
            log.warning("no se pudo cambiar el inicio con la sesión: %s", exc)
            self.result.setText(_("No se pudo cambiar el inicio con la sesión: {0}").format(exc))
            return
        self.result.setText("")
