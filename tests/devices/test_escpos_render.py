"""ESC/POS bytes from python-escpos' Dummy printer: code pages, codes, drawer, cut, widths."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from printing_helpers import EC_SAMPLES, raster_images, sale_xml, stack, ticket_from_xml, zbar

from app.devices.escpos_render import render_escpos
from app.devices.layout import layout
from app.devices.ticket import Text, Ticket

FULL_CUT = b"\x1dV\x00"  # GS V 0
KICK_2 = b"\x1bp\x002\x32"
KICK_5 = b"\x1bp\x012\x32"
CLAVE = "2311202601179001167400110010010000001231234567819"


@pytest.fixture(scope="module")
def sale():
    return ticket_from_xml(sale_xml(lines=3, cash=True), {"tendered": "20", "change": "9.15"})


def test_cp858_switch_and_accented_bytes(sale):
    out = render_escpos(sale, profile="TM-T20II", codepage="CP858")
    assert out.startswith(b"\x1b@\x1bt\x13")  # ESC @, then ESC t 19 (CP858 on Epson)
    assert "Piña, café y jalapeños nº0 ¿ok? ¡sí! Über".encode("cp858") in out
    assert b"Pi\xa4a, caf\x82" in out and b"\xa8ok? \xads\xa1! \x9aber" in out
    assert "Ferretería Muñoz".encode("cp858") == b"Ferreter\xa1a Mu\xa4oz" and b"Ferreter\xa1a Mu\xa4oz" in out
    assert "ñ".encode() not in out  # no UTF-8 leaked to the printer


def test_default_page_is_best_of_profile_and_table_override(sale):
    assert b"\x1bt\x13" in render_escpos(sale, profile="TM-T20II")[:8]  # CP858 preferred
    out = render_escpos(sale, profile="POS-5890", width_mm=58, codepage="CP850", codepage_table=50)
    assert out.startswith(b"\x1b@\x1bt\x32")
    assert b"Pi\xa4a" in out  # cp850 ñ
    out = render_escpos(sale, codepage="CP1252")
    assert out.startswith(b"\x1b@\x1bt\x10") and b"Pi\xf1a" in out and b"\xbfok? \xa1s\xed!" in out
    with pytest.raises(ValueError, match="Página de códigos no soportada"):
        render_escpos(sale, codepage="UTF-8")


def test_signs_without_glyph_fall_back_to_text():
    t = Ticket("PY", "T", "1").add(Text("Total ₲ 10.000 – 5 € “ok”"))
    out = render_escpos(t, codepage="CP850", cut=False)
    assert b'Total Gs. 10.000 - 5 EUR "ok"' in out


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_line_widths_respected(sale, columns):
    rows = [r.text for r in layout(sale, columns) if r.code is None]
    assert max(len(r) for r in rows) == columns
    out = render_escpos(sale, columns=columns, width_mm=58 if columns == 32 else 80)
    assert b"-" * columns + b"\n" in out and b"-" * (columns + 1) not in out
    for line in out.split(b"\n"):
        text = line.rsplit(b"\x1b", 1)[-1] if b"\x1b" in line else line
        if b"\x1d" not in line and b"\x1b" not in line:
            assert len(text) <= columns, text


def test_80mm_code128_raster_decodes_to_the_clave(sale, tmp_path):
    out = render_escpos(sale, width_mm=80, profile="TM-T20II")
    images = raster_images(out)
    assert images and all(im.width <= 576 for im in images)
    png = tmp_path / "code.png"
    stack(images).save(png)
    assert zbar(png) == [f"CODE-128:{CLAVE}"]


def test_58mm_native_qr_carries_exactly_the_clave(sale):
    out = render_escpos(sale, width_mm=58, profile="default")
    store = b"\x1d(k" + bytes([len(CLAVE) + 3, 0]) + b"1P0" + CLAVE.encode()
    assert store in out
    assert b"\x1d(k\x03\x001Q0" in out  # print the stored symbol
    assert raster_images(out) == []  # no Code128 attempted on 58 mm


def test_58mm_raster_qr_on_printer_without_qr_support(sale, tmp_path):
    out = render_escpos(sale, width_mm=58, profile="POS-5890")
    assert b"\x1d(k" not in out
    images = raster_images(out)
    assert images and max(im.width for im in images) <= 384
    png = tmp_path / "qr.png"
    stack(images).save(png)
    assert zbar(png) == [f"QR-Code:{CLAVE}"]


def test_drawer_kick_only_for_cash_and_cut_at_the_end(sale):
    out = render_escpos(sale, drawer_pin=2)
    assert out.count(KICK_2) == 1 and out.endswith(FULL_CUT)
    assert out.rfind(KICK_2) < out.rfind(FULL_CUT)
    assert KICK_5 in render_escpos(sale, drawer_pin=5)
    assert b"\x1bp" not in render_escpos(sale, drawer_pin=None)
    card = ticket_from_xml(sale_xml(cash=False), {})
    assert b"\x1bp" not in render_escpos(card, drawer_pin=2)
    with pytest.raises(ValueError):
        render_escpos(sale, drawer_pin=3)


def test_cash_from_extras_payments_opens_drawer():
    t = ticket_from_xml(sale_xml(cash=False), {"payments": [{"method": "cash", "amount": "5"}]})
    assert KICK_2 in render_escpos(t, drawer_pin=2)


def test_a_reprint_never_opens_the_drawer():
    copy = ticket_from_xml(sale_xml(cash=True), {"copy": True})
    out = render_escpos(copy, drawer_pin=2)
    assert b"\x1bp" not in out and "REIMPRESI".encode() in out


def test_cut_is_last_command(sale):
    assert render_escpos(sale, profile="TM-T20II").endswith(FULL_CUT)
    assert not render_escpos(sale, profile="TM-T20II", cut=False).endswith(FULL_CUT)


def test_every_ec_sample_renders():
    for name, path in EC_SAMPLES.items():
        t = ticket_from_xml(path.read_bytes(), {})
        out = render_escpos(t, width_mm=80, profile="TM-T20II")
        assert t.number.encode() in out, name


def test_import_has_no_logging_or_stdout_side_effects(tmp_path):
    code = (
        "import logging, sys\n"
        "from app.devices.escpos_render import render_escpos\n"
        "from app.devices.ticket import Ticket, Text, Code\n"
        "t = Ticket('EC','F','1').add(Text('hola'), Code('123456789012', 'code128'))\n"
        "render_escpos(t, profile='default')\n"
        "render_escpos(t, width_mm=58, profile='POS-5890')\n"
        "assert logging.getLogger().handlers == [], logging.getLogger().handlers\n"
        "assert logging.getLogger().level == logging.WARNING\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert list((tmp_path / ".cache" / "Mostrador" / "escpos").glob("*.capabilities.pickle"))
