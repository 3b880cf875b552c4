"""Caja: open a shift with a float, cash in/out, X report, close with a count → Z report."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget)

from app.core.errors import MostradorError
from app.core.money import ZERO
from app.pos import shifts
from app.ui import currency
from app.ui.context import AppContext
from app.ui.i18n import tr
from app.ui.placeholders import adaptive_placeholder
from app.ui.widgets import error_text, Banner, fkey_button


def _(text: str) -> str:
    return tr("CashView", text)


class CashView(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_z = None
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        lay.addLayout(left, 1)
        self.state = QLabel()
        self.state.setObjectName("bigmsg")
        self.state.setWordWrap(True)
        left.addWidget(self.state)

        self.open_box = QGroupBox(_("Abrir caja"))
        ob = QHBoxLayout(self.open_box)
        self.fmt = ctx.till.money
        self.sym = self.fmt.symbol
        ob.addWidget(QLabel(_("Fondo inicial {0}").format(self.sym)))
        self.float_field = QLineEdit(self.fmt.placeholder())
        self.float_field.returnPressed.connect(self.open_shift)
        ob.addWidget(self.float_field)
        ob.addWidget(fkey_button(_("Abrir caja"), "F9", self.open_shift, primary=True))
        left.addWidget(self.open_box)

        self.ops_box = QGroupBox(_("Turno abierto"))
        ops = QGridLayout(self.ops_box)
        # three per row: every label whole at 1024×768 beside the 42-column report
        ops.addWidget(fkey_button(_("Informe X"), "F5", self.show_x), 0, 0)
        ops.addWidget(fkey_button(_("Ingreso"), "F6", lambda: self.start_movement("in")), 0, 1)
        ops.addWidget(fkey_button(_("Retiro"), "F7", lambda: self.start_movement("out")), 0, 2)
        ops.addWidget(fkey_button(_("Cerrar caja"), "F8", self.start_close), 1, 0)
        ops.addWidget(fkey_button(_("Imprimir informe"), "F10", self.print_report), 1, 1)
        self.move_kind = QComboBox()
        self.move_kind.addItem(_("Ingreso"), "in")
        self.move_kind.addItem(_("Retiro"), "out")
        self.move_amount = QLineEdit()
        self.move_amount.setPlaceholderText(_("Monto"))
        self.move_reason = QLineEdit()
        adaptive_placeholder(self.move_reason, _("Motivo (obligatorio)"), _("Motivo"))
        self.move_reason.setToolTip(_("Motivo del movimiento (obligatorio)"))
        self.move_reason.returnPressed.connect(self.save_movement)
        self.move_amount.returnPressed.connect(self.move_reason.setFocus)
        moves = QHBoxLayout()
        moves.addWidget(self.move_kind)
        moves.addWidget(self.move_amount)
        moves.addWidget(self.move_reason, 1)
        moves.addWidget(fkey_button(_("Registrar"), "Enter", self.save_movement))
        ops.addLayout(moves, 2, 0, 1, 3)
        left.addWidget(self.ops_box)

        self.close_box = QGroupBox(_("Cierre: arqueo por denominación"))
        cb = QVBoxLayout(self.close_box)
        grid = QGridLayout()
        self.denoms: dict[Decimal, QSpinBox] = {}
        for i, d in enumerate(ctx.till.denominations):
            spin = QSpinBox()
            spin.setRange(0, 100000)
            spin.valueChanged.connect(self.update_close)
            self.denoms[d] = spin
            grid.addWidget(QLabel(currency.denomination(d, self.fmt)), i // 4, (i % 4) * 2)
            grid.addWidget(spin, i // 4, (i % 4) * 2 + 1)
        cb.addLayout(grid)
        self.others_grid = QGridLayout()
        cb.addLayout(self.others_grid)
        self.others: dict[str, QLineEdit] = {}
        self.close_state = QLabel()
        self.close_state.setWordWrap(True)
        cb.addWidget(self.close_state)
        self.close_warn = QLabel()
        self.close_warn.setWordWrap(True)
        self.close_warn.setStyleSheet("color:#b35c00;font-weight:bold;")
        cb.addWidget(self.close_warn)
        row = QHBoxLayout()
        row.addWidget(fkey_button(_("Cancelar cierre"), "Esc", self.cancel_close))
        row.addStretch(1)
        row.addWidget(fkey_button(_("Confirmar cierre"), "F12", self.confirm_close, primary=True))
        cb.addLayout(row)
        self.close_box.hide()
        left.addWidget(self.close_box)
        self.message = Banner()
        left.addWidget(self.message)
        left.addStretch(1)

        right = QVBoxLayout()
        lay.addLayout(right, 0)
        right.addWidget(QLabel(_("Informe")))
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setStyleSheet("font-family: monospace; font-size: 12px;")
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.report.setFixedWidth(340)  # 42 monospace columns, as on the 80 mm ticket
        right.addWidget(self.report, 1)
        hist = QHBoxLayout()
        hist.addWidget(QLabel(_("Turnos anteriores")))
        self.history = QComboBox()
        self.history.activated.connect(self.show_history)
        hist.addWidget(self.history, 1)
        right.addLayout(hist)

        for key, slot in (("F9", self.open_shift), ("F5", self.show_x), ("F6", lambda: self.start_movement("in")),
                          ("F7", lambda: self.start_movement("out")), ("F8", self.start_close),
                          ("F10", self.print_report),
                          ("F12", self.confirm_close), ("Escape", self.cancel_close)):
            s = QShortcut(QKeySequence(key), self)
            s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            s.activated.connect(slot)
        self.refresh()

    def settings_changed(self) -> None:
        """Configuración saved (no restart): this till may now be another establishment/point."""
        self.refresh()

    def activated(self) -> None:
        self.refresh()

    @property
    def shift(self):
        return shifts.current(self.ctx.conn, self.ctx.establishment, self.ctx.point)

    def refresh(self) -> None:
        shift = self.shift
        self.open_box.setVisible(shift is None)
        self.ops_box.setVisible(shift is not None)
        if shift is None:
            self.close_box.hide()
            self.state.setText(_("La caja {0}-{1} está cerrada.").format(self.ctx.establishment, self.ctx.point))
            self.float_field.setFocus()
        else:
            self.state.setText(_("Turno N.º {0} abierto por {1} — fondo {2}").format(
                shift.id, shift.cashier, self.money(shift.opening_float)))
            if not self.close_box.isVisible():
                self.show_x()
        self.history.clear()
        for s in shifts.history(self.ctx.conn):
            if not s.is_open:
                self.history.addItem(_("Turno {0} — {1}").format(s.id, s.closed_at[:16].replace("T", " ")), s.id)

    def open_shift(self) -> None:
        if self.shift is not None:
            return
        try:
            shifts.open_shift(self.ctx.conn, self.ctx.establishment, self.ctx.point, self.ctx.user.name,
                              self.typed(self.float_field.text()))
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.message.info(_("Caja abierta"))
        self.refresh()

    def show_x(self) -> None:
        shift = self.shift
        if shift is None:
            return
        self.shown_report = shifts.report(self.ctx.conn, shift.id).as_dict()
        self.report.setPlainText(shifts.report_text(self.shown_report))

    def print_report(self) -> None:
        """The report on screen (X, the Z just closed, or one from the history) on the ticket printer."""
        from app.pos import printing

        rep = getattr(self, "shown_report", None)
        if rep is None:
            self.message.error(_("Primero muestre un informe (Informe X, cierre o historial)."))
            return
        try:
            printing.print_shift_report(self.ctx.session, rep)
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.message.info(_("Informe {0} enviado a la impresora").format(rep["kind"]))

    def start_movement(self, kind: str) -> None:
        if self.shift is None:
            return
        self.move_kind.setCurrentIndex(self.move_kind.findData(kind))
        self.move_amount.setFocus()
        self.move_amount.selectAll()

    def save_movement(self) -> None:
        shift = self.shift
        if shift is None:
            return
        try:
            shifts.cash_movement(self.ctx.conn, shift.id, self.move_kind.currentData(),
                                 self.typed(self.move_amount.text()), self.move_reason.text(),
                                 self.ctx.user.name)
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.message.info(_("Movimiento registrado"))
        self.move_amount.clear()
        self.move_reason.clear()
        self.show_x()

    # ------------------------------------------------------------------------------ closing
    def start_close(self) -> None:
        shift = self.shift
        if shift is None:
            return
        rep = shifts.report(self.ctx.conn, shift.id)
        while self.others_grid.count():
            w = self.others_grid.takeAt(0).widget()
            if w:
                w.setParent(None)
        self.others.clear()
        row = 0
        for m in rep.methods:
            if shifts.is_cash(m.method):
                continue
            self.others_grid.addWidget(QLabel(_("{0} (comprobantes) {1}").format(m.label, self.sym)), row, 0)
            f = QLineEdit()
            f.setPlaceholderText(_("no contado (esperado {0})").format(self.fmt.amount(m.expected)))
            f.textChanged.connect(self.update_close)
            self.others_grid.addWidget(f, row, 1)
            self.others[m.method] = f
            row += 1
        self.close_warn.setText("\n".join(shifts.closing_warnings(self.ctx.conn, shift.id)))
        self.close_box.show()
        self.update_close()
        next(iter(self.denoms.values())).setFocus()

    def cancel_close(self) -> None:
        self.close_box.hide()

    def counted(self) -> tuple[dict, dict]:
        denoms = {str(d): s.value() for d, s in self.denoms.items() if s.value()}
        # a blank field is "no contado" (None), never zero
        others = {k: self.typed(f.text()) if f.text().strip() else None for k, f in self.others.items()}
        return denoms, others

    def update_close(self) -> None:
        shift = self.shift
        if shift is None or not self.close_box.isVisible():
            return
        denoms, _o = self.counted()
        try:
            cash = shifts.count_cash({k: v for k, v in denoms.items()}, self.ctx.session.company.country)
        except MostradorError:
            cash = ZERO
        rep = shifts.report(self.ctx.conn, shift.id)
        diff = cash - rep.expected_cash
        text = _("Efectivo contado {0} — esperado {1} — diferencia {2}").format(
            self.money(cash), self.money(rep.expected_cash), self.money(diff))
        uncounted = [m.label for m in rep.methods if m.method in self.others and not self.others[m.method].text().strip()]
        if uncounted:
            text += "\n" + _("No contado (queda sin contar, sin diferencia): {0}").format(", ".join(uncounted))
        self.close_state.setText(text)
        self.close_state.setStyleSheet("color:#1b5e20;font-weight:bold;" if diff == ZERO else "color:#b00020;font-weight:bold;")

    def confirm_close(self) -> None:
        shift = self.shift
        if shift is None or not self.close_box.isVisible():
            return
        denoms, others = self.counted()
        try:
            rep = shifts.close_shift(self.ctx.conn, shift.id, denominations=denoms, other_counts=others,
                                     closed_by=self.ctx.user.name)
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.last_z = rep
        self.close_box.hide()
        for s in self.denoms.values():
            s.setValue(0)
        self.refresh()
        self.shown_report = rep.as_dict()
        self.report.setPlainText(shifts.report_text(self.shown_report))
        self.message.info(_("Turno {0} cerrado. Diferencia total: {1}").format(rep.shift.id,
                                                                               self.money(rep.total_difference)))
        self._print_z()

    def _print_z(self) -> None:
        """The Z just closed goes to the default printer, when there is one (F10 prints it again)."""
        from app.pos import printing
        from app.store import settings

        if not settings.get(self.ctx.conn, printing.DEFAULT_PRINTER_KEY):
            return
        try:
            printing.print_shift_report(self.ctx.session, self.shown_report)
        except MostradorError as exc:
            self.message.error(_("Turno cerrado, pero no se imprimió el informe Z: {0}").format(error_text(exc)))

    def money(self, value) -> str:
        return self.fmt.money(value)

    def typed(self, text: str) -> str:
        """What the cashier typed, as the point of sale reads amounts ('200.000' Gs. = 200000)."""
        try:
            return str(self.fmt.parse(text))
        except ValueError:
            return text.strip()  # shifts refuses it with its own Spanish message

    def show_history(self) -> None:
        sid = self.history.currentData()
        z = shifts.stored_z(self.ctx.conn, sid) if sid else None
        if z:
            self.shown_report = z
            self.report.setPlainText(shifts.report_text(z))
