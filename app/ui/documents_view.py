"""Documentos: every document with its status in colour, filters, detail (lines, totals, XML,
the authority's messages over time), retry now, credit notes, and the country's own document
actions (its `actions` facet: e.g. SIFEN events), each a button with its function key and the
fields it asks. Updates live."""
from __future__ import annotations

import json
from functools import partial
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QFileDialog, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSplitter, QTableView,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from app.core import status as st
from app.core.errors import MostradorError
from app.core.money import ZERO, to_decimal
from app.fiscal import registry
from app.pos import reports, till
from app.pos.cart import payment_label
from app.ui import currency
from app.ui.reasons import document_reasons
from app.store import documents
from app.ui.context import AppContext
from app.ui.i18n import tr
from app.ui.placeholders import adaptive_placeholder
from app.ui.style import STATUS_COLORS
from app.ui.widgets import error_text, Banner, open_dialog, fkey_button
from app.core.moments import shown_local as local_time


def _(text: str) -> str:
    return tr("DocumentsView", text)


HEADERS = ("Número", "Tipo", "Fecha", "Cliente", "Total", "Estado")


def status_label(status: str, approved: str = "autorizado") -> str:
    """`approved` is the authority's word for `authorized` (SIFEN 'aprueba' where the SRI 'autoriza')."""
    if status == st.AUTHORIZED:
        return approved
    return till.STATUS_LABELS.get(status, status)


