"""`mostrador api-key …` and `mostrador serve` as their contracts spell them."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys

import requests

from app.api import keys
from app.cli import main
from app.config import DataDir
from app.pos.demo import create_demo_company


def test_api_key_create_list_revoke(tmp_path, capsys):
    data = tmp_path / "data"
    create_demo_company(DataDir(data), "EC").close()
    assert main(["--data-dir", str(data), "api-key", "create", "erp"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"key", "tenant"} and out["key"].startswith("api_key_")
    assert main(["--data-dir", str(data), "api-key", "create", "web", "--dialect", "datil"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data), "api-key", "create", "x", "--dialect", "nada"]) == 2
    assert "dialect" in capsys.readouterr().err
    assert main(["--data-dir", str(data), "api-key", "create", "erp"]) == 2  # the name is taken
    capsys.readouterr()
    assert main(["--data-dir", str(data), "api-key", "list"]) == 0
    listed = capsys.readouterr().out
    assert out["key"] not in listed and json.loads(listed)[1]["dialect"] == "datil"
    # only the hash is stored
    import sqlite3

    db = sqlite3.connect(DataDir(data).db_path)
    assert not any(out["key"] in str(v) for row in db.execute("SELECT * FROM api_keys") for v in row)
    assert db.execute("SELECT key_hash FROM api_keys WHERE name='erp'").fetchone()[0] == keys.hash_key(out["key"])
    db.close()
    assert main(["--data-dir", str(data), "api-key", "revoke", "erp"]) == 0
    assert main(["--data-dir", str(data), "api-key", "revoke", "erp"]) == 1
    assert json.loads(_list(capsys, data))[0]["revoked"] is True


def _list(capsys, data):
    capsys.readouterr()
    main(["--data-dir", str(data), "api-key", "list"])
    return capsys.readouterr().out


def test_serve_listens_on_loopback_and_serves_the_description(tmp_path, subprocess_env):
    data = tmp_path / "data"
    create_demo_company(DataDir(data), "EC").close()
    proc = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(data), "serve", "--port", "0", "--no-sync"],
                            env=subprocess_env, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, line
        base = f"http://127.0.0.1:{m.group(1)}"
        spec = requests.get(base + "/openapi.json", timeout=10).json()
        assert "/datil/invoices/issue" in spec["paths"]
        assert requests.get(base + "/docs", timeout=10).status_code == 200
        r = requests.post(base + "/datil/invoices/issue", json={}, timeout=10)
        assert r.status_code == 401 and r.json()["status"] == 401
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_serve_refuses_an_outside_address_without_tls(tmp_path, capsys):
    data = tmp_path / "data"
    create_demo_company(DataDir(data), "EC").close()
    assert main(["--data-dir", str(data), "serve", "--host", "0.0.0.0", "--no-sync"]) == 3
    assert "TLS" in capsys.readouterr().err


def test_tls_with_a_generated_certificate_shown_by_its_fingerprint(tmp_path):
    import ssl

    from app.api.server import start
    from app.api.tls import ensure_generated, fingerprint

    session = create_demo_company(DataDir(tmp_path / "data"), "EC")
    cert, key, fp = ensure_generated(tmp_path / "tls", "127.0.0.1")
    assert ensure_generated(tmp_path / "tls", "127.0.0.1")[2] == fp  # kept, not regenerated
    assert oct((tmp_path / "tls" / "api-key.pem").stat().st_mode & 0o777) == "0o600"
    running = start(session, tls=(cert, key))
    try:
        assert running.url.startswith("https://127.0.0.1:")
        assert requests.get(running.url + "/openapi.json", verify=cert, timeout=10).status_code == 200
        port = int(running.url.rsplit(":", 1)[1])
        served = ssl.get_server_certificate(("127.0.0.1", port)).encode()
        assert fingerprint(served) == fp
    finally:
        running.stop()
        session.close()
