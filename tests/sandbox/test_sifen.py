"""The simulated SIFEN: answers shaped by the WS_* XSDs, the manual's codes and texts,
duplicate and pending-CDC rules, lote windows, events, faults and the control endpoint."""
from __future__ import annotations

import base64
import json
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import requests

from app.fiscal import signing
from app.fiscal.py import client as client_mod
from app.fiscal.py import dsig, events, qr, schema
from app.fiscal.py.backend import PyBackend, csc_account
from app.fiscal.py.client import SifenClient
from app.fiscal.py.sandbox import SifenSandbox
from app.xmlsafe import parse_xml

from sifen_docs import ACCEPTED, COMPANY, Signer, identity

SCHEMAS = {"rRetEnviDe": "WS_SiRecepDE_v150.xsd", "rResEnviLoteDe": "WS_SiRecepLoteDE_v141.xsd",
           "rResEnviConsLoteDe": "WS_SiConsLote_v141.xsd", "rEnviConsDeResponse": "WS_SiConsDE_v141.xsd",
           "rResEnviConsRUC": "WS_SiConsRUC_v141.xsd", "rRetEnviEventoDe": "WS_SiRecepEvento_v150.xsd"}


COMPILED = {name: schema._schema(xsd) for name, xsd in SCHEMAS.items()}  # before any sandbox thread


def assert_valid(raw: bytes) -> None:
    """The answer is a SOAP 1.2 envelope whose payload validates against its WS_* schema."""
    env = parse_xml(raw)
    assert env.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    payload = env[1][0]
    name = payload.tag.split("}")[1]
    sch = COMPILED[name]
    from lxml import etree
    doc = etree.fromstring(etree.tostring(payload))
    assert schema._run(sch, doc) == [], name  # under the schema lock: the sandbox validates too


@pytest.fixture
def sifen(tmp_path):
    with SifenSandbox(accepted_rucs=ACCEPTED, db_path=str(tmp_path / "s.db"), lote_processing_seconds=0.2,
                      lote_query_window_seconds=3.0, block_seconds=30) as s:
        yield s
        assert s.errors == []


@pytest.fixture
def client(sifen):
    c = SifenClient(sifen.url, timeout=(2, 10))
    yield c
    c.close()


@pytest.fixture
def signer():
    return Signer(seed=21)


def test_every_answer_matches_its_schema(sifen, client, signer):
    docs = signer.many(3)
    r = client.send_de(docs[0].xml)
    assert_valid(r.raw)
    ack = client.send_lote([d.xml for d in docs[1:]])
    assert_valid(ack.raw)
    assert_valid(client.query_lote(ack.protocol).raw)  # 0361
    time.sleep(0.25)
    res = client.query_lote(ack.protocol)
    assert res.code == "0362" and res.message.startswith("Procesamiento de lote concluido")
    assert_valid(res.raw)
    assert_valid(client.query_de(docs[1].key).raw)
    assert_valid(client.query_de("0" * 44).raw)
    assert_valid(client.query_ruc("80012345").raw)
    assert_valid(client.query_ruc("999999").raw)
    ev = events.build_signed([(1, events.cancellation(docs[0].key, "Error de carga"))], identity().key,
                             identity().cert, datetime.now(timezone.utc))
    answer = client.send_event(ev)
    assert_valid(answer.raw)
    assert answer.results[0].codes == ["0600"] and answer.results[0].cdc == "1"


def _tamper(xml: bytes, old: bytes, new: bytes) -> bytes:
    assert old in xml
    return xml.replace(old, new, 1)


