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
from app.ui.widgets import error_text, Banner, fkey_button


def _(text: str) -> str:
    return tr("SetupPages", text)


class CountryPage(QWidget):
    title = "País"

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QFormLayout(self)
        self.country = QComboBox()
        for code, label in setup.COUNTRIES.items():
            self.country.addItem(_(label), code)
        lay.addRow(_("País de emisión"), self.country)
        note = QLabel(_("El país decide la autoridad (SRI o SIFEN), la moneda y los datos que se piden."))
        note.setObjectName("hint")
        lay.addRow(note)

    def load(self, company: Company | None) -> None:
        if company is not None:
            self.country.setCurrentIndex(max(0, self.country.findData(company.country)))
            self.country.setEnabled(False)  # documents already signed belong to that country


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _date_or_none(text: str):
    from datetime import datetime

    text = text.strip()
    for f in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, f).date()
        except ValueError:
            continue
    return None


class CompanyPage(QWidget):
    title = "Empresa"

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QFormLayout(self)
        self.ruc = QLineEdit()
        self.ruc.setMaxLength(13)
        self.razon_social = QLineEdit()
        self.nombre_comercial = QLineEdit()
        self.address = QLineEdit()
        self.email = QLineEdit()
        self.obligado = QCheckBox(_("Obligado a llevar contabilidad"))
        self.especial = QLineEdit()
        self.especial.setPlaceholderText(_("N.º de resolución, vacío si no lo es"))
        self.retencion = QLineEdit()
        self.retencion.setPlaceholderText(_("N.º de resolución, vacío si no lo es"))
        self.rimpe = QComboBox()
        for r in setup.RIMPE_OPTIONS:
            self.rimpe.addItem(r or _("No pertenece al RIMPE"), r)
        # Paraguay (SIFEN)
        self.phone = QLineEdit()
        self.timbrado = QLineEdit()
        self.timbrado.setMaxLength(8)
        self.timbrado.setPlaceholderText(_("8 dígitos"))
        self.timbrado_start = QLineEdit()
        self.timbrado_start.setPlaceholderText(_("dd/mm/aaaa"))
        self.tipo_contribuyente = QComboBox()
        for code, label in setup.PY_TAXPAYER_TYPES.items():
            self.tipo_contribuyente.addItem(f"{code} — {_(label)}", code)
        self.tipo_contribuyente.setCurrentIndex(1)
        self.tipo_regimen = QComboBox()
        self.tipo_regimen.addItem(_("No declarado"), None)
        for code, label in setup.PY_REGIMES.items():
            self.tipo_regimen.addItem(f"{code} — {_(label)}", code)
        self.actividad_code = QLineEdit()
        self.actividad_code.setMaxLength(8)
        self.actividad_code.setPlaceholderText(_("Código (ej. 47190)"))
        self.actividad_desc = QLineEdit()
        self.actividad_desc.setPlaceholderText(_("Descripción, como figura en la constancia de RUC"))
        self.csc_id = QLineEdit("0001")
        self.csc_id.setMaxLength(4)
        self.csc_secret = QLineEdit()
        self.csc_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.csc_secret.setMaxLength(32)
        self.csc_secret.setPlaceholderText(_("32 caracteres; se guarda solo en el llavero del sistema"))
        self.ec_rows = (self.obligado, self.especial, self.retencion, self.rimpe)
        self.py_rows = (self.phone, self.timbrado, self.timbrado_start, self.tipo_contribuyente, self.tipo_regimen,
                        self.actividad_code, self.actividad_desc, self.csc_id, self.csc_secret)
        for label, w in ((_("RUC"), self.ruc), (_("Razón social"), self.razon_social),
                         (_("Nombre comercial"), self.nombre_comercial), (_("Dirección matriz"), self.address),
                         (_("Correo de facturación"), self.email), ("", self.obligado),
                         (_("Contribuyente especial"), self.especial), (_("Agente de retención"), self.retencion),
                         (_("Régimen RIMPE"), self.rimpe), (_("Teléfono"), self.phone),
                         (_("Timbrado N.º"), self.timbrado), (_("Inicio de vigencia del timbrado"), self.timbrado_start),
                         (_("Tipo de contribuyente"), self.tipo_contribuyente), (_("Tipo de régimen"), self.tipo_regimen),
                         (_("Actividad económica"), self.actividad_code), (_("Descripción de la actividad"), self.actividad_desc),
                         (_("ID del CSC"), self.csc_id), (_("CSC (código de seguridad)"), self.csc_secret)):
            lay.addRow(label, w)
        self.form = lay
        self.set_country("EC")

    def set_country(self, country: str) -> None:
        self.country = country
        for w in self.ec_rows:
            self.form.setRowVisible(w, country == "EC")
        for w in self.py_rows:
            self.form.setRowVisible(w, country == "PY")
        self.ruc.setPlaceholderText(_("80012345-6 (con dígito verificador)") if country == "PY" else _("13 dígitos"))
        label = self.form.labelForField(self.nombre_comercial)
        if label is not None:
            label.setText(_("Nombre de fantasía") if country == "PY" else _("Nombre comercial"))

    def load(self, c: Company | None) -> None:
        if c is None:
            return
        self.ruc.setText(c.ruc)
        self.razon_social.setText(c.razon_social)
        self.nombre_comercial.setText(c.nombre_comercial)
        self.address.setText(c.address)
        self.email.setText(c.email)
        self.obligado.setChecked(c.obligado_contabilidad)
        self.especial.setText(c.contribuyente_especial)
        self.retencion.setText(c.agente_retencion)
        self.rimpe.setCurrentIndex(max(0, self.rimpe.findData(c.rimpe)))
        self.phone.setText(c.phone)
        self.timbrado.setText(c.timbrado)
        self.timbrado_start.setText(f"{c.timbrado_start:%d/%m/%Y}" if c.timbrado_start else "")
        self.tipo_contribuyente.setCurrentIndex(max(0, self.tipo_contribuyente.findData(c.tipo_contribuyente)))
        self.tipo_regimen.setCurrentIndex(max(0, self.tipo_regimen.findData(c.tipo_regimen)))
        if c.actividades:
            self.actividad_code.setText(c.actividades[0][0])
            self.actividad_desc.setText(c.actividades[0][1])
        self.csc_id.setText(c.csc_id or "0001")
        self.csc_secret.setPlaceholderText(_("Vacío = conservar el CSC guardado en el llavero"))
        self.set_country(c.country)

    def actividades(self) -> tuple[tuple[str, str], ...]:
        code, desc = self.actividad_code.text().strip(), self.actividad_desc.text().strip()
        return ((code, desc),) if code or desc else ()


