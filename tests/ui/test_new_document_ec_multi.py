"""Nuevo documento, Ecuador, several of a kind: a guía de remisión to two destinatarios and a
comprobante de retención on two documentos sustento, made by key events only (Tab moves from one
table to the next), issued through checkout, verified, authorized by the embedded SRI sandbox and
printed (ticket bytes on a file printer, the RIDE's text); retention codes chosen from the SRI
catalogue by typing part of their description fill the percentage; refusals land on the row."""
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from new_document_keys import CTRL, ENTER, choose, ec_day, fill_header, focus, open_dialog, type_rows

from app import xmlsafe
from app.fiscal.ec import catalog
from app.fiscal.ec.forms import RETENTION, WAYBILL
from app.fiscal.forms import ESTABLISHMENT, POINT, check_values
from app.store import documents


def fill(qtbot, dialog, header: dict[str, str], rows: dict[str, list[list[str | None]]]) -> None:
    """Every header field, then each table's rows; Tab across the blank row Enter added to reach
    the next table."""
    fill_header(qtbot, dialog, header)
    tables = dialog.form.tables
    for n, t in enumerate(tables):
        widget = dialog.tables[t.name]
        assert widget.where(focus()) == (0, 0), (t.name, focus())
        type_rows(qtbot, rows.get(t.name, []))
        if n + 1 < len(tables):
            for _ in range(len(t.columns) if rows.get(t.name) else 0):  # across the blank row Enter added
                qtbot.keyClick(focus(), Qt.Key.Key_Tab)


def pdf_text(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


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


def issue_and_print(qtbot, w, view, dialog, file_printer, tmp_path) -> tuple[dict, bytes, str]:
    """Ctrl+Enter; the document verified; F7's ticket bytes and the RIDE's text."""
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.result is not None, dialog.error.text()
    doc = documents.get(w.ctx.conn, dialog.result.document_id)
    findings = w.ctx.session.backend.verify(bytes(doc["xml"]))
    assert findings and all(f.ok for f in findings), [f.message for f in findings if not f.ok]
    assert view.current_id() == doc["id"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table, timeout=3000)
    qtbot.keyClick(view.table, Qt.Key.Key_F7)
    assert "impreso" in view.message.text(), view.message.text()
    ticket = file_printer.read_bytes()
    assert ticket.startswith(b"\x1b@") and doc["number"].encode() in ticket
    ride = tmp_path / "ride.pdf"
    view.save_ride(doc["id"], ride)
    text = pdf_text(ride.read_bytes(), tmp_path, "ride_text") if shutil.which("pdftotext") else ""
    return doc, ticket, text


def authorized(qtbot, w, doc_id) -> None:
    w.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(w.ctx.conn, doc_id)["status"] == "authorized", timeout=30000)


WAYBILL_HEADER = {"t_identificacion": "0912345675", "t_razon_social": "Transportes Pérez", "placa": "PBA-1234",
                  "d_identificacion": "1790011674001", "d_razon_social": "Distribuidora Andina S.A.",
                  "d_direccion": "Malecón 1401, Guayaquil", "ruta": "Quito - Guayaquil - Manta"}
SECOND = "1710034065"  # a cédula


def waybill_rows(second_id: str = SECOND) -> dict:
    return {"items": [["CEM", "Cemento 50 kg", "10"], [None, "Varilla 12 mm", "25"]],
            "destinatarios": [["cédu", second_id, "Ferretería El Clavo", "Av. 24 de Mayo, Manta", None,
                               "1-1-77", ec_day(1)]],
            "destinatarios_items": [["2", "CEM", "Cemento 50 kg", "4"], ["2", None, "Clavos 2 pulgadas", "3"]]}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_waybill_to_two_recipients(qtbot, make_window, file_printer, tmp_path):
    w = make_window(start_worker=True)
    assert w.ctx.worker is not None, w.ctx.worker_error
    view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, "guía", "waybill")
    assert dialog.inputs["direccion_partida"].text() == ""  # filled when issuing: this till's establishment
    fill(qtbot, dialog, {**WAYBILL_HEADER, "d_tipo_identificacion": "RUC"}, waybill_rows())
    doc, ticket, ride = issue_and_print(qtbot, w, view, dialog, file_printer, tmp_path)
    root = xmlsafe.parse_xml(bytes(doc["xml"]))
    dests = root.findall("destinatarios/destinatario")
    assert [d.findtext("identificacionDestinatario") for d in dests] == ["1790011674001", SECOND]
    assert [[i.findtext("descripcion") for i in d.findall("detalles/detalle")] for d in dests] == [
        ["Cemento 50 kg", "Varilla 12 mm"], ["Cemento 50 kg", "Clavos 2 pulgadas"]]
    assert dests[1].findtext("numDocSustento") == "001-001-000000077"
    assert dests[1].findtext("ruta") == "Quito - Guayaquil - Manta"
    till = next(e for e in w.ctx.session.company.establishments if e.code == w.ctx.establishment)
    assert root.findtext("infoGuiaRemision/dirPartida") == till.address
    for name in ("Distribuidora Andina S.A.", "Ferretería El Clavo"):
        assert name.encode("cp858", "replace") in ticket or name.encode() in ticket, name
        assert name in ride, (name, ride[:500])
    assert SECOND in ride and "Clavos 2 pulgadas" in ride and "Varilla 12 mm" in ride
    authorized(qtbot, w, doc["id"])


