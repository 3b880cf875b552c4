"""Every fault kind of the simulated SRI, as the real SriClient sees it over loopback HTTP."""
from __future__ import annotations

import time

import pytest
import requests

from app.core.errors import TransportError
from app.fiscal.ec.client import SriClient, classify
from app.fiscal.ec.sandbox import SriSandbox
from sri_docs import RUC, clave_of


@pytest.mark.parametrize("kind, words", [
    ("reset", "No se pudo conectar"),
    ("http500", "error SOAP (HTTP 500)"),
    ("http503", "HTTP 503"),
    ("html", "página web"),
    ("malformed", "mal formado"),
])
@pytest.mark.parametrize("endpoint", ["recepcion", "autorizacion"])
def test_transport_faults_become_transport_errors_then_service_recovers(client, sandbox, signer, kind, words,
                                                                        endpoint):
    xml = signer.invoice(1)
    sandbox.faults.inject(kind, count=1, endpoint=endpoint)
    call = (lambda: client.send(xml)) if endpoint == "recepcion" else (lambda: client.authorize(clave_of(xml)))
    with pytest.raises(TransportError) as err:
        call()
    assert words in str(err.value)
    # The fault was consumed; the same client (same session) works again.
    if endpoint == "recepcion":
        assert sandbox.received_count(clave_of(xml)) == 0  # a dropped request did not register anything
        assert client.send(xml).estado == "RECIBIDA"
    else:
        assert client.authorize(clave_of(xml)).estado == "PENDIENTE"


def test_delay_longer_than_the_read_timeout_is_a_transport_error(sandbox):
    client = SriClient(sandbox.recepcion_url, sandbox.autorizacion_url, timeout=(1, 0.3))
    sandbox.faults.inject("delay", seconds=0.8, endpoint="autorizacion")
    started = time.monotonic()
    with pytest.raises(TransportError) as err:
        client.authorize("1" * 49)
    assert time.monotonic() - started < 0.75
    assert "a tiempo" in str(err.value)


def test_delay_shorter_than_the_timeout_only_slows_down(client, sandbox):
    sandbox.faults.inject("delay", seconds=0.3)
    started = time.monotonic()
    assert client.authorize("1" * 49).estado == "PENDIENTE"
    assert time.monotonic() - started >= 0.3


def test_processing_at_recepcion_is_70_poll_and_the_document_is_kept(client, sandbox, signer):
    xml = signer.invoice(2)
    sandbox.faults.inject("processing", endpoint="recepcion")
    answer = client.send(xml)
    assert (answer.estado, [m.identificador for m in answer.messages]) == ("DEVUELTA", ["70"])
    assert classify(answer.messages) == "poll"
    assert client.authorize(clave_of(xml)).estado == "AUTORIZADO"  # polling, not resending, resolves it
    assert sandbox.received_count(clave_of(xml)) == 1


def test_processing_at_autorizacion_is_en_proceso_for_k_polls(client, sandbox, signer):
    xml = signer.invoice(3)
    assert client.send(xml).estado == "RECIBIDA"
    sandbox.faults.inject("processing", count=2, endpoint="autorizacion")
    states = [client.authorize(clave_of(xml)).estado for _ in range(3)]
    assert states == ["EN PROCESO", "EN PROCESO", "AUTORIZADO"]


def test_error50_is_retry_and_nothing_is_registered(client, sandbox, signer):
    xml = signer.invoice(4)
    sandbox.faults.inject("error50")
    answer = client.send(xml)
    assert (answer.estado, [m.identificador for m in answer.messages]) == ("DEVUELTA", ["50"])
    assert classify(answer.messages) == "retry"
    assert sandbox.received_count(clave_of(xml)) == 0
    assert client.send(xml).estado == "RECIBIDA"


def test_probabilistic_faults_replay_identically_with_the_same_seed(signer):
    docs = [signer.invoice(100 + i) for i in range(20)]

    def run(seed):
        outcomes = []
        with SriSandbox(accepted={RUC: {"001"}}, seed=seed) as sri:
            sri.faults.inject("http503", count=None, probability=0.4, endpoint="recepcion")
            client = SriClient(sri.recepcion_url, sri.autorizacion_url)
            for xml in docs:
                try:
                    outcomes.append(client.send(xml).estado)
                except TransportError:
                    outcomes.append("ERR")
        return outcomes
    a, b = run(3), run(3)
    assert a == b
    assert "ERR" in a and "RECIBIDA" in a


def test_faults_over_the_http_control_endpoint(client, sandbox, signer):
    xml = signer.invoice(5)
    url = f"{sandbox.url}/_sandbox/faults"
    r = requests.post(url, json=[{"kind": "html", "endpoint": "recepcion"},
                                 {"kind": "delay", "seconds": 0.2, "count": 1}])
    assert r.status_code == 201
    assert [f["kind"] for f in requests.get(url).json()["faults"]] == ["html", "delay"]
    with pytest.raises(TransportError):
        client.send(xml)
    assert requests.get(url).json()["faults"] == []
    assert requests.post(url, json={"kind": "volcano"}).status_code == 400
    requests.post(url, json={"kind": "reset", "count": 5})
    assert requests.delete(url).json() == {"faults": []}
    assert client.send(xml).estado == "RECIBIDA"
    assert requests.post(f"{sandbox.url}/_sandbox/seed", json={"seed": 9}).json() == {"ok": True}


def test_wsdl_endpoint_can_fail_too(sandbox):
    sandbox.faults.inject("http503", endpoint="wsdl")
    assert requests.get(sandbox.recepcion_url + "?wsdl").status_code == 503
    assert requests.get(sandbox.recepcion_url + "?wsdl").status_code == 200


def test_stopped_sandbox_refuses_connections(signer):
    sri = SriSandbox().start()
    client = SriClient(sri.recepcion_url, sri.autorizacion_url, timeout=(1, 1))
    assert client.authorize("1" * 49).estado == "PENDIENTE"  # opens a keep-alive connection
    sri.stop()
    with pytest.raises(TransportError):
        client.authorize("1" * 49)


def test_chunked_request_is_refused_and_the_server_keeps_serving(sandbox):
    def chunks():
        yield b"<soap:Envelope/>"
    r = requests.post(sandbox.recepcion_url, data=chunks(), headers={"Content-Type": "text/xml"})
    assert r.status_code == 411
    assert requests.get(sandbox.recepcion_url + "?wsdl").status_code == 200


def test_lost_response_registers_the_document_so_the_retry_gets_43(client, sandbox, signer):
    xml = signer.invoice(6)
    sandbox.faults.inject("lost_response", endpoint="recepcion")
    with pytest.raises(TransportError):
        client.send(xml)
    assert sandbox.received_count(clave_of(xml)) == 1  # the SRI has it although the client never heard
    again = client.send(xml)
    assert [m.identificador for m in again.messages] == ["43"]
    assert classify(again.messages) == "poll"
    assert client.authorize(clave_of(xml)).estado == "AUTORIZADO"
    assert [a.estado for a in sandbox.authorizations(clave_of(xml))] == ["AUTORIZADO"]
