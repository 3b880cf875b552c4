"""Eventos (Ctrl+Shift+E on Documentos): every event the company sent or queued to the authority
(e.g. SIFEN cancelación, inutilización, conformidad), newest first, with its status in colour,
the authority's answer verbatim and what it means in plain Spanish, filtered by status; Enter
shows the detail, F7 prints the receipt (the ticket printer, else a PDF), Esc closes. Reads the
country's optional `actions.list_events` (app/fiscal/base.py `Actions`); a country without
events says so."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QPlainTextEdit, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout)

from app.core import status as st
from app.core.errors import ConfigurationError, MostradorError
from app.core.status import EventStatus
from app.fiscal import registry
from app.pos import event_receipt
from app.ui.i18n import tr
from app.ui.style import STATUS_COLORS
from app.ui.widgets import Banner, error_text, fkey_button

SHORTCUT = "Ctrl+Shift+E"  # on Documentos (Ctrl+E re-sends the e-mail there)
PRINT_KEY = "F7"  # as Documentos' «Reimprimir ticket»
FILTER_KEY = "F4"
HEADERS = ("Fecha", "Evento", "Documento", "Estado", "Respuesta de la autoridad")
# an event's status drawn in the colours of the document status it resembles
COLORS = {EventStatus.SIGNED: STATUS_COLORS[st.SIGNED], EventStatus.REGISTERED: STATUS_COLORS[st.AUTHORIZED],
          EventStatus.REJECTED: STATUS_COLORS[st.REJECTED]}
FILTERS = (("Todos los estados", None), ("En cola", EventStatus.SIGNED), ("Registrados", EventStatus.REGISTERED),
           ("Rechazados", EventStatus.REJECTED))


def _(text: str) -> str:
    return tr("EventsView", text)


def events_of(country) -> object | None:
    """The country's `list_events` (its `actions` facet), or None when it has no events."""
    return getattr(country.actions(), "list_events", None)


def status_word(status: EventStatus) -> str:
    return _(event_receipt.STATUS_WORDS.get(status, str(status)))


