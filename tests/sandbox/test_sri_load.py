"""Concurrency and throughput of the simulated SRI (real HTTP on 127.0.0.1)."""
from __future__ import annotations

import threading
import time

from app.fiscal.ec.client import SriClient
from app.fiscal.ec.sandbox import SriSandbox
from sri_docs import RUC, clave_of


def test_concurrent_resends_register_the_document_exactly_once(sandbox, signer):
    xml = signer.invoice(500)
    answers: list[str] = []
    lock = threading.Lock()

    def send():
        client = SriClient(sandbox.recepcion_url, sandbox.autorizacion_url)
        for _ in range(5):
            r = client.send(xml)
            with lock:
                answers.append(r.estado if r.estado == "RECIBIDA" else r.messages[0].identificador)
        client.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(answers) == ["43"] * 19 + ["RECIBIDA"]
    assert sandbox.received_count(clave_of(xml)) == 1
    assert [a.estado for a in sandbox.authorizations(clave_of(xml))] == ["AUTORIZADO"]


def test_sequential_send_and_authorize_throughput(signer, tmp_path, record_property):
    """~300 documents, one client, sandbox in the same process (so client and server share the
    GIL and both costs add up). The figure is printed; the floor is loose because the CI
    machine is shared."""
    n = 300
    docs = [signer.invoice(1000 + i) for i in range(n)]
    with SriSandbox(accepted={RUC: {"001"}}, db_path=str(tmp_path / "sri.db")) as sri:
        client = SriClient(sri.recepcion_url, sri.autorizacion_url)
        started = time.perf_counter()
        for xml in docs:
            assert client.send(xml).estado == "RECIBIDA"
            assert client.authorize(clave_of(xml)).estado == "AUTORIZADO"
        elapsed = time.perf_counter() - started
        assert all(sri.received_count(clave_of(x)) == 1 for x in docs[:: 50])
    rate = n / elapsed
    record_property("sri_docs_per_second", round(rate, 1))
    print(f"\nSRI simulado: {n} documentos (send + authorize) en {elapsed:.2f} s = {rate:.0f} doc/s")
    assert rate >= 40
