"""Configuración → Integraciones: the e-mail to the buyer (SMTP) and the mall report, each a
self-contained `QGroupBox` with `load()` / `save()` over the same settings the CLI writes
(`mostrador settings`, app.integrations.config), passwords only to the keyring, and what the
owner needs to see: the last results and what failed, in Spanish. Other integrations (the local
API) add their own group to `IntegrationsPage.groups`."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from app.core.errors import MostradorError, ValidationError
from app.integrations import config, jobs, mail, mall
from app.store.db import transaction
from app.ui.i18n import tr


def _(text: str) -> str:
    return tr("IntegrationsView", text)


def _password_field(has_secret: bool) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(_("(guardada en el llavero; escriba para cambiarla)") if has_secret
                             else _("(sin contraseña)"))
    return field


def _has_secret(conn, name: str) -> bool:
    try:
        return config.load_secret(conn, name) is not None
    except MostradorError:
        return False


class SmtpGroup(QGroupBox):
    """SMTP settings, "send a test e-mail", the latest e-mails that failed or may have gone."""

    def __init__(self, conn, parent=None, *, demo: bool = False, services=None):
        super().__init__(_("Correo al comprador (SMTP)"), parent)
        self.conn = conn
        self.sink = None
        self._own_sink = False  # a sink demo mode started (app.integrations.demo) outlives this view
        form = QFormLayout(self)
        self.host = QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.security = QComboBox()
        for value, label in (("starttls", _("STARTTLS")), ("tls", _("TLS implícito")), ("none", _("Ninguna"))):
            self.security.addItem(label, value)
        self.user = QLineEdit()
        self.password = _password_field(False)
        self.sender = QLineEdit()
        self.sender_name = QLineEdit()
        self.reply_to = QLineEdit()
        for label, w in ((_("Servidor"), self.host), (_("Puerto"), self.port), (_("Seguridad"), self.security),
                         (_("Usuario"), self.user), (_("Contraseña"), self.password),
                         (_("Remitente (correo)"), self.sender), (_("Nombre del remitente"), self.sender_name),
                         (_("Responder a"), self.reply_to)):
            form.addRow(label, w)
        row = QHBoxLayout()
        self.test_to = QLineEdit()
        self.test_to.setPlaceholderText(_("correo de destino"))
        self.test_button = QPushButton(_("Enviar correo de prueba"))
        self.test_button.clicked.connect(self.send_test)
        row.addWidget(self.test_to, 1)
        row.addWidget(self.test_button)
        form.addRow(_("Prueba"), row)
        self.result = QLabel()
        self.result.setWordWrap(True)
        form.addRow("", self.result)
        self.problems = QListWidget()
        self.problems.setMaximumHeight(110)
        form.addRow(_("Correos con problemas"), self.problems)
        if demo:
            self.sink_button = QPushButton(_("Usar un buzón de prueba local"))
            self.sink_button.clicked.connect(self.start_sink)
            self.received = QListWidget()
            self.received.setMaximumHeight(110)
            form.addRow(self.sink_button)
            form.addRow(_("Recibidos en el buzón de prueba"), self.received)
            if services is not None and services.sink is not None:  # demo mode's sink: automatic
                self.sink = services.sink
                self.sink_button.hide()
                self.result.setText(_("Demostración: los correos van al buzón de prueba en 127.0.0.1:{port}")
                                    .format(port=self.sink.port))
                from PySide6.QtCore import QTimer

                self.refresh_timer = QTimer(self)
                self.refresh_timer.timeout.connect(self.show_received)
                self.refresh_timer.start(2000)
        self.load()
        if self.sink is not None:
            self.show_received()

    def load(self) -> None:
        c = self.conn
        self.host.setText(config.setting(c, "smtp.host") or "")
        self.port.setValue(int(config.setting(c, "smtp.port")))
        self.security.setCurrentIndex(max(0, self.security.findData(config.setting(c, "smtp.security"))))
        self.user.setText(config.setting(c, "smtp.user") or "")
        self.password.setPlaceholderText(_password_field(_has_secret(c, "smtp.password")).placeholderText())
        self.sender.setText(config.setting(c, "smtp.from") or "")
        self.sender_name.setText(config.setting(c, "smtp.name") or "")
        self.reply_to.setText(config.setting(c, "smtp.reply_to") or "")
        self.problems.clear()
        for v in jobs.listing(c, mail.KIND, limit=200):
            if v.status in (jobs.FAILED, jobs.UNCERTAIN) or (v.status == jobs.PENDING and v.last_error):
                self.problems.addItem(f"{v.payload.get('to', '')}: {v.status_es} — {v.last_error or ''}")
        if self.problems.count() == 0:
            self.problems.addItem(_("Ninguno"))

    def values(self) -> dict[str, str]:
        return {"smtp.host": self.host.text(), "smtp.port": str(self.port.value()),
                "smtp.security": self.security.currentData(), "smtp.user": self.user.text(),
                "smtp.from": self.sender.text(), "smtp.name": self.sender_name.text(),
                "smtp.reply_to": self.reply_to.text()}

    def save(self) -> None:
        """Validates everything first (a Spanish `ValidationError`), then writes."""
        values = self.values()
        for k, v in values.items():
            config.parse_value(k, v)
        with transaction(self.conn):
            for k, v in values.items():
                config.set_value(self.conn, k, v)
        if self.password.text():
            config.store_secret(self.conn, "smtp.password", self.password.text())
            self.password.clear()
        self.load()

    def send_test(self) -> None:
        try:
            self.save()
            answer = mail.send_test(self.conn, self.test_to.text())
        except ValidationError as exc:
            self.result.setText("\n".join(e.message for e in exc.errors))
            return
        except MostradorError as exc:
            self.result.setText(str(exc))
            return
        self.result.setText(_("Correo de prueba enviado a {to} ({answer}).").format(to=self.test_to.text(),
                                                                                    answer=answer))
        self.show_received()

    def start_sink(self) -> None:
        """Demo mode: a local SMTP sink on loopback, and the settings pointed at it."""
        from app.integrations.sandbox_smtp import SmtpSink

        if self.sink is None:
            self.sink = SmtpSink().start()
            self._own_sink = True
        self.host.setText("127.0.0.1")
        self.port.setValue(self.sink.port)
        self.security.setCurrentIndex(self.security.findData("none"))
        self.user.clear()
        if not self.sender.text():
            self.sender.setText("facturas@demo.mostrador.ec")
        self.save()
        self.result.setText(_("Buzón de prueba en 127.0.0.1:{port}").format(port=self.sink.port))

    def show_received(self) -> None:
        if self.sink is None:
            return
        self.received.clear()
        for r in self.sink.received[-20:]:
            m = r.message()
            self.received.addItem(f"{', '.join(r.rcpt_tos)}: {m['Subject']}")
        if self.received.count() == 0:
            self.received.addItem(_("Ninguno todavía"))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.sink is not None and self._own_sink:
            self.sink.stop()
            self.sink = None
        super().closeEvent(event)


class MallGroup(QGroupBox):
    """The mall report of one establishment (seed 000): SFTP or REST, and its last result."""

    def __init__(self, conn, estabs: list[str], parent=None):
        super().__init__(_("Reporte al centro comercial"), parent)
        self.conn = conn
        form = QFormLayout(self)
        self.estab = QComboBox()
        for e in estabs:
            self.estab.addItem(e, e)
        self.estab.currentIndexChanged.connect(self.load)
        self.mode = QComboBox()
        for value, label in (("", _("Sin reporte")), ("sftp", _("SFTP (archivo diario)")),
                             ("rest", _("REST (factura por factura)"))):
            self.mode.addItem(label, value)
        self.hour = QLineEdit()
        self.hour.setPlaceholderText("23:30")
        self.sftp_host, self.sftp_user, self.sftp_dir = QLineEdit(), QLineEdit(), QLineEdit()
        self.sftp_port = QSpinBox()
        self.sftp_port.setRange(1, 65535)
        self.sftp_password = _password_field(False)
        self.hostkey = QLabel()
        self.hostkey.setWordWrap(True)
        self.rest_url, self.rest_user = QLineEdit(), QLineEdit()
        self.rest_password = _password_field(False)
        for label, w in ((_("Establecimiento"), self.estab), (_("Modo"), self.mode), (_("Hora diaria"), self.hour),
                         (_("Servidor SFTP"), self.sftp_host), (_("Puerto SFTP"), self.sftp_port),
                         (_("Usuario SFTP"), self.sftp_user), (_("Contraseña SFTP"), self.sftp_password),
                         (_("Carpeta remota"), self.sftp_dir), (_("Clave del servidor"), self.hostkey),
                         (_("URL del API REST"), self.rest_url), (_("Usuario REST"), self.rest_user),
                         (_("Contraseña REST"), self.rest_password)):
            form.addRow(label, w)
        self.report_button = QPushButton(_("Reportar ahora"))
        self.report_button.clicked.connect(self.report_now)
        form.addRow(self.report_button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        form.addRow(_("Último reporte"), self.status)
        self.load()

    def _key(self, name: str) -> str:
        return f"mall.{self.estab.currentData()}.{name}"

    def load(self) -> None:
        if self.estab.currentData() is None:
            return
        c, k = self.conn, self._key
        self.mode.setCurrentIndex(max(0, self.mode.findData(config.setting(c, k("mode")) or "")))
        self.hour.setText(config.setting(c, k("hour")) or "")
        self.sftp_host.setText(config.setting(c, k("sftp.host")) or "")
        self.sftp_port.setValue(int(config.setting(c, k("sftp.port")) or 22))
        self.sftp_user.setText(config.setting(c, k("sftp.user")) or "")
        self.sftp_dir.setText(config.setting(c, k("sftp.dir")) or "")
        pinned = config.setting(c, k("sftp.hostkey"))
        self.hostkey.setText(mall.fingerprint(pinned) if pinned else _("se fijará en la primera conexión"))
        self.rest_url.setText(config.setting(c, k("rest.url")) or "")
        self.rest_user.setText(config.setting(c, k("rest.user")) or "")
        for field, name in ((self.sftp_password, "sftp.password"), (self.rest_password, "rest.password")):
            field.setPlaceholderText(_password_field(_has_secret(c, k(name))).placeholderText())
        self.status.setText(mall.status_text(c))

    def values(self) -> dict[str, str]:
        mode = self.mode.currentData()
        if not mode:
            return {}
        k = self._key
        out = {k("mode"): mode, k("hour"): self.hour.text() or "23:30"}
        if mode == "sftp":
            out.update({k("sftp.host"): self.sftp_host.text(), k("sftp.port"): str(self.sftp_port.value()),
                        k("sftp.user"): self.sftp_user.text(), k("sftp.dir"): self.sftp_dir.text() or "."})
        else:
            out.update({k("rest.url"): self.rest_url.text(), k("rest.user"): self.rest_user.text()})
        return out

    def save(self) -> None:
        if self.estab.currentData() is None:
            return
        values = self.values()
        for name, v in values.items():
            config.parse_value(name, v)
        with transaction(self.conn):
            if not values:
                self.conn.execute("DELETE FROM settings WHERE key=?", (self._key("mode"),))
            for name, v in values.items():
                config.set_value(self.conn, name, v)
        for field, name in ((self.sftp_password, "sftp.password"), (self.rest_password, "rest.password")):
            if field.text():
                config.store_secret(self.conn, self._key(name), field.text())
                field.clear()
        self.load()

    def report_now(self) -> None:
        try:
            self.save()
            rep = mall.run_report(self.conn, self.estab.currentData(), mall.today(self.conn))
        except ValidationError as exc:
            self.status.setText("\n".join(e.message for e in exc.errors))
            return
        except MostradorError as exc:
            self.status.setText(str(exc) + "\n" + mall.status_text(self.conn))
            return
        self.load()
        if not rep.deliveries:
            self.status.setText(_("Nada pendiente de reportar.") + "\n" + mall.status_text(self.conn))


class IntegrationsPage(QScrollArea):
    """The Integraciones tab: one group per integration; `save()` saves them all."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        conn = ctx.conn
        estabs = [e.code for e in ctx.session.company.establishments] or ["001"]
        self.groups: list[QGroupBox] = [SmtpGroup(conn, demo=bool(getattr(ctx, "demo", False)),
                                                  services=getattr(ctx, "demo_services", None)),
                                        MallGroup(conn, estabs)]
        for g in self.groups:
            lay.addWidget(g)
        lay.addStretch(1)
        self.setWidget(inner)

    def save(self) -> None:
        for g in self.groups:
            g.save()

    def close_resources(self) -> None:
        for g in self.groups:
            g.close()
