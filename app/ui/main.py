"""The main window and `run(data_dir, demo)`, the entry point the CLI calls."""
from __future__ import annotations

import logging
import sys
from contextlib import ExitStack

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QButtonGroup, QHBoxLayout, QLabel, QMainWindow, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from app.ui.context import AppContext, WorkerBridge
from app.ui.i18n import tr
from app.ui.scanner import ScannerFilter

log = logging.getLogger("mostrador.ui")


def _(text: str) -> str:
    return tr("MainWindow", text)


# (key, label, shortcut, factory module.class)
SCREENS = (
    ("sale", "Venta", "Ctrl+1", "app.ui.sale_view:SaleView"),
    ("documents", "Documentos", "Ctrl+2", "app.ui.documents_view:DocumentsView"),
    ("cash", "Caja", "Ctrl+3", "app.ui.cash_view:CashView"),
    ("products", "Productos", "Ctrl+4", "app.ui.catalog_views:ProductsView"),
    ("customers", "Clientes", "Ctrl+5", "app.ui.catalog_views:CustomersView"),
    ("reports", "Reportes", "Ctrl+6", "app.ui.reports_view:ReportsView"),
    ("settings", "Configuración", "Ctrl+7", "app.ui.settings_view:SettingsView"),
)


def _load(spec: str):
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        company = ctx.session.company
        self.setWindowTitle(_("Mostrador — {0}").format(company.nombre_comercial or company.razon_social))
        self.setMinimumSize(1024, 700)
        central = QWidget()
        root = QHBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        nav = QWidget()
        nav.setObjectName("navbar")
        nav.setFixedWidth(150)
        nav_lay = QVBoxLayout(nav)
        title = QLabel("Mostrador")
        title.setStyleSheet("color:white;font-size:18px;font-weight:bold;padding:6px;")
        nav_lay.addWidget(title)
        self.stack = QStackedWidget()
        self.views: dict[str, QWidget] = {}
        self.buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for key, label, shortcut, _spec in SCREENS:
            b = QPushButton(f"{_(label)}\n{shortcut}")
            b.setProperty("nav", True)
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _c=False, k=key: self.show_screen(k))
            group.addButton(b)
            nav_lay.addWidget(b)
            self.buttons[key] = b
            QShortcut(QKeySequence(shortcut), self).activated.connect(lambda k=key: self.show_screen(k))
        nav_lay.addStretch(1)
        if ctx.demo:
            demo = QLabel(_("DEMOSTRACIÓN\nSupervisor: 2468"))
            demo.setStyleSheet("color:#ffcc80;padding:6px;font-weight:bold;font-size:12px;")
            nav_lay.addWidget(demo)
        root.addWidget(nav)
        root.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        from app.ui.status_panel import StatusPanel

        self.status = StatusPanel(ctx)
        self.statusBar().addPermanentWidget(self.status, 1)
        self.statusBar().setSizeGripEnabled(False)
        self.show_screen("sale")
        self.scanner = ScannerFilter(self._scanned, target=lambda: self.sale.code, mode=self._scanner_mode,
                                     on_swallowed=self._scan_swallowed, parent=self)
        QApplication.instance().installEventFilter(self.scanner)
        ctx.bridge.changed.connect(self._document_changed)
        ctx.settings.changed.connect(self._settings_changed)

    def _settings_changed(self) -> None:
        """Configuración saved: the title, the status bar and every open screen follow at once."""
        company = self.ctx.session.company
        self.setWindowTitle(_("Mostrador — {0}").format(company.nombre_comercial or company.razon_social))
        self.status.refresh()
        for view in self.views.values():
            if hasattr(view, "settings_changed"):
                view.settings_changed()

    @property
    def sale(self):
        return self.view("sale")

    def view(self, key: str) -> QWidget:
        if key not in self.views:
            spec = dict((k, s) for k, _l, _s, s in SCREENS)[key]
            w = _load(spec)(self.ctx)
            self.views[key] = w
            self.stack.addWidget(w)
        return self.views[key]

    def show_screen(self, key: str) -> QWidget:
        w = self.view(key)
        self.stack.setCurrentWidget(w)
        self.buttons[key].setChecked(True)
        if hasattr(w, "activated"):
            w.activated()
        return w

    def _scanner_mode(self) -> str:
        # A dialog in front (Cobrar, PIN, nota de crédito): a scan must not become an amount.
        if QApplication.activeModalWidget() is not None:
            return "swallow"
        # On Productos and the other screens a scan belongs in the field being filled.
        if self.stack.currentWidget() is self.views.get("sale") and QApplication.activeWindow() in (self, None):
            return "route"
        return "pass"

    def _scan_swallowed(self, code: str) -> None:
        dialog = QApplication.activeModalWidget()
        banner = getattr(dialog, "error", None)
        if banner is not None and hasattr(banner, "error"):
            banner.error(_("Se ignoró un código escaneado ({0}): termine esta ventana primero").format(code))

    def _scanned(self, code: str) -> None:
        self.show_screen("sale")
        self.sale.scan(code)

    def _document_changed(self, doc_id: int) -> None:
        if getattr(self, "_shut", False):  # queued by the worker before it stopped: the screens are gone
            return
        docs = self.views.get("documents")
        if docs is not None:
            docs.document_changed(doc_id)
        self.status.refresh()

    def shutdown(self) -> None:
        """Stops the polling timers and the scanner filter (before the database closes)."""
        from PySide6.QtCore import QTimer

        for t in self.findChildren(QTimer):
            t.stop()
        QApplication.instance().removeEventFilter(self.scanner)
        if not getattr(self, "_shut", False):  # a change the worker queued must not reach a closed database
            self._shut = True
            self.ctx.bridge.changed.disconnect(self._document_changed)

    def closeEvent(self, event) -> None:  # noqa: N802
        tray = getattr(self, "tray", None)
        if tray is not None and tray.icon.isVisible():  # the tray keeps transmitting (app/ui/tray.py)
            event.ignore()
            tray.hide_window()
            return
        self.shutdown()
        super().closeEvent(event)