def test_waybill_refusal_lands_on_the_second_recipient_row(qtbot, make_window):
    w = make_window()
    before = w.ctx.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    _view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, "guía", "waybill")
    fill(qtbot, dialog, WAYBILL_HEADER, waybill_rows("1710034066"))  # wrong check digit
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.result is None and dialog.isVisible()
    text = dialog.error.text()
    assert text.startswith("Otros destinatarios (n.º 2, 3…), fila 1, Identificación: "), text
    table = dialog.tables["destinatarios"]
    assert table.where(focus()) == (0, 1)
    assert w.ctx.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == before


def test_waybill_item_naming_no_recipient(qtbot, make_window):
    w = make_window()
    _view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, "guía", "waybill")
    rows = waybill_rows()
    rows["destinatarios_items"][1][0] = "3"  # there are two destinatarios
    fill(qtbot, dialog, WAYBILL_HEADER, rows)
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.result is None
    assert dialog.error.text() == ("Ítems de los otros destinatarios, fila 2, Dest. n.º: no hay destinatario n.º 3 "
                                   "(hay 2)"), dialog.error.text()
    assert dialog.tables["destinatarios_items"].where(focus()) == (1, 0)


RETENTION_HEADER = {"identificacion": "1790011674001", "razon_social": "Proveedor S.A.",
                    "numero_sustento": "011-007-000000251", "fecha_sustento": ec_day(2), "subtotal_sustento": "100"}


def retention_rows(doc: str = "2") -> dict:
    return {"retenciones": [[None, "bienes muebles de naturaleza", None, "100"], [None, "70 %", None, "15"]],
            "sustentos": [[None, "11-7-252", ec_day(1), None, None, "200", None, None]],
            "sustentos_retenciones": [[doc, None, "arrendamiento de bienes inm", None, "200"],
                                      [doc, "IVA", "1", None, "30"]]}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_retention_on_two_documents(qtbot, make_window, file_printer, tmp_path):
    w = make_window(start_worker=True)
    assert w.ctx.worker is not None, w.ctx.worker_error
    view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, "retenc", "retention")
    fill(qtbot, dialog, RETENTION_HEADER, retention_rows())
    renta_312 = catalog.RENTA_RETENTION_CODES["312"][1]  # the rate in force today (the issue date)
    # leaving the code's cell filled the percentage on screen, from the code chosen by its description
    shown = {t: [dialog.tables[t].row_texts(r)["porcentaje"] for r in (0, 1)]
             for t in ("retenciones", "sustentos_retenciones")}
    assert shown == {"retenciones": [format(renta_312.normalize(), "f"), "70"],
                     "sustentos_retenciones": ["10", "30"]}, shown
    doc, ticket, ride = issue_and_print(qtbot, w, view, dialog, file_printer, tmp_path)
    root = xmlsafe.parse_xml(bytes(doc["xml"]))
    docs = root.findall("docsSustento/docSustento")
    assert [d.findtext("numDocSustento") for d in docs] == ["011007000000251", "011007000000252"]
    got = {(d.findtext("numDocSustento")[-3:], r.findtext("codigo"), r.findtext("codigoRetencion")):
           (Decimal(r.findtext("porcentajeRetener")), Decimal(r.findtext("valorRetenido")))
           for d in docs for r in d.findall("retenciones/retencion")}
    assert got == {("251", "1", "312"): (renta_312, (100 * renta_312 / 100).quantize(Decimal("0.01"))),
                   ("251", "2", "2"): (Decimal("70"), Decimal("10.50")),
                   ("252", "1", "320"): (Decimal("10"), Decimal("20.00")),
                   ("252", "2", "1"): (Decimal("30"), Decimal("9.00"))}
    for number in ("011-007-000000251", "011-007-000000252"):
        assert number.encode() in ticket or number.replace("-", "").encode() in ticket, number
        assert number in ride or number.replace("-", "") in ride, (number, ride[:600])
    authorized(qtbot, w, doc["id"])


def test_retention_row_naming_no_document(qtbot, make_window):
    w = make_window()
    _view, dialog = open_dialog(qtbot, w)
    choose(qtbot, dialog, "retenc", "retention")
    fill(qtbot, dialog, RETENTION_HEADER, retention_rows(doc="5"))
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.result is None
    lines = dialog.error.text().splitlines()
    assert lines[0] == ("Retenciones de los otros documentos, fila 1, Doc. n.º: "
                        "no hay documento sustento n.º 5 (hay 2)")
    assert dialog.tables["sustentos_retenciones"].where(focus()) == (0, 0)


