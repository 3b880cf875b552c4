"""Nuevo documento, the event branch (`issues_document=False`): on the Paraguayan demo, a receptor
event typed in the dialog runs the form's `perform` (signed and queued, no number), its
confirmation shows on Documentos; a refused value keeps the dialog open on its field. Plus the
contract every country's forms keep (app/fiscal/forms.py)."""
from __future__ import annotations

import random
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from PySide6.QtWidgets import QApplication

from new_document_keys import CTRL, ENTER, choose, fill, focus, open_dialog

from app.fiscal import registry
from app.fiscal.forms import CHOICE, KINDS, check_values



@pytest.fixture
def py_window(qtbot, tmp_path):
    from app.pos import users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    make_app()
    session = prepare_demo(tmp_path / "data", "PY")
    stack = ExitStack()
    window = MainWindow(build_context(session, users.authenticate(session.conn, "1234"), demo=True, stack=stack,
                                      start_worker=False))
    qtbot.addWidget(window)
    window.resize(1024, 768)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    yield window
    window.shutdown()
    stack.close()
    session.close()


def supplier_cdc(company) -> str:
    """The CDC of a factura another taxpayer signed for the shop (offline: the event is only queued)."""
    from app.fiscal.py.backend import PyBackend
    from app.fiscal.py.certificate import PROFILE
    from app.fiscal.py.demo import demo_py_sale
    from app.fiscal.signing import generate_test_p12, load_identity

    supplier = replace(company, ruc="80033303-9")
    identity = load_identity(generate_test_p12(ruc=supplier.ruc, holder="PROVEEDOR DE PRUEBA", password="x",
                                               profile=PROFILE), "x")
    backend = PyBackend()
    return backend.sign(backend.parse(demo_py_sale(supplier, random.Random(7), 2), "invoices", supplier),
                        7, identity, supplier).key


def test_an_event_from_the_dialog(qtbot, py_window):
    forms = {f.id: f for f in py_window.ctx.country.forms().forms}
    event = next((f for f in forms.values() if not f.issues_document and "motivo" in {x.name for x in f.fields}),
                 None)
    if event is None:
        pytest.skip("Paraguay declares no event with a reason")
    conn = py_window.ctx.conn
    docs_before = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    view, dialog = open_dialog(qtbot, py_window)
    choose(qtbot, dialog, event.label.split()[0].lower()[:6], event.id)
    cdc = supplier_cdc(py_window.ctx.session.company)
    fill(qtbot, dialog, {"cdc": cdc, "motivo": "Mal"}, {})  # too short a reason
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.isVisible() and dialog.confirmation == ""
    assert dialog.error.text(), "the refusal is shown"
    assert focus() is dialog.inputs["motivo"], dialog.error.text()
    dialog.inputs["motivo"].selectAll()
    qtbot.keyClicks(focus(), "No reconocemos esta compra")
    qtbot.wait(60)
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.confirmation, dialog.error.text()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table, timeout=3000)
    assert view.message.text() == dialog.confirmation
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == docs_before  # an event: no number


@pytest.mark.parametrize("code", registry.codes())
def test_every_country_keeps_the_forms_contract(code):
    """Ids and field names unique, kinds known, choices offered, defaults texts that pass their own
    kind check, events with `perform`, refusal paths mapped to fields that exist."""
    country = registry.country(code)
    try:
        forms = country.forms().forms
    except ModuleNotFoundError:
        pytest.skip(f"{code} declares no forms")
    demo = country.demo().company
    now = datetime.now(timezone.utc)
    assert len({f.id for f in forms}) == len(forms)
    for f in forms:
        names = [x.name for x in f.fields] + [t.name for t in f.tables]
        assert len(set(names)) == len(names), f.id
        assert f.issues_document or f.perform is not None, f.id
        cols = {t.name: {c.name for c in t.columns} for t in f.tables}
        for x in list(f.fields) + [c for t in f.tables for c in t.columns]:
            assert x.kind in KINDS and x.label, (f.id, x.name)
            assert x.kind != CHOICE or x.choices, (f.id, x.name)
        header = {x.name: x.default(demo, now) if x.default else "" for x in f.fields}
        _values, problems = check_values(f, header, {t.name: [] for t in f.tables})
        bad_defaults = [p for p in problems if "obligatorio" not in p.message and "al menos" not in p.message]
        assert bad_defaults == [], (f.id, bad_defaults)
        for path in ("", "no.such.path[3]"):
            target = f.field_for_error(path)
            if target is not None:
                table, _row, name = target
                assert name in (cols[table] if table else {x.name for x in f.fields}), (f.id, path, target)


def test_the_kind_check_of_typed_texts():
    from app.fiscal.forms import DATE, INTEGER, MONEY, QUANTITY, FormField, parse_value

    money, qty = FormField("m", "Monto", MONEY), FormField("q", "Cantidad", QUANTITY)
    assert parse_value(money, " 1.234,50 ") == "1234.50" and parse_value(money, "12,5") == "12.5"
    assert parse_value(qty, "2.123456") == "2.123456"
    with pytest.raises(ValueError, match="6 decimales"):
        parse_value(qty, "1.1234567")
    with pytest.raises(ValueError, match="negativo"):
        parse_value(money, "-1")
    assert parse_value(FormField("d", "Fecha", DATE), "5/3/2026") == "2026-03-05"
    with pytest.raises(ValueError, match="dd/mm/aaaa"):
        parse_value(FormField("d", "Fecha", DATE), "31/02/2026")
    with pytest.raises(ValueError, match="entero"):
        parse_value(FormField("i", "N", INTEGER), "1.5")
    choice = FormField("c", "Tipo", CHOICE, choices=(("04", "RUC"), ("05", "Cédula"), ("06", "Pasaporte")))
    assert [parse_value(choice, t) for t in ("05", "cédula", "pasa", "")] == ["05", "05", "06", ""]
    with pytest.raises(ValueError, match="opciones"):
        parse_value(choice, "a")  # in two labels: not one choice