# ------------------------------------------------------------------------------------ start-up

def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.ui import i18n
    from app.ui.style import STYLE

    i18n.install(app)
    app.setApplicationName("Mostrador")
    app.setStyleSheet(STYLE)
    return app


def prepare_demo(data_dir, country: str | None = None) -> object:
    """The demo company (of `country`, else the first registered), catalog, users and an open
    shift (demo mode and screenshots)."""
    from app.config import DataDir
    from app.pos import catalog, demo, setup, shifts, users

    session = demo.create_demo_company(DataDir(data_dir), country)
    catalog.seed_demo_catalog(session.conn, session.company.country)
    users.ensure_demo_users(session.conn)
    est, point = setup.till(session.conn, session.company)
    if shifts.current(session.conn, est, point) is None:
        opening = demo.demo_data(session.company.country).opening_float
        shifts.open_shift(session.conn, est, point, users.DEMO_USERS[0][0], opening)
    return session


def build_context(session, user, *, demo: bool, stack: ExitStack | None, start_worker: bool = True) -> AppContext:
    from app.pos import setup

    est, point = setup.till(session.conn, session.company)
    ctx = AppContext(session, user, est, point, WorkerBridge(), demo=demo)
    from app.pos.prebill import printer_hook

    ctx.on_prebill.append(printer_hook(session))  # F7 prints on the default printer
    if start_worker and stack is not None:
        start_transmission(ctx, stack)
    return ctx


def start_transmission(ctx: AppContext, stack: ExitStack) -> None:
    """The sync worker in its own thread (and the embedded sandbox in demo mode). A failure
    here never stops the till: documents wait in the outbox and the status bar says why."""
    try:
        from app.pos.runtime import make_worker

        worker = make_worker(ctx.session, stack)
        ctx.bridge.attach(worker)
        thread = worker.start_thread()
        # runs before make_worker's own clean-ups (LIFO): the thread is gone before its
        # connection and the embedded sandbox are closed
        stack.callback(lambda: (worker.stop(), thread.join(10)))
        ctx.worker = worker
        ctx.worker_error = None
    except Exception as exc:
        log.exception("no se pudo iniciar la transmisión")
        ctx.worker_error = f"{type(exc).__name__}: {exc}"


def open_window(session, user, *, demo: bool, stack: ExitStack) -> "MainWindow":
    """The main window, shown; transmission starts right after the first paint so the
    cashier can scan before the SOAP client and sandbox are up."""
    from PySide6.QtCore import QTimer

    ctx = build_context(session, user, demo=demo, stack=stack, start_worker=False)
    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()

    def later() -> None:
        start_transmission(ctx, stack)
        window.status.refresh()

    QTimer.singleShot(250, later)  # after the first paint and focus, not before
    return window


def install_tray(window, instance=None) -> None:
    """The tray icon (closing the window keeps transmitting), a second launch bringing this
    window forward, and the start-with-the-session registration (not in demo mode). A failure
    here is logged and never stops the till."""
    try:
        from app import autostart
        from app.ui.single_instance import bring_forward
        from app.ui.tray import Tray

        if instance is not None:
            instance.activated.connect(lambda: bring_forward(window))
        tray = Tray(window)
        if tray.install():
            window.tray = tray
        if not window.ctx.demo:
            autostart.apply(tray.autostart_wanted())
    except Exception:
        log.exception("no se pudo instalar el icono de la bandeja o el inicio con la sesión")


READY_ENV = "MOSTRADOR_EXIT_WHEN_READY"


