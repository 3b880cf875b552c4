"""Nuevo documento (Ctrl+N on Documentos): each Ecuadorian form driven by key events only, issued
through checkout, verified, authorized by the embedded SRI sandbox and printed (ticket bytes on a
file printer, the RIDE as PDF); a refused identification shows its Spanish error and takes the
cursor to its field."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from new_document_keys import CTRL, ENTER, choose, ec_day, fill, focus, open_dialog, type_text

from app.store import documents

PARTY = {"identificacion": "1710034065", "razon_social": "Juan Pérez", "email": "juan@example.com"}
SUPPLIER = {"identificacion": "1790011674001", "razon_social": "Proveedor S.A."}
CASES = {
    "debit-note": ("débito", "debit-notes",
                   PARTY | {"tipo_identificacion": "cédu", "numero_documento_modificado": "1-1-25",
                            "fecha_emision_documento_modificado": ec_day(3)},
                   {"motivos": [["Interés por mora", "12,50"], ["Gastos de envío", "3"]]}),
    "retention": ("retenc", "retentions",
                  SUPPLIER | {"numero_sustento": "011-007-000000251", "fecha_sustento": ec_day(2),
                              "subtotal_sustento": "100"},
                  {"retenciones": [[None, "312", "1.75", "100"], ["IVA", "1", None, "15"]]}),
    "waybill": ("guía", "waybills",
                {"t_identificacion": "0912345675", "t_razon_social": "Transportes Pérez", "placa": "PBA-1234",
                 "d_identificacion": "1790011674001", "d_razon_social": "Distribuidora Andina S.A.",
                 "d_direccion": "Malecón 1401, Guayaquil", "ruta": "Quito - Guayaquil"},
                {"items": [["CEM", "Cemento 50 kg", "10"], [None, "Varilla 12 mm", "25"]]}),
    "purchase-settlement": ("liquid", "purchase-settlements",
                            {"identificacion": "0912345675", "razon_social": "María Quispe",
                             "direccion": "Comunidad Salasaca"},
                            {"items": [[None, "Tejido artesanal", "2,5", "12.123456", "0 %"]]}),
    "credit-note-free": ("crédito", "credit-notes",
                         PARTY | {"tipo_identificacion": "05", "numero_documento_modificado": "001-001-000000025",
                                  "fecha_emision_documento_modificado": ec_day(1)},
                         {"items": [["DESC", "Descuento por pronto pago", "1", "5", None]]}),
}


@pytest.fixture
def file_printer(demo_session, tmp_path):
    """A real "file" printer: the ESC/POS bytes of F7 land in a file."""
    from app.store import settings
    from app.store.db import transaction

    out = tmp_path / "ticket.bin"
    with transaction(demo_session.conn):
        settings.put(demo_session.conn, "printers", {"caja": {"kind": "file", "path": str(out)}})
        settings.put(demo_session.conn, "printer.default", "caja")
    return out


@pytest.mark.parametrize("form_id", list(CASES))
def test_each_form_by_keyboard(qtbot, make_window, file_printer, tmp_path, form_id):
    search, kind, header, rows = CASES[form_id]
    w = make_window(start_worker=True)
    assert w.ctx.worker is not None, w.ctx.worker_error
    view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, search, form_id)
    fill(qtbot, dialog, header, rows)
    qtbot.keyClick(focus(), ENTER, CTRL)  # Emitir (Ctrl+Enter)
    assert dialog.result is not None, dialog.error.text()
    assert not dialog.isVisible()
    doc = documents.get(w.ctx.conn, dialog.result.document_id)
    assert doc["kind"] == kind and doc["status"] in ("signed", "sent", "authorized")
    assert doc["number"].startswith(f"{w.ctx.establishment}-{w.ctx.point}-")
    findings = w.ctx.session.backend.verify(bytes(doc["xml"]))
    assert findings and all(f.ok for f in findings), [f.message for f in findings if not f.ok]
    # Documentos selects it and offers to print it
    assert view.current_id() == doc["id"]
    assert doc["number"] in view.message.text() and "F7" in view.message.text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table, timeout=3000)  # back on Documentos
    qtbot.keyClick(view.table, Qt.Key.Key_F7)
    assert view.message.text() == "Ticket impreso", view.message.text()  # its first print: no copy
    ticket = file_printer.read_bytes()
    assert ticket.startswith(b"\x1b@") and doc["number"].encode() in ticket  # ESC/POS of this document
    assert b"REIMPRESI" not in ticket
    ride = tmp_path / "ride.pdf"
    view.save_ride(doc["id"], ride)
    assert ride.read_bytes().startswith(b"%PDF")
    w.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(w.ctx.conn, doc["id"])["status"] == "authorized", timeout=30000)



def test_debit_note_body_values(qtbot, make_window):
    """What was typed is what was signed: the reasons, the IVA 15 % on them, the modified invoice."""
    search, kind, header, rows = CASES["debit-note"]
    w = make_window()
    _view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, search, "debit-note")
    fill(qtbot, dialog, header, rows)
    assert dialog.tables["motivos"].rowCount() == 3  # Enter on the last cell added a row (left blank)
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.result is not None, dialog.error.text()
    xml = bytes(documents.get(w.ctx.conn, dialog.result.document_id)["xml"])
    for part in (b"<tipoIdentificacionComprador>05</tipoIdentificacionComprador>",
                 b"<numDocModificado>001-001-000000025</numDocModificado>",
                 b"<razon>Inter\xc3\xa9s por mora</razon>", b"<valor>12.50</valor>",
                 b"<totalSinImpuestos>15.50</totalSinImpuestos>", b"<valorTotal>17.83</valorTotal>"):
        assert part in xml, part


def test_refused_identification_focuses_its_field(qtbot, make_window):
    w = make_window()
    before = w.ctx.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    _view, dialog = open_dialog(qtbot, w)
    search, _kind, header, rows = CASES["debit-note"]
    choose(qtbot, dialog, search, "debit-note")
    fill(qtbot, dialog, header | {"identificacion": "1710034066"}, rows)  # wrong check digit
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.result is None and dialog.isVisible()
    text = dialog.error.text()
    assert text.startswith("Identificación del cliente: ") and "cédula" in text, text
    assert "comprador." not in text  # the dialect's paths are for programs, not people
    assert focus() is dialog.inputs["identificacion"]
    assert w.ctx.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == before


def test_missing_values_are_named_before_issuing(qtbot, make_window):
    w = make_window()
    _view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, "liquid", "purchase-settlement")
    fill(qtbot, dialog, {"razon_social": "María Quispe"}, {"items": [[None, "Tejido", "dos", "3"]]})
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.result is None
    lines = dialog.error.text().splitlines()
    assert lines[0] == "Identificación del proveedor: es obligatorio"
    assert any("fila 1, Cantidad: «dos» no es un número" in ln for ln in lines), lines
    assert focus() is dialog.inputs["identificacion"]


def test_table_keys_add_and_delete_rows(qtbot, make_window):
    w = make_window()
    _view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, "guía", "waybill")
    table = dialog.tables["items"]
    dialog.focus_on(dialog.inputs["fecha_sustento"])  # the last header field: Tab goes on to the table
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    assert table.where(focus()) == (0, 0)
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    assert table.where(focus()) == (0, 1)
    table.focus_cell(0, 0)
    for text in ("A", "Uno", "1", "B", "Dos", "2"):
        type_text(qtbot, text)
        qtbot.keyClick(focus(), ENTER)
    assert table.rowCount() == 3 and table.where(focus()) == (2, 0)
    table.focus_cell(0, 1)
    qtbot.keyClick(focus(), Qt.Key.Key_Delete, CTRL)  # Ctrl+Supr deletes the row
    assert table.rowCount() == 2
    assert [table.row_texts(r)["descripcion"] for r in range(2)] == ["Dos", ""]
    assert table.filled_rows() == [0]


def test_filter_and_arrows_choose_a_form(qtbot, make_window):
    w = make_window()
    _view, dialog = open_dialog(qtbot, w)
    labels = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert {"Comprobante de retención", "Guía de remisión", "Nota de débito", "Liquidación de compra"} <= set(labels)
    type_text(qtbot, "nota")
    shown = [dialog.list.item(i).text() for i in range(dialog.list.count()) if not dialog.list.item(i).isHidden()]
    assert shown and all("Nota" in s for s in shown)
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Down)
    assert dialog.list.currentItem().text() == shown[1]
    qtbot.keyClick(dialog.filter, ENTER)
    assert dialog.title.text() == shown[1]
    assert focus() in (dialog.inputs["tipo_identificacion"], dialog.inputs["tipo_identificacion"].lineEdit())
    qtbot.keyClick(focus(), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


@pytest.mark.parametrize("country", ["EC", "PY"])
@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_text_is_clipped(qtbot, tmp_path, country, size):
    """Every form of the country in the dialog over the window at 1024×768 and 1920×1080."""
    from contextlib import ExitStack

    from test_screen_sizes import clipped

    from app.pos import users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo
    from app.ui.new_document import forms_of

    make_app()
    session = prepare_demo(tmp_path / "data", country)
    stack = ExitStack()
    window = MainWindow(build_context(session, users.authenticate(session.conn, "1234"), demo=True, stack=stack,
                                      start_worker=False))
    qtbot.addWidget(window)
    try:
        window.resize(*size)
        window.show()
        view = window.show_screen("documents")
        problems = []  # Documentos itself: tests/ui/test_screen_sizes.py
        if not forms_of(window.ctx.country):
            pytest.skip(f"{country} declares no forms yet")
        view.new_document()
        dialog = view.new_dialog
        QApplication.processEvents()
        assert dialog.width() <= size[0] and dialog.height() <= size[1]
        for form in dialog.forms:
            dialog.open_form(form)
            for _ in range(3):
                QApplication.processEvents()
            problems += [f"{form.label}: {p}" for p in clipped(dialog)]
        dialog.reject()
        assert problems == [], "\n".join(problems)
    finally:
        window.shutdown()
        stack.close()
        session.close()
