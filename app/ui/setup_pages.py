"""The setup pages, shared by the first-run wizard and Configuración. They only collect
answers; app.pos.setup checks and saves them."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QRadioButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app.core.company import Company, Establishment, PointOfSale
from app.core.errors import MostradorError
from app.pos import setup, users
from app.ui.i18n import tr
from app.ui.widgets import error_text, Banner, SearchCombo, fkey_button


def _(text: str) -> str:
    return tr("SetupPages", text)


class CountryPage(QWidget):
    title = "País"

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QFormLayout(self)
        self.country = QComboBox()
        for code, label in setup.countries().items():
            self.country.addItem(_(label), code)
        lay.addRow(_("País de emisión"), self.country)
        authorities = " o ".join(setup.authority(code) for code in setup.countries())
        note = QLabel(_("El país decide la autoridad ({0}), la moneda y los datos que se piden.").format(authorities))
        note.setObjectName("hint")
        lay.addRow(note)

    def load(self, company: Company | None) -> None:
        if company is not None:
            self.country.setCurrentIndex(max(0, self.country.findData(company.country)))
            self.country.setEnabled(False)  # documents already signed belong to that country


def _input(f: setup.SetupField) -> QWidget:
    """The widget of one setup field, holding its default value."""
    if f.kind == "check":
        w = QCheckBox(_(f.label))
    elif f.kind == "choice":
        w = QComboBox()
        for value, label in f.choices:
            w.addItem(_(label), value)
    else:
        w = QLineEdit()
        if f.kind == "secret":
            w.setEchoMode(QLineEdit.EchoMode.Password)
        if f.max_length:
            w.setMaxLength(f.max_length)
        if f.placeholder:
            w.setPlaceholderText(_(f.placeholder))
    if f.required:
        w.setProperty("required", True)
        w.setToolTip(_("Obligatorio"))
    _set_value(w, f.default)
    return w


def _set_value(w: QWidget, value) -> None:
    if isinstance(w, QCheckBox):
        w.setChecked(bool(value))
    elif isinstance(w, QComboBox):
        w.setCurrentIndex(max(0, w.findData(value)))
    else:
        w.setText("" if value is None else str(value))


def _value(w: QWidget):
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QComboBox):
        return w.currentData()
    return w.text().strip()


class CompanyPage(QWidget):
    """The company's data as the country's `SetupRules.company_fields` list them. The rows of
    every country are built once and the chosen country's are shown; `page.<key>` is the input
    of field `key` of the chosen country."""

    title = "Empresa"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.inputs_by_country: dict[str, dict[str, QWidget]] = {}
        for code in setup.countries():
            inputs = self.inputs_by_country[code] = {}
            for f in setup.rules(code).company_fields:
                inputs[f.key] = w = _input(f)
                self.form.addRow("" if f.kind == "check" else _(f.label), w)
        self.country = ""
        self.set_country(next(iter(self.inputs_by_country)))

    @property
    def inputs(self) -> dict[str, QWidget]:
        return self.inputs_by_country[self.country]

    def __getattr__(self, name: str):
        inputs = self.__dict__.get("inputs_by_country", {}).get(self.__dict__.get("country"), {})
        if name in inputs:
            return inputs[name]
        raise AttributeError(name)

    def fields(self) -> tuple[setup.SetupField, ...]:
        return setup.rules(self.country).company_fields

    def set_country(self, country: str) -> None:
        before = self.inputs_by_country.get(self.country, {})
        for code, inputs in self.inputs_by_country.items():
            for w in inputs.values():
                self.form.setRowVisible(w, code == country)
        if before and country != self.country:  # keep what was typed in the fields both countries have
            for key, w in self.inputs_by_country[country].items():
                if isinstance(w, QLineEdit) and isinstance(before.get(key), QLineEdit) and before[key].text():
                    w.setText(before[key].text())
        self.country = country

    def load(self, c: Company | None) -> None:
        if c is None:
            return
        self.set_country(c.country)
        for key, value in setup.rules(c.country).field_values(c).items():
            _set_value(self.inputs[key], value)
        for f in self.fields():
            if f.kind == "secret" and f.placeholder_saved:
                self.inputs[f.key].setPlaceholderText(_(f.placeholder_saved))

    def values(self) -> dict:
        """{key: value} of the chosen country's fields."""
        return {key: _value(w) for key, w in self.inputs.items()}

    def secrets(self) -> dict[str, str | None]:
        """The 'secret' fields' values; None where left empty (keep the stored one)."""
        return {f.key: _value(self.inputs[f.key]) or None for f in self.fields() if f.kind == "secret"}

    def field_problems(self) -> list[str]:
        """What the fields' own checks say about the texts typed."""
        problems = []
        for f in self.fields():
            problem = f.check(_value(self.inputs[f.key])) if f.check else None
            if problem:
                problems.append(_(problem))
        return problems


