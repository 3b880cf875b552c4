"""Small shared widgets: supervisor PIN dialog, message banner, form helpers."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from app.core.errors import ValidationError
from app.pos import users
from app.ui.i18n import tr


def _(text: str) -> str:
    return tr("Widgets", text)


def fkey_button(text: str, key: str, slot: Callable | None = None, *, primary: bool = False) -> QPushButton:
    """A button whose label shows its keyboard shortcut, e.g. 'Cobrar (F12)'."""
    b = QPushButton(f"{text}  ({key})" if key else text)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keyboard users use the key; focus stays in the field
    if primary:
        b.setObjectName("primary")
    if slot:
        b.clicked.connect(slot)
    return b


class Banner(QLabel):
    """A one-line message under a form: errors in red, information in grey."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()

    def error(self, text: str) -> None:
        self.setObjectName("error")
        self.setStyleSheet("color:#b00020;font-weight:bold;")
        self.setText(text)
        self.setVisible(bool(text))

    def info(self, text: str) -> None:
        self.setStyleSheet("color:#1b5e20;")
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


class PinDialog(QDialog):
    """Asks a supervisor or administrator for a PIN. Non-blocking: open() and `approved`."""

    def __init__(self, conn, reason: str, on_approved: Callable[[users.User], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.conn = conn
        self.on_approved = on_approved
        self.setWindowTitle(_("Autorización de supervisor"))
        self.setModal(True)
        lay = QVBoxLayout(self)
        msg = QLabel(reason)
        msg.setWordWrap(True)
        lay.addWidget(msg)
        lay.addWidget(QLabel(_("PIN del supervisor:")))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        lay.addWidget(self.pin)
        self.error = Banner()
        lay.addWidget(self.error)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.check)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.pin.returnPressed.connect(self.check)

    def check(self) -> None:
        user = users.authorize(self.conn, self.pin.text())
        if user is None:
            self.error.error(_("PIN incorrecto o sin permiso de supervisor"))
            self.pin.selectAll()
            return
        self.accept()
        self.on_approved(user)


def open_dialog(dialog: QDialog) -> QDialog:
    """Shows a window-modal dialog without blocking, in front and with the keyboard focus
    (its F-keys work at once)."""
    parent = dialog.parentWidget()
    if parent is not None:  # back to the window underneath, keyboard included, when it closes
        dialog.finished.connect(lambda _r: parent.window().activateWindow())
    dialog.open()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def error_text(exc: Exception) -> str:
    """The Spanish sentence(s) for people, without the field paths meant for programs."""
    if isinstance(exc, ValidationError):
        return "\n".join(e.message for e in exc.errors)
    return str(exc)
