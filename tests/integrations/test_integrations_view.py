"""Configuración › Correo y centro comercial: real widgets (offscreen), a real SMTP sink."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.config import DataDir
from app.core.errors import ValidationError
from app.integrations import config
from app.integrations.sandbox_smtp import SmtpSink
from app.pos.demo import create_demo_company
from app.store import settings
from app.ui.integrations_view import IntegrationsPage, MallGroup, SmtpGroup


@pytest.fixture
def session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), "EC")
    yield s
    s.close()


def test_smtp_group_saves_settings_secret_and_sends_a_test(qtbot, session):
    sink = SmtpSink().start()
    try:
        g = SmtpGroup(session.conn)
        qtbot.addWidget(g)
        g.host.setText("127.0.0.1")
        g.port.setValue(sink.port)
        g.security.setCurrentIndex(g.security.findData("none"))
        g.sender.setText("facturas@tienda.example.ec")
        g.password.setText("secreta")
        g.test_to.setText("duena@example.ec")
        g.test_button.click()
        assert "enviado" in g.result.text()
        assert sink.received and sink.received[0].rcpt_tos == ["duena@example.ec"]
    finally:
        sink.stop()
    assert config.setting(session.conn, "smtp.port") == sink.port
    assert config.load_secret(session.conn, "smtp.password") == "secreta"
    assert g.password.text() == "" and "llavero" in g.password.placeholderText()
    g.test_to.setText("no-es-correo")
    g.test_button.click()
    assert "correo válida" in g.result.text()


def test_smtp_group_refuses_bad_values_before_writing(qtbot, session):
    g = SmtpGroup(session.conn)
    qtbot.addWidget(g)
    g.host.setText("smtp.example.ec")
    g.sender.setText("sin arroba")
    with pytest.raises(ValidationError):
        g.save()
    assert settings.get(session.conn, "smtp.host") is None  # nothing half-written


def test_mall_group_and_the_page(qtbot, session):
    ctx = SimpleNamespace(conn=session.conn, session=session, demo=True)
    page = IntegrationsPage(ctx)
    qtbot.addWidget(page)
    mall_group = next(g for g in page.groups if isinstance(g, MallGroup))
    mall_group.mode.setCurrentIndex(mall_group.mode.findData("rest"))
    mall_group.rest_url.setText("http://127.0.0.1:9/prod/api")
    mall_group.rest_user.setText("local")
    mall_group.rest_password.setText("clave")
    page.save()
    assert config.setting(session.conn, "mall.001.mode") == "rest"
    assert config.load_secret(session.conn, "mall.001.rest.password") == "clave"
    assert "Aún no se ha enviado" in mall_group.status.text()
    mall_group.report_now()  # nothing authorized yet: nothing to send, said so
    assert "Nada pendiente" in mall_group.status.text()
    smtp_group = next(g for g in page.groups if isinstance(g, SmtpGroup))
    smtp_group.sink_button.click()  # demo: a local sink, the settings pointed at it
    try:
        assert config.setting(session.conn, "smtp.port") == smtp_group.sink.port
        smtp_group.test_to.setText("demo@example.ec")
        smtp_group.test_button.click()
        assert smtp_group.received.count() == 1
    finally:
        smtp_group.close()
    assert smtp_group.sink is None
