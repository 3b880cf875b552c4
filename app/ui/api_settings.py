"""Configuración › Integraciones › API local: on/off, port, keys (created and revoked here, shown
once), webhook subscriptions and the last calls. A self-contained QGroupBox over app/api."""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout)

from app.api import keys
from app.api.http import country_dialects
from app.core.errors import MostradorError
from app.store import settings
from app.ui.i18n import tr
from app.ui.widgets import Banner, error_text

ENABLED, PORT = "api.enabled", "api.port"
DEFAULT_PORT = 8765
# data folder -> the running server: survives the settings tabs being rebuilt on each save
_RUNNING: dict[str, object] = {}


def _(text: str) -> str:
    return tr("ApiSettingsBox", text)


def running(session):
    return _RUNNING.get(str(session.data.root))


def start_server(session, port: int):
    """Serves the API of `session`'s data folder on 127.0.0.1:`port` in a background thread,
    with its own connection (the window's stays on the Qt thread)."""
    from app.api.server import start
    from app.pos.session import Session

    stop_server(session)
    handle = start(Session(session.data), port=port)
    _RUNNING[str(session.data.root)] = handle
    return handle


def stop_server(session) -> None:
    handle = _RUNNING.pop(str(session.data.root), None)
    if handle is not None:
        handle.stop()


class ApiSettingsBox(QGroupBox):
    def __init__(self, session, parent=None):
        super().__init__(_("API local (Dátil, FacturaSend, DTEpy)"), parent)
        self.session = session
        self.conn = session.conn
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.enabled = QCheckBox(_("Servir la API en este equipo (127.0.0.1)"))
        self.port = QSpinBox()
        self.port.setRange(1024, 65535)
        self.port.setValue(int(settings.get(self.conn, PORT, DEFAULT_PORT) or DEFAULT_PORT))
        self.state = QLabel()
        row.addWidget(self.enabled)
        row.addWidget(QLabel(_("Puerto")))
        row.addWidget(self.port)
        row.addWidget(self.state, 1)
        lay.addLayout(row)

        lay.addWidget(QLabel(_("Claves")))
        self.keys = QTableWidget(0, 5)
        self.keys.setHorizontalHeaderLabels([_("Nombre"), _("Dialecto"), _("Tenant"), _("Último uso"), _("Estado")])
        lay.addWidget(self.keys)
        row = QHBoxLayout()
        self.key_name = QLineEdit()
        self.key_name.setPlaceholderText(_("Nombre de la clave (p. ej. el del ERP)"))
        self.dialect = QComboBox()
        self.dialect.addItem(_("Todos los dialectos"), None)
        for name in country_dialects(session.company.country):
            self.dialect.addItem(name, name)
        self.create_button = QPushButton(_("Crear clave"))
        self.revoke_button = QPushButton(_("Revocar la seleccionada"))
        for w in (self.key_name, self.dialect, self.create_button, self.revoke_button):
            row.addWidget(w)
        lay.addLayout(row)
        self.new_key = QLineEdit()
        self.new_key.setReadOnly(True)
        self.new_key.setPlaceholderText(_("La clave nueva aparece aquí una sola vez: cópiela"))
        lay.addWidget(self.new_key)

        lay.addWidget(QLabel(_("Notificaciones (webhooks)")))
        self.hooks = QListWidget()
        lay.addWidget(self.hooks)
        lay.addWidget(QLabel(_("Últimas llamadas")))
        self.calls = QListWidget()
        lay.addWidget(self.calls)
        self.message = Banner()
        lay.addWidget(self.message)

        self.enabled.setChecked(running(session) is not None)
        self.enabled.toggled.connect(self.toggle)
        self.create_button.clicked.connect(self.create_key)
        self.revoke_button.clicked.connect(self.revoke_key)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh_calls)
        self.timer.start(2000)
        self.refresh()

    # -- actions ----------------------------------------------------------------------------------
    def toggle(self, on: bool) -> None:
        try:
            settings.put(self.conn, ENABLED, bool(on))
            settings.put(self.conn, PORT, self.port.value())
            if on:
                start_server(self.session, self.port.value())
            else:
                stop_server(self.session)
        except MostradorError as exc:
            self.message.error(error_text(exc))
            self.enabled.blockSignals(True)
            self.enabled.setChecked(False)
            self.enabled.blockSignals(False)
        self.refresh()

    def create_key(self) -> None:
        try:
            out = keys.create(self.conn, self.key_name.text(), self.session.company.ruc, self.dialect.currentData())
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.new_key.setText(out["key"])
        self.key_name.clear()
        self.message.info(_("Clave creada. Tenant para FacturaSend: {t}").format(t=out["tenant"]))
        self.refresh()

    def revoke_key(self) -> None:
        row = self.keys.currentRow()
        if row < 0:
            self.message.error(_("Elija la clave a revocar"))
            return
        name = self.keys.item(row, 0).text()
        try:
            keys.revoke(self.conn, name)
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.message.info(_("Clave {n} revocada").format(n=name))
        self.refresh()

    # -- reading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        handle = running(self.session)
        self.state.setText(_("Sirviendo en {u}/docs").format(u=handle.url) if handle else _("Detenida"))
        listed = keys.listing(self.conn)
        self.keys.setRowCount(len(listed))
        for r, k in enumerate(listed):
            cells = (k["name"], k["dialect"] or _("todos"), k["tenant"], k["last_used_at"] or "—",
                     _("revocada") if k["revoked"] else _("activa"))
            for c, text in enumerate(cells):
                self.keys.setItem(r, c, QTableWidgetItem(text))
        self.hooks.clear()
        for url, event, dialect in self.conn.execute("SELECT url, event_name, dialect FROM api_webhooks ORDER BY id"):
            self.hooks.addItem(f"{event} → {url} ({dialect})")
        self.refresh_calls()

    def refresh_calls(self) -> None:
        handle = running(self.session)
        calls = list(handle.app.state.api.calls)[-20:] if handle else []
        self.calls.clear()
        for c in reversed(calls):
            when = time.strftime("%H:%M:%S", time.localtime(c["at"]))
            self.calls.addItem(f"{when}  {c['method']} {c['path']}  → {c['status']}  ({c['ms']} ms)")

