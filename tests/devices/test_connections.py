"""The printer connection registry: every kind is one module with the same interface."""
from __future__ import annotations

import pytest

from app.devices.connections import CONNECTIONS, Connection
from app.devices.printers import KINDS, PrinterConfig, PrinterError, open_printer, print_bytes

SETTINGS = {
    "usb": {"usb_vendor": 0x04B8, "usb_product": 0x0E15},
    "network": {"host": "127.0.0.1"},
    "serial": {"serial_port": "/dev/ttyS0"},
    "windows": {},
    "file": {"path": "/tmp/lp0"},
}


def test_every_registered_connection_has_the_full_interface():
    assert KINDS == tuple(CONNECTIONS) and set(KINDS) == set(SETTINGS)
    for kind, connection in CONNECTIONS.items():
        assert isinstance(connection, Connection), kind
        assert connection.kind == kind and connection.label, kind
        for name in ("missing", "describe", "open", "status", "after_write"):
            assert callable(getattr(connection, name, None)), (kind, name)
        config = PrinterConfig(kind=kind, **SETTINGS[kind])
        assert connection.missing(config) is False, kind
        assert connection.describe(config) == config.describe() and config.describe(), kind
    assert PrinterConfig(kind="windows").describe() == "impresora de Windows 'predeterminada'"
    for kind in ("usb", "network", "serial", "file"):
        assert CONNECTIONS[kind].missing(PrinterConfig(kind=kind)), kind


def test_unknown_kind_is_a_spanish_printer_error(tmp_path):
    cfg = PrinterConfig(kind="bluetooth", path=str(tmp_path / "x"))
    assert cfg.describe() == "bluetooth"
    with pytest.raises(PrinterError, match="Tipo de impresora desconocido: 'bluetooth'"):
        cfg.validate()
    with pytest.raises(PrinterError, match="desconocido"):
        open_printer(cfg)
    with pytest.raises(PrinterError, match="desconocido"):
        print_bytes(cfg, b"x")
    assert not (tmp_path / "x").exists()
