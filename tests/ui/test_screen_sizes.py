"""Every main screen of both countries at 1024×768 and at 1920×1080: no visible label, button or
check box shows less than its text (its text's width in its font against the widget's contents),
and no text field is narrower than its text, or than its placeholder when empty."""
from __future__ import annotations

from contextlib import ExitStack

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton,
                               QStyle, QStyleOptionButton, QStyleOptionFrame)

SIZES = ((1024, 768), (1920, 1080))
INDICATOR = QStyle.PixelMetric.PM_IndicatorWidth
SPACING = QStyle.PixelMetric.PM_CheckBoxLabelSpacing


def clipped(root) -> list[str]:
    """'Class «text»: needs N px, has M px' of every visible text widget under `root` cut short."""
    out = []
    for w in root.findChildren(QLabel) + root.findChildren(QPushButton) + root.findChildren(QCheckBox):
        if not w.isVisible() or not w.text():
            continue
        if isinstance(w, QLabel) and (w.wordWrap() or w.textFormat() == w.textFormat().RichText
                                      or w.text().lstrip().startswith("<") or w.pixmap() is not None
                                      and not w.pixmap().isNull()):
            continue
        fm = w.fontMetrics()
        need = max(fm.horizontalAdvance(line) for line in w.text().replace("&&", "&").split("\n"))
        have = w.contentsRect().width()
        if isinstance(w, QLabel):
            have -= 2 * max(w.margin(), 0) + max(w.indent(), 0)
        elif isinstance(w, QCheckBox):
            have -= w.style().pixelMetric(INDICATOR, None, w) + w.style().pixelMetric(SPACING, None, w)
        else:
            opt = QStyleOptionButton()
            w.initStyleOption(opt)
            need = w.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, opt,
                                              fm.size(0, w.text().replace("&&", "&")), w).width() - 8
        if need > have:
            out.append(f"{type(w).__name__} «{w.text()}»: necesita {need} px, tiene {have} px")
    return out + clipped_fields(root)


def clipped_fields(root) -> list[str]:
    """'QLineEdit «text»: …' of every visible text field under `root` narrower than its text, or
    than its placeholder when it is empty (the line edits inside combo and spin boxes are theirs)."""
    out = []
    for w in root.findChildren(QLineEdit):
        if not w.isVisible() or isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue
        text = w.text() if w.echoMode() == QLineEdit.EchoMode.Normal else ""
        shown = text or w.placeholderText()
        if not shown:
            continue
        opt = QStyleOptionFrame()
        w.initStyleOption(opt)
        room = w.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, w)
        margins = w.textMargins()
        have = room.width() - margins.left() - margins.right() - 4  # QLineEdit's own 2 px each side
        need = w.fontMetrics().horizontalAdvance(shown)
        if need > have:
            what = "texto" if text else "ayuda"
            out.append(f"QLineEdit ({what}) «{shown}»: necesita {need} px, tiene {have} px")
    return out


@pytest.fixture(params=["EC", "PY"])
def country_session(request, tmp_path):
    from app.ui.main import make_app, prepare_demo

    make_app()
    session = prepare_demo(tmp_path / "data", request.param)
    yield session
    session.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_text_is_clipped(qtbot, country_session, size):
    from app.pos import users
    from app.ui.main import SCREENS, MainWindow, build_context

    stack = ExitStack()
    ctx = build_context(country_session, users.authenticate(country_session.conn, "1234"), demo=True,
                        stack=stack, start_worker=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    try:
        window.resize(*size)
        window.show()
        problems = []
        for key, label, _s, _spec in SCREENS:
            window.show_screen(key)
            for _ in range(3):
                QApplication.processEvents()
            assert window.size().width() == size[0]
            problems += [f"{label}: {p}" for p in clipped(window)]
        # Cobrar: the payment dialog over a sale of the demo catalog's first product
        from app.fiscal import registry

        sale = window.show_screen("sale")
        code = registry.country(country_session.company.country).till().demo_products[0][0]
        qtbot.keyClicks(sale.code, code)
        qtbot.keyClick(sale.code, Qt.Key.Key_Return)
        qtbot.keyClick(sale.code, Qt.Key.Key_F12)
        dialog = sale.payment_dialog
        assert dialog is not None and dialog.isVisible()
        QApplication.processEvents()
        problems += [f"Cobrar: {p}" for p in clipped(dialog)]
        dialog.reject()
        # Eventos over Documentos (a country without events shows why)
        from app.ui.events_view import EventsDialog

        events = EventsDialog(window.show_screen("documents"))
        events.show()
        QApplication.processEvents()
        problems += [f"Eventos: {p}" for p in clipped(events)]
        events.reject()
        assert problems == [], "\n".join(problems)
    finally:
        window.shutdown()
        stack.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_wizard_text_is_clipped(qtbot, tmp_path, size):
    from app.config import DataDir
    from app.pos.session import Session
    from app.ui.main import make_app
    from app.ui.wizard import SetupWizard

    make_app()
    session = Session(DataDir(tmp_path / "data"))
    w = SetupWizard(DataDir(tmp_path / "data"), session.conn)
    qtbot.addWidget(w)
    try:
        w.resize(*size)
        w.show()
        problems = []
        for i in range(w.stack.count()):
            w.stack.setCurrentIndex(i)
            QApplication.processEvents()
            problems += [f"página {i + 1}: {p}" for p in clipped(w)]
        assert problems == [], "\n".join(problems)
    finally:
        w.close()
        session.close()


@pytest.mark.parametrize("size", ((1280, 800), (1920, 1080)), ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_customers_name_and_email_fit_the_buyer_box(qtbot, country_session, size):
    """The demo catalog's customers (names and e-mails of an ordinary length) are shown whole at
    Venta from 1280 px wide: the buyer column grows with the window (at 1024 px it keeps 300 px)."""
    from app.fiscal import registry
    from app.pos import users
    from app.ui.main import MainWindow, build_context

    stack = ExitStack()
    ctx = build_context(country_session, users.authenticate(country_session.conn, "1234"), demo=True,
                        stack=stack, start_worker=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    try:
        window.resize(*size)
        window.show()
        sale = window.show_screen("sale")
        problems = []
        for _type, ident, name, email in registry.country(country_session.company.country).till().demo_customers:
            sale.buyer_name.setText(name)
            sale.buyer_email.setText(email)
            QApplication.processEvents()
            problems += clipped_fields(sale.buyer_name.parentWidget())
        assert problems == [], "\n".join(problems)
    finally:
        window.shutdown()
        stack.close()
