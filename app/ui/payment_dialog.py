"""Cobrar: one amount field per payment method, received / missing / change, confirm with Enter."""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from dataclasses import replace

from app.core.money import ZERO
from app.pos.cart import Settlement, payment_methods, settle
from app.ui import currency
from app.ui.i18n import tr
from app.ui.widgets import error_text, Banner, fkey_button


def _(text: str) -> str:
    return tr("PaymentDialog", text)


# shown in this order; the shortcut focuses the field
METHOD_KEYS = (("efectivo", "F1"), ("tarjeta_credito", "F2"), ("tarjeta_debito", "F3"),
               ("transferencia", "F4"), ("dinero_electronico_ec", "F5"), ("cheque", "F6"), ("otros", "F7"))
# Paraguay: SIFEN iTiPago 1, 3, 4, 5, 7, 2
METHOD_KEYS_PY = (("efectivo", "F1"), ("tarjeta_credito", "F2"), ("tarjeta_debito", "F3"),
                  ("transferencia", "F4"), ("billetera", "F5"), ("cheque", "F6"))


class PaymentDialog(QDialog):
    def __init__(self, total: Decimal, on_confirm: Callable[[Settlement], str | None], parent=None, *,
                 country: str = "EC"):
        super().__init__(parent)
        self.country = country
        self.methods = payment_methods(country)
        self.total = total
        self.on_confirm = on_confirm
        self.settlement: Settlement | None = None
        self.setWindowTitle(_("Cobrar"))
        self.setModal(True)
        self.setMinimumWidth(600 if country == "PY" else 520)
        lay = QVBoxLayout(self)
        head = QLabel(_("Total a cobrar: {0}").format(self.money(total)))
        head.setObjectName("total")
        lay.addWidget(head)
        grid = QGridLayout()
        self.fields: dict[str, QLineEdit] = {}
        for row, (medio, key) in enumerate(METHOD_KEYS_PY if country == "PY" else METHOD_KEYS):
            grid.addWidget(QLabel(f"{_(self.methods[medio].label)}  ({key})"), row, 0)
            f = QLineEdit()
            f.setAlignment(Qt.AlignmentFlag.AlignRight)
            f.setPlaceholderText("0" if country == "PY" else "0.00")
            f.textChanged.connect(self.update_state)
            f.returnPressed.connect(self.confirm)
            grid.addWidget(f, row, 1)
            self.fields[medio] = f
            s = QShortcut(QKeySequence(key), self)
            s.activated.connect(lambda f=f: (f.setFocus(), f.selectAll()))
        self.cheque_number = QLineEdit()
        self.cheque_number.setPlaceholderText(_("N.º de cheque"))
        self.cheque_number.setMaxLength(8)
        self.cheque_bank = QLineEdit()
        self.cheque_bank.setPlaceholderText(_("Banco"))
        self.cheque_bank.setMaxLength(20)
        if country == "PY":  # SIFEN needs the cheque's number and bank (gPagCheq)
            row = grid.rowCount()
            grid.addWidget(QLabel(_("Cheque: número y banco")), row, 0)
            box = QHBoxLayout()
            box.addWidget(self.cheque_number)
            box.addWidget(self.cheque_bank, 1)
            grid.addLayout(box, row, 1)
            for f in (self.cheque_number, self.cheque_bank):
                f.returnPressed.connect(self.confirm)
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
        cash.setText(currency.amount(total, country))
        cash.setFocus()
        cash.selectAll()

    def money(self, value: Decimal) -> str:
        return currency.money(value, self.country)

    def tenders(self) -> list[tuple[str, Decimal]]:
        out = []
        for medio, f in self.fields.items():
            text = f.text().strip()
            if text:
                out.append((medio, currency.parse(text, self.country, field=self.methods[medio].label)))
        return out

    def update_state(self) -> Settlement | None:
        try:
            s = settle(self.total, [(m, a) for m, a in self.tenders() if a != ZERO], country=self.country)
        except ValueError as exc:
            self.state.setText("")
            self.error.error(error_text(exc))
            self.ok.setEnabled(False)
            return None
        self.error.clear_message()
        parts = [_("Recibido: {0}").format(self.money(s.tendered))]
        if s.missing:
            parts.append(_("Falta: {0}").format(self.money(s.missing)))
        parts.append((_("Vuelto: {0}") if self.country == "PY" else _("Cambio: {0}")).format(self.money(s.change)))
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
        if any(m == "cheque" for m, _a in s.payments) and self.country == "PY":
            s = replace(s, details={"cheque": {"numero": self.cheque_number.text().strip(),
                                               "banco": self.cheque_bank.text().strip()}})
        problem = self.on_confirm(s)
        if problem:
            self.error.error(problem)  # the sale is still on screen, nothing was issued
            return
        self.settlement = s
        self.accept()
