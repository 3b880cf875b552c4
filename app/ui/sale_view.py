"""Venta: the code field, the lines, the customer, the totals per tax rate, Cobrar (F12)."""
from __future__ import annotations

import logging
import threading
import time
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QGridLayout, QGroupBox,
                               QDialog, QHBoxLayout, QPushButton, QHeaderView, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.core.errors import MostradorError
from app.core.money import ZERO, to_decimal
from app.pos import audit, catalog, parked, shifts, till
from app.pos.cart import Buyer, BuyerRequired, Cart, line_notice
from app.ui import currency
from app.ui.context import AppContext
from app.ui.i18n import tr
from app.ui.widgets import error_text, Banner, open_dialog, PinDialog, fkey_button


log = logging.getLogger("mostrador.ui.sale")


def _(text: str) -> str:
    return tr("SaleView", text)


def qty_text(q: Decimal) -> str:
    return f"{q.normalize():f}"


class CodeField(QLineEdit):
    """The code field; Up/Down move through search results or the sale's lines."""

    moved = Signal(int)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.moved.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)


COLUMNS = ("Código", "Descripción", "Cant.", "Precio", "Desc.%", "IVA", "Total")


SIDE_MIN, SIDE_MAX, SIDE_SHARE = 300, 460, 0.36  # the buyer/totals column: pixels, share of the view