class EstablishmentsPage(QWidget):
    title = "Establecimientos"
    # columns 4.. are Paraguay's (where the establishment is, as SIFEN's gEmis needs it)
    COLUMNS = ("Código", "Nombre", "Dirección", "Puntos de emisión", "N.º casa", "Departamento", "Distrito",
               "Ciudad", "Teléfono", "Correo")

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.hint = QLabel(_("Un establecimiento por fila; puntos de emisión separados por comas (001, 002)."))
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
        self.till_point_label = QLabel(_("y el punto de emisión"))
        till.addRow(self.till_point_label, self.till_point)
        lay.addLayout(till)
        self.places = QLabel()
        self.places.setObjectName("hint")
        self.places.setWordWrap(True)
        lay.addWidget(self.places)
        self.table.itemChanged.connect(self._show_places)
        self.add_row()
        self.set_country("EC")

    def set_country(self, country: str) -> None:
        self.country = country
        for c in range(4, len(self.COLUMNS)):
            self.table.setColumnHidden(c, country != "PY")
        self.table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Interactive if country == "PY" else QHeaderView.ResizeMode.Stretch)
        self.till_point_label.setText(_("y el punto de expedición") if country == "PY" else _("y el punto de emisión"))
        if country == "PY":
            self.table.resizeColumnsToContents()
            self.table.setColumnWidth(2, 220)
            self.hint.setText(_("Un establecimiento por fila; puntos de expedición separados por comas (001, 002). "
                                "Departamento, distrito y ciudad son los códigos de la SET (Asunción: 1, 1, 1)."))
        else:
            self.hint.setText(_("Un establecimiento por fila; puntos de emisión separados por comas (001, 002)."))
        self._show_places()

    def _show_places(self, *_a) -> None:
        if getattr(self, "country", "EC") != "PY":
            self.places.clear()
            return
        from app.pos.setup_py import place_names

        lines = []
        for r in range(self.table.rowCount()):
            names = place_names(_int_or_none(self.cell(r, 5)), _int_or_none(self.cell(r, 6)),
                                _int_or_none(self.cell(r, 7)))
            if names:
                lines.append(f"{self.cell(r, 0)}: {names}")
        self.places.setText("\n".join(lines))

    def add_row(self, code: str = "", name: str = "", address: str = "", points: str = "001",
                *py: str) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        code = code or f"{r + 1:03d}"
        values = (code, name or (_("Matriz") if r == 0 else ""), address, points, *(py or ("0",)))
        for c in range(len(self.COLUMNS)):
            self.table.setItem(r, c, QTableWidgetItem(values[c] if c < len(values) else ""))

    def remove_row(self) -> None:
        if self.table.rowCount() > 1:
            self.table.removeRow(self.table.currentRow() if self.table.currentRow() >= 0 else self.table.rowCount() - 1)

    def cell(self, r: int, c: int) -> str:
        item = self.table.item(r, c)
        return item.text().strip() if item else ""

    def establishments(self) -> tuple[Establishment, ...]:
        out = []
        for r in range(self.table.rowCount()):
            points = tuple(PointOfSale(p.strip()) for p in self.cell(r, 3).replace(";", ",").split(",") if p.strip())
            if self.country == "PY":
                out.append(Establishment(self.cell(r, 0), self.cell(r, 2), name=self.cell(r, 1), points=points,
                                         house_number=self.cell(r, 4) or "0",
                                         departamento=_int_or_none(self.cell(r, 5)),
                                         distrito=_int_or_none(self.cell(r, 6)), ciudad=_int_or_none(self.cell(r, 7)),
                                         phone=self.cell(r, 8), email=self.cell(r, 9)))
            else:
                out.append(Establishment(self.cell(r, 0), self.cell(r, 2), name=self.cell(r, 1), points=points))
        return tuple(out)

    def load(self, c: Company | None) -> None:
        if c is None or not c.establishments:
            return
        self.table.setRowCount(0)
        for e in c.establishments:
            py = (e.house_number or "0", "" if e.departamento is None else str(e.departamento),
                  "" if e.distrito is None else str(e.distrito), "" if e.ciudad is None else str(e.ciudad),
                  e.phone, e.email) if c.country == "PY" else ()
            self.add_row(e.code, e.name, e.address, ", ".join(p.code for p in e.points), *py)
        self.set_country(c.country)