class DocumentsModel(QAbstractTableModel):
    def __init__(self, parent=None, country: str = "", approved: str = "autorizado"):
        super().__init__(parent)
        self.rows: list = []
        self.country = country
        self.approved = approved
        self.kinds = till.kind_labels(country)
        rules = registry.country(country).till()
        # the anonymous buyer by the till's word ("Consumidor final", "Innominado"), not "Sin Nombre"
        self.anonymous = (rules.anonymous_buyer.identification, rules.anonymous_label)

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(HEADERS[section])
        return None

    def _total(self, r) -> str:
        """The till's amount format, or a foreign-currency document's own: 'USD 10.52'."""
        code = r["currency"]
        if code and code != currency.money_format(self.country).code:
            return f"{code} {Decimal(r['total'])}"
        return currency.amount(Decimal(r["total"]), self.country)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r["number"], _(self.kinds.get(r["kind"], r["kind"])), local_time(r["issued_at"]),
                    _(self.anonymous[1]) if r["buyer_id"] == self.anonymous[0] else r["buyer_name"], self._total(r),
                    _(status_label(r["status"], self.approved)).upper())[col]
        if role == Qt.ItemDataRole.BackgroundRole and col == 5:
            return QBrush(QColor(STATUS_COLORS.get(r["status"], ("#ffffff", ""))[0]))
        if role == Qt.ItemDataRole.ForegroundRole and col == 5:
            return QBrush(QColor(STATUS_COLORS.get(r["status"], ("", "#000000"))[1]))
        if role == Qt.ItemDataRole.FontRole and col == 5:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class DocumentsView(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.country = ctx.session.company.country
        country = registry.country(self.country)
        self.authority = country.authority
        self.facet = country.actions()
        self.currency = country.currency
        self.credit_dialog = None
        self._stamp = None
        self._mail_state = None
        lay = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.use_dates = QCheckBox(_("Desde"))
        today = reports.today_in(reports.zone_for(ctx.session.company.country))  # the issue dates' zone
        self.date_from = QDateEdit(QDate(today.year, today.month, today.day).addDays(-30))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("dd/MM/yyyy")
            d.dateChanged.connect(self.reload)
        self.use_dates.toggled.connect(self.reload)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        self.kind = QComboBox()
        self.kind.addItem(_("Todos los tipos"), None)
        for k, label in till.kind_labels(self.country).items():
            self.kind.addItem(_(label), k)
        self.status = QComboBox()
        self.status.addItem(_("Todos los estados"), None)
        for s in st.DocumentStatus:
            label = status_label(s, self.facet.approved_word)
            self.status.addItem(_(label).capitalize(), s.value)
        self.customer = QLineEdit()
        # the whole hint where it fits, a shorter one at 1024 px (app/ui/placeholders.py)
        adaptive_placeholder(self.customer, _("Cliente, identificación o número"), _("Cliente o número"), _("Buscar"))
        self.customer.setToolTip(_("Buscar por cliente, identificación o número"))
        for w in (self.kind, self.status):
            w.currentIndexChanged.connect(self.reload)
        self.customer.textChanged.connect(self.reload)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(_("hasta")))
        filters.addWidget(self.date_to)
        filters.addWidget(self.kind)
        filters.addWidget(self.status)
        filters.addWidget(self.customer, 1)
        lay.addLayout(filters)

        split = QSplitter(Qt.Orientation.Vertical)
        self.model = DocumentsModel(self, self.country, self.facet.approved_word)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for c in (0, 1, 2, 4, 5):
            self.table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.show_detail())
        split.addWidget(self.table)

        self.detail = QTabWidget()
        self.summary = QPlainTextEdit()
        self.xml = QPlainTextEdit()
        self.history = QTableWidget(0, 3)
        self.history.setHorizontalHeaderLabels([_("Fecha"), _("Estado"), _("Mensajes del {0}").format(self.authority)])
        self.history.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history.verticalHeader().setVisible(False)
        for w in (self.summary, self.xml):
            w.setReadOnly(True)
        self.xml.setStyleSheet("font-family: monospace; font-size: 12px;")
        self.summary.setStyleSheet("font-family: monospace; font-size: 13px;")
        self.detail.addTab(self.summary, _("Detalle"))
        self.detail.addTab(self.history, _("Historial"))
        self.detail.addTab(self.xml, _("XML firmado"))
        split.addWidget(self.detail)
        split.setSizes([380, 300])
        lay.addWidget(split, 1)

        # why the selected document is pending or rejected, and what to do (plain Spanish)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.why.setStyleSheet("background:#fff3cd;color:#5c4400;padding:4px 8px;border-radius:4px;")
        self.why.setVisible(False)
        lay.addWidget(self.why)
        self.message = Banner()
        lay.addWidget(self.message)
        actions = QHBoxLayout()
        self.retry_button = fkey_button(_("Reintentar ahora"), "F5", self.retry)
        self.credit_button = fkey_button(_("Nota de crédito"), "F6", self.credit_note)
        self.reprint_button = fkey_button(_("Reimprimir ticket"), "F7", self.reprint)
        self.ride_button = fkey_button(_("Guardar {0} (PDF)").format(self.facet.a4_name), "F8",
                                       self.save_ride_dialog)
        for b in (self.retry_button, self.credit_button, self.reprint_button, self.ride_button):
            actions.addWidget(b)
        # the buyer's e-mail again (app.integrations.mail), optionally to another address
        self.mail_to = QLineEdit()
        self.mail_to.setToolTip(_("Correo de destino (vacío: el del comprador)"))
        self.mail_to.setMinimumWidth(180)
        self.mail_button = fkey_button(_("Reenviar correo"), "Ctrl+E", self.resend_mail)
        mail_row = QHBoxLayout()  # its own row: at 1024 px the buttons above need the whole width
        mail_row.addWidget(self.mail_to, 1)
        mail_row.addWidget(self.mail_button)
        mail_row.addStretch(1)
        # Nuevo documento: every form of the country's `forms` facet (app/ui/new_document.py)
        from app.ui.new_document import SHORTCUT as NEW_DOCUMENT_KEY, forms_of

        self.new_dialog = None
        self.new_button = fkey_button(_("Nuevo documento"), NEW_DOCUMENT_KEY, self.new_document)
        self.new_button.setEnabled(bool(forms_of(country)))
        mail_row.addWidget(self.new_button)
        shortcuts = [("F5", self.retry), ("F6", self.credit_note), ("F7", self.reprint), ("F8", self.save_ride_dialog),
                     ("Ctrl+E", self.resend_mail), (NEW_DOCUMENT_KEY, self.new_document)]
        # Eventos: the events sent to the authority (app/ui/events_view.py), when the country has any
        from app.ui.events_view import SHORTCUT as EVENTS_KEY, events_of

        self.events_dialog = None
        self.events_button = None
        if events_of(country) is not None:
            self.events_button = fkey_button(_("Eventos"), EVENTS_KEY, self.show_events)
            mail_row.addWidget(self.events_button)
            shortcuts.append((EVENTS_KEY, self.show_events))
        # the country's own actions (its `actions` facet), one row per group; a value asked by
        # several actions (a reason) is one field
        self.param_fields: dict[str, QLineEdit] = {}
        self.action_buttons: dict[str, QPushButton] = {}
        rows: dict[str, QHBoxLayout] = {}
        for action in self.facet.document_actions:
            row = rows.get(action.group)
            if row is None:
                row = rows[action.group] = QHBoxLayout()
                row.addWidget(QLabel(_(action.group)))
                lay.addLayout(row)
            for p in action.params:
                if p.name not in self.param_fields:
                    field = self.param_fields[p.name] = QLineEdit()
                    # the hint where it fits, else the label; both always in the tooltip
                    adaptive_placeholder(field, _(p.hint), _(p.label))
                    field.setToolTip(f"{_(p.label)}: {_(p.hint)}" if p.hint else _(p.label))
                    if p.min_width:
                        field.setMinimumWidth(p.min_width)
                    row.addWidget(field, p.width)
            run = partial(self.perform, action)
            button = self.action_buttons[action.id] = fkey_button(_(action.label), action.shortcut, run)
            if action.shortcut:
                shortcuts.append((action.shortcut, run))
            row.addWidget(button)
        actions.addStretch(1)
        lay.addLayout(actions)
        lay.addLayout(mail_row)
        for key, slot in shortcuts:
            s = QShortcut(QKeySequence(key), self)
            s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            s.activated.connect(slot)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.poll)
        self.timer.start(1000)
        self.reload()

    def activated(self) -> None:
        self.reload()
        self.table.setFocus()

    # ------------------------------------------------------------------------------ data
    def reload(self, *_a) -> None:
        selected = self.current_id()
        rows = till.find_documents(
            self.ctx.conn,
            date_from=self.date_from.date().toString("yyyy-MM-dd") if self.use_dates.isChecked() else None,
            date_to=self.date_to.date().toString("yyyy-MM-dd") if self.use_dates.isChecked() else None,
            kind=self.kind.currentData(), status=self.status.currentData(), customer=self.customer.text())
        self.model.set_rows(rows)
        self._stamp = till.documents_stamp(self.ctx.conn)
        row = next((i for i, r in enumerate(rows) if r["id"] == selected), 0 if rows else -1)
        if row >= 0:
            self.table.selectRow(row)
        self.show_detail()

    def poll(self) -> None:
        if self.isVisible() and till.documents_stamp(self.ctx.conn) != self._stamp:
            self.reload()
        elif self.isVisible() and self.current_id() is not None:
            from app.integrations import mail

            if mail.state(self.ctx.conn, self.current_id()) != self._mail_state:
                self.show_detail()  # the worker sent (or failed to send) its e-mail

    def document_changed(self, doc_id: int) -> None:
        self.reload()

    def current_id(self) -> int | None:
        idx = self.table.currentIndex() if hasattr(self, "table") else None
        if idx is None or not idx.isValid() or idx.row() >= len(self.model.rows):
            return None
        return self.model.rows[idx.row()]["id"]

    def status_of(self, doc_id: int) -> str:
        return documents.get(self.ctx.conn, doc_id)["status"]

    def show_detail(self) -> None:
        doc_id = self.current_id()
        if doc_id is None:
            self.summary.setPlainText(_("No hay documentos con estos filtros."))
            self.xml.clear()
            self.history.setRowCount(0)
            self.retry_button.setEnabled(False)
            self.credit_button.setEnabled(False)
            self.mail_button.setEnabled(False)
            self.why.setVisible(False)
            return
        d = documents.get(self.ctx.conn, doc_id)
        body = till.document_request(self.ctx.conn, doc_id)
        country = registry.country(d["country"])
        actions = country.actions()

        def money(value) -> str:
            if d["currency"] != country.currency:
                return f"{d['currency']} {value}"
            return currency.money(Decimal(str(value)), country.code)

        lines = [f"{_(till.kind_labels(country.code).get(d['kind'], d['kind']))} {d['number']}   "
                 f"{_('Estado')}: {_(status_label(d['status'], actions.approved_word)).upper()}"]
        lines += _readable_lines(actions.describe(d, body, money), country, body)
        pays = till.document_payments(self.ctx.conn, doc_id)
        if pays:
            lines.append(_("Pagos") + ": " + ", ".join(f"{payment_label(country.code, m)} {money(a)}" for m, a in pays))
        reasons = self.reasons(d)
        if reasons:
            lines += ["", _("¿Por qué? ¿Qué hacer?")] + reasons
        elif d["last_messages"]:
            lines += ["", _("Últimos mensajes de la autoridad ({0}):").format(country.authority)]
            lines += _messages(d["last_messages"]).splitlines()
        lines += ["", self.mail_line(d)]
        self.why.setText("\n".join(reasons))
        self.why.setVisible(bool(reasons))
        self._show_rest(doc_id, d, lines)

    def mail_line(self, d) -> str:
        """The document's e-mail to the buyer in one Spanish line (app.integrations.mail)."""
        from app.integrations import jobs, mail

        buyer = mail.buyer_email(self.ctx.conn, d)
        self.mail_to.setPlaceholderText(buyer or _("correo de destino"))
        self.mail_button.setEnabled(d["status"] == st.AUTHORIZED)
        state = self._mail_state = mail.state(self.ctx.conn, d["id"])
        if state is None:
            if not buyer:
                return _("Correo: sin correo del comprador")
            if d["status"] != st.AUTHORIZED:
                return _("Correo: se enviará a {0} al ser autorizado").format(buyer)
            return _("Correo: no enviado a {0} (¿correo sin configurar?)").format(buyer)
        attempts = _("{0} intento").format(1) if state["attempts"] == 1 else \
            _("{0} intentos").format(state["attempts"])
        to = state["to"] or ""
        if state["status"] == jobs.DONE:
            text = _("Correo: enviado a {0} ({1})").format(to, attempts)
        elif state["status"] == jobs.UNCERTAIN:
            text = _("Correo: posiblemente enviado a {0} (la conexión se cortó; revise antes de reenviar)").format(to)
        elif state["status"] == jobs.FAILED:
            text = _("Correo: falló: {0}").format(state["error"] or "")
        else:
            text = _("Correo: pendiente para {0} ({1})").format(to, attempts)
            if state["error"]:
                text += " — " + state["error"]
        if state["delivered"] > 1:
            text += " · " + _("{0} envíos en total").format(state["delivered"])
        return text

    def reasons(self, d) -> list[str]:
        """Why the document `d` is pending or rejected and what to do (its country's words)."""
        country = registry.country(d["country"])
        return document_reasons(self.ctx.conn, d, country.actions(), country.authority,
                                self.ctx.worker_error, self.ctx.worker is not None)

    def _show_rest(self, doc_id: int, d, lines: list[str]) -> None:
        self.summary.setPlainText("\n".join(lines))
        self.xml.setPlainText(bytes(d["xml"]).decode("utf-8", errors="replace"))
        events = documents.events(self.ctx.conn, doc_id)
        self.history.setRowCount(len(events))
        for r, e in enumerate(events):
            label = _(till.STATUS_LABELS.get(e["status"], e["status"]))
            for c, text in enumerate((local_time(e["at"]), label, _messages(e["detail"]))):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setBackground(QColor(STATUS_COLORS.get(e["status"], ("#ffffff", ""))[0]))
                self.history.setItem(r, c, item)
        self.history.resizeRowsToContents()
        self.retry_button.setEnabled(d["status"] in st.PENDING)
        self.credit_button.setEnabled(d["kind"] == "invoices" and d["status"] == st.AUTHORIZED
                                      and d["buyer_id"] != self.ctx.till.anonymous_buyer.identification)
        now = datetime.now(timezone.utc)
        for action in self.facet.document_actions:
            self.action_buttons[action.id].setEnabled(action.applies(d, now))

    # ------------------------------------------------------------------------------ actions
    def retry(self) -> None:
        doc_id = self.current_id()
        if doc_id is None:
            return
        if self.status_of(doc_id) not in st.PENDING:
            self.message.error(_("Este documento no está pendiente de envío"))
            return
        till.retry_now(self.ctx.conn, doc_id)
        if self.ctx.worker is None:
            self.message.error(_("La transmisión está detenida: {0}").format(self.ctx.worker_error or ""))
            return
        self.ctx.wake_worker()
        self.message.info(_("Reintentando el envío al {0}…").format(self.authority))

    def resend_mail(self) -> None:
        """Queues the document's e-mail again (to the address typed, else the buyer's) and wakes
        the worker; without SMTP settings, says where to set them."""
        doc_id = self.current_id()
        if doc_id is None:
            return
        from app.core.errors import ConfigurationError
        from app.integrations import mail
        from app.store.db import transaction

        try:
            mail.SmtpConfig.load(self.ctx.conn)
        except ConfigurationError as exc:
            self.message.error(_("{0}. Configúrelo en Configuración › Correo y centro comercial.").format(
                error_text(exc)))
            return
        d = documents.get(self.ctx.conn, doc_id)
        if not self.mail_to.text().strip() and not mail.buyer_email(self.ctx.conn, d):
            self.message.error(_("El comprador no tiene correo: escriba uno junto a «Reenviar correo»"))
            self.mail_to.setFocus()
            return
        try:
            with transaction(self.ctx.conn):
                _job, to = mail.request_send(self.ctx.conn, d["key"], self.mail_to.text().strip() or None)
        except (MostradorError, ValueError) as exc:
            self.message.error(error_text(exc))
            return
        self.mail_to.clear()
        self.ctx.wake_worker()
        self.message.info(_("Correo en cola para {0}").format(to))
        self.show_detail()

    # ------------------------------------------------------------------------------ country actions
    def perform(self, action, *_args) -> None:
        """Runs one of the country's document actions on the selected document with the values
        typed in its fields; a refusal (past the legal window, wrong status, short reason…) is
        shown and the fields are kept."""
        doc_id = self.current_id()
        if doc_id is None:
            return
        d = documents.get(self.ctx.conn, doc_id)
        values = {p.name: self.param_fields[p.name].text() for p in action.params}
        now = datetime.now(timezone.utc)
        if not action.applies(d, now):
            self.message.error(_("«{0}» no se aplica a este documento").format(_(action.label)))
            return
        extra = {}
        if action.issues:  # it issues a new document: through the one issuing transaction
            from app.pos import checkout

            extra["commit"] = checkout.commit
        try:
            done = action.perform(self.ctx.session, d, values, now, **extra)
        except (MostradorError, ValueError) as exc:
            self.message.error(error_text(exc))
            return
        self.ctx.wake_worker()
        for p in action.params:
            self.param_fields[p.name].clear()
        self.message.info(_(done))
        self.reload()

    def reprint(self) -> None:
        """The ticket again (marked as a copy) on the default printer; without one, as a PDF."""
        doc_id = self.current_id()
        if doc_id is None:
            return
        from app.pos import printing

        key = documents.get(self.ctx.conn, doc_id)["key"]
        first = printing.times_printed(self.ctx.conn, doc_id) == 0  # the ticket then says no COPIA
        try:
            printing.print_ticket(self.ctx.session, key)
        except MostradorError as exc:
            if "impresora" not in str(exc):
                self.message.error(error_text(exc))
                return
            path, _f = QFileDialog.getSaveFileName(self, _("Sin impresora: guardar el ticket en PDF"),
                                                   f"ticket_{documents.get(self.ctx.conn, doc_id)['number']}.pdf",
                                                   "PDF (*.pdf)")
            if path:
                Path(path).write_bytes(printing.ticket_pdf(self.ctx.session, key))
                self.message.info(_("Ticket guardado en {0}").format(path))
            return
        except Exception as exc:  # printer hardware: tell the cashier, the document is safe
            self.message.error(_("No se pudo imprimir: {0}").format(exc))
            return
        self.message.info(_("Ticket impreso") if first else _("Ticket reimpreso (copia)"))
        self.show_detail()

    def save_ride_dialog(self) -> None:
        doc_id = self.current_id()
        if doc_id is None:
            return
        number = documents.get(self.ctx.conn, doc_id)["number"]
        name = self.facet.a4_name
        path, _f = QFileDialog.getSaveFileName(self, _("Guardar {0}").format(name), f"{name}_{number}.pdf",
                                               "PDF (*.pdf)")
        if path:
            self.save_ride(doc_id, Path(path))

    def save_ride(self, doc_id: int, path: Path) -> None:
        from app.pos import printing

        try:
            pdf = printing.a4_pdf(self.ctx.session, documents.get(self.ctx.conn, doc_id)["key"])
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        path.write_bytes(pdf)
        self.message.info(_("{0} guardado en {1}").format(self.facet.a4_name, path))

    def new_document(self) -> None:
        """Nuevo documento: the country's documents and events made by keyboard."""
        from app.ui.new_document import NewDocumentDialog

        if not self.new_button.isEnabled():
            return
        self.new_dialog = NewDocumentDialog(self)
        open_dialog(self.new_dialog)

    def show_events(self) -> None:
        """Eventos: every event sent to the authority, its answer and its receipt."""
        from app.ui.events_view import EventsDialog

        self.events_dialog = EventsDialog(self)
        open_dialog(self.events_dialog)

    def issued(self, result, label: str) -> None:
        """A document of Nuevo documento was committed: selected here, with the offer to print it."""
        self.customer.clear()
        self.kind.setCurrentIndex(0)
        self.status.setCurrentIndex(0)
        self.use_dates.setChecked(False)
        self.reload()
        row = next((i for i, r in enumerate(self.model.rows) if r["id"] == result.document_id), -1)
        if row >= 0:
            self.table.selectRow(row)
        self.table.setFocus()
        text = _("Emitido: {0} {1} (clave {2}). Imprimir: ticket (F7) o {3} en PDF (F8).").format(
            label, result.document.number, result.key, self.facet.a4_name)
        if result.warnings:
            text += "\n" + _("Avisos: {0}").format("; ".join(result.warnings))
        self.message.info(text)

    def performed(self, text: str) -> None:
        """An event of Nuevo documento was done: its confirmation."""
        self.reload()
        self.table.setFocus()
        self.message.info(text)

    def credit_note(self) -> None:
        doc_id = self.current_id()
        if doc_id is None:
            return
        try:
            lines = till.credit_notes_for(self.country).creditable_lines(self.ctx.conn, doc_id)
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        self.credit_dialog = CreditNoteDialog(self, doc_id, lines)
        open_dialog(self.credit_dialog)


