"""Printing from the stored document: first print vs reprint, drawer, PDFs, dead printers."""
from __future__ import annotations

import random
import socket
import subprocess
from decimal import Decimal

import pytest

from app.config import DataDir
from app.core.errors import ConfigurationError
from app.devices.printers import PrinterError
from app.pos import checkout, printing
from app.pos.demo import create_demo_company
from app.fiscal.ec.demo import BUYERS, PRODUCTS, invoice_body
from app.store import documents, settings
from app.store.db import transaction

KICK = b"\x1bp"


@pytest.fixture
def shop(tmp_path):
    session = create_demo_company(DataDir(tmp_path / "data"), "EC")
    out = tmp_path / "printer.bin"
    with transaction(session.conn):
        settings.put(session.conn, printing.PRINTERS_KEY, {"caja": {"kind": "file", "path": str(out)}})
        settings.put(session.conn, printing.DEFAULT_PRINTER_KEY, "caja")
    yield session, out
    session.close()


def cash_sale(session):
    body = invoice_body(session.company, [(PRODUCTS[1], Decimal("2"), Decimal(0))])
    total = Decimal(body["totales"]["importe_total"])
    tipo, ident, name, _ = BUYERS[0]
    body["comprador"] = {"tipo_identificacion": tipo, "identificacion": ident, "razon_social": name}
    return checkout.issue(session, body, "invoices", tendered=Decimal("20.00"), change=Decimal("20.00") - total)


def test_first_print_opens_the_drawer_and_a_reprint_is_a_copy(shop):
    session, out = shop
    r = cash_sale(session)
    printing.print_ticket(session, r.key)
    first = out.read_bytes()
    assert KICK in first and b"REIMPRESI" not in first
    assert r.key[:12].encode() in first and b"CAMBIO" in first
    printing.print_ticket(session, r.key)
    second = out.read_bytes()
    assert KICK not in second and "REIMPRESIÓN".encode("cp858") in second
    assert printing.times_printed(session.conn, r.document_id) == 2


def test_dead_network_printer_loses_nothing(shop):
    session, _ = shop
    r = cash_sale(session)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here
    with transaction(session.conn):
        settings.put(session.conn, printing.PRINTERS_KEY,
                     {"red": {"kind": "network", "host": "127.0.0.1", "port": port, "timeout": 1}})
    with pytest.raises(PrinterError) as exc:
        printing.print_ticket(session, r.key, printer="red")
    assert "reimprim" in str(exc.value).lower()
    assert documents.get(session.conn, r.document_id)["status"] == "signed"
    assert printing.times_printed(session.conn, r.document_id) == 0


def test_unknown_printer_is_a_clear_error(shop):
    session, _ = shop
    r = cash_sale(session)
    with pytest.raises(ConfigurationError) as exc:
        printing.print_ticket(session, r.key, printer="nada")
    assert "caja" in str(exc.value)


def test_a4_ride_pdf_carries_the_clave(shop, tmp_path):
    session, _ = shop
    r = cash_sale(session)
    pdf = tmp_path / "ride.pdf"
    pdf.write_bytes(printing.a4_pdf(session, r.key))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert r.key in text.replace(" ", "") and "FACTURA" in text and "001-001-000000001" in text
    png = tmp_path / "ride"
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(pdf), str(png)], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(png) + "-1.png"], capture_output=True).stdout.decode()
    assert r.key in decoded.split()


@pytest.mark.parametrize("country,opening,expected", [("EC", "25", "Fondo inicial 25.00"),
                                                      ("PY", "150000", "Fondo inicial 150.000")])
def test_shift_report_speaks_the_company_currency(tmp_path, country, opening, expected):
    from app.pos import shifts

    session = create_demo_company(DataDir(tmp_path / "data"), country)
    try:
        out = tmp_path / "printer.bin"
        with transaction(session.conn):
            settings.put(session.conn, printing.PRINTERS_KEY, {"caja": {"kind": "file", "path": str(out)}})
        shift = shifts.open_shift(session.conn, "001", "001", "Ana", opening)
        printing.print_shift_report(session, shifts.report(session.conn, shift.id).as_dict(), printer="caja")
        text = " ".join(out.read_bytes().decode("cp858", "replace").split())
        assert "INFORME X - PARCIAL" in text and expected in text
        assert "Efectivo esperado" in text  # the country's cash method was found among the methods
    finally:
        session.close()


def test_the_document_country_draws_ticket_and_a4(tmp_path):
    """Nothing in printing names a country: a SIFEN document gets the KuDE, as ticket and A4."""
    from app.fiscal import registry

    session = create_demo_company(DataDir(tmp_path / "data"), "PY")
    try:
        body, kind = registry.country("PY").demo().sale_body(session.company, random.Random(1), 1,
                                                             estab="001", point="001")
        r = checkout.issue(session, body, kind)
        row, t = printing.ticket(session, r.key)
        assert t.key == r.key and not t.copy and "KuDE de Factura Electrónica" in repr(t)
        pdf = tmp_path / "kude.pdf"
        pdf.write_bytes(printing.a4_pdf(session, r.key))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        assert "Timbrado" in text and " ".join(r.key[i:i + 4] for i in range(0, 24, 4)) in text
    finally:
        session.close()
