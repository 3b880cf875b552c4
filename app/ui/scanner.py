"""Barcode scanners are keyboards that type fast and end with Enter. This application-wide
event filter holds printable keys typed outside the code field for a few milliseconds: a burst
(every gap under `gap_ms`) that ends with Enter is handed to `on_scan`, whatever had the focus;
anything slower is replayed to the widget it was meant for, so normal typing is unaffected.

`mode()` says what to do right now: 'route' (bursts go to the sale), 'swallow' (a dialog such as
Cobrar is open: a scan must not land in an amount field, it is dropped and reported), or
'pass' (another screen, e.g. Productos, where a scan belongs in the focused field)."""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ScannerFilter(QObject):
    def __init__(self, on_scan: Callable[[str], None], *, target: Callable[[], QWidget | None],
                 mode: Callable[[], str], on_swallowed: Callable[[str], None] | None = None,
                 gap_ms: float = 30, min_length: int = 4, parent=None):
        super().__init__(parent)
        self.on_scan = on_scan
        self.on_swallowed = on_swallowed
        self.target = target  # the code field: keys typed there are never held
        self.mode = mode
        self.gap = gap_ms / 1000
        self.min_length = min_length
        self._buffer: list[tuple[QWidget, int, str, Qt.KeyboardModifier]] = []
        self._last = 0.0
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self.scans = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        if event.type() != QEvent.Type.KeyPress or self._replaying:
            return False
        if not isinstance(obj, QWidget) or obj is not QApplication.focusWidget():
            return False
        mode = self.mode()
        if obj is self.target() or mode == "pass":
            self.flush()
            return False
        now = time.monotonic()
        key, text, mods = event.key(), event.text(), event.modifiers()
        if key in ENTER_KEYS:
            if self._is_burst(now):
                code = "".join(t for _, _, t, _ in self._buffer)
                self._buffer.clear()
                self._timer.stop()
                if mode == "route":
                    self.scans += 1
                    self.on_scan(code)
                elif self.on_swallowed:
                    self.on_swallowed(code)
                return True
            self.flush()
            return False
        plain = mods & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        if text and text.isprintable() and plain == Qt.KeyboardModifier.NoModifier:
            if self._buffer and now - self._last > self.gap:
                self.flush()
            self._buffer.append((obj, key, text, mods))
            self._last = now
            self._timer.start(max(1, int(self.gap * 1000) + 5))
            return True
        self.flush()
        return False

    def _is_burst(self, now: float) -> bool:
        return len(self._buffer) >= self.min_length and now - self._last <= self.gap * 3

    def flush(self) -> None:
        """Delivers held keys to the widgets they were typed into (slow typing, not a scan)."""
        self._timer.stop()
        held, self._buffer = self._buffer, []
        if not held:
            return
        self._replaying = True
        try:
            for widget, key, text, mods in held:
                if widget is None:
                    continue
                try:
                    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, key, mods, text))
                    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyRelease, key, mods, text))
                except RuntimeError:  # the widget was deleted meanwhile
                    pass
        finally:
            self._replaying = False
