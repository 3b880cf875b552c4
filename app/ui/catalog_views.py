"""Productos and Clientes: search, create, edit, deactivate, CSV import (with preview) and export."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app.core.errors import MostradorError
from app.pos import catalog
from app.pos.cart import Cart, price_notice
from app.ui import currency
from app.ui.context import AppContext
from app.ui.i18n import tr
from app.ui.widgets import error_text, Banner, open_dialog, fkey_button


def _(text: str) -> str:
    return tr("CatalogViews", text)


class _CatalogView(QWidget):
    """Shared layout: search + table on the left, form on the right, actions below."""

    columns: tuple[str, ...] = ()
    title = ""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.items: list = []
        self.current = None
        self.import_dialog = None
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        lay.addLayout(left, 3)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Buscar (F2)"))
        self.search.textChanged.connect(self.reload)
        self.show_inactive = QCheckBox(_("Mostrar inactivos"))
        self.show_inactive.toggled.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_inactive)
        left.addLayout(top)
        self.table = QTableWidget(0, len(self.columns))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.columns])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for c in range(len(self.columns)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch if c == 1
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selected)
        left.addWidget(self.table, 1)
        actions = QGridLayout()  # two rows: the five buttons' texts fit at 1024×768
        for i, (text, key, slot) in enumerate(((_("Nuevo"), "F6", self.new), (_("Guardar"), "F9", self.save),
                                (_("Activar / desactivar"), "F8", self.toggle_active),
                                (_("Importar CSV"), "F10", self.import_file), (_("Exportar CSV"), "F11", self.export_file))):
            actions.addWidget(fkey_button(text, key, slot), i // 3, i % 3)
            s = QShortcut(QKeySequence(key), self)
            s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            s.activated.connect(slot)
        s = QShortcut(QKeySequence("F2"), self)
        s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        s.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        left.addLayout(actions)
        self.message = Banner()
        left.addWidget(self.message)
        box = QGroupBox(self.title)
        self.form = QFormLayout(box)
        self.build_form()
        lay.addWidget(box, 2)
        self.reload()

    def activated(self) -> None:
        self.reload()
        self.search.setFocus()

    def reload(self, *_a) -> None:
        self.items = self.fetch(self.search.text(), self.show_inactive.isChecked())
        self.table.setRowCount(len(self.items))
        for r, item in enumerate(self.items):
            for c, text in enumerate(self.cells(item)):
                cell = QTableWidgetItem(text)
                if not item.active:
                    cell.setForeground(QColor("#9e9e9e"))
                self.table.setItem(r, c, cell)

    def _selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.items):
            self.current = self.items[row]
            self.fill(self.current)

    def new(self) -> None:
        self.current = None
        self.table.clearSelection()
        self.fill(None)

    def save(self) -> None:
        try:
            item = self.collect()
            self.store(item)
        except (MostradorError, ValueError) as exc:
            self.message.error(error_text(exc))
            return
        self.current = item
        self.message.info(_("Guardado") + self.saved_note(item))
        self.reload()

    def saved_note(self, item) -> str:
        """What the confirmation adds about the saved item (Productos: the billed price)."""
        return ""

    def toggle_active(self) -> None:
        if self.current is None or self.current.id is None:
            return
        self.set_active(self.current.id, not self.current.active)
        self.message.info(_("Activado") if not self.current.active else _("Desactivado"))
        self.current.active = not self.current.active
        self.reload()

    # ------------------------------------------------------------------------------ CSV
    def import_file(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Importar CSV"), "", _("CSV (*.csv);;Todos (*)"))
        if path:
            self.import_text(Path(path).read_text(encoding="utf-8-sig", errors="replace"))

    def import_text(self, text: str) -> None:
        try:
            preview = self.preview(text)
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.import_dialog = ImportPreview(self, preview)
        open_dialog(self.import_dialog)

    def export_file(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _("Exportar CSV"), f"{self.export_name}.csv", "CSV (*.csv)")
        if path:
            Path(path).write_text(self.export(), encoding="utf-8-sig")
            self.message.info(_("Exportado a {0}").format(path))


class ProductsView(_CatalogView):
    columns = ("Código", "Nombre", "Código de barras", "Precio", "IVA", "Activo")
    title = "Producto"
    export_name = "productos"

    def build_form(self) -> None:
        self.code = QLineEdit()
        self.barcode = QLineEdit()
        self.name = QLineEdit()
        self.price = QLineEdit()
        self.with_tax = QCheckBox(_("El precio incluye IVA"))
        self.with_tax.setChecked(True)
        self.country = self.ctx.session.company.country
        self.rules = self.ctx.till
        self.fmt = self.rules.money
        if self.rules.prices_include_tax:  # the authority's prices always include the tax: no choice
            self.with_tax.hide()
        self.tax = QComboBox()
        for code, cat in self.rules.tax_categories.items():
            self.tax.addItem(_(cat.label), code)
        for label, w in ((_("Código"), self.code), (_("Código de barras"), self.barcode), (_("Nombre"), self.name),
                         (_("Precio"), self.price), ("", self.with_tax), (_("Categoría de IVA"), self.tax)):
            self.form.addRow(label, w)
        self.price_hint = QLabel()
        self.price_hint.setObjectName("hint")
        self.form.addRow(self.price_hint)
        for w in (self.price,):
            w.textChanged.connect(self._hint)
        self.with_tax.toggled.connect(self._hint)
        self.tax.currentIndexChanged.connect(self._hint)

    def _hint(self, *_a) -> None:
        try:
            p = catalog.Product("x", "x", self.fmt.parse(self.price.text()), self.tax.currentData(),
                                self.with_tax.isChecked() or bool(self.rules.prices_include_tax))
        except ValueError:
            self.price_hint.setText("")
            return
        cart = Cart(country=self.country)
        try:
            line = cart.add(p)
        except ValueError:
            self.price_hint.setText("")
            return
        note = self._billed_note(p.price, p.tax_category, p.price_includes_tax)
        note = f" — {note}" if note else ""
        if self.rules.prices_include_tax:
            t = cart.totals()
            self.price_hint.setText(_("Precio con IVA: {0} — IVA incluido: {1}").format(
                self.fmt.money(t.total), self.fmt.money(t.tax)) + note)
            return
        self.price_hint.setText(_("Sin IVA: {0} — con IVA: {1}").format(line.unit_price, line.total) + note)

    def _billed_note(self, price, tax_code, includes_tax) -> str:
        """'Se cobrará 4,26 …' when the authority's rules cannot bill this tax-included price."""
        notice = price_notice(self.rules, price, tax_code, includes_tax)
        if notice is None:
            return ""
        billed, near = notice
        text = _("Se cobrará {0}").format(self.fmt.money(billed))
        if near:
            text += _(" (precios exactos cercanos: {0})").format(" · ".join(self.fmt.money(p) for p in near))
        return text

    def saved_note(self, item) -> str:
        note = self._billed_note(item.price, item.tax_category, item.price_includes_tax)
        return f". {note}" if note else ""

    def fetch(self, text, inactive):
        return catalog.search_products(self.ctx.conn, text, include_inactive=inactive)

    def cells(self, p):
        price = currency.editable(p.price, self.fmt)
        cat = self.rules.tax_categories.get(p.tax_category)
        return (p.code, p.name, p.barcode, f"{price}{'' if p.price_includes_tax else ' + IVA'}",
                cat.label if cat else p.tax_category, _("sí") if p.active else _("no"))

    def fill(self, p) -> None:
        self.code.setText(p.code if p else "")
        self.barcode.setText(p.barcode if p else "")
        self.name.setText(p.name if p else "")
        self.price.setText(currency.editable(p.price, self.fmt) if p else "")
        self.with_tax.setChecked(p.price_includes_tax if p else True)
        self.tax.setCurrentIndex(max(0, self.tax.findData(p.tax_category if p else self.rules.default_tax_category)))
        (self.name if p else self.code).setFocus()

    def collect(self):
        text = self.price.text().strip()
        if not text:
            raise ValueError(_("Escriba el precio"))
        price = self.fmt.parse(text, field=_("precio"))
        return catalog.Product(self.code.text(), self.name.text(), price, self.tax.currentData(),
                               self.with_tax.isChecked(), self.barcode.text(),
                               self.current.active if self.current else True,
                               self.current.id if self.current else None)

    def store(self, p):
        catalog.save_product(self.ctx.conn, p)

    def set_active(self, item_id, active):
        catalog.set_product_active(self.ctx.conn, item_id, active)

    def preview(self, text):
        return catalog.preview_products_csv(text, self.country)

    def apply(self, items):
        return catalog.apply_products(self.ctx.conn, items)

    def export(self):
        return catalog.export_products_csv(self.ctx.conn)

    def describe(self, p) -> str:
        return f"{p.code} — {p.name} — {p.price}"


