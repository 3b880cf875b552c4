"""SifenClient over real HTTP (and real mTLS) against the simulated SIFEN on loopback."""
import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sandbox"))

from app.core.errors import ConfigurationError, TransportError  # noqa: E402
from app.fiscal.py import client as client_mod  # noqa: E402
from app.fiscal.py.client import SifenClient  # noqa: E402
from app.fiscal.py.sandbox import SandboxTLS, SifenSandbox  # noqa: E402
from app.xmlsafe import parse_xml  # noqa: E402

from sifen_docs import ACCEPTED, Signer, identity  # noqa: E402


@pytest.fixture
def sandbox(tmp_path):
    with SifenSandbox(accepted_rucs=ACCEPTED, db_path=str(tmp_path / "s.db"), lote_processing_seconds=0.2) as s:
        yield s
        assert s.errors == []


@pytest.fixture(scope="module")
def signer():
    return Signer(seed=11)


def test_envelope_is_soap12_with_declaration_and_inline_rde(signer):
    doc = signer.sale()
    body = b'<rEnviDe xmlns="http://ekuatia.set.gov.py/sifen/xsd"><dId>1</dId><xDE>' \
           + client_mod.strip_declaration(doc.xml) + b"</xDE></rEnviDe>"
    env = client_mod.envelope(body)
    assert env.startswith(b'<?xml version="1.0" encoding="UTF-8"?><env:Envelope')
    root = parse_xml(env)
    assert root.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    assert env.count(b"<?xml") == 1 and doc.key.encode() in env


def test_sync_lote_consulta_ruc(sandbox, signer):
    c = SifenClient(sandbox.url, timeout=(2, 10))
    assert c.session.trust_env is False
    first = signer.sale()
    r = c.send_de(first.xml).result
    assert r.approved and r.codes == ["0260"] and r.protocol and r.cdc == first.key
    again = c.send_de(first.xml).result
    assert not again.approved and again.codes == ["1001"]
    docs = signer.many(5)
    ack = c.send_lote([d.xml for d in docs])
    assert ack.accepted and ack.code == "0300" and ack.protocol.isdigit() and len(ack.protocol) >= 17
    assert c.query_lote(ack.protocol).code == "0361"
    import time
    time.sleep(0.25)
    res = c.query_lote(ack.protocol)
    assert res.code == "0362" and {x.cdc for x in res.results} == {d.key for d in docs}
    assert all(x.approved and x.protocol for x in res.results)
    found = c.query_de(docs[0].key)
    assert found.found and found.protocol and docs[0].key.encode() in found.content
    assert c.query_de("0" * 44).code == "0420"
    assert c.query_lote("123").code == "0360"
    ruc = c.query_ruc("80012345-0")
    assert ruc.code == "0502" and ruc.name == ACCEPTED["80012345-0"]["name"] and ruc.electronic_invoicing
    assert c.query_ruc("1234567").code == "0500"


@pytest.mark.parametrize("kind,maybe", [("html", False), ("http500", False), ("malformed", True), ("reset", True),
                                        ("http503", False)])
def test_transport_faults_raise_transport_error(sandbox, signer, kind, maybe):
    c = SifenClient(sandbox.url, timeout=(2, 5))
    sandbox.faults.inject(kind, endpoint="recibe")
    with pytest.raises(TransportError) as exc:
        c.send_de(signer.sale().xml)
    assert getattr(exc.value, "maybe_received", False) is maybe
    if kind == "html":
        assert "BIG-IP" in str(exc.value)


def test_timeout_is_maybe_received(sandbox, signer):
    c = SifenClient(sandbox.url, timeout=(2, 0.3))
    sandbox.faults.inject("delay", seconds=1.0, endpoint="consulta")
    with pytest.raises(TransportError) as exc:
        c.query_de("0" * 44)
    assert exc.value.maybe_received is True
    import time
    time.sleep(0.9)  # let the delayed request finish before the sandbox closes


def test_refused_connection_is_not_received():
    c = SifenClient("http://127.0.0.1:9", timeout=(1, 1))
    with pytest.raises(TransportError) as exc:
        c.query_ruc("80012345")
    assert exc.value.maybe_received is False


def test_endpoints_per_environment():
    with pytest.raises(ConfigurationError):
        SifenClient.for_environment("pruebas")  # mTLS needs the certificate
    c = SifenClient.for_environment("pruebas", identity=identity())
    assert c.url("recibe") == "https://sifen-test.set.gov.py/de/ws/sync/recibe.wsdl"
    assert c.url("recibe-lote") == "https://sifen-test.set.gov.py/de/ws/async/recibe-lote.wsdl"
    p = SifenClient.for_environment("produccion", identity=identity())
    assert p.url("consulta-lote") == "https://sifen.set.gov.py/de/ws/consultas/consulta-lote.wsdl"
    assert p.url("evento") == "https://sifen.set.gov.py/de/ws/eventos/evento.wsdl"
    assert p.session.trust_env is False


def test_mutual_tls(tmp_path, signer, monkeypatch):
    """The sandbox in mTLS mode: our client certificate opens it, no certificate does not,
    and an environment CA bundle (REQUESTS_CA_BUNDLE pitfall) is ignored."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "nonexistent.pem"))
    tls = SandboxTLS.generate(tmp_path / "tls", [identity().cert])
    with SifenSandbox(accepted_rucs=ACCEPTED, tls=tls) as s:
        assert s.url.startswith("https://127.0.0.1:")
        c = SifenClient(s.url, identity=identity(), ca_file=tls.ca_file, timeout=(3, 10))
        r = c.send_de(signer.sale().xml).result
        assert r.approved
        with pytest.raises(requests.exceptions.SSLError):
            requests.post(s.url + client_mod.PATHS["recibe"], data=b"x", verify=tls.ca_file, timeout=3)
        other = identity("3456789-5")  # a certificate the server does not trust
        with pytest.raises(TransportError, match="TLS"):
            SifenClient(s.url, identity=other, ca_file=tls.ca_file, timeout=(3, 5)).query_ruc("80012345")
        assert s.errors == []
