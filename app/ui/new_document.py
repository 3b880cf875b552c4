"""Nuevo documento (Ctrl+N on Documentos): every document and event of the country's `forms`
facet (app/fiscal/forms.py), made by keyboard.

Left, the forms (type to filter, arrows, Enter); right, the chosen form's header fields (Tab and
Enter move along, in declaration order; a choice is searched as you type) and its tables (Enter
or Tab moves along a row, Enter on the last cell of the last row adds a row, Ctrl+Supr deletes
one), then Emitir (Ctrl+Enter). A document goes through `pos.checkout.issue` exactly as the
CLI's and the API's do (same validation, numbering, outbox); a refusal lists every problem in
Spanish and puts the cursor on the first field it names. An event runs the form's `perform`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QCompleter, QDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QListWidget, QListWidgetItem, QScrollArea,
                               QTableWidget, QVBoxLayout, QWidget)

from app.core.errors import MostradorError, ValidationError
from app.fiscal.forms import CHOICE, DATE, ESTABLISHMENT, MONEY, POINT, QUANTITY, DocumentForm, FormField, \
    check_values
from app.ui.i18n import tr
from app.ui.widgets import Banner, fkey_button

SHORTCUT = "Ctrl+N"  # on Documentos (F9-F11 are the countries' document actions there)


def _(text: str) -> str:
    return tr("NewDocument", text)


def forms_of(country) -> tuple[DocumentForm, ...]:
    """The country's forms; none when it declares no `forms` facet."""
    try:
        return tuple(country.forms().forms)
    except ModuleNotFoundError:
        return ()


class ChoiceBox(QComboBox):
    """A CHOICE field: the labels shown, `values` (same order) what `build` gets."""

    def __init__(self, values: list[str]):
        super().__init__()
        self.values = values


def _input(f: FormField, company, now: datetime) -> QWidget:
    """The editor of one field, holding its default text."""
    default = f.default(company, now) if f.default else ""
    if f.kind == CHOICE:
        w = ChoiceBox([value for value, _label in f.choices])
        w.setEditable(True)
        w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # a long label must not widen the form past the window: it scrolls inside its box
        w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        w.setMinimumContentsLength(12)
        w.addItems([_(label) for _value, label in f.choices])
        completer = QCompleter(w.model(), w)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)  # searched as you type, anywhere in the label
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        w.setCompleter(completer)
        index = w.values.index(default) if default in w.values else -1
        w.setCurrentIndex(index)
        if index < 0:
            w.setEditText(default)
        return w
    w = QLineEdit(default)
    hint = f.hint or ("dd/mm/aaaa" if f.kind == DATE else "")
    if hint:
        w.setPlaceholderText(_(hint))
    if f.kind in (MONEY, QUANTITY):
        w.setAlignment(Qt.AlignmentFlag.AlignRight)
    if f.max_length:
        w.setMaxLength(f.max_length)
    return w


def text_of(w: QWidget) -> str:
    if isinstance(w, QComboBox):
        text = w.currentText().strip()
        if isinstance(w, ChoiceBox) and w.currentIndex() >= 0 and text == w.itemText(w.currentIndex()):
            return w.values[w.currentIndex()]
        return text
    return w.text()


def _on_enter(w: QWidget, slot: Callable[[], None]) -> None:
    edit = w.lineEdit() if isinstance(w, QComboBox) else w
    edit.returnPressed.connect(slot)