def test_rejection_codes_with_the_manuals_texts(sifen, client, signer, memory_keyring):
    doc = signer.sale()
    cases = {
        "0160": _tamper(doc.xml, b"<dVerFor>150</dVerFor>", b"<dVerFor>abc</dVerFor>"),
        "0141": _tamper(doc.xml, b"Tienda Demo Mostrador", b"Tienda Demo Mostradox"),
        "1000": _tamper(doc.xml, b"<dNumDoc>" + doc.key[17:24].encode(), b"<dNumDoc>0000999"),
        "2501": dsig.add_qr(doc.xml, "0001", "WRONG" + "0" * 27),
    }
    other = Signer(seed=3)
    cases["0142"] = other.sale(identity_=identity("3456789-5")).xml
    for code, xml in cases.items():
        r = client.send_de(xml).result
        assert r.status == "Rechazado" and r.codes == [code], (code, r)
    assert client.send_de(cases["0141"]).result.messages[0].message.startswith("Valor de la firma")
    # unknown timbrado for the RUC
    wrong = Signer(replace(COMPANY, timbrado="11111111"), seed=4)
    r = client.send_de(wrong.sale().xml).result
    assert r.codes == ["1101"] and "timbrado" in r.messages[0].message
    # production name in the test environment, QR signed with a CSC from the keyring
    signing.store_secret(csc_account(COMPANY.ruc), qr.TEST_CSC["0001"])
    prod = Signer(replace(COMPANY, environment="produccion"), seed=5)
    assert client.send_de(prod.sale().xml).result.codes == ["1263"]


def test_dates_duplicates_and_observation(sifen, client, signer):
    old = datetime.now(timezone.utc) - timedelta(hours=80)
    late = signer.sale(now=old)
    r = client.send_de(late.xml).result
    assert r.status == "Aprobado con observación" and r.codes == ["1005"] and r.approved
    ancient = datetime.now(timezone.utc) - timedelta(days=31)
    assert client.send_de(signer.sale(now=ancient).xml).result.codes == ["1150"]
    doc = signer.sale()
    assert client.send_de(doc.xml).result.codes == ["0260"]
    assert client.send_de(doc.xml).result.codes == ["1001"]
    # the same number under another CDC (other dCodSeg): documento duplicado
    b = PyBackend()
    body = __import__("app.fiscal.py.demo", fromlist=["x"]).demo_py_sale(COMPANY, __import__("random").Random(1), 1)
    d1 = b.sign(b.parse(body, "invoices", COMPANY), 500, identity(), COMPANY)
    d2 = b.sign(b.parse(body, "invoices", COMPANY), 500, identity(), COMPANY)
    assert d1.key != d2.key
    assert client.send_de(d1.xml).result.codes == ["0260"]
    assert client.send_de(d2.xml).result.codes == ["1002"]
    assert sifen.state(d1.key) == "approved" and sifen.state(d2.key) == "rejected"


def test_pending_cdc_resent_blocks_the_ruc(sifen, client, signer):
    sifen.lote_processing_seconds = 60.0  # still processing when resent, however loaded the machine
    docs = signer.many(3)
    ack = client.send_lote([d.xml for d in docs])
    assert ack.code == "0300"
    again = client.send_lote([docs[0].xml])  # still processing: SIFEN blocks the emitter
    assert again.code == "0301" and "bloqueado" in again.message
    assert sifen.blocks == 1
    time.sleep(0.25)
    later = client.send_lote([signer.sale().xml])
    assert later.code == "0301"  # blocked for block_seconds, whatever the lote
    assert client.send_de(signer.sale().xml).result.codes == ["0301"]


def test_duplicate_cdc_inside_a_lote_and_limits(sifen, client, signer):
    doc = signer.sale()
    assert client.send_lote([doc.xml, doc.xml]).code == "0301"
    assert sifen.blocks == 1
    with pytest.raises(ValueError):
        client_mod.lote_zip([doc.xml] * 51)


def test_lote_window_expires_with_0364_and_unknown_is_0360(sifen, client, signer):
    ack = client.send_lote([d.xml for d in signer.many(2)])
    assert client.query_lote("99999999999999999").code == "0360"
    time.sleep(3.1)
    res = client.query_lote(ack.protocol)
    assert res.code == "0364" and res.results == []


