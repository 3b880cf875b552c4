"""`mostrador screenshots --out DIR`: every main screen with demo data, as 1280×800 PNGs."""
from __future__ import annotations

import logging
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication

log = logging.getLogger("mostrador.screenshots")
SIZE = (1280, 800)


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


def _demo_sales(session, ctx, count: int = 8) -> list[str]:
    """A few varied sales through the real checkout, when the fiscal backend is available."""
    from app.pos import catalog, till
    from app.pos.cart import Buyer, Cart, settle

    notes = []
    plans = [(["ARROZ1", "LECHE1", "ACEITE1"], None, [("efectivo", Decimal("20"))]),
             (["CEMENTO", "CEMENTO", "DETERG"], Buyer("05", "1710034065", "María Fernanda Andrade",
                                                      "maria.andrade@example.com"), [("tarjeta_credito", None)]),
             (["COLA3", "PAN", "ATUN"], None, [("efectivo", Decimal("10"))]),
             (["CAFE", "JABON"], Buyer("04", "1790011674001", "Distribuidora Andina S.A."), [("transferencia", None)]),
             (["RECARGA", "AZUCAR1"], None, [("tarjeta_debito", None)])]
    for i in range(count):
        codes, buyer, tenders = plans[i % len(plans)]
        cart = Cart()
        for c in codes:
            cart.add(catalog.find_product(session.conn, c))
        if buyer:
            cart.buyer = buyer
        total = cart.totals().total
        s = settle(total, [(m, a if a is not None else total) for m, a in tenders])
        try:
            till.complete_sale(session, cart, s, cashier=ctx.user.name, establishment=ctx.establishment,
                               point=ctx.point)
        except Exception as exc:  # no backend yet: screens show an empty history
            notes.append(f"sin ventas de demostración: {type(exc).__name__}: {exc}")
            break
    return notes


def _credit_note(session, ctx) -> None:
    """A partial return on the first identified, authorized invoice."""
    from app.pos import credit_notes, till

    row = session.conn.execute("SELECT id FROM documents WHERE kind='invoices' AND status='authorized' "
                               "AND buyer_id<>'9999999999999' ORDER BY id LIMIT 1").fetchone()
    if row is None:
        return
    lines = credit_notes.creditable_lines(session.conn, row[0])
    try:
        till.issue_credit_note(session, row[0], {lines[0].index: Decimal(1)}, "Devolución de un saco dañado",
                               user=ctx.user.name)
    except Exception as exc:
        log.warning("sin nota de crédito de demostración: %s", exc)


def render_all(out_dir, data_dir) -> list[Path]:
    """Renders Venta (sale in progress), Cobrar, Documentos, Caja, Productos, Clientes, Reportes,
    Configuración and the wizard to `out_dir`. Creates the demo company in an empty `data_dir`."""
    from app.pos import users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    app = make_app()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    session = prepare_demo(data_dir)
    user = users.authenticate(session.conn, users.DEMO_USERS[0][2])
    written: list[Path] = []

    def save(pixmap, name: str) -> None:
        path = out / f"{name}.png"
        pixmap.save(str(path))
        written.append(path)

    with ExitStack() as stack:
        ctx = build_context(session, user, demo=True, stack=stack, start_worker=False)
        notes = []
        fresh = not session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        if fresh:
            notes = _demo_sales(session, ctx, 6)
        try:  # transmit these, so the documents show several statuses
            from app.pos.runtime import make_worker

            worker = make_worker(session, stack)
            worker.run_once()
            ctx.worker = worker  # not running in a thread here; the status bar shows its results
        except Exception as exc:
            notes.append(f"sin transmisión: {type(exc).__name__}: {exc}")
        if fresh and not notes:
            _credit_note(session, ctx)
            notes += _demo_sales(session, ctx, 2)  # these two stay pendiente
        for n in notes:
            log.warning(n)
        window = MainWindow(ctx)
        window.resize(*SIZE)
        window.show()
        _settle(app)

        sale = window.show_screen("sale")
        for code in ("3*7861001234561", "ACEITE1", "7861001234608", "CEMENTO"):
            sale.add_code(code)
        sale.table.selectRow(1)
        sale.discount.setText("5")
        sale.apply_line_edit()
        sale.buyer_id.setText("1710034065")
        sale._buyer_id_edited("1710034065")
        sale._buyer_id_done()
        _settle(app)
        save(window.grab(), "01_venta")

        sale.charge()
        _settle(app)
        if sale.payment_dialog is not None:
            dlg = sale.payment_dialog
            dlg.fields["tarjeta_credito"].setText("10.00")
            dlg.fields["efectivo"].setText("20.00")
            _settle(app)
            save(_with_dialog(window, dlg), "02_cobrar")
            dlg.reject()
        sale.new_sale()

        for key, name in (("documents", "03_documentos"), ("cash", "04_caja"), ("products", "05_productos"),
                          ("customers", "06_clientes"), ("reports", "07_reportes"), ("settings", "08_configuracion")):
            view = window.show_screen(key)
            if key == "products" and view.items:
                view.table.selectRow(3)
            if key == "customers" and view.items:
                view.table.selectRow(0)
            _settle(app)
            save(window.grab(), name)

        from app.ui.wizard import SetupWizard

        wizard = SetupWizard(session.data, session.conn)
        wizard.form.company.load(session.company)
        wizard._show(1)
        wizard.resize(*SIZE)
        wizard.show()
        _settle(app)
        save(wizard.grab(), "09_asistente")
        wizard.reject()
        window.close()
    written += render_paraguay(out, Path(data_dir).with_name(Path(data_dir).name + "-py"))
    return written


