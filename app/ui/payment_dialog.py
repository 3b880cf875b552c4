"""Cobrar: one amount field per payment method, received / missing / change, confirm with Enter."""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from dataclasses import replace

from app.core.money import ZERO, round_half_up
from app.pos.cart import Settlement, settle
from app.ui.i18n import tr
from app.ui.placeholders import adaptive_placeholder
from app.ui.widgets import error_text, Banner, fkey_button


def _(text: str) -> str:
    return tr("PaymentDialog", text)


def _joined(words: list[str]) -> str:
    """'número y banco', 'a, b y c'."""
    return words[0] if len(words) == 1 else _("{0} y {1}").format(", ".join(words[:-1]), words[-1])


class _OwnEnterField(QLineEdit):
    """A field whose Enter is its own (returnPressed) and never confirms the dialog: the day's
    rate is entered, not the sale charged."""

    def keyPressEvent(self, event) -> None:  # noqa: N802
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


def _shares(total: Decimal, weights: list[Decimal], places: int) -> list[Decimal]:
    """`total` spread in proportion to `weights`, the last absorbing the rounding."""
    whole = sum(weights, ZERO)
    out = [round_half_up(total * w / whole, places) for w in weights[:-1]]
    return out + [total - sum(out, ZERO)]


class PaymentDialog(QDialog):
    """`country` is the company's `Country`: its till rules say which methods exist (in the
    order shown, F1, F2, … focus them), what else a method asks for and how amounts look.

    When the rules offer `foreign_currencies` and the sale's `lines` and the day's `rates`
    (app.pos.exchange_rates.DayRates) are given, F9 switches the sale to the next currency: the
    day's rate is asked once a day (kept on confirm), amounts are typed in that currency, F8 says
    whether the change is given in it or in the till's currency. The settlement stays in the
    till's currency; each payment carries 'moneda' and 'cambio' for the country's invoice."""

    def __init__(self, total: Decimal, on_confirm: Callable[[Settlement], str | None], parent=None, *,
                 country, lines=None, rates=None):
        super().__init__(parent)
        self.country = country
        rules = country.till()
        self.rules = rules
        self.lines = tuple(lines or ())
        self.rates = rates
        self.currencies = [rules.money.code] + (list(getattr(rules, "foreign_currencies", {}) or {})
                                                if self.lines and rates is not None else [])
        self.currency = rules.money.code  # what the sale is charged in now
        self.change_in_till_money = False  # F8: foreign change given in the till's currency
        self.change_text = ""  # the change to hand over, as the sale screen shows it after confirming
        self.home = rules.money
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
        head.setWordWrap(True)
        self.head = head
        lay.addWidget(head)
        self.rate = None
        if len(self.currencies) > 1:
            row = QHBoxLayout()
            self.currency_label = QLabel()
            row.addWidget(self.currency_label, 1)
            self.rate_label = QLabel(_("Tipo de cambio del día:"))
            row.addWidget(self.rate_label)
            self.rate = _OwnEnterField()
            self.rate.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.rate.setPlaceholderText(_("Gs. por unidad"))
            self.rate.setMaximumWidth(140)
            self.rate.textChanged.connect(self._rate_changed)
            self.rate.returnPressed.connect(self._rate_entered)
            row.addWidget(self.rate)
            lay.addLayout(row)
            QShortcut(QKeySequence("F9"), self).activated.connect(self.next_currency)
            QShortcut(QKeySequence("F8"), self).activated.connect(self.toggle_change_currency)
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
            if method.code == getattr(rules, "credit_method", None):
                s.activated.connect(self.choose_credit)
                f.textEdited.connect(self._clear_cash_prefill)
            else:
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
                # the hint where it fits, else the field's name; both in the tooltip
                adaptive_placeholder(f, *([_(pf.hint)] if pf.hint else []), _(pf.label).capitalize())
                f.setToolTip(_(pf.hint or pf.label))
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
        self.credit_terms = QLabel()  # the cuotas of a credit payment, before confirming
        self.credit_terms.setWordWrap(True)
        self.credit_terms.hide()
        lay.insertWidget(lay.indexOf(self.state) + 1, self.credit_terms)
        for fields in self.extra.values():
            for f in fields.values():
                f.textChanged.connect(self.update_state)
        cash = self.fields[rules.cash_method]
        cash.setText(self.fmt.amount(total))
        self._cash_prefill = cash.text()  # cleared when the sale goes on credit
        cash.setFocus()
        cash.selectAll()
        self._show_currency()

    def money(self, value: Decimal) -> str:
        return self.fmt.money(value)

    # ------------------------------------------------------------------ another currency (F9, F8)
    @property
    def foreign(self) -> bool:
        return self.currency != self.home.code

    def next_currency(self) -> None:
        """F9: the sale in the next currency the till offers (back to the till's after the last)."""
        self.currency = self.currencies[(self.currencies.index(self.currency) + 1) % len(self.currencies)]
        self.fmt = self.rules.foreign_currencies[self.currency] if self.foreign else self.home
        if self.foreign:
            known = self.rates.get(self.currency)
            self.rate.setText(self.rules.exchange_rate_text(known) if known else "")
        for f in self.fields.values():
            f.clear()
            f.setPlaceholderText(self.fmt.placeholder())
        self._show_currency()
        if self.foreign and not self.rate.text():
            self.rate.setFocus()  # asked once a day
        else:
            self._rate_entered()

    def toggle_change_currency(self) -> None:
        """F8: the change of a foreign-currency sale in that currency or in the till's."""
        self.change_in_till_money = not self.change_in_till_money
        self.update_state()

    def _rate_changed(self) -> None:
        self._show_currency(refill=False)

    def _rate_entered(self) -> None:
        """Enter on the rate (or a known rate): the cash field gets the total in the new currency."""
        total = self.due()
        cash = self.fields[self.rules.cash_method]
        if total is not None:
            cash.setText(self.fmt.amount(total))
            self._cash_prefill = cash.text()
        cash.setFocus()
        cash.selectAll()

    # ----------------------------------------------------------------------------- on credit
    def _clear_cash_prefill(self, *_args) -> None:
        """The cash field loses the total Cobrar put in it (a typed down payment stays)."""
        cash = self.fields[self.rules.cash_method]
        if cash.text() and cash.text() == self._cash_prefill:
            cash.clear()
        self._cash_prefill = ""

    def choose_credit(self) -> None:
        """The credit method's F-key: the cash field empties (a down payment is typed only if there
        is one) and the credit field, focused, gets what is still owed."""
        self._clear_cash_prefill()
        credit = self.fields[self.rules.credit_method]
        if not credit.text().strip():
            s = self.update_state()
            owed = s.missing if s is not None else self.due()
            if owed:
                credit.setText(self.fmt.amount(owed))
        credit.setFocus()
        credit.selectAll()

    def exchange_rate(self) -> Decimal:
        """The rate typed for the foreign currency (ValueError in Spanish when not valid)."""
        text = self.rate.text().strip()
        if not text:
            raise ValueError(_("Escriba el tipo de cambio del día ({0} por {1})").format(
                self.home.unit, self.fmt.unit))
        return self.rules.parse_exchange_rate(text)

    def due(self) -> Decimal | None:
        """The total in the current currency (None while the rate is missing or wrong)."""
        if not self.foreign:
            return self.total
        try:
            return self.rules.foreign_total(self.lines, self.currency, self.exchange_rate())
        except ValueError:
            return None

    def _show_currency(self, refill: bool = True) -> None:
        if self.rate is None:
            return
        nxt = self.currencies[(self.currencies.index(self.currency) + 1) % len(self.currencies)]
        unit = lambda code: self.home.unit if code == self.home.code else self.rules.foreign_currencies[code].unit  # noqa: E731
        self.currency_label.setText(_("Moneda: {0}   (F9: cobrar en {1})").format(self.fmt.unit, unit(nxt)))
        self.rate.setEnabled(self.foreign)
        self.rate_label.setEnabled(self.foreign)
        due = self.due()
        if not self.foreign:
            self.head.setText(_("Total a cobrar: {0}").format(self.money(self.total)))
        elif due is None:
            self.head.setText(_("Total a cobrar: {0} — escriba el tipo de cambio del día").format(
                self.home.money(self.total)))
        else:
            self.head.setText(_("Total a cobrar: {0}  ({1} al cambio {2})").format(
                self.money(due), self.home.money(self.total), self.rate.text().strip()))
        if refill:
            self.update_state()

    # ------------------------------------------------------------------------------------ amounts
    def tenders(self) -> list[tuple[str, Decimal]]:
        out = []
        for medio, f in self.fields.items():
            text = f.text().strip()
            if text:
                out.append((medio, self.fmt.parse(text, field=self.methods[medio].label)))
        return out

    def _foreign_settlement(self) -> Settlement:
        """The settlement of a foreign-currency sale: what each method covers is worked out in
        that currency, then spread over the total in the till's currency (the last absorbs the
        rounding); tendered and change stay in the foreign currency (what the ticket prints)."""
        rate = self.exchange_rate()
        due = self.rules.foreign_total(self.lines, self.currency, rate)
        tenders = [(m, self.fmt.round(a)) for m, a in self.tenders() if a != ZERO]
        methods = self.methods
        remaining, applied = due, []
        for medio, amount in [t for t in tenders if not methods[t[0]].gives_change] + \
                [t for t in tenders if methods[t[0]].gives_change]:
            if amount <= ZERO:
                raise ValueError(_("Cada pago debe ser mayor que cero"))
            if not methods[medio].gives_change and amount > remaining:
                raise ValueError(_("El pago con {0} ({1}) supera el saldo pendiente ({2})").format(
                    methods[medio].label.lower(), self.money(amount), self.money(remaining)))
            use = min(amount, remaining)
            if use > ZERO:
                applied.append((medio, use))
            remaining -= use
        tendered = sum((a for _m, a in tenders), ZERO)
        change = max(ZERO, tendered - due)
        if remaining > ZERO or not applied:
            return Settlement([], tendered, change, remaining, self.country.code)
        home = _shares(self.total, [a for _m, a in applied], self.home.places)
        s = settle(self.total, list(zip([m for m, _a in applied], home)), country=self.country.code)
        return replace(s, tendered=tendered, change=change)

    def update_state(self) -> Settlement | None:
        try:
            if self.foreign:
                s = self._foreign_settlement()
            else:
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
        change = self.money(s.change)
        if self.foreign and s.change:
            in_home = self.home.money(self.home.round(s.change * self.exchange_rate()))
            change = (_("{0} (= {1})  F8: en {2}").format(in_home, change, self.fmt.unit) if self.change_in_till_money
                      else _("{0} (= {1})  F8: en {2}").format(change, in_home, self.home.unit))
        self.change_text = f"{_(self.fmt.change_word).capitalize()}\n{change.split('  F8')[0]}" if s.change else ""
        parts.append(f"{_(self.fmt.change_word).capitalize()}: {change}")
        self._show_credit_terms(s)
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
        if self.foreign:
            rate = self.exchange_rate()
            # the change is recorded in the currency it is handed over in (F8), for the ticket
            given = self.home if self.change_in_till_money else self.fmt
            for m, _a in s.payments:
                details.setdefault(m, {}).update({"moneda": self.currency, "cambio": f"{rate.normalize():f}"})
                if s.change:
                    details[m]["vuelto"] = given.code
            if s.change and self.change_in_till_money:
                s = replace(s, change=self.home.round(s.change * rate))
            self.rates.put(self.currency, rate)  # asked once a day
        if details:
            s = replace(s, details=details)
        problem = self.on_confirm(s)
        if problem:
            self.error.error(problem)  # the sale is still on screen, nothing was issued
            return
        self.settlement = s
        self.accept()

    def _show_credit_terms(self, s: Settlement) -> None:
        """The cuotas (amounts and due dates) or the term of a payment that leaves an amount owed."""
        method = getattr(self.rules, "credit_method", None)
        owed = dict(s.payments).get(method) if method in self.extra else None
        if not owed:
            self.credit_terms.hide()
            return
        from datetime import date

        extra = {k: f.text() for k, f in self.extra[method].items()}
        amount = self.fields[method].text().strip()
        try:
            day = self.rates.day if self.rates is not None else date.today()
            lines = self.rules.credit_terms(extra, self.fmt.parse(amount) if self.foreign else owed, day,
                                            currency=self.currency)
            self.credit_terms.setStyleSheet("")
        except ValueError as exc:
            lines = [error_text(exc)]
            self.credit_terms.setStyleSheet("color:#b00020;")
        self.credit_terms.setText("\n".join(lines))
        self.credit_terms.show()