class EstablishmentsPage(QWidget):
    title = "Establecimientos"
    # the country's `SetupRules.establishment_fields` follow as more columns
    COLUMNS = ("Código", "Nombre", "Dirección", "Puntos de emisión")

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(fkey_button(_("Agregar establecimiento"), "", self.add_row))
        row.addWidget(fkey_button(_("Quitar"), "", self.remove_row))
        row.addStretch(1)
        lay.addLayout(row)
        till = QFormLayout()
        self.till_est = QLineEdit("001")
        self.till_point = QLineEdit("001")
        till.addRow(_("Esta caja emite desde el establecimiento"), self.till_est)
        self.till_point_label = QLabel()
        till.addRow(self.till_point_label, self.till_point)
        lay.addLayout(till)
        self.places = QLabel()
        self.places.setObjectName("hint")
        self.places.setWordWrap(True)
        lay.addWidget(self.places)
        self.country = ""
        self.extra: tuple[setup.SetupField, ...] = ()
        self.table.itemChanged.connect(self._item_edited)
        self.table.itemChanged.connect(self._show_places)
        self.set_country(next(iter(setup.countries())))
        self.add_row()

    def set_country(self, country: str) -> None:
        rules = setup.rules(country)
        self.country = country
        if rules.establishment_fields != self.extra:
            self.extra = rules.establishment_fields
            self.table.setColumnCount(len(self.COLUMNS) + len(self.extra))
            self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS] + [_(f.label) for f in self.extra])
            for r in range(self.table.rowCount()):
                for i, f in enumerate(self.extra):
                    self.table.setItem(r, len(self.COLUMNS) + i, QTableWidgetItem(str(f.default or "")))
        self.table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Interactive if self.extra else QHeaderView.ResizeMode.Stretch)
        self.till_point_label.setText(_("y el {0}").format(_(rules.point_name)))
        if self.extra:
            self.table.resizeColumnsToContents()
            self.table.setColumnWidth(2, 220)
        self.hint.setText(_(rules.establishment_hint))
        for r in range(self.table.rowCount()):
            self._place_pickers(r)
        self._show_places()

    def _choices(self, key: str, cells: dict[str, str]):
        """The country's list for an establishment field (departamento, distrito, ciudad), or None."""
        from app.pos.cart import rules_for

        provider = getattr(rules_for(self.country), "place_choices", None)
        return provider(key, cells) if provider else None

    def _place_pickers(self, r: int, changed: str = "") -> None:
        """Row `r`'s fields that the country lists become searchable pickers (the cell's text
        stays the code, kept in step both ways); a choice narrows the fields after it (a
        departamento's distritos, a distrito's ciudades)."""
        cells = self._cells(r)
        after = not changed
        for i, f in enumerate(self.extra):
            c = len(self.COLUMNS) + i
            if not after:
                after = f.key == changed
                continue
            choices = self._choices(f.key, cells)
            widget = self.table.cellWidget(r, c)
            if choices is None:
                if widget is not None:
                    self.table.removeCellWidget(r, c)
                continue
            if isinstance(widget, SearchCombo):
                widget.blockSignals(True)
                widget.set_choices(choices, cells.get(f.key, ""))
                widget.blockSignals(False)
            else:
                widget = SearchCombo(choices, cells.get(f.key, ""))
                widget.chosen.connect(lambda _v, w=widget: self._picked(w))
                self.table.setCellWidget(r, c, widget)
                self.table.setColumnWidth(c, max(self.table.columnWidth(c), 200))
            cells[f.key] = widget.value()

    def _where(self, widget) -> tuple[int, int] | None:
        for r in range(self.table.rowCount()):
            for c in range(len(self.COLUMNS), self.table.columnCount()):
                if self.table.cellWidget(r, c) is widget:
                    return r, c
        return None

    def _picked(self, widget: SearchCombo) -> None:
        at = self._where(widget)
        item = self.table.item(*at) if at else None
        if item is not None and item.text().strip() != widget.value():
            item.setText(widget.value())  # → _item_edited narrows the next fields

    def _item_edited(self, item: QTableWidgetItem) -> None:
        r, c = item.row(), item.column()
        widget = self.table.cellWidget(r, c)
        if not isinstance(widget, SearchCombo):
            return
        if widget.value() != item.text().strip():
            widget.blockSignals(True)
            widget.set_value(item.text().strip())
            widget.blockSignals(False)
        self._place_pickers(r, changed=self.extra[c - len(self.COLUMNS)].key)

    def _cells(self, r: int) -> dict[str, str]:
        """{establishment field key: text} of row `r`'s extra columns."""
        return {f.key: self.cell(r, len(self.COLUMNS) + i) for i, f in enumerate(self.extra)}

    def _show_places(self, *_a) -> None:
        rules = setup.rules(self.country)
        lines = []
        for r in range(self.table.rowCount()):
            names = rules.place_names(self._cells(r))
            if names:
                lines.append(f"{self.cell(r, 0)}: {names}")
        self.places.setText("\n".join(lines))

    def add_row(self, code: str = "", name: str = "", address: str = "", points: str = "001",
                cells: dict[str, str] | None = None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        code = code or f"{r + 1:03d}"
        cells = cells or {}
        values = (code, name or (_("Matriz") if r == 0 else ""), address, points,
                  *(cells.get(f.key, str(f.default or "")) for f in self.extra))
        for c, value in enumerate(values):
            self.table.setItem(r, c, QTableWidgetItem(value))
        self._place_pickers(r)

    def remove_row(self) -> None:
        if self.table.rowCount() > 1:
            self.table.removeRow(self.table.currentRow() if self.table.currentRow() >= 0 else self.table.rowCount() - 1)

    def cell(self, r: int, c: int) -> str:
        item = self.table.item(r, c)
        return item.text().strip() if item else ""

    def establishments(self) -> tuple[Establishment, ...]:
        rules = setup.rules(self.country)
        out = []
        for r in range(self.table.rowCount()):
            points = tuple(PointOfSale(p.strip()) for p in self.cell(r, 3).replace(";", ",").split(",") if p.strip())
            out.append(Establishment(self.cell(r, 0), self.cell(r, 2), name=self.cell(r, 1), points=points,
                                     **rules.establishment_values(self._cells(r))))
        return tuple(out)

    def load(self, c: Company | None) -> None:
        if c is None or not c.establishments:
            return
        rules = setup.rules(c.country)
        self.set_country(c.country)
        self.table.setRowCount(0)
        for e in c.establishments:
            self.add_row(e.code, e.name, e.address, ", ".join(p.code for p in e.points), rules.establishment_cells(e))
        self.set_country(c.country)


class CertificatePage(QWidget):
    title = "Certificado"

    def __init__(self, ruc_source, country_source, parent=None):
        super().__init__(parent)
        self.ruc_source = ruc_source  # callable giving the RUC typed on the company page
        self.country_source = country_source  # callable giving the country chosen on the first page
        self.facts: setup.CertificateFacts | None = None
        lay = QFormLayout(self)
        path_row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setPlaceholderText(_("Ruta del archivo .p12 / .pfx"))
        path_row.addWidget(self.path, 1)
        path_row.addWidget(fkey_button(_("Examinar…"), "", self.browse))
        lay.addRow(_("Archivo"), path_row)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.check)
        lay.addRow(_("Contraseña"), self.password)
        lay.addRow(fkey_button(_("Verificar certificado"), "Enter", self.check))
        self.result = QLabel()
        self.result.setWordWrap(True)
        lay.addRow(self.result)
        self.error = Banner()
        lay.addRow(self.error)
        note = QLabel(_("La contraseña se guarda solo en el llavero del sistema, nunca en archivos."))
        note.setObjectName("hint")
        lay.addRow(note)
        self.keep_existing = False

    def browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Certificado de firma"), "", _("Certificados (*.p12 *.pfx)"))
        if path:
            self.path.setText(path)
            self.password.setFocus()

    def p12(self) -> bytes | None:
        text = self.path.text().strip()
        if not text:
            return None
        try:
            return Path(text).expanduser().read_bytes()
        except OSError as exc:
            raise MostradorError(_("No se puede leer el archivo «{0}»: {1}. Revise la ruta escrita o use "
                                   "Examinar… para elegir el archivo .p12").format(text, exc.strerror)) from None

    def check(self) -> bool:
        self.facts = None
        self.result.clear()
        try:
            data = self.p12()
            if data is None:
                if self.keep_existing:
                    self.error.info(_("Se conserva el certificado ya importado"))
                    return True
                self.error.error(_("Falta el archivo del certificado: escriba su ruta o use Examinar… para "
                                   "elegir el .p12 que le dio la entidad certificadora"))
                return False
            self.facts = setup.inspect_certificate(data, self.password.text(), self.ruc_source(),
                                                   self.country_source())
        except MostradorError as exc:
            self.error.error(error_text(exc))
            return False
        f = self.facts
        warn = _("  ⚠ vence pronto") if f.days_left < 30 else ""
        self.result.setText(_("Titular: {0}\nRUC: {1} (coincide con la empresa)\nUso de la clave: {2}\n"
                              "Vence: {3:%d/%m/%Y} ({4} días){5}").format(f.holder, f.ruc, f.key_usage, f.not_after,
                                                                          f.days_left, warn))
        self.result.setStyleSheet("color:#b35c00;font-weight:bold;" if warn else "color:#1b5e20;")
        self.error.clear_message()
        return True

    def load(self, c: Company | None) -> None:
        self.keep_existing = c is not None


