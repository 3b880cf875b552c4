"""First-run wizard: país, empresa, establecimientos, certificado, ambiente, usuarios."""
from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QStackedWidget, QVBoxLayout

from app.core.errors import MostradorError, ValidationError
from app.pos import setup
from app.ui.i18n import tr
from app.ui.setup_pages import SetupForm
from app.ui.widgets import error_text, Banner, fkey_button


def _(text: str) -> str:
    return tr("SetupWizard", text)


def _first_shown(parent, kind, page=None):
    """Like `parent.findChild(kind)` (direct children first), skipping hidden inputs (the rows
    of the other countries)."""
    page = page or parent
    children = parent.children()
    for c in children:
        if isinstance(c, kind) and c.isVisibleTo(page):
            return c
    for c in children:
        found = _first_shown(c, kind, page)
        if found is not None:
            return found
    return None


class SetupWizard(QDialog):
    def __init__(self, data, conn, parent=None):
        super().__init__(parent)
        self.data = data
        self.conn = conn
        self.company = None
        self.setWindowTitle(_("Mostrador — configuración inicial"))
        self.resize(860, 560)
        self.form = SetupForm(conn)
        lay = QVBoxLayout(self)
        self.step = QLabel()
        self.step.setObjectName("bigmsg")
        lay.addWidget(self.step)
        self.stack = QStackedWidget()
        for p in self.form.pages:
            self.stack.addWidget(p)
        lay.addWidget(self.stack, 1)
        self.error = Banner()
        lay.addWidget(self.error)
        row = QHBoxLayout()
        self.back = fkey_button(_("Atrás"), "Alt+←", self.go_back)
        self.next = fkey_button(_("Siguiente"), "Alt+→", self.go_next, primary=True)
        row.addWidget(self.back)
        row.addStretch(1)
        row.addWidget(fkey_button(_("Cancelar"), "Esc", self.reject))
        row.addWidget(self.next)
        lay.addLayout(row)
        QShortcut(QKeySequence("Alt+Right"), self).activated.connect(self.go_next)
        QShortcut(QKeySequence("Alt+Left"), self).activated.connect(self.go_back)
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self.go_next)
        self._show(0)

    @property
    def index(self) -> int:
        return self.stack.currentIndex()

    def _show(self, i: int) -> None:
        self.stack.setCurrentIndex(i)
        page = self.form.pages[i]
        self.step.setText(_("Paso {0} de {1}: {2}").format(i + 1, len(self.form.pages), _(page.title)))
        self.back.setEnabled(i > 0)
        last = i == len(self.form.pages) - 1
        self.next.setText(_("Finalizar  (Alt+→)") if last else _("Siguiente  (Alt+→)"))
        self.error.clear_message()
        first = _first_shown(page, QLineEdit) or _first_shown(page, QComboBox)
        if first is not None:
            first.setFocus()

    def go_back(self) -> None:
        if self.index > 0:
            self._show(self.index - 1)

    def go_next(self) -> None:
        page = self.form.pages[self.index]
        errors = self.form.page_errors(page)
        if errors:
            self.error.error("\n".join(errors))
            return
        if self.index < len(self.form.pages) - 1:
            self._show(self.index + 1)
            return
        self.finish()

    def finish(self) -> None:
        try:
            self.company = setup.save(self.data, self.conn, self.form.answers(), actor="asistente")
        except ValidationError as exc:
            self.error.error("\n".join(e.message for e in exc.errors))
            return
        except MostradorError as exc:
            self.error.error(error_text(exc))
            return
        except OSError as exc:  # the data folder cannot be written (full disk, no permission, a file in the way)
            self.error.error(_("No se pudo guardar la configuración en {0}: {1}. Revise que haya espacio en el "
                               "disco y permiso de escritura en esa carpeta, y pulse Finalizar otra vez.").format(
                                   self.data.root, exc.strerror or exc))
            return
        self.accept()
