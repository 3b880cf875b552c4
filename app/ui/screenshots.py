"""`mostrador screenshots --out DIR [--size WxH]`: every main screen with demo data, as PNGs of
that size (1280×800 by default)."""
from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication

log = logging.getLogger("mostrador.screenshots")
SIZE = (1280, 800)


def parse_size(text: str) -> tuple[int, int]:
    """'1024x768' (or '1024×768') -> (1024, 768); ValueError (Spanish) otherwise."""
    w, sep, h = str(text).strip().lower().replace("×", "x").partition("x")
    if not sep or not w.isdigit() or not h.isdigit() or not (640 <= int(w) <= 7680 and 480 <= int(h) <= 4320):
        raise ValueError(f"Tamaño inválido {text!r}: use ANCHOxALTO, por ejemplo 1024x768 "
                         "(entre 640x480 y 7680x4320)")
    return int(w), int(h)


def _settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def _with_dialog(window, dialog):
    """The window with `dialog` drawn centred over a dimmed copy (how the cashier sees it)."""
    shot = window.grab()
    p = QPainter(shot)
    p.fillRect(shot.rect(), QColor(0, 0, 0, 90))
    d = dialog.grab()
    p.drawPixmap(QPoint((shot.width() - d.width()) // 2, (shot.height() - d.height()) // 2), d)
    p.end()
    return shot


def _sell(session, ctx, plans) -> None:
    """The demo showcase's sales, rung up at the till and issued through the real checkout."""
    from app.pos import catalog, till
    from app.pos.cart import Cart, settle

    country = session.company.country
    for plan in plans:
        cart = Cart(country=country)
        for c in plan.codes:
            cart.add(catalog.find_product(session.conn, c))
        if plan.buyer is not None:
            cart.buyer = plan.buyer
        total = cart.totals().total
        s = settle(total, [(m, a if a is not None else total) for m, a in plan.tenders], country=country)
        till.complete_sale(session, cart, s, cashier=ctx.user.name, establishment=ctx.establishment,
                           point=ctx.point)


def _transmit(session, ctx, stack, seconds: float = 5.0) -> None:
    """Runs the worker until nothing waits (the authority may answer asynchronously)."""
    from app.core.status import PENDING
    from app.pos.runtime import make_worker

    worker = make_worker(session, stack)
    deadline = time.monotonic() + seconds
    marks = ",".join("?" * len(PENDING))
    while True:
        worker.run_once()
        waiting = session.conn.execute(f"SELECT COUNT(*) FROM documents WHERE status IN ({marks})",
                                       tuple(PENDING)).fetchone()[0]
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    ctx.worker = worker  # not running in a thread here; the status bar shows its results


def printed_images(out: Path, session) -> list[Path]:
    """The ticket (80 mm PNG) and the A4 printable (its PDF through `pdftoppm`) of the demo
    company's first authorized invoice with a named buyer (else its latest invoice), as
    'ticket-<cc>-80mm.png' and '<ride|kude>-<cc>-a4.png'."""
    import shutil
    import subprocess
    import tempfile

    from app.core.status import AUTHORIZED
    from app.devices.ticket_png import render_ticket_png
    from app.fiscal import registry
    from app.pos import printing

    country = registry.country(session.company.country)
    anonymous = country.till().anonymous_buyer.identification
    row = session.conn.execute(
        "SELECT key FROM documents WHERE kind='invoices' ORDER BY status=? DESC, buyer_id=? ASC, id LIMIT 1",
        (AUTHORIZED, anonymous)).fetchone()
    if row is None:
        return []
    cc = country.code.lower()
    ticket_path = out / f"ticket-{cc}-80mm.png"
    _doc, model = printing.ticket(session, row[0], copy=False)
    ticket_path.write_bytes(render_ticket_png(model, 80))
    written = [ticket_path]
    if shutil.which("pdftoppm") is None:  # e.g. the frozen program on a shop's machine, or Windows
        log.warning("Sin pdftoppm (paquete poppler-utils): no se escribe la imagen del %s en A4",
                    country.actions().a4_name)
        return written
    a4_path = out / f"{country.actions().a4_name.lower()}-{cc}-a4.png"
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "a4.pdf"
        pdf.write_bytes(printing.a4_pdf(session, row[0]))
        subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(a4_path.with_suffix(""))], check=True, capture_output=True, timeout=60)
    written.append(a4_path)
    return written


