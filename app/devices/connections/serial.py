"""Serial (RS-232 / virtual COM) printer (pyserial)."""
from __future__ import annotations

from app.devices.connections.base import Connection


class Serial(Connection):
    kind = "serial"
    label = "Puerto serie"

    def missing(self, config) -> bool:
        return not config.serial_port

    def describe(self, config) -> str:
        return f"puerto serie {config.serial_port}"

    def open(self, config, escpos_classes: dict):
        return escpos_classes["Serial"](
            devfile=config.serial_port, baudrate=config.baudrate, timeout=config.timeout, profile=config.profile
        )


CONNECTION = Serial()
