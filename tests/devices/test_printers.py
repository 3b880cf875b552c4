"""Printer connections: file target, a real TCP printer on 127.0.0.1, status, errors."""
from __future__ import annotations

import socket

import pytest
from printing_helpers import sale_xml, ticket_from_xml

from app.devices.printers import PrinterConfig, PrinterError, open_drawer, print_bytes, print_ticket
from app.devices.testpage import print_test_page, render_test_page

JOB = b"\x1b@hola \xa4and\xa3\n\x1dV\x00"
ONLINE = {b"\x10\x04\x01": b"\x12", b"\x10\x04\x04": b"\x12"}


def net(port: int, **kw) -> PrinterConfig:
    return PrinterConfig(kind="network", host="127.0.0.1", port=port, timeout=2.0, **kw)


def test_file_target_writes_the_bytes(tmp_path):
    target = tmp_path / "lp0"
    print_bytes(PrinterConfig(kind="file", path=str(target)), JOB)
    assert target.read_bytes() == JOB


def test_network_target_receives_the_bytes(listener):
    lst = listener()
    print_bytes(net(lst.port, check_status=False), JOB)
    assert lst.done.wait(5)
    assert bytes(lst.received) == JOB


def test_network_status_check_then_job(listener):
    lst = listener(ONLINE)
    print_bytes(net(lst.port), JOB)
    assert lst.done.wait(5)
    assert bytes(lst.received) == b"\x10\x04\x01\x10\x04\x04" + JOB


def test_printer_that_never_answers_status_still_prints(listener):
    lst = listener()  # no status replies: 'unknown', not an error
    print_bytes(net(lst.port), JOB)
    assert lst.done.wait(5)
    assert bytes(lst.received).endswith(JOB)


@pytest.mark.parametrize(
    "status,message",
    [
        ({b"\x10\x04\x01": b"\x1a", b"\x10\x04\x04": b"\x12"}, "fuera de línea"),
        ({b"\x10\x04\x01": b"\x12", b"\x10\x04\x04": b"\x72"}, "no tiene papel"),
    ],
)
def test_printer_reporting_a_problem_raises_and_prints_nothing(listener, status, message):
    lst = listener(status)
    with pytest.raises(PrinterError, match=message) as err:
        print_bytes(net(lst.port), JOB)
    assert "quedó guardado" in str(err.value)
    lst.done.wait(5)
    assert JOB not in bytes(lst.received)


def test_connection_refused_is_a_clear_spanish_printer_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(PrinterError) as err:
        print_bytes(net(port), JOB)
    e = err.value
    assert f"red 127.0.0.1:{port}" in str(e) and "rechazó la conexión" in str(e)
    assert "reimprimirlo" in str(e)
    assert e.__cause__ is None and e.__suppress_context__  # no chained traceback
    assert "refused" in e.detail.lower()
    assert e.as_dict()["code"] == "printer"


def test_missing_file_device_and_windows_on_linux_raise_printer_error(tmp_path):
    with pytest.raises(PrinterError, match="no se encontró"):
        print_bytes(PrinterConfig(kind="file", path=str(tmp_path / "no" / "lp0")), JOB)
    with pytest.raises(PrinterError, match="Windows"):
        print_bytes(PrinterConfig(kind="windows", windows_name="EPSON TM-T20"), JOB)


def test_usb_and_serial_failures_are_printer_errors():
    for cfg in (PrinterConfig(kind="usb", usb_vendor=0x04B8, usb_product=0x0E15), PrinterConfig(kind="serial", serial_port="/dev/ttyNOPE9")):
        with pytest.raises(PrinterError, match="No se pudo imprimir"):
            print_bytes(cfg, JOB)


def test_config_from_settings_and_validation():
    c = PrinterConfig.from_settings({"kind": "usb", "usb_vendor": "0x04b8", "usb_product": "0x0e15", "drawer_pin": 5, "unknown": 1})
    assert (c.usb_vendor, c.usb_product, c.drawer_pin) == (0x04B8, 0x0E15, 5)
    with pytest.raises(PrinterError, match="desconocido"):
        PrinterConfig.from_settings({"kind": "bluetooth"})
    with pytest.raises(PrinterError, match="Falta configurar"):
        PrinterConfig.from_settings({"kind": "network"})
    with pytest.raises(PrinterError, match="pin"):
        PrinterConfig.from_settings({"kind": "file", "path": "x", "drawer_pin": 3})


def test_print_ticket_and_drawer_through_file_target(tmp_path):
    target = tmp_path / "job.bin"
    cfg = PrinterConfig(kind="file", path=str(target), profile="TM-T20II", drawer_pin=5, codepage="CP858")
    print_ticket(cfg, ticket_from_xml(sale_xml(cash=True), {}))
    data = target.read_bytes()
    assert data.startswith(b"\x1b@\x1bt\x13") and b"\x1bp\x01" in data and data.endswith(b"\x1dV\x00")
    open_drawer(cfg)
    assert target.read_bytes() == b"\x1bp\x0122"


def test_test_page_prints_each_code_page_sample(tmp_path):
    cfg = PrinterConfig(kind="file", path=str(tmp_path / "t.bin"), profile="TM-T20II")
    page = render_test_page(cfg)
    sample = "ñ Ñ á é í ó ú Á É Í Ó Ú ü Ü ¿ ¡ º ª"
    assert b"\x1bt\x13" + b"CP858" in page and sample.encode("cp858") in page
    assert b"\x1bt\x02" + b"CP850" in page and sample.encode("cp850") in page
    assert b"\x1bt\x10" + b"CP1252" in page and sample.encode("cp1252") in page
    assert b"MOSTRADOR PRUEBA" in page and page.endswith(b"\x1dV\x00")
    print_test_page(cfg)
    assert (tmp_path / "t.bin").read_bytes() == page
