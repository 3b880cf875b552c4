"""Printer connections, one module each, registered by kind.

Adding a connection = one module exposing `CONNECTION` (a `base.Connection`) + one line below.
"""
from __future__ import annotations

from app.devices.connections import file, network, serial, usb, windows
from app.devices.connections.base import Connection, PrinterError

CONNECTIONS: dict[str, Connection] = {
    c.kind: c
    for c in (
        usb.CONNECTION,
        network.CONNECTION,
        serial.CONNECTION,
        windows.CONNECTION,
        file.CONNECTION,
    )
}

__all__ = ["CONNECTIONS", "Connection", "PrinterError"]
