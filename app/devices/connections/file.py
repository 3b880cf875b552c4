"""A file or device node target (tests, diagnostics, /dev/usb/lp0)."""
from __future__ import annotations

from app.devices.connections.base import Connection


class File(Connection):
    kind = "file"
    label = "Archivo"

    def missing(self, config) -> bool:
        return not config.path

    def describe(self, config) -> str:
        return f"archivo {config.path}"

    def open(self, config, escpos_classes: dict):
        return escpos_classes["File"](config.path, profile=config.profile)

    def after_write(self, printer) -> None:
        printer.flush()


CONNECTION = File()
