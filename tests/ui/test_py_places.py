"""Departamento, distrito and ciudad of a Paraguayan establishment are chosen from the SET's
tables in Configuración, searchable as you type (real widgets, real key events); each choice
narrows the next; the cell keeps the code that is saved."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.fiscal.py import geo
from app.ui.widgets import SearchCombo
from test_py_till import py_session, type_slowly  # noqa: F401  (fixture)


def test_places_are_picked_from_the_official_catalogs(qtbot, py_session):
    from app.pos import users
    from app.ui.main import build_context
    from app.ui.settings_view import SettingsView

    admin = users.authenticate(py_session.conn, "9753")
    view = SettingsView(build_context(py_session, admin, demo=True, stack=None))
    qtbot.addWidget(view)
    view.show()
    est = view.form.establishments
    cols = {f.key: len(est.COLUMNS) + i for i, f in enumerate(est.extra)}
    dep, dis, ciu = (est.table.cellWidget(0, cols[k]) for k in ("departamento", "distrito", "ciudad"))
    assert all(isinstance(w, SearchCombo) for w in (dep, dis, ciu))
    assert dep.count() == len(geo.departamentos()) and dep.findText("CAPITAL (1)") >= 0
    dep.lineEdit().selectAll()
    type_slowly(qtbot, dep.lineEdit(), "central")
    qtbot.keyClick(dep.lineEdit(), Qt.Key.Key_Return)
    assert dep.currentText() == "CENTRAL (12)" and est.cell(0, cols["departamento"]) == "12"
    # only Central's distritos are offered now
    assert dis.count() == len(geo.distritos(12)) and dis.findText("LUQUE", Qt.MatchFlag.MatchStartsWith) >= 0
    assert dis.findText("CONCEPCION", Qt.MatchFlag.MatchStartsWith) < 0
    dis.lineEdit().selectAll()
    type_slowly(qtbot, dis.lineEdit(), "luq")
    qtbot.keyClick(dis.lineEdit(), Qt.Key.Key_Return)
    assert dis.currentText().startswith("LUQUE (")
    luque = est.cell(0, cols["distrito"])
    assert ciu.count() == len(geo.ciudades(int(luque)))  # only Luque's
    ciu.lineEdit().selectAll()
    type_slowly(qtbot, ciu.lineEdit(), "luque")
    qtbot.keyClick(ciu.lineEdit(), Qt.Key.Key_Return)
    assert ciu.value() and "CENTRAL" in est.places.text() and "LUQUE" in est.places.text()
    e = est.establishments()[0]
    assert (e.departamento, e.distrito, e.ciudad) == (12, int(luque), int(ciu.value()))
    # a code written into the cell (as a CSV import or a program would) moves the picker too
    est.table.item(0, cols["departamento"]).setText("1")
    assert dep.currentText() == "CAPITAL (1)" and dis.findText("LUQUE", Qt.MatchFlag.MatchStartsWith) < 0
