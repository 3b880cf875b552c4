"""A text field's placeholder that is never cut off: the longest of several hints that fits the
field's current width (the full hint on a wide screen, a short one at 1024 px). The field is
made at least as wide as the shortest hint; the full hint belongs in its tooltip too."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionFrame

from app.ui.widgets import fit_placeholder

_REFIT = (QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.Show)


def text_room(field: QLineEdit) -> int:
    """Pixels a text of `field` can use without being cut off at its current width."""
    opt = QStyleOptionFrame()
    field.initStyleOption(opt)
    inner = field.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, field)
    m = field.textMargins()
    return inner.width() - m.left() - m.right() - 4  # QLineEdit's own 2 px each side


class AdaptivePlaceholder(QObject):
    """Keeps on `field` the first of `hints` (longest first) that fits its width."""

    def __init__(self, field: QLineEdit, hints: Sequence[str]):
        super().__init__(field)
        self.hints = [h for h in dict.fromkeys(hints) if h] or [""]
        field.setPlaceholderText(self.hints[-1])
        fit_placeholder(field)  # the shortest hint always fits
        field.installEventFilter(self)
        self.refit(field)

    def refit(self, field: QLineEdit) -> None:
        room = text_room(field)
        metrics = field.fontMetrics()
        chosen = next((h for h in self.hints if metrics.horizontalAdvance(h) <= room), self.hints[-1])
        if field.placeholderText() != chosen:
            field.setPlaceholderText(chosen)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in _REFIT and isinstance(obj, QLineEdit):
            self.refit(obj)
        return False


def adaptive_placeholder(field: QLineEdit, *hints: str) -> QLineEdit:
    """Gives `field` the longest of `hints` (in order, longest first) that fits, refitted on every
    resize; returns `field`."""
    AdaptivePlaceholder(field, hints)
    return field
