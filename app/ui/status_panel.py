"""The always-visible status bar: environment, link to the authority, documents waiting,
certificate expiry, user and till. Refreshed every second from the store (cheap queries)."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.core.errors import MostradorError
from app.fiscal import registry
from app.pos import till
from app.ui.context import AppContext
from app.ui.i18n import tr
from app.ui.reasons import status_words
from app.ui.style import DANGER, OK, WARN


def _(text: str) -> str:
    return tr("StatusPanel", text)


def age_text(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return _("{0} s").format(s)
    if s < 3600:
        return _("{0} min").format(s // 60)
    if s < 86400:
        return _("{0} h {1:02d} min").format(s // 3600, (s % 3600) // 60)
    return _("{0} d {1} h").format(s // 86400, (s % 86400) // 3600)


ENV_BADGES = {"sandbox": ("SANDBOX", WARN), "pruebas": ("PRUEBAS", WARN), "produccion": ("PRODUCCIÓN", OK)}


class StatusPanel(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        self.env = QLabel()
        self.env.setObjectName("badge")
        self.link = QLabel()
        self.pending = QLabel()
        self.cert = QLabel()
        self.who = QLabel()
        for w in (self.env, self.link, self.pending, self.cert):
            lay.addWidget(w)
            lay.addSpacing(10)
        lay.addStretch(1)
        lay.addWidget(self.who)
        self._cert_days: int | None = None
        self._cert_error: str | None = None
        self._load_certificate()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(1000)
        self.refresh()

    def _load_certificate(self) -> None:
        try:
            self._cert_days = self.ctx.session.identity.days_to_expiry()
        except MostradorError as exc:
            self._cert_error = str(exc)

    def refresh(self) -> None:
        company = self.ctx.session.company
        text, color = ENV_BADGES.get(company.environment, (company.environment.upper(), WARN))
        self.env.setText(text)
        self.env.setStyleSheet(f"background:{color};color:white;padding:2px 8px;border-radius:4px;font-weight:bold;")
        facts = till.sync_facts(self.ctx.conn, company.country)
        self.facts = facts
        who = registry.country(company.country).authority
        if self.ctx.worker is None:
            self.link.setText(_("{0}: transmisión detenida").format(who))
            self.link.setToolTip(self.ctx.worker_error or "")
            self.link.setStyleSheet(f"color:{DANGER};font-weight:bold;")
        elif facts.last_error and facts.pending:  # the cause in words, not only in the tooltip
            self.link.setText(_("{0}: {1}").format(who, status_words(facts.last_error, who)))
            self.link.setToolTip(facts.last_error)
            self.link.setStyleSheet(f"color:{WARN};font-weight:bold;")
        elif facts.last_success is None:
            self.link.setText(_("{0}: sin contacto todavía").format(who))
            self.link.setToolTip(facts.last_error or "")
            self.link.setStyleSheet(f"color:{WARN};" if facts.last_error else "")
        else:
            ago = (datetime.now(timezone.utc) - facts.last_success).total_seconds()
            self.link.setText(_("{0}: contacto hace {1}").format(who, age_text(max(0, ago))))
            self.link.setToolTip(facts.last_error or "")
            self.link.setStyleSheet(f"color:{WARN};" if facts.last_error and facts.pending else f"color:{OK};")
        if not facts.pending:
            self.pending.setText(_("Sin documentos pendientes"))
            self.pending.setStyleSheet(f"color:{OK};")
        else:
            text = _("Pendientes: {0} · el más antiguo {1}").format(facts.pending, age_text(facts.oldest_age_seconds or 0))
            if facts.level == "danger":  # the authority's legal window is closing
                left = facts.deadline_hours * 3600 - (facts.oldest_age_seconds or 0)
                text += (_(" · plazo de {0} h: quedan {1}").format(int(facts.deadline_hours), age_text(left))
                         if left > 0 else _(" · plazo de {0} h VENCIDO").format(int(facts.deadline_hours)))
            self.pending.setText(text)
            style = {"ok": "", "warn": f"color:{WARN};font-weight:bold;",
                     "danger": f"background:{DANGER};color:white;font-weight:bold;padding:2px 6px;"}[facts.level]
            self.pending.setStyleSheet(style)
            if facts.level == "danger":
                self.pending.setToolTip(_("Se acerca el plazo legal de transmisión ({0} h). Revise la conexión.")
                                        .format(int(facts.deadline_hours)))
        if self._cert_error:
            self.cert.setText(_("Firma: certificado no disponible"))
            self.cert.setToolTip(self._cert_error)
            self.cert.setStyleSheet(f"color:{DANGER};font-weight:bold;")
        elif self._cert_days is not None:
            self.cert.setText(_("Firma: vence en {0} días").format(self._cert_days))
            self.cert.setStyleSheet(f"color:{WARN};font-weight:bold;" if self._cert_days < 30 else "")
        self.who.setText(_("{0} · Caja {1}-{2}").format(self.ctx.user.name, self.ctx.establishment, self.ctx.point))
