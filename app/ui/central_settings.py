"""Configuración › Central: join this register to a central store (URL and one-time code from
`mostrador central enrol`), and see the central server's pinned certificate fingerprint and the
last replication. A self-contained QGroupBox over app/central (docs/central.md)."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.core.errors import MostradorError
from app.ui.i18n import tr
from app.ui.widgets import Banner, error_text


def _(text: str) -> str:
    return tr("CentralSettingsBox", text)


def _pairs(fp: str) -> str:
    return ":".join(fp[i:i + 2] for i in range(0, len(fp), 2)).upper()


def _when(iso: str | None) -> str:
    if not iso:
        return _("todavía ninguna")
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return iso


class CentralSettingsBox(QGroupBox):
    """`ctx` (optional): the window's context; once joined, its running worker replicates too."""

    def __init__(self, session, ctx=None, parent=None):
        super().__init__(_("Central (varias cajas y locales)"), parent)
        self.session, self.ctx, self.conn = session, ctx, session.conn
        lay = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("centralStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        form = QFormLayout()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://HOST:PUERTO/#sha256=…")
        self.code = QLineEdit()
        self.code.setPlaceholderText(_("código de un solo uso de `mostrador central enrol`"))
        form.addRow(_("Dirección de la central"), self.url)
        form.addRow(_("Código de unión"), self.code)
        lay.addLayout(form)
        self.join_button = QPushButton(_("Unir esta caja a la central"))
        self.join_button.clicked.connect(self.join)
        lay.addWidget(self.join_button)
        hint = QLabel(_("La caja sigue vendiendo sin la central: lo vendido se envía después de cada venta "
                        "y el catálogo, los precios y los clientes llegan desde la central."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.message = Banner()
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        from app.central import admin

        st = admin.register_status(self.conn)
        if not st["joined"]:
            self.status.setText(_("Esta caja no está unida a ninguna central."))
            return
        self.status.setText("\n".join([
            _("Unida a la central como «{name}»").format(name=st["register"]),
            _("Servidor: {server}").format(server=st["server"]),
            _("Huella del certificado (SHA-256): {fp}").format(fp=_pairs(st["fingerprint"])),
            _("Última replicación: {when}").format(when=_when(st["last_sync"])),
            _("Pendiente de enviar: {n} filas").format(n=st["pending"]),
        ]))

    def join(self) -> None:
        """Online action: the server must answer (10 s at most); nothing is stored if it does not."""
        from app.central import admin, replica
        from app.pos.runtime import register_info

        url, code = self.url.text().strip(), self.code.text().strip()
        if not url or not code:
            self.message.error(_("Escriba la dirección y el código que imprimió `mostrador central enrol`."))
            return
        was_joined = replica.joined(self.conn)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            joined = admin.join(self.conn, url, code)
            result = admin.sync_now(self.conn, register_info(self.session))
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        worker = getattr(self.ctx, "worker", None)
        if worker is not None and not was_joined:  # the running worker replicates from now on
            worker.extra_work.append(replica.Replicator(url, replica.token(self.conn)).run_pass)
        self.code.clear()
        if result["ok"]:
            self.message.info(_("Caja unida a la central como «{name}»; replicadas {n} filas.").format(
                name=joined["register"], n=result["moved"]))
        else:
            self.message.error(_("Caja unida, pero la primera replicación falló (se reintentará): {e}").format(
                e=result["error"]))
        self.refresh()
