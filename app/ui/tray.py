"""The tray icon: closing the cashier's window hides it and the transmitter keeps sending from
here ("Mostrador: 3 documentos por enviar"). "Salir" really quits, after asking when documents
are still waiting, and says the legal deadline. Also the "start with the session" switch."""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QSystemTrayIcon

from app import autostart
from app.pos import till
from app.ui.i18n import tr
from app.ui.status_panel import age_text

log = logging.getLogger("mostrador.ui")


def _(text: str) -> str:
    return tr("Tray", text)


def pending_text(pending: int) -> str:
    if pending == 0:
        return _("Mostrador: sin documentos por enviar")
    if pending == 1:
        return _("Mostrador: 1 documento por enviar")
    return _("Mostrador: {0} documentos por enviar").format(pending)


def quit_question(facts) -> str | None:
    """What "Salir" asks before quitting, or None when nothing is waiting."""
    if not facts.pending:
        return None
    n = facts.pending
    head = (_("Hay 1 documento por enviar.") if n == 1 else _("Hay {0} documentos por enviar.").format(n))
    hours = int(facts.deadline_hours)
    left = facts.deadline_hours * 3600 - (facts.oldest_age_seconds or 0)
    deadline = (_("El plazo legal para enviarlo es de {0} h y vence en {1} (el más antiguo).").format(hours, age_text(left))
                if left > 0 else _("El plazo legal de {0} h ya venció para el más antiguo.").format(hours))
    return (f"{head}\n{deadline}\n\n"
            + _("Si sale, no se enviarán hasta que vuelva a abrir Mostrador. ¿Salir de todos modos?"))


def icon() -> QIcon:
    from app.resources import resource

    return QIcon(str(resource("icons", "mostrador.png")))


class Tray(QObject):
    """`window`: the MainWindow (hidden on close, shown from the menu). `ask(text) -> bool`
    confirms quitting (a QMessageBox by default; tests pass their own)."""

    def __init__(self, window, *, ask: Callable[[str], bool] | None = None, settings_conn=None,
                 interval_ms: int = 5000, parent=None):
        super().__init__(parent or window)
        self.window = window
        self.ctx = window.ctx
        self._ask = ask or self._ask_box
        self._conn = settings_conn or self.ctx.conn
        self.told_hidden = False
        self.icon = QSystemTrayIcon(icon(), self)
        self.menu = QMenu()
        self.open_action = QAction(_("Abrir Mostrador"), self.menu)
        self.open_action.triggered.connect(self.show_window)
        self.send_action = QAction(_("Enviar ahora"), self.menu)
        self.send_action.triggered.connect(self.ctx.wake_worker)
        self.autostart_action = QAction(_("Iniciar con la sesión"), self.menu)
        self.autostart_action.setCheckable(True)
        self.autostart_action.setChecked(self.autostart_wanted())
        self.autostart_action.toggled.connect(self.set_autostart)
        self.quit_action = QAction(_("Salir"), self.menu)
        self.quit_action.triggered.connect(self.quit)
        for a in (self.open_action, self.send_action):
            self.menu.addAction(a)
        self.menu.addSeparator()
        self.menu.addAction(self.autostart_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(interval_ms)
        self.refresh()

    # ---------------------------------------------------------------- state
    def facts(self):
        return till.sync_facts(self.ctx.conn, self.ctx.session.company.country)

    def refresh(self) -> str:
        text = pending_text(self.facts().pending)
        self.icon.setToolTip(text)
        return text

    def autostart_wanted(self) -> bool:
        from app.store import settings

        return autostart.wanted(settings.get(self._conn, autostart.SETTING))

    def set_autostart(self, on: bool) -> None:
        from app.store import settings
        from app.store.db import transaction

        with transaction(self._conn):
            settings.put(self._conn, autostart.SETTING, "1" if on else "0")
        try:
            autostart.apply(on)
        except OSError as exc:
            log.warning("no se pudo cambiar el inicio con la sesión: %s", exc)

    # ---------------------------------------------------------------- window
    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def install(self) -> bool:
        """Shows the icon and keeps the program alive without a window. False (and nothing
        changes) when the desktop has no tray: closing the window then quits as before."""
        if not self.available():
            return False
        QApplication.instance().setQuitOnLastWindowClosed(False)
        self.icon.show()
        return True

    def hide_window(self) -> None:
        """Closing the window: hide it, keep transmitting, say so once."""
        self.window.hide()
        if not self.told_hidden and self.icon.isVisible():
            self.icon.showMessage("Mostrador", _("Mostrador sigue enviando los documentos desde aquí. "
                                                 "Use «Salir» en este menú para cerrarlo."),
                                  QSystemTrayIcon.MessageIcon.Information, 5000)
        self.told_hidden = True

    def show_window(self) -> None:
        from app.ui.single_instance import bring_forward

        bring_forward(self.window)

    def _activated(self, reason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window()

    # ---------------------------------------------------------------- quit
    def confirm_quit(self) -> bool:
        question = quit_question(self.facts())
        return question is None or self._ask(question)

    def quit(self) -> bool:
        if not self.confirm_quit():
            return False
        self.timer.stop()
        self.icon.hide()
        self.window.shutdown()
        QApplication.instance().quit()
        return True

    def _ask_box(self, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, _("Salir de Mostrador"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(_("Salir"))
        box.button(QMessageBox.StandardButton.No).setText(_("Seguir enviando"))
        return box.exec() == QMessageBox.StandardButton.Yes