def test_events(sifen, client, signer):
    doc = signer.sale()
    client.send_de(doc.xml)
    key, cert = identity().key, identity().cert
    now = datetime.now(timezone.utc)

    def send(group, eid):
        return client.send_event(events.build_signed([(eid, group)], key, cert, now)).results[0]
    never_sent = signer.sale()
    assert send(events.cancellation(never_sent.key, "Motivo de prueba"), 1).codes == ["4002"]
    assert send(events.cancellation(doc.key, "Motivo de prueba"), 2).codes == ["0600"]
    assert send(events.cancellation(doc.key, "Motivo de prueba"), 3).codes == ["4003"]
    late = signer.sale()
    client.send_de(late.xml)
    with sifen.store.transaction() as db:
        db.execute("UPDATE des SET approved_at=approved_at-49*3600 WHERE cdc=?", (late.key,))
    assert send(events.cancellation(late.key, "Motivo de prueba"), 4).codes == ["4009"]
    n = int(doc.key[17:24])
    assert send(events.inutilization(COMPANY.timbrado, "001", "001", n, n + 2, 1, "Numeros saltados"), 5).codes == ["4065"]
    assert send(events.inutilization(COMPANY.timbrado, "001", "001", 900, 910, 1, "Numeros saltados"), 6).codes == ["0600"]
    assert send(events.inutilization(COMPANY.timbrado, "001", "001", 905, 905, 1, "Numeros saltados"), 7).codes == ["4066"]
    bad_sig = events.build_signed([(8, events.cancellation(late.key, "Motivo de prueba"))], key, cert, now)
    bad_sig = bad_sig.replace(b"Motivo de prueba", b"Motivo de pruebo")
    assert client.send_event(bad_sig).results[0].codes == ["0141"]


def test_faults_over_the_control_endpoint(sifen, client, signer):
    r = requests.post(sifen.url + "/_sandbox/faults", json={"kind": "busy", "count": 1})
    assert r.status_code == 201
    assert client.send_de(signer.sale().xml).result.codes == ["0161"]
    r = requests.post(sifen.url + "/_sandbox/faults", json={"kind": "busy", "endpoint": "consulta"})
    assert r.status_code == 400  # busy only means something at recibe
    requests.post(sifen.url + "/_sandbox/faults", json={"kind": "not_queued"})
    assert client.send_lote([signer.sale().xml]).code == "0301"
    doc = signer.sale()
    client.send_de(doc.xml)
    info = requests.get(sifen.url + f"/_sandbox/documents/{doc.key}").json()
    assert info["state"] == "approved" and info["received"] == 1
    assert requests.get(sifen.url + "/_sandbox/stats").json()["approved"] >= 1
    wsdl = requests.get(sifen.url + client_mod.PATHS["recibe"] + "?wsdl")
    assert wsdl.status_code == 200 and (sifen.url + client_mod.PATHS["recibe"]).encode() in wsdl.content


def test_garbage_gets_soap_faults(sifen):
    url = sifen.url + client_mod.PATHS["recibe"]
    r = requests.post(url, data=b"<no")
    assert r.status_code == 400 and b"Fault" in r.content
    r = requests.post(url, data=client_mod.envelope(b'<rEnviConsRUC xmlns="http://ekuatia.set.gov.py/sifen/xsd"/>'))
    assert r.status_code == 400 and b"Fault" in r.content
    lote = sifen.url + client_mod.PATHS["recibe-lote"]
    body = b'<rEnvioLote xmlns="http://ekuatia.set.gov.py/sifen/xsd"><dId>1</dId><xDE>' + \
        base64.b64encode(b"not a zip") + b"</xDE></rEnvioLote>"
    r = requests.post(lote, data=client_mod.envelope(body))
    assert b"<ns2:dCodRes>0160</ns2:dCodRes>" in r.content