class CustomersView(_CatalogView):
    columns = ("Identificación", "Nombre", "Tipo", "Correo", "Activo")
    title = "Cliente"
    export_name = "clientes"

    def build_form(self) -> None:
        self.country = self.ctx.session.company.country
        rules = self.ctx.till
        self.labels = rules.id_types
        anonymous = rules.anonymous_buyer.id_type  # nobody to keep in Clientes
        self.ident = QLineEdit()
        self.id_type = QComboBox()
        for code, label in self.labels.items():
            if code != anonymous:
                self.id_type.addItem(_(label), code)

        def detected(t: str) -> None:
            kind = rules.detect_id_type(t)
            if kind != anonymous:
                self.id_type.setCurrentIndex(max(0, self.id_type.findData(kind)))

        self.ident.textEdited.connect(detected)
        self.name = QLineEdit()
        self.email = QLineEdit()
        self.phone = QLineEdit()
        self.address = QLineEdit()
        for label, w in ((_("Identificación"), self.ident), (_("Tipo"), self.id_type), (_("Nombre"), self.name),
                         (_("Correo"), self.email), (_("Teléfono"), self.phone), (_("Dirección"), self.address)):
            self.form.addRow(label, w)

    def fetch(self, text, inactive):
        return catalog.search_customers(self.ctx.conn, text, include_inactive=inactive)

    def cells(self, c):
        return (c.identification, c.name, self.labels.get(c.id_type, c.id_type), c.email,
                _("sí") if c.active else _("no"))

    def fill(self, c) -> None:
        self.ident.setText(c.identification if c else "")
        self.id_type.setCurrentIndex(max(0, self.id_type.findData(c.id_type if c else self.id_type.itemData(0))))
        self.name.setText(c.name if c else "")
        self.email.setText(c.email if c else "")
        self.phone.setText(c.phone if c else "")
        self.address.setText(c.address if c else "")
        (self.name if c else self.ident).setFocus()

    def collect(self):
        return catalog.Customer(self.ident.text(), self.name.text(), self.id_type.currentData(), self.email.text(),
                                self.phone.text(), self.address.text(),
                                self.current.active if self.current else True,
                                self.current.id if self.current else None)

    def store(self, c):
        catalog.save_customer(self.ctx.conn, c)

    def set_active(self, item_id, active):
        catalog.set_customer_active(self.ctx.conn, item_id, active)

    def preview(self, text):
        return catalog.preview_customers_csv(text, self.country)

    def apply(self, items):
        return catalog.apply_customers(self.ctx.conn, items)

    def export(self):
        return catalog.export_customers_csv(self.ctx.conn)

    def describe(self, c) -> str:
        return f"{c.identification} — {c.name}"


