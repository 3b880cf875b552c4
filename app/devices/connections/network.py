"""Network printer (raw TCP, usually port 9100), with DLE EOT real-time status."""
from __future__ import annotations

import socket

from app.devices.connections.base import Connection, PrinterError

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"


class Network(Connection):
    kind = "network"
    label = "Red (TCP/IP)"

    def missing(self, config) -> bool:
        return not config.host

    def describe(self, config) -> str:
        return f"red {config.host}:{config.port}"

    def open(self, config, escpos_classes: dict):
        return escpos_classes["Network"](config.host, port=config.port, timeout=config.timeout, profile=config.profile)

    def status(self, config, printer) -> str:
        """DLE EOT with a short wait: a printer that never answers is 'unknown', not an
        error. A socket error other than a timeout propagates (the caller translates it)."""
        sock = printer.device
        try:
            sock.settimeout(min(config.timeout, 0.8))
            sock.sendall(DLE_EOT_PRINTER)
            status = sock.recv(1)
            sock.sendall(DLE_EOT_PAPER)
            paper = sock.recv(1)
        except (socket.timeout, TimeoutError):
            return "unknown"
        finally:
            sock.settimeout(config.timeout)
        if not status or not paper:
            return "unknown"
        if status[0] & 0x08:
            raise PrinterError("La impresora está fuera de línea (¿tapa abierta o sin papel?). El comprobante quedó guardado.")
        if paper[0] & 0x60 == 0x60:
            raise PrinterError("La impresora no tiene papel. Cargue papel y reimprima; el comprobante quedó guardado.")
        return "ok"


CONNECTION = Network()
