"""What every printer connection provides, and the one error printing raises.

A connection is a small stateless object, one per module in this package, registered in
`__init__.py`. It knows its own settings fields of `PrinterConfig` (duck-typed here: this
package does not import app.devices.printers).
"""
from __future__ import annotations

from abc import ABC, abstractmethod

from app.core.errors import MostradorError


class PrinterError(MostradorError):
    """The ticket could not be printed. `str()` is for the cashier; `detail` for the log."""

    code = "printer"

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class Connection(ABC):
    """One way of reaching a printer. Subclasses set `kind` and `label` and override what
    differs (`open` always); the defaults fit a connection that needs no setting and reports
    no status."""

    kind: str = ""
    label: str = ""  # Spanish name for settings screens, e.g. "Red (TCP/IP)"

    def missing(self, config) -> bool:
        """True when `config` lacks a setting this connection needs."""
        return False

    def describe(self, config) -> str:
        """Spanish words naming the target, used inside messages ('red 10.0.0.5:9100')."""
        return self.label

    @abstractmethod
    def open(self, config, escpos_classes: dict):
        """An unopened python-escpos printer for `config` (the caller calls `.open()`).
        `escpos_classes` is app.devices.escpos_lib.escpos(). May raise PrinterError."""

    def status(self, config, printer) -> str:
        """'ok' | 'unknown' after asking the opened printer; raises PrinterError when it
        reports itself offline. Other exceptions (OSError...) are translated by the caller."""
        return "unknown"

    def after_write(self, printer) -> None:
        """Called after the job's bytes were written (e.g. flush a file)."""