class ImportPreview(QDialog):
    """Every row of the file with its errors; only the good rows are imported."""

    def __init__(self, view: _CatalogView, preview: catalog.CsvPreview):
        super().__init__(view)
        self.view = view
        self.preview = preview
        self.imported = 0
        self.setWindowTitle(_("Vista previa de la importación"))
        self.setModal(True)
        self.resize(820, 480)
        lay = QVBoxLayout(self)
        good, bad = len(preview.good), len(preview.bad)
        lay.addWidget(QLabel(_("{0} filas válidas, {1} con errores (no se importarán)").format(good, bad)))
        table = QTableWidget(len(preview.rows), 3)
        table.setHorizontalHeaderLabels([_("Línea"), _("Registro"), _("Errores")])
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        for r, row in enumerate(preview.rows):
            cells = (str(row.line), view.describe(row.item), "; ".join(row.errors) or _("correcto"))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setBackground(QColor("#f8d7da" if row.errors else "#d4edda"))
                table.setItem(r, c, item)
        lay.addWidget(table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(fkey_button(_("Cancelar"), "Esc", self.reject))
        self.ok = fkey_button(_("Importar {0} filas").format(good), "F12", self.do_import, primary=True)
        self.ok.setEnabled(good > 0)
        buttons.addWidget(self.ok)
        lay.addLayout(buttons)
        QShortcut(QKeySequence("F12"), self).activated.connect(self.do_import)

    def do_import(self) -> None:
        if not self.preview.good:
            return
        try:
            self.imported = self.view.apply(self.preview.good)
        except MostradorError as exc:
            self.view.message.error(error_text(exc))
            self.reject()
            return
        self.view.message.info(_("Importadas {0} filas").format(self.imported))
        self.accept()
        self.view.reload()
