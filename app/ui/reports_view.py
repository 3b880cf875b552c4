"""Reportes: per day, hour, payment method, tax rate, top products; a bar chart; CSV export."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.pos import reports
from app.ui.chart import BarChart
from app.ui.context import AppContext
from app.ui.i18n import tr
from app.ui.widgets import Banner, fkey_button


def _(text: str) -> str:
    return tr("ReportsView", text)


class ReportsView(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows = []
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.kind = QComboBox()
        for key, (title, _f, _h) in reports.REPORTS.items():
            self.kind.addItem(_(title), key)
        today = reports.today_in(reports.zone_for(ctx.session.company.country))
        self.date_from = QDateEdit(QDate(today.year, today.month, today.day).addDays(-6))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("dd/MM/yyyy")
            d.dateChanged.connect(self.reload)
        self.kind.currentIndexChanged.connect(self.reload)
        top.addWidget(QLabel(_("Informe")))
        top.addWidget(self.kind, 1)
        top.addWidget(QLabel(_("Desde")))
        top.addWidget(self.date_from)
        top.addWidget(QLabel(_("hasta")))
        top.addWidget(self.date_to)
        top.addWidget(fkey_button(_("Exportar CSV"), "F11", self.export_file))
        lay.addLayout(top)
        self.chart = BarChart()
        lay.addWidget(self.chart, 1)
        self.table = QTableWidget(0, 3)
        self.table.verticalHeader().setVisible(False)
        lay.addWidget(self.table, 1)
        self.total = QLabel()
        self.total.setObjectName("bigmsg")
        lay.addWidget(self.total)
        self.message = Banner()
        lay.addWidget(self.message)
        s = QShortcut(QKeySequence("F11"), self)
        s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        s.activated.connect(self.export_file)
        self.reload()

    def settings_changed(self) -> None:
        self.reload()

    def activated(self) -> None:
        self.reload()
        self.kind.setFocus()

    def _range(self) -> tuple[date, date]:
        return self.date_from.date().toPython(), self.date_to.date().toPython()

    def reload(self, *_a) -> None:
        key = self.kind.currentData()
        title, fn, _h = reports.REPORTS[key]
        code = self.ctx.session.company.country
        header = reports.header_for(key, code)
        start, end = self._range()
        self.rows = fn(self.ctx.conn, start, end, reports.zone_for(code))
        self.table.setColumnCount(len(header))
        self.table.setHorizontalHeaderLabels([_(h) for h in header])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            cells = [row.label, str(row.count), self._amount(row.amount)]
            if len(header) == 4:
                cells.append(self._amount(row.extra) if key == "tax" else f"{row.extra.normalize():f}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        money = self.ctx.till.money
        self.chart.set_data(f"{_(title)} ({money.unit})", [(r.label, r.amount) for r in self.rows])
        total = sum((r.amount for r in self.rows), start=type(self.rows[0].amount)(0)) if self.rows else 0
        self.total.setText(_("Total del período: {0}").format(money.money(total))
                           if key in ("day", "hour") else "")

    def _amount(self, value) -> str:
        return self.ctx.till.money.amount(value)

    def export_file(self) -> None:
        key = self.kind.currentData()
        path, _f = QFileDialog.getSaveFileName(self, _("Exportar CSV"), f"reporte_{key}.csv", "CSV (*.csv)")
        if path:
            Path(path).write_text(reports.to_csv(key, self.rows, self.ctx.session.company.country), encoding="utf-8-sig")
            self.message.info(_("Exportado a {0}").format(path))