class FormTableWidget(QTableWidget):
    """One table of a form: a row of editors per row (cell widgets, so typing goes straight in)."""

    def __init__(self, table, dialog: "NewDocumentDialog"):
        super().__init__(0, len(table.columns))
        self.spec = table
        self.dialog = dialog
        self.setHorizontalHeaderLabels([_(c.label) for c in table.columns])
        for i, c in enumerate(table.columns):
            if c.hint:
                self.horizontalHeaderItem(i).setToolTip(_(c.hint))
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setMinimumSectionSize(70)
        self.verticalHeader().setVisible(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setTabKeyNavigation(False)
        self.setMinimumHeight(150)
        self.defaults: list[str] = []
        self.add_row()

    def add_row(self) -> int:
        r = self.rowCount()
        self.insertRow(r)
        now = self.dialog.clock()
        for c, col in enumerate(self.spec.columns):
            w = _input(col, self.dialog.company, now)
            if isinstance(w, QLineEdit):  # a cell is narrow: its hint is the tooltip (cell and header)
                w.setPlaceholderText("")
            w.setToolTip(_(col.hint or col.label))
            _on_enter(w, lambda w=w: self.dialog.advance_from(w))
            if self.spec.complete is not None:
                (w.lineEdit() if isinstance(w, QComboBox) else w).editingFinished.connect(
                    lambda w=w: self.complete_row(w))
            self.setCellWidget(r, c, w)
        if not self.defaults:
            self.defaults = [text_of(self.cellWidget(r, c)) for c in range(self.columnCount())]
        self.dialog.chain()
        return r

    def complete_row(self, w: QWidget) -> None:
        """The form's `complete` fills the blank cells of the row `w` is in."""
        where = self.where(w)
        if where is None:
            return
        header = {name: text_of(i) for name, i in self.dialog.inputs.items()}
        fills = self.spec.complete(self.row_texts(where[0]), header)
        for c, col in enumerate(self.spec.columns):
            text = fills.get(col.name)
            cell = self.cellWidget(where[0], c)
            if text and isinstance(cell, QLineEdit) and not cell.text().strip():
                cell.setText(text)
                if cell.hasFocus():  # Enter already moved here: typing replaces what was filled
                    cell.selectAll()

    def remove_row(self, r: int) -> None:
        if self.rowCount() == 1:  # the last row stays, emptied
            self.removeRow(0)
            self.add_row()
        else:
            self.removeRow(r)
        self.dialog.chain()

    def cells(self):
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                yield r, c, self.cellWidget(r, c)

    def where(self, w: QWidget) -> tuple[int, int] | None:
        for r, c, cell in self.cells():
            if cell is w or cell.isAncestorOf(w):
                return r, c
        return None

    def row_texts(self, r: int) -> dict[str, str]:
        return {col.name: text_of(self.cellWidget(r, c)) for c, col in enumerate(self.spec.columns)}

    def filled_rows(self) -> list[int]:
        """Rows with something typed (a row left at its defaults is blank)."""
        return [r for r in range(self.rowCount())
                if [text_of(self.cellWidget(r, c)).strip() for c in range(self.columnCount())]
                != [d.strip() for d in self.defaults]]

    def focus_cell(self, r: int, c: int) -> None:
        self.setCurrentCell(r, c)
        self.scrollTo(self.model().index(r, c))
        self.dialog.focus_on(self.cellWidget(r, c))


class NewDocumentDialog(QDialog):
    """`view` is Documentos (its ctx, `issued(result, form)` and `performed(text)`); `clock` the
    injected now (UTC)."""

    def __init__(self, view, *, clock: Callable[[], datetime] | None = None):
        super().__init__(view)
        self.view = view
        self.ctx = view.ctx
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.company = self.ctx.session.company
        self.forms = forms_of(self.ctx.country)
        self.money = self.ctx.country.till().money  # amounts read as the country writes them
        self.form: DocumentForm | None = None
        self.inputs: dict[str, QWidget] = {}
        self.labels: dict[str, str] = {}
        self.tables: dict[str, FormTableWidget] = {}
        self.result = None  # checkout.IssueResult of the last document issued
        self.confirmation = ""  # what the last event said
        self.setWindowTitle(_("Nuevo documento"))
        self.setModal(True)
        top = view.window()
        self.resize(min(1280, max(900, top.width() - 40)), min(900, max(600, top.height() - 60)))
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Buscar tipo de documento"))
        self.filter.textChanged.connect(self.apply_filter)
        self.filter.returnPressed.connect(self.choose)
        self.filter.installEventFilter(self)
        self.list = QListWidget()
        for f in self.forms:
            item = QListWidgetItem(_(f.label))
            item.setData(Qt.ItemDataRole.UserRole, f.id)
            self.list.addItem(item)
        self.list.itemActivated.connect(lambda _i: self.choose())
        self.list.currentRowChanged.connect(self.describe)
        self.description = QLabel()
        self.description.setWordWrap(True)
        left.addWidget(QLabel(_("Tipo de documento")))
        left.addWidget(self.filter)
        left.addWidget(self.list, 1)
        left.addWidget(self.description)
        side = QWidget()
        side.setLayout(left)
        side.setFixedWidth(260)
        root.addWidget(side)

        right = QVBoxLayout()
        self.title = QLabel()
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        right.addWidget(self.title)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows wrap, never scroll
        self.body = QWidget()
        self.scroll.setWidget(self.body)
        right.addWidget(self.scroll, 1)
        self.error = Banner()
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = fkey_button(_("Cancelar"), "Esc", self.reject)
        self.issue_button = fkey_button(_("Emitir"), "Ctrl+Enter", self.issue, primary=True)
        for b in (self.cancel_button, self.issue_button):
            b.setAutoDefault(False)  # Enter moves along the fields; it never presses a button
            b.setDefault(False)
            buttons.addWidget(b)
        right.addLayout(buttons)
        root.addLayout(right, 1)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self).activated.connect(self.issue)
        QShortcut(QKeySequence("Ctrl+Del"), self).activated.connect(self.delete_row)
        self.issue_button.setEnabled(False)
        if self.forms:
            self.list.setCurrentRow(0)
        else:
            self.description.setText(_("Este país no tiene documentos para emitir desde aquí."))
        self.filter.setFocus()

    # ------------------------------------------------------------------------------ the list
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        # arrows in the search field move along the list
        if obj is self.filter and event.type() == event.Type.KeyPress and event.key() in (Qt.Key.Key_Up,
                                                                                         Qt.Key.Key_Down):
            rows = [i for i in range(self.list.count()) if not self.list.item(i).isHidden()]
            if rows:
                cur = self.list.currentRow()
                pos = rows.index(cur) if cur in rows else -1
                pos = min(pos + 1, len(rows) - 1) if event.key() == Qt.Key.Key_Down else max(pos - 1, 0)
                self.list.setCurrentRow(rows[pos])
            return True
        return super().eventFilter(obj, event)

    def apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hide = not all(w in item.text().casefold() for w in words)
            item.setHidden(hide)
            if not hide and first is None:
                first = i
        cur = self.list.currentRow()
        if first is not None and (cur < 0 or self.list.item(cur).isHidden()):
            self.list.setCurrentRow(first)

    def describe(self, row: int) -> None:
        if 0 <= row < len(self.forms):
            self.description.setText(_(self.forms[row].description))

    def choose(self) -> None:
        """Opens the highlighted form and puts the cursor on its first field."""
        row = self.list.currentRow()
        if row < 0 or self.list.item(row).isHidden():
            return
        self.open_form(self.forms[row])

    def open_form(self, form: DocumentForm) -> None:
        self.form = form
        self.title.setText(_(form.label))
        self.error.clear_message()
        self.inputs, self.labels, self.tables = {}, {}, {}
        body = QWidget()
        lay = QVBoxLayout(body)
        grid = QFormLayout()
        grid.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        now = self.clock()
        for f in form.fields:
            w = _input(f, self.company, now)
            w.setObjectName(f.name)
            _on_enter(w, lambda w=w: self.advance_from(w))
            label = _(f.label) + (" *" if f.required else "")
            grid.addRow(QLabel(label), w)
            self.inputs[f.name] = w
            self.labels[f.name] = _(f.label)
        lay.addLayout(grid)
        for t in form.tables:
            caption = QLabel(_(t.label))
            bold = QFont(caption.font())
            bold.setBold(True)
            caption.setFont(bold)
            lay.addWidget(caption)
            hint = QLabel(_("Intro: siguiente casilla · Intro en la última: fila nueva · Ctrl+Supr: borrar fila"))
            hint.setWordWrap(True)
            lay.addWidget(hint)
            table = self.tables[t.name] = FormTableWidget(t, self)
            lay.addWidget(table, 1)
        lay.addStretch(0)
        old = self.scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.scroll.setWidget(body)
        self.body = body
        self.chain()
        self.issue_button.setEnabled(True)
        first = self.focus_order()
        if first:
            self.focus_on(first[0])

    # ------------------------------------------------------------------------------ moving along
    def focus_order(self) -> list[QWidget]:
        out = list(self.inputs.values())
        for t in self.tables.values():
            out += [w for _r, _c, w in t.cells()]
        return out

    def chain(self) -> None:
        """Tab order = declaration order: the header fields, then each table row by row."""
        order = self.focus_order()
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def advance_from(self, w: QWidget) -> None:
        """Enter: the next field; on the last cell of a table's last row, a new row."""
        for t in self.tables.values():
            where = t.where(w)
            if where is None:
                continue
            r, c = where
            if c + 1 < t.columnCount():
                t.focus_cell(r, c + 1)
            elif r + 1 < t.rowCount():
                t.focus_cell(r + 1, 0)
            else:
                t.focus_cell(t.add_row(), 0)
            return
        order = self.focus_order()
        if w in order and order.index(w) + 1 < len(order):
            self.focus_on(order[order.index(w) + 1])

    def focus_on(self, w: QWidget) -> None:
        """The cursor in `w`, its text selected (typing replaces it), scrolled into view."""
        w.setFocus(Qt.FocusReason.TabFocusReason)
        edit = w.lineEdit() if isinstance(w, QComboBox) else w
        edit.selectAll()
        self.scroll.ensureWidgetVisible(w)

    def delete_row(self) -> None:
        focus = self.focusWidget()
        for t in self.tables.values():
            where = t.where(focus) if focus is not None else None
            if where is not None:
                t.remove_row(where[0])
                t.focus_cell(min(where[0], t.rowCount() - 1), where[1])
                return

    # ------------------------------------------------------------------------------ issuing
    def typed(self) -> tuple[dict, dict, dict[str, list[int]]]:
        """(header texts, {table: [row texts]}, {table: widget row of each value row})."""
        header = {name: text_of(w) for name, w in self.inputs.items()}
        tables, rows = {}, {}
        for name, t in self.tables.items():
            rows[name] = t.filled_rows()
            tables[name] = [t.row_texts(r) for r in rows[name]]
        return header, tables, rows

    def issue(self) -> None:
        form = self.form
        if form is None:
            self.choose()
            return
        header, tables, rows = self.typed()
        values, problems = check_values(form, header, tables, self.money)
        if problems:
            self.show_problems([p.message for p in problems], (problems[0].table, problems[0].row,
                                                                problems[0].field), rows)
            return
        values[ESTABLISHMENT], values[POINT] = self.ctx.establishment, self.ctx.point
        now = self.clock()
        try:
            if form.issues_document:
                from app.pos import checkout

                body, kind = form.build(values, self.company, now)
                self.result = checkout.issue(self.ctx.session, body, kind, source="pos",
                                             cashier=getattr(self.ctx.user, "name", None))
            else:
                self.confirmation = form.perform(self.ctx.session, values, now)
        except ValidationError as exc:
            self.refused(exc, rows, values)
            return
        except (MostradorError, ValueError) as exc:
            self.error.error(str(exc))
            return
        self.ctx.wake_worker()
        self.accept()
        if form.issues_document:
            self.view.issued(self.result, _(form.label))
        else:
            self.view.performed(_(self.confirmation))

    def refused(self, exc: ValidationError, rows: dict[str, list[int]], values=None) -> None:
        """Every problem in Spanish, named by its field's label; the cursor on the first."""
        lines, first = [], None
        for e in exc.errors:
            locate = self.form.locate_error
            target = (locate(e.field, values or {}) if locate else self.form.field_for_error(e.field)) \
                if e.field else None
            if target is not None and first is None:
                first = target
            lines.append(f"{self.label_of(target)}: {e.message}" if target else e.message)
        self.show_problems(lines, first, rows)

    def label_of(self, target) -> str:
        table, row, name = target
        if table is None:
            return self.labels.get(name, name)
        t = self.tables.get(table)
        col = next((c for c in t.spec.columns if c.name == name), None) if t else None
        return f"{_(t.spec.label) if t else table}, {_('fila')} {(row or 0) + 1}, {_(col.label) if col else name}"

    def show_problems(self, lines: list[str], first, rows: dict[str, list[int]]) -> None:
        self.error.error("\n".join(lines))
        if first is None:
            return
        table, row, name = first
        if table is None:
            w = self.inputs.get(name)
            if w is not None:
                self.focus_on(w)
            return
        t = self.tables.get(table)
        if t is None:
            return
        filled = rows.get(table, [])
        r = filled[row] if row is not None and row < len(filled) else (t.rowCount() - 1)
        c = next((i for i, col in enumerate(t.spec.columns) if col.name == name), 0)
        t.focus_cell(r, c)
