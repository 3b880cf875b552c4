"""A plain bar chart drawn with QPainter (QtCharts is not part of PySide6-Essentials)."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QWidget


class BarChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.bars: list[tuple[str, Decimal]] = []
        self.title = ""
        self.setMinimumHeight(220)

    def set_data(self, title: str, bars: list[tuple[str, Decimal]]) -> None:
        self.title = title
        self.bars = bars
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        w, h = self.width(), self.height()
        top, bottom, left, right = 28, 44, 56, 12
        p.setPen(QColor("#333333"))
        f = QFont(self.font())
        f.setBold(True)
        p.setFont(f)
        p.drawText(QRectF(0, 4, w, 20), Qt.AlignmentFlag.AlignHCenter, self.title)
        p.setFont(self.font())
        if not self.bars:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Sin datos")
            return
        peak = max((v for _, v in self.bars), default=Decimal(0)) or Decimal(1)
        plot_h = h - top - bottom
        plot_w = w - left - right
        p.setPen(QColor("#bbbbbb"))
        for i in range(5):  # grid and scale
            y = top + plot_h * i / 4
            p.drawLine(left, int(y), w - right, int(y))
            value = peak * (4 - i) / 4
            p.drawText(QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, f"{value:.0f}")
        n = len(self.bars)
        slot = plot_w / n
        bar_w = max(2.0, slot * 0.7)
        every = max(1, int(n / max(1, plot_w / 48)))  # skip labels that would overlap
        for i, (label, value) in enumerate(self.bars):
            bh = float(value / peak) * plot_h if peak else 0
            x = left + i * slot + (slot - bar_w) / 2
            p.fillRect(QRectF(x, top + plot_h - bh, bar_w, bh), QColor("#3949ab"))
            if i % every == 0:
                p.setPen(QColor("#333333"))
                p.drawText(QRectF(left + i * slot - 20, h - bottom + 4, slot + 40, 18),
                           Qt.AlignmentFlag.AlignHCenter, label[:12])
        p.end()
