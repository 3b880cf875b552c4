"""Cobrar: one amount field per payment method, received / missing / change, confirm with Enter."""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from app.core.money import ZERO, fmt, to_decimal
from app.pos.cart import PAYMENT_METHODS, Settlement, settle
from app.ui.i18n import tr
from app.ui.widgets import error_text, Banner, fkey_button


def _(text: str) -> str:
    return tr("PaymentDialog", text)


# shown in this order; the shortcut focuses the field
METHOD_KEYS = (("efectivo", "F1"), ("tarjeta_credito", "F2"), ("tarjeta_debito", "F3"),
               ("transferencia", "F4"), ("dinero_electronico_ec", "F5"), ("cheque", "F6"), ("otros", "F7"))


class PaymentDialog(QDialog):
    def __init__(self, total: Decimal, on_confirm: Callable[[Settlement], str | None], parent=None):
        super().__init__(parent)
        self.total = total
        self.on_confirm = on_confirm
        self.settlement: Settlement | None = None
        self.setWindowTitle(_("Cobrar"))
        self.setModal(True)
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        head = QLabel(_("Total a cobrar: $ {0}").format(fmt(total)))
        head.setObjectName("total")
        lay.addWidget(head)
        grid = QGridLayout()
        self.fields: dict[str, QLineEdit] = {}
        for row, (medio, key) in enumerate(METHOD_KEYS):
            grid.addWidget(QLabel(f"{_(PAYMENT_METHODS[medio].label)}  ({key})"), row, 0)
            f = QLineEdit()
            f.setAlignment(Qt.AlignmentFlag.AlignRight)
            f.setPlaceholderText("0.00")
            f.textChanged.connect(self.update_state)
            f.returnPressed.connect(self.confirm)
            grid.addWidget(f, row, 1)
            self.fields[medio] = f
            s = QShortcut(QKeySequence(key), self)
            s.activated.connect(lambda f=f: (f.setFocus(), f.selectAll()))
        lay.addLayout(grid)
        self.state = QLabel()
        self.state.setObjectName("bigmsg")
        lay.addWidget(self.state)
        self.error = Banner()
        lay.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(fkey_button(_("Cancelar"), "Esc", self.reject))
        self.ok = fkey_button(_("Confirmar"), "Enter / F12", self.confirm, primary=True)
        buttons.addWidget(self.ok)
        lay.addLayout(buttons)
        QShortcut(QKeySequence("F12"), self).activated.connect(self.confirm)
        cash = self.fields["efectivo"]
        cash.setText(fmt(total))
        cash.setFocus()
        cash.selectAll()

    def tenders(self) -> list[tuple[str, Decimal]]:
        out = []
        for medio, f in self.fields.items():
            text = f.text().strip().replace(",", ".")
            if text:
                out.append((medio, to_decimal(text, field=PAYMENT_METHODS[medio].label)))
        return out

    def update_state(self) -> Settlement | None:
        try:
            s = settle(self.total, [(m, a) for m, a in self.tenders() if a != ZERO])
        except ValueError as exc:
            self.state.setText("")
            self.error.error(error_text(exc))
            self.ok.setEnabled(False)
            return None
        self.error.clear_message()
        parts = [_("Recibido: $ {0}").format(fmt(s.tendered))]
        if s.missing:
            parts.append(_("Falta: $ {0}").format(fmt(s.missing)))
        parts.append(_("Cambio: $ {0}").format(fmt(s.change)))
        self.state.setText("    ".join(parts))
        self.state.setStyleSheet("color:#b00020;" if s.missing else "color:#1b5e20;font-weight:bold;")
        self.ok.setEnabled(s.complete)
        return s

    def confirm(self) -> None:
        s = self.update_state()
        if s is None:
            return
        if not s.complete:
            self.error.error(_("Falta cobrar $ {0}").format(fmt(s.missing)))
            return
        problem = self.on_confirm(s)
        if problem:
            self.error.error(problem)  # the sale is still on screen, nothing was issued
            return
        self.settlement = s
        self.accept()
