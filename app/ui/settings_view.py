"""Configuración: the wizard's pages as tabs, saved with F9 (administrators only)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from app.core.errors import MostradorError, ValidationError
from app.pos import setup
from app.ui.context import AppContext
from app.ui.i18n import tr
from app.ui.setup_pages import SetupForm
from app.ui.widgets import error_text, Banner, open_dialog, PinDialog, fkey_button


def _(text: str) -> str:
    return tr("SettingsView", text)


class SettingsView(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.pin_dialog = None
        lay = QVBoxLayout(self)
        note = QLabel(_("Los cambios se aplican al guardar, sin reiniciar. Guardar requiere un administrador."))
        note.setObjectName("hint")
        lay.addWidget(note)
        self.tabs = QTabWidget()
        lay.addWidget(self.tabs, 1)
        self.message = Banner()
        lay.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(fkey_button(_("Guardar"), "F9", self.save, primary=True))
        lay.addLayout(row)
        s = QShortcut(QKeySequence("F9"), self)
        s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        s.activated.connect(self.save)
        self.load()

    def load(self) -> None:
        self.tabs.clear()
        self.form = SetupForm(self.ctx.conn, self.ctx.session.company)
        for p in self.form.pages:
            self.tabs.addTab(p, _(p.title))
        from app.ui.api_settings import ApiSettingsBox  # Integraciones › API local (issue #10)

        self.tabs.addTab(ApiSettingsBox(self.ctx.session), _("API local"))
        from app.ui.integrations_view import IntegrationsPage  # Integraciones › correo, centro comercial (#11)

        self.integrations = IntegrationsPage(self.ctx)
        self.tabs.addTab(self.integrations, _("Correo y centro comercial"))
        from app.ui.central_settings import CentralSettingsBox  # Central: join, fingerprint, replication (#14)
        self.tabs.addTab(CentralSettingsBox(self.ctx.session, self.ctx), _("Central"))
        from app.ui.general_settings import GeneralSettingsBox  # General: start with the session (#12)
        self.tabs.addTab(GeneralSettingsBox(self.ctx), _("General"))
        from app.ui.exchange_rates_settings import ExchangeRatesBox, offered  # Tipo de cambio (#13)
        if offered(self.ctx):
            self.tabs.addTab(ExchangeRatesBox(self.ctx), _("Tipo de cambio"))
        self.tabs.setCurrentIndex(1)  # Empresa: the country does not change after setup

    def save(self) -> None:
        if self.ctx.user.is_admin:
            self._save(self.ctx.user)
            return
        self.pin_dialog = PinDialog(self.ctx.conn, _("Guardar la configuración requiere un administrador"),
                                    self._save, self)
        open_dialog(self.pin_dialog)

    def _save(self, approver) -> None:
        if not approver.is_admin:
            self.message.error(_("Solo un administrador puede cambiar la configuración"))
            return
        try:
            self.integrations.save()  # e-mail and mall settings (validated before anything is written)
            setup.save(self.ctx.session.data, self.ctx.conn, self.form.answers(), actor=approver.name)
        except ValidationError as exc:
            self.message.error("\n".join(f"{e.message}" for e in exc.errors))
            return
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.ctx.settings_saved()  # the open screens re-read the settings: no restart
        self.message.info(_("Configuración guardada y aplicada."))
