"""Reportes (chart + table), login by PIN, Configuración saved only by an administrator,
and the screenshots command."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from sales_helper import sell

from app.pos import audit, users
from app.store import settings

ENTER = Qt.Key.Key_Return


def test_reports_view(qtbot, make_window):
    w = make_window()
    sell(w, ["CAFE", "PAN"])
    sell(w, ["CEMENTO"], medio="tarjeta_credito")
    view = w.show_screen("reports")
    view.kind.setCurrentIndex(view.kind.findData("payment"))
    labels = {r.label: r.amount for r in view.rows}
    assert labels == {"Efectivo": Decimal("6.55"), "Tarjeta de crédito": Decimal("8.90")}  # 4.25 + 2.30
    assert view.table.rowCount() == 2 and len(view.chart.bars) == 2
    view.kind.setCurrentIndex(view.kind.findData("day"))
    assert view.rows[-1].count == 2 and "15.45" in view.total.text()
    img = view.chart.grab().toImage()
    # the last day's bar is drawn in the bar colour near the bottom right of the plot
    assert any(img.pixelColor(x, img.height() - 50).name() == "#3949ab" for x in range(img.width() - 80, img.width()))


def test_login_by_pin(qtbot, demo_session):
    from app.ui.login import LoginDialog

    d = LoginDialog(demo_session.conn)
    qtbot.addWidget(d)
    d.show()
    d.name.setCurrentIndex(d.name.findData("Supervisora Demo"))
    qtbot.keyClicks(d.pin, "1234")  # the cashier's PIN, not hers
    qtbot.keyClick(d.pin, ENTER)
    assert d.user is None and "incorrecto" in d.error.text() and d.pin.text() == ""
    qtbot.keyClicks(d.pin, "2468")
    qtbot.keyClick(d.pin, ENTER)
    assert d.user.name == "Supervisora Demo" and d.result() == d.DialogCode.Accepted


def test_settings_need_an_administrator(qtbot, make_window, demo_session):
    w = make_window()  # logged in as the cashier
    view = w.show_screen("settings")
    view.form.company.nombre_comercial.clear()
    qtbot.keyClicks(view.form.company.nombre_comercial, "Tienda Nueva")
    qtbot.keyClick(view.form.company.nombre_comercial, Qt.Key.Key_F9)
    pin = view.pin_dialog
    qtbot.waitUntil(pin.isActiveWindow, timeout=2000)
    qtbot.keyClicks(pin.pin, "2468", delay=60)  # a supervisor is not enough (typed by a person)
    qtbot.wait(60)
    qtbot.keyClick(pin.pin, ENTER)
    assert "Solo un administrador" in view.message.text()
    assert settings.load_company(demo_session.conn).nombre_comercial != "Tienda Nueva"
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    view.form.company.nombre_comercial.setFocus()
    qtbot.keyClick(view.form.company.nombre_comercial, Qt.Key.Key_F9)
    assert view.pin_dialog is not pin
    pin = view.pin_dialog
    qtbot.waitUntil(pin.isActiveWindow, timeout=2000)
    qtbot.keyClicks(pin.pin, "9753", delay=60)
    qtbot.wait(60)
    qtbot.keyClick(pin.pin, ENTER)
    assert "guardada" in view.message.text(), view.message.text()
    company = settings.load_company(demo_session.conn)
    assert company.nombre_comercial == "Tienda Nueva" and company.extra.get("demo") is True
    assert audit.entries(demo_session.conn, action="settings")[0]["actor"] == "Administrador Demo"


def test_screenshots(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from app.ui.screenshots import render_all

    paths = render_all(tmp_path / "png", tmp_path / "data", (1024, 768))
    names = [p.stem for p in paths]
    assert names == ["01_venta", "02_cobrar", "03_documentos", "04_caja", "05_productos", "06_clientes",
                     "07_reportes", "08_configuracion", "09_asistente", "ticket-ec-80mm", "ride-ec-a4",
                     "10_py_venta", "11_py_cobrar", "12_py_documentos", "13_py_asistente", "14_py_establecimientos",
                     "ticket-py-80mm", "kude-py-a4"]
    printed = [p for p in paths if not p.name[:2].isdigit()]
    for p in printed:  # the ticket 80 mm wide at 203 dpi (576 px); the A4 page upright
        img = QImage(str(p))
        assert img.width() > 500 and img.height() > img.width(), p
    paths = [p for p in paths if p not in printed]
    for p in paths:
        img = QImage(str(p))
        assert (img.width(), img.height()) == (1024, 768), p
    assert users.list_users  # the demo users exist for the screenshots' cashier


def test_screenshots_refuse_a_bad_size(tmp_path, capsys):
    from app.cli import main

    code = main(["--data-dir", str(tmp_path / "data"), "screenshots", "--out", str(tmp_path / "png"), "--size", "1024por768"])
    err = capsys.readouterr().err
    assert code != 0 and "Tamaño inválido" in err and "Traceback" not in err
    assert not list((tmp_path / "png").glob("*.png"))


def test_printed_images_without_pdftoppm_keep_the_ticket(tmp_path, monkeypatch, caplog):
    """A machine without poppler (the frozen program, Windows) still gets the ticket image."""
    import random

    from app.config import DataDir
    from app.fiscal.ec.demo import demo_invoice
    from app.pos import checkout
    from app.pos.demo import create_demo_company
    from app.ui.screenshots import printed_images

    session = create_demo_company(DataDir(tmp_path / "d"), "EC")
    try:
        checkout.issue(session, demo_invoice(session.company, random.Random(3), 1), "invoices")
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        written = printed_images(tmp_path, session)
    finally:
        session.close()
    assert [p.name for p in written] == ["ticket-ec-80mm.png"] and written[0].stat().st_size > 1000
    assert "pdftoppm" in caplog.text
