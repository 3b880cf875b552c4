"""The sandbox as its own process (`python -m app.fiscal.ec.sandbox`), driven from this one."""
from __future__ import annotations

import re
import signal
import subprocess
import sys

import pytest
import requests

from app.core.errors import TransportError
from app.fiscal.ec.client import SriClient
from app.fiscal.ec.sandbox import parse_accepted
from sri_docs import RUC, clave_of


@pytest.fixture
def sri_process(subprocess_env, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "app.fiscal.ec.sandbox", "--port", "0", "--accept", f"{RUC}:001",
                             "--db", str(tmp_path / "sri.db")],
                            env=subprocess_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    assert match, line + proc.stderr.read()
    yield match.group(0)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "Deteniendo" in out


def test_another_process_drives_faults_and_reads_state(sri_process, signer):
    base = sri_process
    client = SriClient.for_environment("sandbox", sandbox_url=base)
    xml = signer.invoice(7)
    assert requests.post(f"{base}/_sandbox/faults", json={"kind": "reset", "endpoint": "recepcion"}).status_code == 201
    with pytest.raises(TransportError):
        client.send(xml)
    assert client.send(xml).estado == "RECIBIDA"
    assert client.send(xml).messages[0].identificador == "43"
    assert client.authorize(clave_of(xml)).estado == "AUTORIZADO"
    facts = requests.get(f"{base}/_sandbox/documents/{clave_of(xml)}").json()
    assert facts["received"] == 1
    assert [a["estado"] for a in facts["authorizations"]] == ["AUTORIZADO"]


def test_busy_port_is_a_spanish_error(subprocess_env, sandbox):
    proc = subprocess.run([sys.executable, "-m", "app.fiscal.ec.sandbox", "--port", str(sandbox.port)],
                          env=subprocess_env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "No se pudo abrir" in proc.stderr


def test_parse_accepted():
    assert parse_accepted([f"{RUC}:001,002", "0991234567001"]) == {RUC: {"001", "002"}, "0991234567001": {"*"}}
    assert parse_accepted([]) is None
    with pytest.raises(ValueError):
        parse_accepted(["123"])
    with pytest.raises(ValueError):
        parse_accepted([f"{RUC}:1"])
