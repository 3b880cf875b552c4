"""USB printer by vendor and product id (pyusb + libusb)."""
from __future__ import annotations

from app.devices.connections.base import Connection


class Usb(Connection):
    kind = "usb"
    label = "USB"

    def missing(self, config) -> bool:
        return not (config.usb_vendor and config.usb_product)

    def describe(self, config) -> str:
        return f"USB {config.usb_vendor:04x}:{config.usb_product:04x}"

    def open(self, config, escpos_classes: dict):
        return escpos_classes["Usb"](
            config.usb_vendor, config.usb_product, timeout=int(config.timeout * 1000), profile=config.profile
        )


CONNECTION = Usb()
