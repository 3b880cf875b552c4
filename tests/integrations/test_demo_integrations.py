"""Demo mode's local SMTP sink and mall sandbox (issue #11 items 4 and 9): a headless demo run
in-process (app.cli.main) on a tmp data dir, a real aiosmtpd sink, the real mall REST sandbox."""
from __future__ import annotations

import json
from contextlib import ExitStack
from types import SimpleNamespace

import pytest

from app.cli import main
from app.config import DataDir
from app.integrations import config, demo as demo_integrations, mail
from app.integrations.sandbox_smtp import SmtpSink
from app.pos.demo import create_demo_company
from app.store import settings
from app.store.db import transaction

SINK_HEADER = "Correos recibidos por el buzón de prueba"


def _demo(capsys, data, sales: int) -> list[str]:
    assert main(["--data-dir", str(data), "demo", "--headless", "--sales", str(sales)]) == 0
    return capsys.readouterr().out.splitlines()


def _received(lines: list[str]) -> list[str]:
    """The recipients the run's sink printed (`  to: subject` after the header)."""
    start = next(i for i, line in enumerate(lines) if line.startswith(SINK_HEADER))
    count = int(lines[start].rsplit(":", 1)[1])
    return [line.strip().split(":", 1)[0] for line in lines[start + 1:start + 1 + count]]


def _documents(capsys, data) -> list[dict]:
    assert main(["--data-dir", str(data), "documents", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_headless_demo_mails_every_buyer_with_an_address_to_the_local_sink(tmp_path, capsys):
    data = tmp_path / "data"
    lines = _demo(capsys, data, 3)
    docs = _documents(capsys, data)
    mailed = [d for d in docs if d["correo"] is not None]
    assert len(docs) == 3 and len(mailed) >= 2  # sales 1 and 2 always name a buyer with an e-mail
    assert all(d["correo"]["status"] == "done" and d["correo"]["delivered"] == 1 for d in mailed)
    assert sorted(_received(lines)) == sorted(d["correo"]["to"] for d in mailed)
    mall_line = next(line for line in lines if "centro comercial simulado" in line)
    session = create_demo_company(DataDir(data))
    try:
        assert config.setting(session.conn, "smtp.host") == "127.0.0.1"
        assert config.setting(session.conn, "smtp.security") == "none"
        first_port = config.setting(session.conn, "smtp.port")
        assert "smtp" in settings.get(session.conn, demo_integrations.MANAGED)
        estab_001 = session.conn.execute("SELECT COUNT(*) FROM documents WHERE establishment='001'").fetchone()[0]
        assert estab_001 >= 1 and mall_line.endswith(f": {estab_001}")  # every sale of 001 reported
    finally:
        session.close()
    # a second run starts a new sink on another port: the settings demo mode wrote follow it
    lines = _demo(capsys, data, 1)
    new = [d for d in _documents(capsys, data) if d["correo"] is not None and d["id"] not in
           {m["id"] for m in mailed}]
    assert len(new) == 1 and new[0]["correo"]["status"] == "done"
    assert _received(lines) == [new[0]["correo"]["to"]]
    assert f"127.0.0.1:{first_port})" not in "\n".join(lines)


def test_the_owners_smtp_server_is_left_alone(tmp_path, capsys):
    data = tmp_path / "data"
    own = SmtpSink().start()
    try:
        session = create_demo_company(DataDir(data))
        with transaction(session.conn):
            for k, v in (("smtp.host", "127.0.0.1"), ("smtp.port", str(own.port)), ("smtp.security", "none"),
                         ("smtp.from", "duena@tienda.example.ec")):
                config.set_value(session.conn, k, v)
        session.close()
        lines = _demo(capsys, data, 2)
        docs = _documents(capsys, data)
    finally:
        own.stop()
    assert not any(line.startswith(SINK_HEADER) for line in lines)
    mailed = sorted(d["correo"]["to"] for d in docs if d["correo"] is not None)
    assert mailed and sorted(r.rcpt_tos[0] for r in own.received) == mailed
    assert all(r.mail_from == "duena@tienda.example.ec" for r in own.received)
    session = create_demo_company(DataDir(data))
    try:
        assert config.setting(session.conn, "smtp.port") == own.port
        assert "smtp" not in (settings.get(session.conn, demo_integrations.MANAGED) or [])
    finally:
        session.close()


def test_a_real_company_gets_no_demo_services(tmp_path):
    session = create_demo_company(DataDir(tmp_path / "data"))
    try:
        company = session.company
        company.extra.pop("demo")
        with ExitStack() as stack:
            services = demo_integrations.start(session.conn, company, stack)
        assert services.sink is None and services.portal is None
        assert config.setting(session.conn, "smtp.host") is None
    finally:
        session.close()


@pytest.fixture
def demo_session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"))
    yield s
    s.close()


def test_configuracion_shows_the_demo_sinks_messages_by_itself(qtbot, demo_session):
    from app.ui.integrations_view import IntegrationsPage, SmtpGroup

    with ExitStack() as stack:
        services = demo_integrations.start(demo_session.conn, demo_session.company, stack)
        assert services.sink is not None and services.portal is not None
        assert config.setting(demo_session.conn, "mall.001.rest.url") == services.portal.base_url
        ctx = SimpleNamespace(conn=demo_session.conn, session=demo_session, demo=True, demo_services=services)
        page = IntegrationsPage(ctx)
        qtbot.addWidget(page)
        group = next(g for g in page.groups if isinstance(g, SmtpGroup))
        assert group.sink is services.sink and group.sink_button.isHidden()
        assert group.host.text() == "127.0.0.1" and group.port.value() == services.sink.port
        assert group.received.item(0).text() == "Ninguno todavía"
        mail.send_test(demo_session.conn, "cliente@example.ec")  # what a sale's e-mail does, sooner
        qtbot.waitUntil(lambda: group.received.item(0).text().startswith("cliente@example.ec: "), timeout=5000)
        group.close()  # closing the view does not stop demo mode's sink
        assert services.sink._controller is not None


def test_the_demo_window_starts_the_sink_and_points_the_settings_at_it(tmp_path, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui import main as ui_main

    seen = []

    def poll() -> None:  # once demo mode's services are up, Configuración shows the sink; then quit
        window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, ui_main.MainWindow)), None)
        services = getattr(window.ctx, "demo_services", None) if window is not None else None
        if services is None:
            QTimer.singleShot(50, poll)
            return
        view = window.show_screen("settings")
        seen.append(view.integrations.groups[0].sink is services.sink is not None)
        tray = getattr(window, "tray", None)
        if tray is not None:
            tray.icon.hide()
        window.close()  # leaves no window behind for the next test
        window.deleteLater()
        QApplication.instance().quit()

    QTimer.singleShot(0, poll)
    data = tmp_path / "data"
    assert ui_main.run(data, demo=True) == 0
    # one more short turn of the application's loop: after quit() the next dialog's exec() would
    # return at once (a later test's message box), so the loop state is reset here
    QTimer.singleShot(0, QApplication.instance().quit)
    QApplication.instance().exec()
    assert seen == [True]
    session = create_demo_company(DataDir(data))
    try:
        assert config.setting(session.conn, "smtp.host") == "127.0.0.1"
        assert set(settings.get(session.conn, demo_integrations.MANAGED)) == {"smtp", "mall.001"}
        assert config.setting(session.conn, "mall.001.mode") == "rest"
    finally:
        session.close()
