"""Configuración › Tipo de cambio: today's rate of each foreign currency the till can charge in
(the till facet's `foreign_currencies`; Cobrar asks for it once a day, F9). Written when
Configuración is saved (it listens to `ctx.settings.changed`, emitted after an administrator's
save); a rate that does not parse is said here and not written."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.pos import exchange_rates
from app.ui.i18n import tr


def _(text: str) -> str:
    return tr("ExchangeRates", text)


def offered(ctx) -> dict:
    """The foreign currencies the company's till offers ({ISO code: MoneyFormat}), maybe empty."""
    return dict(getattr(ctx.country.till(), "foreign_currencies", {}) or {})


class ExchangeRatesBox(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rules = ctx.country.till()
        self.day = exchange_rates.today_of(ctx.country)
        lay = QVBoxLayout(self)
        note = QLabel(_("Tipo de cambio del día {0} (guaraníes por unidad). Caja lo pide una vez al día al "
                        "cobrar en otra moneda (F9 en Cobrar).").format(self.day.strftime("%d/%m/%Y"))
                      .replace("guaraníes", self.rules.money.plural))
        note.setObjectName("hint")
        note.setWordWrap(True)
        lay.addWidget(note)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for code, fmt in offered(ctx).items():
            f = QLineEdit()
            f.setPlaceholderText(_("p. ej. {0}").format(self.rules.exchange_rate_text(Decimal(7300))))
            form.addRow(QLabel(_("{0} ({1})").format(fmt.plural.capitalize(), fmt.unit)), f)
            self.fields[code] = f
        lay.addLayout(form)
        self.result = QLabel()
        self.result.setWordWrap(True)
        lay.addWidget(self.result)
        lay.addStretch(1)
        self.load()
        ctx.settings.changed.connect(self.save)

    def load(self) -> None:
        for code, f in self.fields.items():
            rate = exchange_rates.get(self.ctx.conn, code, self.day)
            f.setText(self.rules.exchange_rate_text(rate) if rate else "")

    def save(self) -> None:
        problems = []
        for code, f in self.fields.items():
            text = f.text().strip()
            if not text:
                continue
            try:
                exchange_rates.put(self.ctx.conn, code, self.day, self.rules.parse_exchange_rate(text))
            except ValueError as exc:
                problems.append(f"{code}: {exc}")
        self.result.setText("\n".join(problems))
        self.result.setStyleSheet("color:#b00020;" if problems else "")