def _credit_note(session, ctx, show) -> None:
    """A return of one unit of the first line of the first authorized invoice to `show.credit_buyer`."""
    from app.core.status import AUTHORIZED
    from app.pos import credit_notes, till

    row = session.conn.execute("SELECT id FROM documents WHERE kind='invoices' AND status=? AND buyer_id=? "
                               "ORDER BY id LIMIT 1", (AUTHORIZED, show.credit_buyer)).fetchone()
    if row is None:
        return
    lines = credit_notes.creditable_lines(session.conn, row[0])
    try:
        till.issue_credit_note(session, row[0], {lines[0].index: Decimal(1)}, show.credit_reason,
                               user=ctx.user.name)
    except Exception as exc:
        log.warning("sin nota de crédito de demostración: %s", exc)


def render_all(out_dir, data_dir, size: tuple[int, int] = SIZE) -> list[Path]:
    """Renders every screen of the first registered country (Venta with a sale in progress,
    Cobrar, Documentos, Caja, Productos, Clientes, Reportes, Configuración and the wizard), then
    for every other country the screens that differ (Venta, Cobrar, Documentos, the wizard's
    company and establishments pages), each in its own demo data folder next to `data_dir`."""
    from app.pos import setup

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for i, code in enumerate(setup.countries("demo")):
        folder = Path(data_dir) if i == 0 else Path(data_dir).with_name(f"{Path(data_dir).name}-{code.lower()}")
        screens = sum(1 for p in written if p.name[:2].isdigit())  # the printed images are not numbered
        written += render_country(out, folder, code, first=screens + 1, every_screen=i == 0, size=size)
    return written


def render_country(out: Path, data_dir, country: str, *, first: int = 1, every_screen: bool = True,
                   size: tuple[int, int] = SIZE) -> list[Path]:
    """One country's screens with its demo data (`DemoData.showcase`), numbered from `first`;
    names carry the country code unless `every_screen` ('10_py_venta')."""
    from app.pos import demo, setup, users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo
    from app.ui.wizard import SetupWizard

    app = make_app()
    session = prepare_demo(data_dir, country)
    show = demo.demo_data(country).showcase
    user = users.authenticate(session.conn, users.DEMO_USERS[0][2])
    written: list[Path] = []
    tag = "" if every_screen else f"{country.lower()}_"

    def save(pixmap, name: str) -> None:
        path = out / f"{first + len(written):02d}_{tag}{name}.png"
        pixmap.save(str(path))
        written.append(path)

    with ExitStack() as stack:
        ctx = build_context(session, user, demo=True, stack=stack, start_worker=False)
        fresh = not session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        try:  # transmit the sales, so the documents show several statuses
            if fresh:
                _sell(session, ctx, show.sales)
            _transmit(session, ctx, stack)
            if fresh and show.credit_reason:
                _credit_note(session, ctx, show)
            if fresh:
                _sell(session, ctx, show.pending)  # these stay pendiente
        except Exception as exc:  # the screens still render, with what there is
            log.warning("%s: sin ventas o sin transmisión de demostración: %s: %s", country,
                        type(exc).__name__, exc)
        window = MainWindow(ctx)
        window.resize(*size)
        window.show()
        _settle(app)

        sale = window.show_screen("sale")
        for code in show.cart:
            sale.add_code(code)
        sale.table.selectRow(1)
        sale.discount.setText(show.discount)
        sale.apply_line_edit()
        sale.buyer_id.setText(show.buyer_id)
        sale._buyer_id_edited(show.buyer_id)
        if show.buyer_name:  # not in the catalog: typed
            sale.buyer_name.setText(show.buyer_name)
            sale._buyer_changed()
        else:
            sale._buyer_id_done()
        _settle(app)
        save(window.grab(), "venta")

        sale.charge()
        _settle(app)
        if sale.payment_dialog is not None:
            dlg = sale.payment_dialog
            for method, amount in show.tenders:
                dlg.fields[method].setText(amount)
            _settle(app)
            save(_with_dialog(window, dlg), "cobrar")
            dlg.reject()
        sale.new_sale()

        screens = (("documents", "documentos"), ("cash", "caja"), ("products", "productos"),
                   ("customers", "clientes"), ("reports", "reportes"), ("settings", "configuracion"))
        for key, name in screens if every_screen else screens[:1]:
            view = window.show_screen(key)
            if key == "products" and view.items:
                view.table.selectRow(3)
            if key == "customers" and view.items:
                view.table.selectRow(0)
            _settle(app)
            save(window.grab(), name)

        wizard = SetupWizard(session.data, session.conn)
        wizard.form.country.country.setCurrentIndex(wizard.form.country.country.findData(country))
        wizard.form.company.load(session.company)
        wizard.form.establishments.load(session.company)
        wizard._show(1)
        wizard.resize(*size)
        wizard.show()
        _settle(app)
        save(wizard.grab(), "asistente")
        if not every_screen and setup.rules(country).establishment_fields:
            wizard._show(2)
            _settle(app)
            save(wizard.grab(), "establecimientos")
        wizard.reject()
        window.close()
        written += printed_images(out, session)
    session.close()
    return written