class EnvironmentPage(QWidget):
    title = "Ambiente"

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for code in setup.countries():
            for key in setup.environments(code):
                if key not in self.buttons:
                    self.buttons[key] = b = QRadioButton()
                    self.group.addButton(b)
                    lay.addWidget(b)
        self.confirm = QCheckBox()
        self.confirm.setStyleSheet("color:#b00020;font-weight:bold;")
        self.confirm.hide()
        lay.addWidget(self.confirm)
        self.buttons["sandbox"].setChecked(True)
        for b in self.buttons.values():
            b.toggled.connect(self._toggled)
        lay.addStretch(1)
        self.set_country(next(iter(setup.countries())))

    def set_country(self, country: str) -> None:
        labels = setup.environments(country)
        for key, b in self.buttons.items():
            b.setVisible(key in labels)
            b.setText(_(labels.get(key, key)))
        if self.environment() not in labels:
            self.buttons[next(iter(labels))].setChecked(True)
        self.confirm.setText(_("Confirmo el paso a PRODUCCIÓN: cada documento tendrá validez tributaria "
                               "ante el {0} y no se puede deshacer.").format(setup.authority(country)))

    def _toggled(self, *_a) -> None:
        self.confirm.setVisible(self.environment() == "produccion")
        if self.environment() != "produccion":
            self.confirm.setChecked(False)

    def environment(self) -> str:
        return next(k for k, b in self.buttons.items() if b.isChecked())

    def load(self, c: Company | None) -> None:
        if c is not None:
            self.buttons[c.environment].setChecked(True)
            self.confirm.setChecked(c.environment == "produccion")