def _unit_prices(country, body) -> list[tuple[object, Decimal]]:
    """(issued line, unit price as the buyer saw it) of a document's lines: the till's price as
    rung up when it included tax, else the authority's unit price with the line's tax added when
    the country's documents carry net prices; rounded as the country writes money."""
    from app.core.sale import Sale

    rules = country.till()
    issued = rules.issued_lines(body)
    sale_lines = Sale.from_dict(body).lines if Sale.is_record(body) else ()
    out = []
    for n, ln in enumerate(issued):
        sl = sale_lines[n] if n < len(sale_lines) else None
        if sl is not None and sl.price_includes_tax:
            price = sl.price
        elif rules.prices_include_tax:
            price = ln.unit_price
        else:
            price = ln.unit_price * (100 + ln.rate) / 100
        out.append((ln, rules.money.round(price)))
    return out


def _readable_lines(lines: list[str], country, body) -> list[str]:
    """The country's description with its table of lines (the row after the 'Cant.' header up
    to the first blank line) written for people: unit prices with tax where the buyer saw them
    so, every amount as the country writes money (never the XML's 6 decimals)."""
    head = next((i for i, t in enumerate(lines) if t.strip().startswith("Cant.")), None)
    if head is None:
        return lines
    end = next((i for i in range(head + 1, len(lines)) if not lines[i].strip()), len(lines))
    try:
        rows = _unit_prices(country, body)
    except (KeyError, ValueError, TypeError, ArithmeticError):
        return lines
    if len(rows) != end - head - 1:
        return lines
    fmt = country.till().money
    table = [f"{_('Cant.'):>8}  {_('Descripción'):<34} {_('P. unit.'):>14} {_('Impuesto'):>8} {_('Total'):>14}"]
    for ln, price in rows:
        qty = ln.quantity.normalize()
        tax = country.till().tax_short_label(ln.tax_category) if ln.tax_category in country.till().tax_categories \
            else (f"{ln.rate.normalize():f} %" if ln.rate else "—")
        total = fmt.round(ln.base + ln.tax)
        table.append(f"{qty:>8f}  {ln.name[:34]:<34} {fmt.amount(price):>14} {tax:>8} {fmt.amount(total):>14}")
        if ln.discount:
            table.append(f"{'':>8}  {_('descuento'):<34} {fmt.amount(ln.discount):>14}")
    note = [_("Precios unitarios con impuestos incluidos, en {0}").format(fmt.unit)]
    return lines[:head] + table + note + lines[end:]


