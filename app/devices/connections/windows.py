"""Windows spooler: a RAW job to an installed printer (pywin32)."""
from __future__ import annotations

import sys

from app.devices.connections.base import Connection, PrinterError

PRINTER_ATTRIBUTE_WORK_OFFLINE = 0x400
# PRINTER_STATUS_OFFLINE | ERROR | PAPER_OUT | NOT_AVAILABLE
OFFLINE_STATUS = 0x80 | 0x2 | 0x10 | 0x1000


class Windows(Connection):
    kind = "windows"
    label = "Cola de Windows"

    def missing(self, config) -> bool:
        return False  # empty name = the default Windows printer

    def describe(self, config) -> str:
        return f"impresora de Windows '{config.windows_name or 'predeterminada'}'"

    def open(self, config, escpos_classes: dict):
        if sys.platform != "win32":
            raise PrinterError("La impresión por la cola de Windows solo está disponible en Windows.")
        return escpos_classes["Win32Raw"](config.windows_name, profile=config.profile)

    def status(self, config, printer) -> str:
        """The spooler's offline/error flags (a RAW job to an unplugged USB printer
        otherwise "succeeds")."""
        try:
            import win32print  # type: ignore

            info = win32print.GetPrinter(printer.device, 2)
        except Exception:
            return "unknown"
        offline = info.get("Attributes", 0) & PRINTER_ATTRIBUTE_WORK_OFFLINE or info.get("Status", 0) & OFFLINE_STATUS
        if offline:
            raise PrinterError(
                f"Windows indica que la {self.describe(config)} está desconectada o con error. El comprobante quedó guardado."
            )
        return "ok"


CONNECTION = Windows()