class UsersPage(QWidget):
    title = "Usuarios"

    def __init__(self, conn, parent=None):
        super().__init__(parent)
        self.conn = conn
        lay = QVBoxLayout(self)
        self.existing = QLabel()
        self.existing.setWordWrap(True)
        lay.addWidget(self.existing)
        lay.addWidget(QLabel(_("Usuarios nuevos (PIN de 4 a 8 dígitos; se guarda cifrado con scrypt):")))
        form = QHBoxLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("Nombre"))
        self.role = QComboBox()
        for r in users.ROLES:
            self.role.addItem(_(users.ROLE_LABELS[r]), r)
        self.role.setCurrentIndex(self.role.findData("administrador"))
        self.pin = QLineEdit()
        self.pin.setPlaceholderText(_("PIN"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.returnPressed.connect(self.add)
        form.addWidget(self.name, 2)
        form.addWidget(self.role, 1)
        form.addWidget(self.pin, 1)
        form.addWidget(fkey_button(_("Agregar"), "Enter", self.add))
        lay.addLayout(form)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([_("Nombre"), _("Rol")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        self.error = Banner()
        lay.addWidget(self.error)
        self.pending: list[tuple[str, str, str]] = []
        self.load(None)

    def add(self) -> None:
        name, pin = self.name.text().strip(), self.pin.text()
        problem = users.pin_problem(pin)
        if problem:
            problem = _("{0}: escriba otro PIN (solo números, de 4 a 8) y pulse Enter").format(problem)
        elif not name:
            problem = _("Falta el nombre del usuario: escríbalo y pulse Enter en el PIN")
        if name in {n for n, _r, _p in self.pending}:
            problem = _("Ya agregó un usuario con ese nombre: escriba otro nombre")
        if problem:
            self.error.error(problem)
            return
        self.pending.append((name, self.role.currentData(), pin))
        r = self.table.rowCount()
        self.table.insertRow(r)
        self.table.setItem(r, 0, QTableWidgetItem(name))
        self.table.setItem(r, 1, QTableWidgetItem(users.ROLE_LABELS[self.role.currentData()]))
        self.name.clear()
        self.pin.clear()
        self.role.setCurrentIndex(self.role.findData("cajero"))
        self.error.clear_message()
        self.name.setFocus()

    def load(self, c: Company | None) -> None:
        existing = users.list_users(self.conn)
        self.existing.setText(_("Usuarios actuales: {0}").format(
            ", ".join(f"{u.name} ({users.ROLE_LABELS[u.role]})" for u in existing)) if existing
            else _("Todavía no hay usuarios: cree al menos un administrador."))


class SetupForm:
    """The pages and how to turn them into `setup.SetupAnswers`."""

    def __init__(self, conn, company: Company | None = None):
        self.conn = conn
        self.company_before = company
        self.country = CountryPage()
        self.company = CompanyPage()
        self.establishments = EstablishmentsPage()
        self.certificate = CertificatePage(lambda: self.company.ruc.text().strip(),
                                           lambda: self.country.country.currentData())
        self.environment = EnvironmentPage()
        self.users = UsersPage(conn)
        self.pages = [self.country, self.company, self.establishments, self.certificate, self.environment, self.users]
        for p in self.pages:
            p.load(company)
        self.country.country.currentIndexChanged.connect(self._country_changed)
        self._country_changed()
        if company is not None:
            est, point = setup.till(conn, company)
            self.establishments.till_est.setText(est)
            self.establishments.till_point.setText(point)

    def _country_changed(self, *_a) -> None:
        country = self.country.country.currentData()
        for page in (self.company, self.establishments, self.environment):
            page.set_country(country)

    def to_company(self) -> Company:
        before = self.company_before
        country = self.country.country.currentData()
        base = dict(setup.rules(country).company_values(self.company.values()), country=country,
                    establishments=self.establishments.establishments(), environment=self.environment.environment())
        if before is not None:
            from dataclasses import replace

            return replace(before, **base)
        return Company(**base)

    def answers(self) -> setup.SetupAnswers:
        return setup.SetupAnswers(
            company=self.to_company(), till_establishment=self.establishments.till_est.text().strip(),
            till_point=self.establishments.till_point.text().strip(), p12=self.certificate.p12(),
            p12_password=self.certificate.password.text(),
            production_confirmed=self.environment.confirm.isChecked(), new_users=list(self.users.pending),
            secrets=self.company.secrets())

    def page_errors(self, page: QWidget) -> list[str]:
        """Errors that belong to `page` (checked before moving on in the wizard)."""
        if page is self.certificate:
            return [] if self.certificate.check() else [self.certificate.error.text()]
        if page is self.environment:
            if self.environment.environment() == "produccion" and not self.environment.confirm.isChecked():
                return [_("Marque la confirmación para usar el ambiente de producción")]
            return []
        if page is self.users:
            has_admin = any(r == "administrador" for _n, r, _p in self.users.pending) or any(
                u.is_admin for u in users.list_users(self.conn))
            return [] if has_admin else [_("Cree al menos un usuario administrador: escriba su nombre y PIN "
                                           "y pulse Enter")]
        if page not in (self.company, self.establishments):
            return []
        if page is self.company:
            errs = setup.rules(self.company.country).secret_errors(self.to_company(), self.company.secrets())
            if errs:
                return [e.message for e in errs]
            problems = self.company.field_problems()
            if problems:
                return problems

        def on_page(field: str) -> bool:  # the environment has its own page, checked by save()
            root = field.split("[")[0].split(".")[0]
            return root == "establishments" if page is self.establishments else root not in (
                "establishments", "environment")

        errs = setup.company_errors(self.to_company())
        return [_row_message(e) for e in errs if on_page(e.field)]


def _row_message(e) -> str:
    """A field error as the shop reads it: 'Fila 2: …' for an establishment row, not its path."""
    if not e.field.startswith("establishments["):
        return e.message
    row = e.field[len("establishments["):].split("]")[0]
    return _("Fila {0}: {1}").format(int(row) + 1, e.message) if row.isdigit() else e.message