def _messages(detail: str) -> str:
    """The authority's messages as readable lines (they are stored verbatim, as JSON)."""
    try:
        data = json.loads(detail)
    except (TypeError, ValueError):
        return str(detail)
    if isinstance(data, dict):
        msgs = data.get("messages") or []
        head = data.get("detail") or ""
    else:
        msgs, head = data if isinstance(data, list) else [], ""
    out = [head] if head else []
    for m in msgs:
        if isinstance(m, dict):
            parts = [m.get("tipo") or m.get("type"), m.get("identificador") or m.get("code"),
                     m.get("mensaje") or m.get("message"),
                     m.get("informacionAdicional") or m.get("informacion_adicional")]
            out.append(" · ".join(str(p) for p in parts if p))
        else:
            out.append(str(m))
    return "\n".join(out)


class CreditNoteDialog(QDialog):
    """Choose lines and quantities to return; issues the credit note through checkout."""

    def __init__(self, view: DocumentsView, doc_id: int, lines: list):
        super().__init__(view)
        self.view = view
        self.doc_id = doc_id
        self.lines = lines
        self.result = None
        self.setWindowTitle(_("Nota de crédito"))
        self.setModal(True)
        self.resize(760, 420)
        lay = QVBoxLayout(self)
        d = documents.get(view.ctx.conn, doc_id)
        lay.addWidget(QLabel(_("Factura {0} — {1}").format(d["number"], d["buyer_name"])))
        self.table = QTableWidget(len(lines), 5)
        self.table.setHorizontalHeaderLabels([_("Código"), _("Descripción"), _("Vendido"), _("Disponible"),
                                              _("A devolver")])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.qty_fields: list[QLineEdit] = []
        for r, ln in enumerate(lines):
            for c, text in enumerate((ln.code, ln.description, f"{ln.sold.normalize():f}",
                                      f"{ln.available.normalize():f}")):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
            f = QLineEdit("0")
            f.setAlignment(Qt.AlignmentFlag.AlignRight)
            f.textChanged.connect(self.update_total)
            self.table.setCellWidget(r, 4, f)
            self.qty_fields.append(f)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Motivo")))
        self.reason = QLineEdit(_("Devolución de mercadería"))
        row.addWidget(self.reason, 1)
        lay.addLayout(row)
        self.total = QLabel()
        lay.addWidget(self.total)
        self.error = Banner()
        lay.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(fkey_button(_("Todo"), "F4", self.select_all))
        buttons.addStretch(1)
        buttons.addWidget(fkey_button(_("Cancelar"), "Esc", self.reject))
        buttons.addWidget(fkey_button(_("Emitir nota de crédito"), "F12", self.issue, primary=True))
        lay.addLayout(buttons)
        QShortcut(QKeySequence("F12"), self).activated.connect(self.issue)
        QShortcut(QKeySequence("F4"), self).activated.connect(self.select_all)
        if self.qty_fields:
            self.qty_fields[0].setFocus()
            self.qty_fields[0].selectAll()
        self.update_total()

    def select_all(self) -> None:
        for f, ln in zip(self.qty_fields, self.lines):
            f.setText(f"{ln.available.normalize():f}")

    def quantities(self) -> dict[int, Decimal]:
        out = {}
        for f, ln in zip(self.qty_fields, self.lines):
            out[ln.index] = to_decimal(f.text().strip().replace(",", ".") or "0", field=_("cantidad"))
        return out

    def update_total(self) -> None:
        country = self.view.country
        notes = till.credit_notes_for(country)
        try:
            body = notes.build_body(self.view.ctx.conn, self.doc_id, self.quantities(), self.reason.text() or "-")
            self.total.setText(_("Total de la nota de crédito: {0}").format(currency.money(notes.total_of(body),
                                                                                             country)))
            self.error.clear_message()
        except (MostradorError, ValueError) as exc:
            self.total.setText(_("Total de la nota de crédito: {0}").format(currency.money(ZERO, country)))
            if any(f.text().strip() not in ("", "0") for f in self.qty_fields):
                self.error.error(error_text(exc))

    def issue(self) -> None:
        try:
            self.result = till.issue_credit_note(self.view.ctx.session, self.doc_id, self.quantities(),
                                                 self.reason.text(), user=self.view.ctx.user.name)
        except (MostradorError, ValueError) as exc:
            self.error.error(error_text(exc))
            return
        self.view.ctx.wake_worker()
        self.view.message.info(_("Nota de crédito {0} emitida").format(self.result.document.number))
        self.accept()
        self.view.reload()