class EventsDialog(QDialog):
    """`view` is Documentos (its `ctx`)."""

    def __init__(self, view, *, limit: int = 500):
        super().__init__(view)
        self.view = view
        self.ctx = view.ctx
        self.limit = limit
        self.country = registry.country(self.ctx.session.company.country)
        self.actions = self.country.actions()
        self.lister = events_of(self.country)
        self.rows: list = []
        self.setWindowTitle(_("Eventos ante {0}").format(self.country.authority))
        self.setModal(True)
        top = view.window()
        self.resize(min(1280, max(900, top.width() - 40)), min(860, max(600, top.height() - 60)))
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        self.filter = QComboBox()
        for label, value in FILTERS:
            self.filter.addItem(_(label), value)
        self.filter.currentIndexChanged.connect(self.reload)
        head.addWidget(QLabel(_("Estado:")))
        head.addWidget(self.filter)
        head.addWidget(fkey_button(_("Cambiar filtro"), FILTER_KEY, self.next_filter))
        head.addStretch(1)
        self.count = QLabel()
        head.addWidget(self.count)
        lay.addLayout(head)

        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("font-size:15px;padding:12px;")
        lay.addWidget(self.empty)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for c in range(len(HEADERS) - 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda *_a: self.show_detail())
        self.table.installEventFilter(self)
        split.addWidget(self.table)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setStyleSheet("font-family: monospace; font-size: 13px;")
        split.addWidget(self.detail)
        split.setSizes([360, 260])
        self.split = split
        lay.addWidget(split, 1)
        # why the selected event is queued or rejected, and what to do (plain Spanish)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.why.setStyleSheet("background:#fff3cd;color:#5c4400;padding:4px 8px;border-radius:4px;")
        self.why.setVisible(False)
        lay.addWidget(self.why)
        self.message = Banner()
        lay.addWidget(self.message)
        buttons = QHBoxLayout()
        self.print_button = fkey_button(_("Imprimir comprobante"), PRINT_KEY, self.print_receipt)
        buttons.addWidget(fkey_button(_("Detalle"), "Intro", self.open_detail))
        buttons.addWidget(self.print_button)
        buttons.addWidget(fkey_button(_("Actualizar"), "F5", self.reload))
        buttons.addStretch(1)
        buttons.addWidget(fkey_button(_("Cerrar"), "Esc", self.reject))
        lay.addLayout(buttons)
        for key, slot in ((PRINT_KEY, self.print_receipt), ("Ctrl+P", self.print_receipt), ("F5", self.reload),
                          (FILTER_KEY, self.next_filter)):
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.poll)
        self.timer.start(1500)
        self.reload()
        self.table.setFocus()

    # ------------------------------------------------------------------------------ data
    def fetch(self) -> list:
        if self.lister is None:
            return []
        return self.lister(self.ctx.conn, limit=self.limit, status=self.filter.currentData())

    def reload(self, *_a) -> None:
        if self.lister is None:
            self.empty.setText(_("Mostrador no envía eventos a la autoridad ({0}) en {1}: no hay nada que "
                                 "mostrar aquí.").format(self.country.authority, self.country.name))
            for w in (self.table, self.detail, self.print_button, self.filter):
                w.setEnabled(False)
            self.split.setVisible(False)
            return
        selected = self.current().id if self.current() is not None else None
        self.set_rows(self.fetch(), selected)

    def poll(self) -> None:
        """The worker changes events behind the screen: redraw when what is listed changed."""
        if self.lister is None or not self.isVisible():
            return
        rows = self.fetch()
        if [(r.id, r.status) for r in rows] != [(r.id, r.status) for r in self.rows]:
            current = self.current()
            self.set_rows(rows, current.id if current is not None else None)

    def set_rows(self, rows: list, selected: str | None) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for r, e in enumerate(rows):
            answer = "; ".join(f"{c} {m}".strip() for c, m in e.messages) or (
                _("Sin respuesta todavía") + (f" — {e.pending_error}" if e.pending_error else ""))
            cells = (event_receipt.local_time(e.created_at), _(e.kind), e.number or e.reference,
                     status_word(e.status).upper(), answer)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2 and e.number:
                    item.setToolTip(e.reference)
                if c == 3:
                    back, fore = COLORS.get(e.status, ("#ffffff", "#000000"))
                    item.setBackground(QBrush(QColor(back)))
                    item.setForeground(QBrush(QColor(fore)))
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        if rows:
            self.empty.setVisible(False)
        else:
            word = self.filter.currentText().lower() if self.filter.currentData() is not None else ""
            self.empty.setText(_("No hay eventos {0}.").format(word).replace(" .", ".") if word
                               else _("Todavía no hay eventos: se hacen desde Documentos."))
            self.empty.setVisible(True)
        self.count.setText(_("{0} eventos").format(len(rows)) if len(rows) != 1 else _("1 evento"))
        row = next((i for i, e in enumerate(rows) if e.id == selected), 0 if rows else -1)
        if row >= 0:
            self.table.setCurrentCell(row, 0)
        self.show_detail()

    def current(self):
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # ------------------------------------------------------------------------------ detail
    def reasons(self, e) -> list[str]:
        """Why the event is queued or rejected and what to do (Spanish); empty when registered."""
        authority = self.country.authority
        if e.status == EventStatus.REJECTED:
            said = [f"«{c} {m}»".replace("« ", "«") for c, m in e.messages] or [_("sin mensaje")]
            return ([_("{0} lo rechazó: {1}").format(authority, "; ".join(said))]
                    + event_receipt.explanations(e, self.actions))
        if e.status == EventStatus.SIGNED:
            out = [_("Firmado y en cola: Mostrador lo envía a {0} solo, en cuanto haya conexión.").format(authority)]
            if e.pending_error:
                out.append(_("Último intento: {0}").format(e.pending_error))
            return out
        return []

    def detail_lines(self, e) -> list[str]:
        authority = self.country.authority
        lines = [f"{_(e.kind)} — {status_word(e.status).upper()}"]
        if e.number:
            lines.append(_("Documento: {0}").format(e.number))
        lines += [_("CDC / clave: {0}").format(e.reference), _("Firmado: {0}").format(event_receipt.local_time(
            e.created_at))]
        if e.answered_at:
            lines.append(_("Respuesta de {0}: {1}").format(authority, event_receipt.local_time(e.answered_at)))
        if e.reason:
            lines.append(_("Motivo: {0}").format(e.reason))
        if e.protocol:
            lines.append(_("Protocolo: {0}").format(e.protocol))
        lines += [f"{_(label)}: {value}" for label, value in e.details]
        if e.messages:
            lines += ["", _("Mensajes de {0} (textuales):").format(authority)]
            lines += [f"  {c} {m}".rstrip() for c, m in e.messages]
        reasons = self.reasons(e)
        if reasons:
            lines += ["", _("¿Por qué? ¿Qué hacer?")] + [f"  {r}" for r in reasons]
        return lines

    def show_detail(self) -> None:
        e = self.current()
        self.print_button.setEnabled(e is not None)
        if e is None:
            self.detail.setPlainText("")
            self.why.setVisible(False)
            return
        self.detail.setPlainText("\n".join(self.detail_lines(e)))
        reasons = self.reasons(e)
        self.why.setText("\n".join(reasons))
        self.why.setVisible(bool(reasons))

    def open_detail(self) -> None:
        """Enter: the detail gets the keyboard (arrows scroll it); Esc goes back to the list."""
        if self.current() is not None:
            self.detail.setFocus()

    def next_filter(self) -> None:
        if self.filter.isEnabled():
            self.filter.setCurrentIndex((self.filter.currentIndex() + 1) % self.filter.count())

    def eventFilter(self, obj, event):  # noqa: N802
        if obj is self.table and event.type() == event.Type.KeyPress and event.key() in (
                Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_detail()
            return True
        return super().eventFilter(obj, event)

    def keyPressEvent(self, event):  # noqa: N802
        """Esc: from the detail back to the list; from the list, close."""
        if event.key() == Qt.Key.Key_Escape and self.detail.hasFocus():
            self.table.setFocus()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        self.timer.stop()
        super().done(result)

    # ------------------------------------------------------------------------------ print
    def print_receipt(self) -> None:
        """The selected event's receipt on the default ticket printer; without one, as a PDF."""
        e = self.current()
        if e is None:
            return
        stamp = datetime.now().astimezone().strftime("%d/%m/%Y %H:%M")
        session = self.ctx.session
        try:
            event_receipt.print_receipt(session, e, printed_at=stamp)
        except ConfigurationError:
            path, _f = QFileDialog.getSaveFileName(self, _("Sin impresora: guardar el comprobante en PDF"),
                                                   f"evento_{e.id}.pdf", "PDF (*.pdf)")
            if path:
                Path(path).write_bytes(event_receipt.receipt_pdf(session, e, printed_at=stamp))
                self.message.info(_("Comprobante guardado en {0}").format(path))
            return
        except MostradorError as exc:
            self.message.error(error_text(exc))
            return
        except Exception as exc:  # printer hardware: tell the person; nothing is lost
            self.message.error(_("No se pudo imprimir: {0}").format(exc))
            return
        self.message.info(_("Comprobante de {0} impreso").format(_(e.kind).lower()))