def _py_sales(session, ctx) -> None:
    """Two SIFEN sales (an identified company and an innominado) so Documentos is not empty."""
    from app.pos import catalog, till
    from app.pos.cart import Buyer, Cart, settle

    for codes, buyer, medio in ((["YERBA1", "ACEITE9", "LIBRO"], Buyer("PY-RUC", "80033303-9",
                                                                     "Distribuidora Guaraní S.R.L."), "transferencia"),
                                (["COLA2", "HARINA1"], None, "efectivo")):
        cart = Cart(country="PY")
        for c in codes:
            cart.add(catalog.find_product(session.conn, c))
        if buyer:
            cart.buyer = buyer
        total = cart.totals().total
        till.complete_sale(session, cart, settle(total, [(medio, total)], country="PY"), cashier=ctx.user.name,
                           establishment=ctx.establishment, point=ctx.point)


def render_paraguay(out: Path, data_dir) -> list[Path]:
    """The Paraguay (SIFEN) screens: Venta with a sale in progress, Cobrar in guaraníes, Documentos
    and the wizard's company page for Paraguay. Uses its own demo data folder."""
    from app.pos import users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    app = make_app()
    session = prepare_demo(data_dir, "PY")
    user = users.authenticate(session.conn, users.DEMO_USERS[0][2])
    written: list[Path] = []

    def save(pixmap, name: str) -> None:
        path = out / f"{name}.png"
        pixmap.save(str(path))
        written.append(path)

    with ExitStack() as stack:
        ctx = build_context(session, user, demo=True, stack=stack, start_worker=False)
        if not session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]:
            try:
                _py_sales(session, ctx)
                from app.pos.runtime import make_worker

                import time

                worker = make_worker(session, stack)
                deadline = time.monotonic() + 5  # SIFEN answers lotes asynchronously: poll a little
                while time.monotonic() < deadline:
                    worker.run_once()
                    if not session.conn.execute("SELECT COUNT(*) FROM documents WHERE status IN ('signed','sent')"
                                                ).fetchone()[0]:
                        break
                    time.sleep(0.1)
                ctx.worker = worker
            except Exception as exc:  # the screens still render, with what there is
                log.warning("Paraguay: sin ventas o sin transmisión de demostración: %s: %s", type(exc).__name__, exc)
        window = MainWindow(ctx)
        window.resize(*SIZE)
        window.show()
        _settle(app)

        sale = window.show_screen("sale")
        for code in ("2*YERBA1", "ACEITE9", "7840001000066", "3*HARINA1", "CARNE"):
            sale.add_code(code)
        sale.table.selectRow(1)
        sale.discount.setText("10")
        sale.apply_line_edit()
        sale.buyer_id.setText("80069563-1")
        sale._buyer_id_edited("80069563-1")
        sale.buyer_name.setText("Ferretería Asunción S.A.")
        sale._buyer_changed()
        _settle(app)
        save(window.grab(), "10_py_venta")

        sale.charge()
        _settle(app)
        if sale.payment_dialog is not None:
            dlg = sale.payment_dialog
            dlg.fields["tarjeta_debito"].setText("100.000")
            dlg.fields["efectivo"].setText("100.000")
            _settle(app)
            save(_with_dialog(window, dlg), "11_py_cobrar")
            dlg.reject()
        sale.new_sale()

        window.show_screen("documents")
        _settle(app)
        save(window.grab(), "12_py_documentos")

        from app.ui.wizard import SetupWizard

        wizard = SetupWizard(session.data, session.conn)
        wizard.form.country.country.setCurrentIndex(wizard.form.country.country.findData("PY"))
        wizard.form.company.load(session.company)
        wizard.form.establishments.load(session.company)
        wizard._show(1)
        wizard.resize(*SIZE)
        wizard.show()
        _settle(app)
        save(wizard.grab(), "13_py_asistente")
        wizard._show(2)
        _settle(app)
        save(wizard.grab(), "14_py_establecimientos")
        wizard.reject()
        window.close()
    session.close()
    return written
