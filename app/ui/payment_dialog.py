"""Cobrar: one amount field per payment method, received / missing / change, confirm with Enter."""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from dataclasses import replace

from app.core.money import ZERO
from app.pos.cart import Settlement, settle
from app.ui.i18n import tr
from app.ui.widgets import error_text, Banner, fkey_button


def _(text: str) -> str:
    return tr("PaymentDialog", text)


def _joined(words: list[str]) -> str:
    """'número y banco', 'a, b y c'."""
    return words[0] if len(words) == 1 else _("{0} y {1}").format(", ".join(words[:-1]), words[-1])


class PaymentDialog(QDialog):
    """`country` is the company's `Country`: its till rules say which methods exist (in the
    order shown, F1, F2, … focus them), what else a method asks for and how amounts look."""

    def __init__(self, total: Decimal, on_confirm: Callable[[Settlement], str | None], parent=None, *,
                 country):
        super().__init__(parent)
        self.country = country
        rules = country.till()
        self.fmt = rules.money
        self.methods = rules.payment_methods
        self.total = total
        self.on_confirm = on_confirm
        self.settlement: Settlement | None = None
        self.setWindowTitle(_("Cobrar"))
        self.setModal(True)
        with_extra = [m for m in self.methods.values() if m.fields]
        self.setMinimumWidth(600 if with_extra else 520)
        lay = QVBoxLayout(self)
        head = QLabel(_("Total a cobrar: {0}").format(self.money(total)))
        head.setObjectName("total")
        lay.addWidget(head)
        grid = QGridLayout()
        self.fields: dict[str, QLineEdit] = {}
        for row, method in enumerate(self.methods.values()):
            key = f"F{row + 1}"
            grid.addWidget(QLabel(f"{_(method.label)}  ({key})"), row, 0)
            f = QLineEdit()
            f.setAlignment(Qt.AlignmentFlag.AlignRight)
            f.setPlaceholderText(self.fmt.placeholder())
            f.textChanged.connect(self.update_state)
            f.returnPressed.connect(self.confirm)
            grid.addWidget(f, row, 1)
            self.fields[method.code] = f
            s = QShortcut(QKeySequence(key), self)
            s.activated.connect(lambda f=f: (f.setFocus(), f.selectAll()))
        # what a method needs besides the amount (a cheque's number and bank): {method: {key: field}}
        self.extra: dict[str, dict[str, QLineEdit]] = {}
        for method in with_extra:
            row = grid.rowCount()
            grid.addWidget(QLabel(_("{0}: {1}").format(_(method.label), _joined([_(pf.label) for pf in method.fields]))),
                           row, 0)
            box = QHBoxLayout()
            self.extra[method.code] = {}
            for i, pf in enumerate(method.fields):
                f = QLineEdit()
                f.setPlaceholderText(_(pf.hint or pf.label))
                if pf.max_length:
                    f.setMaxLength(pf.max_length)
                f.returnPressed.connect(self.confirm)
                box.addWidget(f, 1 if i == len(method.fields) - 1 else 0)
                self.extra[method.code][pf.key] = f
            grid.addLayout(box, row, 1)
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
        cash = self.fields[rules.cash_method]
        cash.setText(self.fmt.amount(total))
        cash.setFocus()
        cash.selectAll()

    def money(self, value: Decimal) -> str:
        return self.fmt.money(value)

    def tenders(self) -> list[tuple[str, Decimal]]:
        out = []
        for medio, f in self.fields.items():
            text = f.text().strip()
            if text:
                out.append((medio, self.fmt.parse(text, field=self.methods[medio].label)))
        return out

    def update_state(self) -> Settlement | None:
        try:
            s = settle(self.total, [(m, a) for m, a in self.tenders() if a != ZERO], country=self.country.code)
        except ValueError as exc:
            self.state.setText("")
            self.error.error(error_text(exc))
            self.ok.setEnabled(False)
            return None
        self.error.clear_message()
        parts = [_("Recibido: {0}").format(self.money(s.tendered))]
        if s.missing:
            parts.append(_("Falta: {0}").format(self.money(s.missing)))
        parts.append(f"{_(self.fmt.change_word).capitalize()}: {self.money(s.change)}")
        self.state.setText("    ".join(parts))
        self.state.setStyleSheet("color:#b00020;" if s.missing else "color:#1b5e20;font-weight:bold;")
        self.ok.setEnabled(s.complete)
        return s

    def confirm(self) -> None:
        s = self.update_state()
        if s is None:
            return
        if not s.complete:
            self.error.error(_("Falta cobrar {0}").format(self.money(s.missing)))
            return
        details = {m: {k: f.text().strip() for k, f in self.extra[m].items()}
                   for m, _a in s.payments if m in self.extra}
        if details:
            s = replace(s, details=details)
        problem = self.on_confirm(s)
        if problem:
            self.error.error(problem)  # the sale is still on screen, nothing was issued
            return
        self.settlement = s
        self.accept()
