"""Small shared widgets: supervisor PIN dialog, message banner, form helpers."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QCompleter, QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

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


class SearchCombo(QComboBox):
    """A field chosen from a list, searchable as you type: any part of a name (accents and case
    aside) or the code itself. `value()` is the chosen code ('' when nothing matches); a typed
    code that is in the list counts as chosen. `chosen` is emitted with the code."""

    chosen = Signal(str)

    def __init__(self, choices: list[tuple[str, str]] = (), value: str = "", parent=None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.lineEdit().setPlaceholderText(_("Escriba para buscar"))
        self.currentIndexChanged.connect(lambda _i: self.chosen.emit(self.value()))
        self.lineEdit().editingFinished.connect(self._typed)
        self.set_choices(choices, value)

    def set_choices(self, choices, value: str = "") -> None:
        """Replaces the list, keeping `value` chosen when it is in it."""
        self.blockSignals(True)
        self.clear()
        for code, label in choices:
            self.addItem(label, code)
        self.blockSignals(False)
        self.set_value(value)

    def set_value(self, value: str) -> None:
        i = self.findData(str(value)) if str(value) else -1
        self.setCurrentIndex(i)
        if i < 0:
            self.setEditText(str(value))

    def _typed(self) -> None:
        """Enter or leaving the field: a unique match of what was typed (a code, a name or part
        of one) is chosen."""
        text = self.currentText().strip()
        if not text or (self.currentIndex() >= 0 and self.itemText(self.currentIndex()) == text):
            return
        i = self.findData(text)
        if i < 0:
            key = _folded(text)
            hits = [n for n in range(self.count()) if key in _folded(self.itemText(n))]
            exact = [n for n in hits if _folded(self.itemText(n)).startswith(key + " (")]
            i = (exact or hits)[0] if len(hits) == 1 or exact else -1
        if i >= 0:
            self.setCurrentIndex(i)
            self.setEditText(self.itemText(i))
            self.chosen.emit(self.value())

    def value(self) -> str:
        i = self.currentIndex()
        if i >= 0 and self.itemText(i) == self.currentText():
            return str(self.itemData(i))
        text = self.currentText().strip()
        # a code typed by hand stays (the setup's checks say when it is not in the table)
        return text if self.findData(text) >= 0 or text.isdigit() else ""


def _folded(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def fit_placeholder(field: QLineEdit) -> QLineEdit:
    """Makes `field` at least as wide as its placeholder (frame, padding and margins included),
    so the hint is never cut off."""
    from PySide6.QtWidgets import QStyle, QStyleOptionFrame

    text = field.placeholderText()
    if text:
        field.ensurePolished()  # the style sheet's padding counts
        opt = QStyleOptionFrame()
        field.initStyleOption(opt)
        opt.rect = QRect(0, 0, 1000, max(field.sizeHint().height(), 20))
        inner = field.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, field)
        chrome = max(0, 1000 - inner.width()) + 4  # QLineEdit's own 2 px each side
        m = field.textMargins()
        field.setMinimumWidth(field.fontMetrics().horizontalAdvance(text) + chrome + m.left() + m.right() + 6)
    return field