def exit_when_ready(window) -> None:
    """With MOSTRADOR_EXIT_WHEN_READY=1 (bench/bench_bundle.py): print `VENTA-READY <epoch>`
    once the Venta screen takes keys (focus in the code field), then quit."""
    import os

    if os.environ.get(READY_ENV) != "1":
        return
    import time

    from PySide6.QtCore import QTimer

    def poll() -> None:
        if window.sale.code.hasFocus():
            print(f"VENTA-READY {time.time():.6f}", flush=True)
            window.shutdown()
            QApplication.instance().quit()
        else:
            QTimer.singleShot(2, poll)

    window.activateWindow()
    QTimer.singleShot(0, poll)


def run(data_dir=None, demo: bool = False, *, on_sale_committed=None, country: str | None = None) -> int:
    """Opens the cashier's window. `mostrador` → run(dir); `mostrador demo` → run(dir, demo=True);
    `country` chooses the demo company's country (default: the first registered).
    `on_sale_committed(result)` is called after each committed sale (ticket printing); a failure
    there is shown to the cashier and never undoes the sale. An unexpected failure before the
    window shows is logged and shown in a message box (a windowed program has no console)."""
    app = make_app()
    try:
        return _run(app, data_dir, demo, on_sale_committed=on_sale_committed, country=country)
    except Exception as exc:  # noqa: BLE001 - the last resort of the windowed program
        startup_error_box(exc, log_startup_error(data_dir)).exec()
        return 1


def log_startup_error(data_dir) -> str | None:
    """Logs the exception being handled, also to <data>/logs/inicio.log when it can (a windowed
    program's stderr goes nowhere). Returns that file's path, or None."""
    import traceback

    log.exception("Mostrador no pudo iniciar")
    try:
        from app.config import DataDir

        folder = DataDir(data_dir).logs
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "inicio.log"
        with path.open("a", encoding="utf-8") as f:
            f.write(traceback.format_exc() + "\n")
        return str(path)
    except Exception:  # noqa: BLE001 - the folder itself may be what failed
        return None


def startup_error_box(exc: Exception, log_file: str | None = None):
    """The message box (not yet shown) that tells why Mostrador could not start, in Spanish."""
    from PySide6.QtWidgets import QMessageBox

    from app.core.errors import MostradorError
    from app.ui.widgets import error_text

    detail = error_text(exc) if isinstance(exc, MostradorError) else f"{type(exc).__name__}: {exc}"
    text = _("Mostrador no pudo iniciar.") + "\n\n" + detail
    if log_file:
        text += "\n\n" + _("El detalle quedó registrado en {0}").format(log_file)
    box = QMessageBox(QMessageBox.Icon.Critical, "Mostrador", text)
    box.setObjectName("startupError")
    return box


def _run(app, data_dir, demo: bool, *, on_sale_committed, country: str | None) -> int:
    from app.config import DataDir
    from app.pos import setup, users
    from app.pos.session import Session

    data = DataDir(data_dir)
    from app.ui.single_instance import SingleInstance

    instance = SingleInstance(data.root, app)
    if not instance.acquire():  # already open on this data folder: its window comes forward
        log.info("Mostrador ya está abierto en %s", data.root)
        return 0
    if demo:
        from app.pos.demo import ensure_usable_keyring

        ensure_usable_keyring()
        session = prepare_demo(data.root, country)
        user = users.authenticate(session.conn, users.DEMO_USERS[0][2])
    else:
        session = Session(data)
        if not setup.is_configured(session.conn):
            from app.ui.wizard import SetupWizard

            wizard = SetupWizard(data, session.conn)
            if wizard.exec() != SetupWizard.DialogCode.Accepted:
                return 1
            session.__dict__.pop("company", None)
        from app.ui.login import LoginDialog

        login = LoginDialog(session.conn)
        if login.exec() != LoginDialog.DialogCode.Accepted:
            return 1
        user = login.user
    with ExitStack() as stack:
        window = open_window(session, user, demo=demo, stack=stack)
        if demo:  # the local SMTP sink and mall sandbox, shown in Configuración (#11); after the first paint
            from PySide6.QtCore import QTimer

            from app.integrations import demo as demo_integrations

            QTimer.singleShot(300, lambda: setattr(window.ctx, "demo_services", demo_integrations.start(
                session.conn, session.company, stack)))
        install_tray(window, instance)
        exit_when_ready(window)
        if on_sale_committed is not None:
            window.ctx.on_sale_committed.append(on_sale_committed)
        return app.exec()


def main() -> int:
    import argparse

    from app.pos import setup

    countries = setup.countries("demo")
    p = argparse.ArgumentParser(prog="python -m app.ui", description=_("Mostrador: ventana de caja"))
    p.add_argument("--data-dir", metavar="DIR")
    p.add_argument("--demo", action="store_true", help=_("empresa de demostración contra la autoridad simulada"))
    p.add_argument("--country", choices=list(countries), default=next(iter(countries)),
                   help=_("país de la empresa de demostración ({0})").format(
                       ", ".join(f"{code}: {label}" for code, label in countries.items())))
    args = p.parse_args()
    return run(args.data_dir, demo=args.demo, country=args.country)