class CertificatePage(QWidget):
    title = "Certificado"

    def __init__(self, ruc_source, parent=None):
        super().__init__(parent)
        self.ruc_source = ruc_source  # callable giving the RUC typed on the company page
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
            raise MostradorError(_("No se puede leer el archivo: {0}").format(exc.strerror)) from None

    def check(self) -> bool:
        self.facts = None
        self.result.clear()
        try:
            data = self.p12()
            if data is None:
                if self.keep_existing:
                    self.error.info(_("Se conserva el certificado ya importado"))
                    return True
                self.error.error(_("Elija el archivo .p12 del certificado de firma"))
                return False
            self.facts = setup.inspect_certificate(data, self.password.text(), self.ruc_source())
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
        for key, label in setup.environments("EC").items():
            b = QRadioButton(_(label))
            self.group.addButton(b)
            self.buttons[key] = b
            lay.addWidget(b)
        self.confirm = QCheckBox(_("Confirmo el paso a PRODUCCIÓN: cada documento tendrá validez tributaria "
                                   "ante el SRI y no se puede deshacer."))
        self.confirm.setStyleSheet("color:#b00020;font-weight:bold;")
        self.confirm.hide()
        lay.addWidget(self.confirm)
        self.buttons["sandbox"].setChecked(True)
        for b in self.buttons.values():
            b.toggled.connect(self._toggled)
        lay.addStretch(1)

    def set_country(self, country: str) -> None:
        for key, label in setup.environments(country).items():
            self.buttons[key].setText(_(label))
        self.confirm.setText(_("Confirmo el paso a PRODUCCIÓN: cada documento tendrá validez tributaria "
                               "ante el {0} y no se puede deshacer.").format(setup.AUTHORITY[country]))

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
        problem = users.pin_problem(pin) or (None if name else _("Escriba el nombre del usuario"))
        if name in {n for n, _r, _p in self.pending}:
            problem = _("Ya agregó un usuario con ese nombre")
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
        self.certificate = CertificatePage(lambda: self.company.ruc.text().strip())
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
        c = self.company
        before = self.company_before
        country = self.country.country.currentData()
        base = dict(country=country, ruc=c.ruc.text().strip(),
                    razon_social=c.razon_social.text().strip(), nombre_comercial=c.nombre_comercial.text().strip(),
                    address=c.address.text().strip(), establishments=self.establishments.establishments(),
                    environment=self.environment.environment(), email=c.email.text().strip())
        if country == "PY":
            base.update(phone=c.phone.text().strip(), timbrado=c.timbrado.text().strip(),
                        timbrado_start=_date_or_none(c.timbrado_start.text()),
                        tipo_contribuyente=c.tipo_contribuyente.currentData(),
                        tipo_regimen=c.tipo_regimen.currentData(), actividades=c.actividades(),
                        csc_id=c.csc_id.text().strip())
        else:
            base.update(obligado_contabilidad=c.obligado.isChecked(), contribuyente_especial=c.especial.text().strip(),
                        agente_retencion=c.retencion.text().strip(), rimpe=c.rimpe.currentData())
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
            csc_secret=(self.company.csc_secret.text().strip() or None)
            if self.country.country.currentData() == "PY" else None)

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
            return [] if has_admin else [_("Cree al menos un usuario administrador")]
        fields = {self.company: ("ruc", "razon_social", "address", "contribuyente_especial", "agente_retencion",
                                 "rimpe", "country", "nombre_comercial", "timbrado", "timbrado_start",
                                 "tipo_contribuyente", "tipo_regimen", "actividades", "csc_id", "email"),
                  self.establishments: ("establishments",)}.get(page)
        if not fields:
            return []
        if page is self.company and self.country.country.currentData() == "PY":
            from app.pos.setup_py import csc_errors

            errs = csc_errors(self.to_company(), self.company.csc_secret.text().strip() or None)
            if errs:
                return [e.message for e in errs]
            if self.company.timbrado_start.text().strip() and _date_or_none(self.company.timbrado_start.text()) is None:
                return [_("Fecha de inicio del timbrado no válida: use dd/mm/aaaa")]
        errs = setup.company_errors(self.to_company())
        return [f"{e.message}" if not e.field.startswith("establishments[") else f"{e.field}: {e.message}"
                for e in errs if e.field.split("[")[0].split(".")[0] in fields]