class SaleView(QWidget):
    sale_committed = Signal(object)  # checkout.IssueResult
    after_sale_failed = Signal(str, str)  # document number, Spanish reason (from the hooks' thread)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.country = ctx.session.company.country
        self.rules = ctx.till
        self.fmt = self.rules.money
        self.cart = Cart(country=self.country)
        self.payment_dialog = None
        self.pin_dialog = None
        self.last_sale = None
        self._discard_armed = 0.0
        self.after_sale_failed.connect(self._show_after_sale_failure)
        self._build()
        self._shortcuts()
        self._buyer_changed()
        self.refresh()

    def resizeEvent(self, event) -> None:  # noqa: N802
        side = getattr(self, "side", None)
        if side is not None:
            side.setFixedWidth(max(SIDE_MIN, min(SIDE_MAX, int(self.width() * SIDE_SHARE))))
        super().resizeEvent(event)

    def _money(self, value: Decimal) -> str:
        return self.fmt.money(value)

    def _amount(self, value: Decimal) -> str:
        return self.fmt.amount(value)

    def _is_anonymous_type(self, kind: str) -> bool:
        return kind == self.rules.anonymous_buyer.id_type

    # ------------------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        root.addLayout(left, 1)

        top = QHBoxLayout()
        self.code = CodeField()
        self.code.moved.connect(self._move)
        self.code.setObjectName("code")
        self.code.setPlaceholderText(_("Escanee o escriba el código"))  # fits at 1024 px
        self.code.setToolTip(_("3*código = 3 unidades"))
        self.code.returnPressed.connect(self.enter_code)
        self.code.textEdited.connect(self._code_edited)
        top.addWidget(self.code, 1)
        top.addWidget(fkey_button(_("Buscar"), "F2", self.search))
        left.addLayout(top)

        self.results = QListWidget()
        self.results.setMaximumHeight(180)
        self.results.hide()
        self.results.itemActivated.connect(self._result_chosen)
        left.addWidget(self.results)

        self.closed_banner = QLabel(_("La caja está cerrada: abra un turno en Caja (Ctrl+3) para poder cobrar."))
        self.closed_banner.setStyleSheet("background:#fff3cd;color:#7a5b00;padding:6px;font-weight:bold;")
        left.addWidget(self.closed_banner)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c in (0, 2, 3, 4, 5, 6):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._line_selected)
        left.addWidget(self.table, 1)

        edit = QHBoxLayout()
        self.qty = QLineEdit()
        self.price = QLineEdit()
        self.discount = QLineEdit()
        for label, w in ((_("Cantidad (F4)"), self.qty), (_("Precio (F5)"), self.price),
                         (_("Descuento % (F6)"), self.discount)):
            edit.addWidget(QLabel(label))
            w.setMaximumWidth(110)
            w.returnPressed.connect(self.apply_line_edit)
            edit.addWidget(w)
        edit.addStretch(1)
        left.addLayout(edit)

        # quick keys: goods without a barcode, one tile each (Alt+1 … Alt+9)
        self.tiles_box = QWidget()
        self.tiles = QGridLayout(self.tiles_box)
        self.tiles.setContentsMargins(0, 0, 0, 0)
        self.tiles.setSpacing(4)
        left.addWidget(self.tiles_box)
        self.tile_buttons: list[QPushButton] = []
        self.load_tiles()

        self.message = Banner()
        self.message.setObjectName("bigmsg")
        left.addWidget(self.message)

        buttons = QGridLayout()
        buttons.setSpacing(4)
        specs = [(_("Cliente"), "F3", self.focus_customer), (_("Pre-cuenta"), "F7", self.prebill),
                 (_("Borrar línea"), "F8", self.delete_line), (_("Nueva venta"), "F9", self.discard_sale),
                 (_("En espera"), "F10", self.park_sale), (_("Recuperar"), "F11", self.recall_sale)]
        for i, (text, key, slot) in enumerate(specs):
            b = fkey_button(text, key, slot)
            b.setStyleSheet("padding: 6px 4px;")
            buttons.addWidget(b, i // 3, i % 3)
        left.addLayout(buttons)

        side = self.side = QWidget()
        side.setFixedWidth(SIDE_MIN)  # the lines (descriptions) get every pixel left at 1024×768; wider
        # screens give the buyer's name and e-mail more room (resizeEvent)
        right = QVBoxLayout(side)
        right.setContentsMargins(0, 0, 0, 0)
        root.addWidget(side, 0)
        box = QGroupBox(_("Cliente"))
        form = QFormLayout(box)
        self.buyer_id = QLineEdit()
        self.buyer_id.setPlaceholderText(_("Vacío: {0}").format(_(self.rules.anonymous_label).lower()))
        self.buyer_id.textEdited.connect(self._buyer_id_edited)
        self.buyer_id.returnPressed.connect(self._buyer_id_done)
        self.buyer_type = QComboBox()
        self.id_labels = self.rules.id_types
        for code, label in self.id_labels.items():
            if not self._is_anonymous_type(code):  # the anonymous buyer is the empty field
                self.buyer_type.addItem(_(label), code)
        self.buyer_type.currentIndexChanged.connect(self._buyer_changed)
        self.buyer_name = QLineEdit()
        self.buyer_name.textEdited.connect(self._buyer_changed)
        self.buyer_name.returnPressed.connect(self._buyer_name_done)
        self.buyer_email = QLineEdit()
        self.buyer_email.textEdited.connect(self._buyer_changed)
        self.buyer_email.returnPressed.connect(self.code.setFocus)
        form.addRow(_("Identificación"), self.buyer_id)
        form.addRow(_("Tipo"), self.buyer_type)
        form.addRow(_("Nombre"), self.buyer_name)
        form.addRow(_("Correo"), self.buyer_email)
        self.buyer_state = QLabel()
        self.buyer_state.setWordWrap(True)
        form.addRow(self.buyer_state)
        form.addRow(fkey_button(_(self.rules.anonymous_label), "Ctrl+F", self.set_anonymous_buyer))
        right.addWidget(box)

        totals = QGroupBox(_("Totales"))
        self.totals_grid = QGridLayout(totals)
        right.addWidget(totals)
        self.total_label = QLabel(self._money(ZERO))
        self.total_label.setObjectName("total")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.total_label)
        self.pay_button = fkey_button(_("Cobrar"), "F12", self.charge, primary=True)
        right.addWidget(self.pay_button)
        # the change due after Cobrar, large, until the next item is entered
        self.change_display = QLabel()
        self.change_display.setObjectName("change")
        self.change_display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.change_display.setWordWrap(True)
        self.change_display.setStyleSheet("font-size:26px;font-weight:bold;color:#0d47a1;"
                                          "background:#e3f2fd;border:2px solid #0d47a1;padding:8px;")
        self.change_display.hide()
        right.addWidget(self.change_display)
        self.parked_label = QLabel()
        self.parked_label.setObjectName("hint")
        self.parked_label.setWordWrap(True)
        right.addWidget(self.parked_label)
        self.last_label = QLabel()
        self.last_label.setObjectName("hint")
        self.last_label.setWordWrap(True)
        right.addWidget(self.last_label)
        right.addStretch(1)

    def _shortcuts(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, slot in (("F2", self.search), ("F3", self.focus_customer), ("F4", lambda: self._focus(self.qty)),
                          ("F5", lambda: self._focus(self.price)), ("F6", lambda: self._focus(self.discount)),
                          ("F7", self.prebill), ("F8", self.delete_line), ("F9", self.discard_sale),
                          ("F10", self.park_sale), ("F11", self.recall_sale),
                          ("F12", self.charge), ("Ctrl+F", self.set_anonymous_buyer), ("Escape", self.escape)):
            s = QShortcut(QKeySequence(key), self)
            s.setContext(ctx)
            s.activated.connect(slot)

    # ------------------------------------------------------------------------------ entering items
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh_shift()
        self.code.setFocus()

    def _code_edited(self, text: str) -> None:
        if self.results.isVisible():
            self._fill_results(text)

    def enter_code(self) -> None:
        if self.results.isVisible() and self.results.currentItem() is not None:
            self._result_chosen(self.results.currentItem())
            return
        text = self.code.text().strip()
        if not text:
            return
        self.add_code(text)

    def add_code(self, text: str) -> bool:
        """Adds what was typed or scanned ('3*7861…' for three, a scale label with the price or
        weight inside). False when nothing matched."""
        try:
            entry, code = till.lookup_entry(self.ctx.conn, text, money_places=self.fmt.places)
        except ValueError as exc:
            self.message.error(error_text(exc))
            return False
        if entry is None:
            self.code.setText(text)
            self.message.error(_("No existe un producto con el código «{0}». Buscar por nombre: F2").format(code))
            self.code.selectAll()
            return False
        return self._add_entry(entry)

    def _add_entry(self, entry) -> bool:
        try:
            self.cart.add(entry.product, entry.quantity, price=entry.price, merge=entry.merge)
        except ValueError as exc:  # e.g. a product with another country's tax category
            self.message.error(error_text(exc))
            return False
        self.change_display.hide()
        self.code.clear()
        self.results.hide()
        self.message.clear_message()
        self.refresh(select=len(self.cart.lines) - 1)
        self._price_notice(entry.product.code)
        return True

    def _price_notice(self, code: str) -> None:
        """Before charging: a tax-included line the authority's rules cannot bill at its shelf
        price says what it will be billed (app.pos.cart.line_notice)."""
        line = next((ln for ln in reversed(self.cart.lines) if ln.code == code), None)
        billed = line_notice(line) if line is not None else None
        if billed is not None:
            self.message.info(_("{0}: se cobrará {1} (el comprobante no admite el precio exacto)").format(
                line.description, self._money(billed)))

    def scan(self, code: str) -> None:
        """A scanner burst routed here from anywhere in the window."""
        self.add_code(code)
        self.code.setFocus()

    def load_tiles(self) -> None:
        """(Re)builds the quick-key tiles from the catalog (goods without a barcode)."""
        for b in self.tile_buttons:
            b.setParent(None)
        for sc in getattr(self, "tile_shortcuts", []):
            sc.setParent(None)
        self.tile_buttons, self.tile_shortcuts = [], []
        for i, product in enumerate(till.quick_items(self.ctx.conn, limit=9)):
            b = QPushButton(f"{product.name}\n{self._money(product.price)}  (Alt+{i + 1})")
            b.setObjectName("tile")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _c=False, p=product: self.add_tile(p))
            sc = QShortcut(QKeySequence(f"Alt+{i + 1}"), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(b.click)
            self.tile_shortcuts.append(sc)
            self.tiles.addWidget(b, i // 3, i % 3)
            self.tile_buttons.append(b)
        self.tiles_box.setVisible(bool(self.tile_buttons))

    def add_tile(self, product) -> None:
        if self._add_entry(till.Entry(catalog.find_product(self.ctx.conn, product.code) or product, Decimal(1))):
            self.code.setFocus()

    # ------------------------------------------------------------------------------ parking
    def park_sale(self) -> None:
        """F10: puts the sale aside (stored, survives a restart) and starts a fresh one."""
        if self.cart.empty:
            self.message.error(_("La venta está vacía: no hay nada que dejar en espera"))
            return
        try:
            number = parked.park(self.ctx.conn, self.cart, establishment=self.ctx.establishment,
                                 point=self.ctx.point, cashier=self.ctx.user.name,
                                 label=self.cart.buyer.name if not self.cart.buyer_is_anonymous else "")
        except (ValueError, MostradorError) as exc:
            self.message.error(error_text(exc))
            return
        total = self.cart.totals().total
        self.new_sale()
        self.message.info(_("Venta en espera n.º {0} por {1}. Recuperar: F11").format(number, self._money(total)))
        self.refresh_parked()

    def parked_sales(self) -> list:
        return parked.listing(self.ctx.conn, establishment=self.ctx.establishment, point=self.ctx.point)

    def refresh_parked(self) -> None:
        n = len(self.parked_sales())
        self.parked_label.setText(_("Ventas en espera: {0} (F11)").format(n) if n else "")

    def recall_sale(self) -> None:
        """F11: lists the parked sales; Enter brings the chosen one back (the sale on screen, if
        any, is parked in its place)."""
        waiting = self.parked_sales()
        if not waiting:
            self.message.error(_("No hay ventas en espera"))
            return
        self.recall_dialog = RecallDialog(waiting, self.fmt, self)
        self.recall_dialog.chosen.connect(self.recall)
        open_dialog(self.recall_dialog)

    def recall(self, parked_id: int) -> None:
        try:
            cart = parked.recall(self.ctx.conn, parked_id)
        except (ValueError, MostradorError) as exc:
            self.message.error(error_text(exc))
            return
        if not self.cart.empty:
            parked.park(self.ctx.conn, self.cart, establishment=self.ctx.establishment, point=self.ctx.point,
                        cashier=self.ctx.user.name)
        self.new_sale()
        self.cart = cart
        if not cart.buyer_is_anonymous:
            self.buyer_id.setText(cart.buyer.identification)
            self.buyer_type.setCurrentIndex(max(0, self.buyer_type.findData(cart.buyer.id_type)))
            self.buyer_name.setText(cart.buyer.name)
            self.buyer_email.setText(cart.buyer.email)
            self._buyer_changed()
        self.refresh(select=len(cart.lines) - 1)
        self.refresh_parked()
        self.message.info(_("Venta n.º {0} recuperada").format(parked_id))
        self.code.setFocus()

    def search(self) -> None:
        self._fill_results(self.code.text())
        self.results.show()
        self.code.setFocus()

    def _fill_results(self, text: str) -> None:
        qty_prefix = text.partition("*")[2] if "*" in text else text
        self.results.clear()
        for p in catalog.search_products(self.ctx.conn, qty_prefix, limit=50):
            item = QListWidgetItem(f"{p.code}  —  {p.name}  —  {self._money(p.price)}")
            item.setData(Qt.ItemDataRole.UserRole, p.code)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _result_chosen(self, item: QListWidgetItem) -> None:
        text = self.code.text()
        qty = text.partition("*")[0] + "*" if "*" in text else ""
        self.add_code(qty + item.data(Qt.ItemDataRole.UserRole))

    def _move(self, step: int) -> None:
        if self.results.isVisible() and self.results.count():
            self.results.setCurrentRow(max(0, min(self.results.count() - 1, self.results.currentRow() + step)))
            return
        if self.cart.lines:
            row = max(0, min(len(self.cart.lines) - 1, self.table.currentRow() + step))
            self.table.selectRow(row)

    def escape(self) -> None:
        self.results.hide()
        self.code.setFocus()

    # ------------------------------------------------------------------------------ editing lines
    def _focus(self, field: QLineEdit) -> None:
        if not self.cart.lines:
            self.message.error(_("No hay líneas en la venta"))
            return
        if self.table.currentRow() < 0:
            self.table.selectRow(len(self.cart.lines) - 1)
        field.setFocus()
        field.selectAll()

    def _line_selected(self) -> None:
        line = self.current_line()
        for w in (self.qty, self.price, self.discount):
            w.setEnabled(line is not None)
        if line is None:
            for w in (self.qty, self.price, self.discount):
                w.clear()
            return
        self.qty.setText(qty_text(line.quantity))
        self.price.setText(currency.editable(line.price, self.fmt))
        self.discount.setText(qty_text(line.discount_percent))

    def current_line(self):
        row = self.table.currentRow()
        return self.cart.lines[row] if 0 <= row < len(self.cart.lines) else None

    def apply_line_edit(self) -> None:
        line = self.current_line()
        if line is None:
            return
        try:
            qty = to_decimal(self.qty.text().replace(",", "."), field=_("cantidad"))
            price = self.fmt.parse(self.price.text(), field=_("precio"))
            pct = to_decimal(self.discount.text().replace(",", ".") or "0", field=_("descuento"))
        except ValueError as exc:
            self.message.error(error_text(exc))
            return
        if qty <= ZERO or price < ZERO or not ZERO <= pct <= 100:
            self.message.error(_("Cantidad mayor que cero, precio positivo y descuento entre 0 y 100 %"))
            return
        reasons, actions = [], []
        if pct != line.discount_percent and till.discount_needs_approval(self.ctx.conn, pct):
            reasons.append(_("Descuento de {0} % sobre el límite permitido").format(qty_text(pct)))
            actions.append(("discount", {"code": line.code, "from": line.discount_percent, "to": pct}))
        if price != line.price and till.price_needs_approval(self.ctx.conn, line, price):
            reasons.append(_("Precio {0} por debajo del precio de lista {1}").format(self._amount(price),
                                                                                      self._amount(line.list_price)))
            actions.append(("price_change", {"code": line.code, "from": line.price, "to": price}))
        if qty < line.quantity and till.removal_needs_approval(self.cart):
            reasons.append(_("Reducir la cantidad después de imprimir la pre-cuenta"))
            actions.append(("quantity_down_after_prebill", {"code": line.code, "from": line.quantity, "to": qty}))

        def apply(approver=None):
            for action, detail in actions:
                audit.record(self.ctx.conn, action, self.ctx.user.name, detail,
                             approved_by=approver.name if approver else None)
            line.quantity, line.price, line.discount_percent = qty, price, pct
            self.message.clear_message()
            self.refresh(select=self.cart.lines.index(line))
            self.code.setFocus()

        if reasons:
            self.ask_supervisor("\n".join(reasons), apply)
        else:
            apply()

    def ask_supervisor(self, reason: str, then) -> None:
        self.pin_dialog = PinDialog(self.ctx.conn, reason, then, self)
        self.pin_dialog.rejected.connect(lambda: self.message.error(_("Cambio no autorizado: no se aplicó")))
        open_dialog(self.pin_dialog)

    def delete_line(self) -> None:
        line = self.current_line()
        if line is None:
            return
        index = self.cart.lines.index(line)

        def remove(approver=None):
            if approver is not None:
                audit.record(self.ctx.conn, "delete_after_prebill", self.ctx.user.name,
                             {"code": line.code, "quantity": line.quantity, "total": line.total},
                             approved_by=approver.name)
            self.cart.remove(index)
            self.refresh(select=min(index, len(self.cart.lines) - 1))
            self.code.setFocus()

        if till.removal_needs_approval(self.cart):
            self.ask_supervisor(_("Borrar «{0}» después de imprimir la pre-cuenta").format(line.description), remove)
        else:
            remove()

    def prebill(self) -> None:
        if self.cart.empty:
            return
        printed = False
        for hook in self.ctx.on_prebill:
            try:
                printed = bool(hook(self.cart)) or printed
            except Exception as exc:
                self.message.error(_("No se pudo imprimir la pre-cuenta: {0}").format(error_text(exc)))
                return
        self.cart.prebilled = True
        where = "" if printed else " " + _("(sin impresora configurada: no se imprimió)")
        self.message.info(_("Pre-cuenta emitida por {0}{1}. Desde ahora, quitar productos requiere un supervisor.")
                          .format(self._money(self.cart.totals().total), where))

    def discard_sale(self) -> None:
        if self.cart.empty:
            self.new_sale()
            return
        # a long sale must not vanish on one stray key: F9 twice within 3 s
        now = time.monotonic()
        if now - self._discard_armed > 3:
            self._discard_armed = now
            self.message.error(_("¿Descartar esta venta? Pulse F9 otra vez para confirmar."))
            return
        self._discard_armed = 0.0

        def drop(approver=None):
            if approver is not None:
                audit.record(self.ctx.conn, "cancel_after_prebill", self.ctx.user.name,
                             {"total": self.cart.totals().total, "lines": len(self.cart.lines)},
                             approved_by=approver.name)
            self.new_sale()

        if till.removal_needs_approval(self.cart):
            self.ask_supervisor(_("Descartar la venta después de imprimir la pre-cuenta"), drop)
        else:
            drop()

    # ------------------------------------------------------------------------------ customer
    def focus_customer(self) -> None:
        self.buyer_id.setFocus()
        self.buyer_id.selectAll()

    def set_anonymous_buyer(self) -> None:
        for w in (self.buyer_id, self.buyer_name, self.buyer_email):
            w.clear()
        self._buyer_changed()
        self.code.setFocus()

    def _buyer_id_edited(self, text: str) -> None:
        kind = self.rules.detect_id_type(text)
        if not self._is_anonymous_type(kind):
            self.buyer_type.blockSignals(True)
            self.buyer_type.setCurrentIndex(max(0, self.buyer_type.findData(kind)))
            self.buyer_type.blockSignals(False)
        self._buyer_changed()

    def _buyer_id_done(self) -> None:
        ident = self.buyer_id.text().strip()
        if not ident:
            self.set_anonymous_buyer()
            return
        known = catalog.find_customer(self.ctx.conn, ident)
        if known is not None:
            self.buyer_name.setText(known.name)
            self.buyer_email.setText(known.email)
            for w in (self.buyer_name, self.buyer_email):
                w.setCursorPosition(0)  # show the beginning of long names and addresses
            self.buyer_type.setCurrentIndex(max(0, self.buyer_type.findData(known.id_type)))
        self._buyer_changed()
        if self.cart.buyer_problem() is None or known is not None:
            self.code.setFocus() if known is not None else self.buyer_name.setFocus()
        elif not self.rules.identification_errors(self.buyer_type.currentData(), ident):
            self.buyer_name.setFocus()

    def _buyer_name_done(self) -> None:
        self.buyer_email.setFocus()

    def _buyer_changed(self, *_args) -> None:
        ident = self.buyer_id.text().strip()
        self.buyer_type.setEnabled(bool(ident))
        if not ident:
            self.cart.buyer = self.rules.anonymous_buyer
            self.buyer_state.setStyleSheet("color:#555;")
            self.buyer_state.setText(_(self.rules.anonymous_note))
            return
        kind = self.buyer_type.currentData()
        self.cart.buyer = Buyer(kind, ident, self.buyer_name.text().strip(), self.buyer_email.text().strip())
        errors = self.rules.identification_errors(kind, ident)
        if errors:
            self.buyer_state.setStyleSheet("color:#b00020;font-weight:bold;")
            self.buyer_state.setText("; ".join(errors))
        else:
            self.buyer_state.setStyleSheet("color:#1b5e20;")
            self.buyer_state.setText(_("Identificación válida ({0})").format(_(self.id_labels[kind])))

    # ------------------------------------------------------------------------------ totals
    def refresh(self, select: int | None = None) -> None:
        self.table.setRowCount(len(self.cart.lines))
        for r, line in enumerate(self.cart.lines):
            cells = (line.code, line.description, qty_text(line.quantity), self._amount(line.price),
                     qty_text(line.discount_percent) if line.discount_percent else "",
                     _(self.rules.tax_short_label(line.tax_code)), self._amount(line.total))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if select is not None and select >= 0:
            self.table.selectRow(select)
        elif not self.cart.lines:
            self._line_selected()
        self._totals()

    def _totals(self) -> None:
        while self.totals_grid.count():
            w = self.totals_grid.takeAt(0).widget()
            if w:
                w.setParent(None)  # at once: deleteLater would leave it drawn until the next loop
        t = self.cart.totals()
        rows = [(_(label), value) for label, value in self.rules.totals_rows(t)]
        if not rows:
            rows = [(_("Subtotal"), ZERO)]
        texts = [(label, self._money(value)) for label, value in rows] + self._foreign_totals()
        for i, (label, text) in enumerate(texts):
            self.totals_grid.addWidget(QLabel(label), i, 0)
            v = QLabel(text)
            v.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.totals_grid.addWidget(v, i, 1)
        self.total_label.setText(self._money(t.total))

    def _foreign_totals(self) -> list[tuple[str, str]]:
        """The sale in each foreign currency the till charges in (Cobrar's F9) whose rate of the
        day is known: ('En US$ (cambio 7.300)', 'US$ 5.54')."""
        offered = getattr(self.rules, "foreign_currencies", None)
        if not offered or self.cart.empty:
            return []
        from app.pos.exchange_rates import get, today_of

        out, day = [], today_of(self.ctx.country)
        lines = [ln.as_sale_line() for ln in self.cart.lines]
        for code, fmt in offered.items():
            rate = get(self.ctx.conn, code, day)
            if rate:
                out.append((_("En {0} (cambio {1})").format(fmt.unit, self.rules.exchange_rate_text(rate)),
                            fmt.money(self.rules.foreign_total(lines, code, rate))))
        return out

    def settings_changed(self) -> None:
        """Configuración saved (no restart): quick keys, the till (establishment/point), the shift."""
        self.load_tiles()
        self.refresh_shift()
        self.refresh()

    def refresh_shift(self) -> None:
        self.refresh_parked()
        is_open = shifts.current(self.ctx.conn, self.ctx.establishment, self.ctx.point) is not None
        self.closed_banner.setVisible(not is_open)

    # ------------------------------------------------------------------------------ charging
    def charge(self) -> None:
        if self.cart.empty:
            self.message.error(_("La venta está vacía: escanee o escriba un código"))
            self.code.setFocus()
            return
        if shifts.current(self.ctx.conn, self.ctx.establishment, self.ctx.point) is None:
            self.refresh_shift()
            self.message.error(_("La caja está cerrada: abra un turno en Caja (Ctrl+3) antes de cobrar"))
            return
        problem = self.cart.buyer_problem()
        if problem:
            self.message.error(problem)
            self.focus_customer()
            return
        from app.ui.payment_dialog import PaymentDialog

        from app.pos.exchange_rates import DayRates, today_of

        self.payment_dialog = PaymentDialog(self.cart.totals().total, self.finish, self, country=self.ctx.country,
                                            lines=[ln.as_sale_line() for ln in self.cart.lines],
                                            rates=DayRates(self.ctx.conn, today_of(self.ctx.country)))
        open_dialog(self.payment_dialog)

    def finish(self, settlement) -> str | None:
        """Called by the payment dialog; returns a Spanish error (the dialog stays) or None."""
        try:
            done = till.complete_sale(self.ctx.session, self.cart, settlement, cashier=self.ctx.user.name,
                                      establishment=self.ctx.establishment, point=self.ctx.point)
        except BuyerRequired as exc:
            return error_text(exc)
        except MostradorError as exc:
            return error_text(exc)
        except ValueError as exc:
            return error_text(exc)
        except Exception as exc:  # a bug: nothing was committed, the sale stays on screen
            log.exception("error al emitir la venta")
            return _("Error interno al emitir ({0}). La venta sigue en pantalla; avise al soporte.").format(
                type(exc).__name__)
        self.ctx.wake_worker()
        self.last_sale = done
        result = done.result
        self.new_sale()
        shown = getattr(self.payment_dialog, "change_text", "").partition("\n")[2]
        change = (f" — {_(self.fmt.change_word)} {shown or self._money(done.settlement.change)}"
                  if done.settlement.change else "")
        self.change_display.setText(
            getattr(self.payment_dialog, "change_text", "") or  # a foreign-currency sale: in the currency chosen
            f"{_(self.fmt.change_word).capitalize()}\n{self._money(done.settlement.change)}" if done.settlement.change
            else _("Sin vuelto"))
        self.change_display.show()
        self.last_label.setText(_("Última venta: {0} por {1}{2}").format(
            result.document.number, self._money(result.document.total) if result.document.currency == self.fmt.code
            else f"{result.document.currency} {result.document.total}", change))
        self.message.info(_("Venta registrada: {0}{1}").format(result.document.number, change))
        for w in result.warnings:
            self.message.info(self.message.text() + " · " + w)
        self.sale_committed.emit(result)
        # the ticket after the fresh sale is on screen: the next customer never waits for the printer
        QTimer.singleShot(0, lambda: self._after_commit(result))
        return None

    def _after_commit(self, result) -> None:
        """The hooks (ticket printing) run in a thread of their own: a slow or unreachable printer
        never freezes the till. A failure comes back through a queued signal."""
        hooks = list(self.ctx.on_sale_committed)
        if not hooks:
            return

        def run() -> None:
            for hook in hooks:
                try:
                    hook(result)
                except Exception as exc:  # a printer problem must never undo or block the sale
                    log.warning("hook after sale %s failed", result.document.number, exc_info=True)
                    self.after_sale_failed.emit(result.document.number, str(exc))

        threading.Thread(target=run, name="mostrador-after-sale", daemon=True).start()

    def _show_after_sale_failure(self, number: str, reason: str) -> None:
        self.message.error(_("La venta {0} quedó registrada, pero falló la impresión: {1}. "
                             "Reimprima desde Documentos.").format(number, reason))

    def new_sale(self) -> None:
        self.cart = Cart(country=self.country)
        for w in (self.buyer_id, self.buyer_name, self.buyer_email, self.code):
            w.clear()
        self._buyer_changed()
        self.message.clear_message()
        self.results.hide()
        self.refresh()
        self.code.setFocus()


class RecallDialog(QDialog):
    """The parked sales; Enter (or a double click) recalls the highlighted one."""

    chosen = Signal(int)

    def __init__(self, waiting: list, fmt, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Ventas en espera"))
        lay = QVBoxLayout(self)
        self.list = QListWidget()
        for p in waiting:
            who = f" — {p.label}" if p.label else ""
            item = QListWidgetItem(_("N.º {0}: {1} líneas, {2}{3} ({4})").format(
                p.id, p.lines, fmt.money(p.total), who, p.cashier))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._pick)
        lay.addWidget(self.list)
        hint = QLabel(_("Enter: recuperar · Esc: volver"))
        hint.setObjectName("hint")
        lay.addWidget(hint)
        self.resize(460, 300)

    def _pick(self, item: QListWidgetItem) -> None:
        self.chosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))
        self.accept()
