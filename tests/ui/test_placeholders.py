"""app/ui/placeholders.py: a field shows the longest hint that fits its width, refitted on resize."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLineEdit

from app.ui.placeholders import adaptive_placeholder, text_room

LONG = "Cédula o RUC correcto (vacío: el mismo)"
SHORT = "Identificación"


def test_longest_hint_that_fits(qtbot):
    field = adaptive_placeholder(QLineEdit(), LONG, SHORT)
    qtbot.addWidget(field)
    field.show()
    metrics = field.fontMetrics()
    field.resize(metrics.horizontalAdvance(LONG) + 60, field.height())
    QApplication.processEvents()
    assert field.placeholderText() == LONG
    field.resize(field.minimumWidth(), field.height())
    QApplication.processEvents()
    assert field.placeholderText() == SHORT
    assert metrics.horizontalAdvance(SHORT) <= text_room(field)  # the shortest fits at the least width
    field.resize(metrics.horizontalAdvance(LONG) + 60, field.height())
    QApplication.processEvents()
    assert field.placeholderText() == LONG