def test_retention_code_by_description_fills_the_percentage():
    """Part of a description picks the code; the percentage comes from the catalogue (IVA: Tabla
    20, fixed; renta: the resolution in force on the issue date, none before it)."""
    now = datetime.now(timezone.utc)
    header = {"tipo_identificacion": "04", "identificacion": "1790011674001", "razon_social": "Proveedor S.A.",
              "fecha_emision": "", "periodo_fiscal": "03/2026", "tipo_sustento": "01",
              "numero_sustento": "001-001-000000009", "fecha_sustento": "01/03/2026", "codigo_sustento": "02",
              "subtotal_sustento": "50", "iva_sustento": "4", "forma_pago": "transferencia"}
    tables = {"retenciones": [{"impuesto": "1", "codigo_retencion": "transporte privado de pasajeros",
                               "base_imponible": "50"},
                              {"impuesto": "1", "codigo_retencion": "retención del 100 %", "base_imponible": "7.5"}]}
    for day, renta in (("02/03/2026", "1"), ("27/02/2026", None)):
        values, problems = check_values(RETENTION, header | {"fecha_emision": day}, tables)
        assert problems == []
        assert [r["codigo_retencion"] for r in values["retenciones"]] == ["310", "3"]
        body, kind = RETENTION.build(values | {ESTABLISHMENT: "001", POINT: "001"}, None, now)
        assert kind == "retentions"
        assert [(it["codigo"], it.get("porcentaje")) for it in body["items"]] == [("1", renta), ("2", "100")]


def test_waybill_starts_at_the_issuing_establishment(demo_session):
    """Left blank, the start address is the till's establishment's, not the first one's (the demo
    company has two: Matriz 001 and Recreo 002)."""
    company = demo_session.company
    first, second = company.establishments[:2]
    assert first.address != second.address
    header = {"fecha_inicio": ec_day(0), "fecha_fin": ec_day(0), "t_tipo_identificacion": "05",
              "t_identificacion": "0912345675", "t_razon_social": "T", "placa": "PBA-1234",
              "d_tipo_identificacion": "04", "d_identificacion": "1790011674001", "d_razon_social": "D",
              "d_direccion": "Guayaquil", "motivo_traslado": "Venta"}
    values, problems = check_values(WAYBILL, header, {"items": [{"descripcion": "Cemento", "cantidad": "1"}]})
    assert problems == []
    now = datetime.now(timezone.utc)
    for code, address in ((second.code, second.address), (first.code, first.address)):
        body, _kind = WAYBILL.build(values | {ESTABLISHMENT: code, POINT: "001"}, company, now)
        assert body["direccion_partida"] == address
    typed = values | {"direccion_partida": "Bodega 3", ESTABLISHMENT: "002", POINT: "001"}
    assert WAYBILL.build(typed, company, now)[0]["direccion_partida"] == "Bodega 3"


def test_refusal_paths_map_to_their_rows():
    """The dialect's paths of rows flattened from several tables land on the row typed."""
    values = {"tipo_sustento": "01", "numero_sustento": "1-1-7", "fecha_sustento": "2026-03-02",
              "codigo_sustento": "02", "subtotal_sustento": "4",
              "retenciones": [{"codigo_retencion": "312", "base_imponible": "100"}],
              "sustentos": [{"numero": "1-1-9"}, {"numero": "1-1-8"}],
              "sustentos_retenciones": [{"doc": "3", "codigo_retencion": "1"}, {"doc": "2", "codigo_retencion": "9"}]}
    where = RETENTION.locate_error
    assert where("documentos_sustento[0].total_sin_impuestos", values) == (None, None, "subtotal_sustento")
    assert where("documentos_sustento[2].importe_total", values) == ("sustentos", 1, "subtotal")
    assert where("items[0].codigo_porcentaje", values) == ("retenciones", 0, "codigo_retencion")
    assert where("items[2].base_imponible", values) == ("sustentos_retenciones", 1, "base_imponible")
    assert where("items[1].fecha_emision_documento_sustento", values) == ("sustentos", 1, "fecha")
    assert where("items[0].numero_documento_sustento", values) == (None, None, "numero_sustento")

    values = {"items": [{"descripcion": "A"}], "destinatarios": [{"identificacion": SECOND}] * 2,
              "destinatarios_items": [{"dest": "3"}, {"dest": "1"}, {"dest": "3"}]}
    where = WAYBILL.locate_error
    assert where("destinatarios[0].items[1].cantidad", values) == ("destinatarios_items", 1, "cantidad")
    assert where("destinatarios[2].items[1].descripcion", values) == ("destinatarios_items", 2, "descripcion")
    assert where("destinatarios[2].motivo_traslado", values) == ("destinatarios", 1, "motivo_traslado")
    assert where("destinatarios[0].identificacion", values) == (None, None, "d_identificacion")
    assert where("destinatarios[1].items", values) == ("destinatarios", 0, "identificacion")
