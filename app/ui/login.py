"""Who is at the till: user and PIN."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from app.pos import users
from app.ui.i18n import tr
from app.ui.widgets import Banner


def _(text: str) -> str:
    return tr("LoginDialog", text)


class LoginDialog(QDialog):
    def __init__(self, conn, parent=None):
        super().__init__(parent)
        self.conn = conn
        self.user: users.User | None = None
        self.setWindowTitle(_("Mostrador — ingreso"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(_("Elija su usuario y escriba su PIN")))
        form = QFormLayout()
        self.name = QComboBox()
        for u in users.list_users(conn):
            self.name.addItem(f"{u.name} ({users.ROLE_LABELS[u.role]})", u.name)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.returnPressed.connect(self.check)
        form.addRow(_("Usuario"), self.name)
        form.addRow(_("PIN"), self.pin)
        lay.addLayout(form)
        self.error = Banner()
        lay.addWidget(self.error)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.check)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.pin.setFocus()

    def check(self) -> None:
        user = users.authenticate(self.conn, self.pin.text(), name=self.name.currentData())
        if user is None:
            self.error.error(_("PIN incorrecto"))
            self.pin.clear()
            return
        self.user = user
        self.accept()
