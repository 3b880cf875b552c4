"""`mostrador settings|secret|email|mall|export --authorized|documents --json` in process."""
from __future__ import annotations

import io
import json
import random
from contextlib import ExitStack

import pytest

from app import cli
from app.config import DataDir
from app.fiscal.ec.demo import demo_invoice
from app.fiscal.ec.sandbox import SriSandbox
from app.fiscal.ec.transport import SANDBOX_URL_KEY, sandbox_accepts
from app.fiscal.signing import load_secret
from app.integrations.sandbox_mall import SftpSandbox
from app.integrations.sandbox_smtp import SmtpSink
from app.pos import checkout
from app.pos.demo import create_demo_company
from app.pos.runtime import make_worker
from app.store import documents, settings
from app.store.db import transaction
from app.xmlsafe import parse_xml


@pytest.fixture
def shop(tmp_path):
    session = create_demo_company(DataDir(tmp_path / "data"), "EC")
    sandbox = SriSandbox(accepted=sandbox_accepts(session.company), db_path=str(tmp_path / "sri.db"))
    sandbox.start()
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "ec.poll_delay_seconds", 0)
    yield session
    sandbox.stop()
    session.close()


def run(shop, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["--data-dir", str(shop.data.root), *argv])


def authorized(shop, n=1):
    key = checkout.issue(shop, demo_invoice(shop.company, random.Random(n), n), "invoices").key
    with ExitStack() as stack:
        worker = make_worker(shop, stack)
        for _ in range(20):
            worker.run_once()
            if documents.by_key(shop.conn, key)["status"] == "authorized":
                break
    return documents.by_key(shop.conn, key)


def test_settings_and_secrets(shop, capsys, monkeypatch):
    assert run(shop, "settings", "set", "smtp.port", "2525") == 0
    assert run(shop, "settings", "set", "smtp.security", "STARTTLS") == 0
    assert run(shop, "settings", "set", "mall.002.sftp.host", "sftp.mall.example") == 0
    capsys.readouterr()
    assert run(shop, "settings", "get", "smtp.security") == 0
    assert capsys.readouterr().out.strip() == "starttls"
    assert run(shop, "settings", "set", "smtp.security", "ssl") == 2
    assert "none, starttls, tls" in capsys.readouterr().err
    assert run(shop, "settings", "set", "mall.002.hour", "25:00") == 2
    assert run(shop, "settings", "set", "nada.de.esto", "1") == 2
    assert run(shop, "settings", "set", "smtp.password", "x") == 2  # a secret never goes to settings
    assert run(shop, "secret", "set", "smtp.password", stdin="muy-secreta\n", monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(shop, "settings", "list") == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["smtp.port"] == 2525 and listed["mall.002.sftp.host"] == "sftp.mall.example"
    assert "smtp.password" not in listed and "company" not in listed
    assert load_secret(f"integrations:{shop.company.ruc}:smtp.password") == "muy-secreta"
    dump = b"".join(bytes(r[0], "utf-8") for r in shop.conn.execute("SELECT value FROM settings"))
    assert b"muy-secreta" not in dump
    assert run(shop, "secret", "set", "mall.001.rest.password", stdin="\n", monkeypatch=monkeypatch) == 2


def test_export_authorized_and_email(shop, capsys, tmp_path):
    sink = SmtpSink().start()
    try:
        for k, v in {"smtp.host": "127.0.0.1", "smtp.port": str(sink.port), "smtp.security": "none",
                     "smtp.from": "facturas@tienda.example.ec"}.items():
            assert run(shop, "settings", "set", k, v) == 0
        row = authorized(shop)  # authorized: the buyer's e-mail went out from the worker's pass
        assert len(sink.received) == 1
        capsys.readouterr()
        assert run(shop, "email", row["key"], "--to", "otra@example.ec") == 0
        assert "otra@example.ec" in capsys.readouterr().out
        assert sink.received[-1].rcpt_tos == ["otra@example.ec"]
        assert run(shop, "email", row["key"], "--to", "no es correo") == 2
        assert run(shop, "email", "0" * 49) == 1
    finally:
        sink.stop()
    capsys.readouterr()
    assert run(shop, "documents", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    mine = next(d for d in listed if d["clave"] == row["key"])
    assert mine["correo"]["status"] == "done" and mine["correo"]["delivered"] == 2
    out = tmp_path / "auth.xml"
    assert run(shop, "export", row["key"], "--authorized", "--out", str(out)) == 0
    auth = parse_xml(out.read_bytes())
    assert auth.tag == "autorizacion" and auth.findtext("numeroAutorizacion") == row["authorization_number"]
    assert auth.findtext("comprobante").encode() == bytes(row["xml"])


def test_email_of_an_unauthorized_document_is_refused(shop, capsys):
    key = checkout.issue(shop, demo_invoice(shop.company, random.Random(1), 1), "invoices").key
    assert run(shop, "email", key) == 2
    assert "autorizados" in capsys.readouterr().err
    assert run(shop, "export", key, "--authorized") == 2


def test_mall_report_by_hand(shop, capsys, monkeypatch, tmp_path):
    server = SftpSandbox(tmp_path / "sftp").start()
    try:
        row = authorized(shop)
        for k, v in {"mall.001.mode": "sftp", "mall.001.sftp.host": "127.0.0.1",
                     "mall.001.sftp.port": str(server.port), "mall.001.sftp.user": server.user}.items():
            assert run(shop, "settings", "set", k, v) == 0
        assert run(shop, "secret", "set", "mall.001.sftp.password", stdin=server.password + "\n",
                   monkeypatch=monkeypatch) == 0
        capsys.readouterr()
        assert run(shop, "mall", "report", "--dry-run", "--date", "2999-01-01") == 0
        assert row["key"] in capsys.readouterr().out and server.files() == []
        assert run(shop, "mall", "report", "--date", "2999-01-01", "--json") == 0
        result = json.loads(capsys.readouterr().out)
        assert result[0]["enviados"] == 1 and server.files() == [f"{row['key']}.xml"]
        assert run(shop, "mall", "report", "--date", "ayer") == 2
    finally:
        server.stop()


def test_mall_sandbox_command_serves_until_interrupted(tmp_path, subprocess_env):
    import subprocess
    import sys

    import requests

    proc = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "d"), "mall", "sandbox"],
                            stdout=subprocess.PIPE, text=True, env=subprocess_env)
    try:
        lines = []
        while not lines or lines[-1] != "}\n":
            lines.append(proc.stdout.readline())
            assert lines[-1], "the sandbox stopped before printing its settings"
        info = json.loads("".join(lines))
        r = requests.post(f"{info['rest']['url']}/smo/login", timeout=10,
                          json={"username": info["rest"]["user"], "password": info["rest"]["password"]})
        assert r.status_code == 200 and r.json()["token"]
        assert info["sftp"]["fingerprint"].startswith("SHA256:")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
