"""The simulated SRI over real HTTP on 127.0.0.1, driven by the real SriClient."""
from __future__ import annotations

import datetime as dt

import pytest
import requests
from lxml import etree

from app.fiscal.ec.client import SriClient, classify
from app.fiscal.ec.sandbox import MAX_SIZE, SriSandbox
from sri_docs import OTHER_RUC, RUC, clave_of, invoice_xml, make_clave, tamper, today_ec

WSDL_NS = {"wsdl": "http://schemas.xmlsoap.org/wsdl/", "soap": "http://schemas.xmlsoap.org/wsdl/soap/"}


def ids(messages):
    return [m.identificador for m in messages]


def errors(messages):
    return [m for m in messages if m.tipo == "ERROR"]


# -- happy path ---------------------------------------------------------------------------------

def test_recibida_then_pending_polls_then_autorizado(tmp_path, signer):
    xml = signer.invoice(1)
    clave = clave_of(xml)
    with SriSandbox(accepted={RUC: {"001"}}, db_path=str(tmp_path / "s.db"), poll_delay=2) as sri:
        client = SriClient(sri.recepcion_url, sri.autorizacion_url)
        sent = client.send(xml)
        assert (sent.estado, sent.messages) == ("RECIBIDA", [])
        assert b"<estado>RECIBIDA</estado>" in sent.raw
        first, second = client.authorize(clave), client.authorize(clave)
        assert [first.estado, second.estado] == ["PENDIENTE", "PENDIENTE"]
        assert first.numero_comprobantes == 0
        assert sri.authorizations(clave) == []  # still "processing"
        result = client.authorize(clave)
        assert result.estado == "AUTORIZADO"
        assert result.numero_autorizacion == clave  # offline scheme: the clave is the number
        assert result.ambiente == "PRUEBAS"
        assert result.fecha_autorizacion.utcoffset() == dt.timedelta(hours=-5)
        assert abs(result.fecha_autorizacion - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)
        assert [(m.identificador, m.tipo) for m in result.messages] == [("60", "ADVERTENCIA")]
        assert result.messages[0].mensaje == "ESTE PROCESO FUE REALIZADO EN EL AMBIENTE DE PRUEBAS"
        # The comprobante comes back byte for byte (CDATA), so it was base64-encoded exactly once.
        assert result.comprobante.encode("utf-8") == xml.decode("utf-8").strip().encode("utf-8")
        assert b"<![CDATA[" in result.raw
        assert sri.received_count(clave) == 1
        assert [a.estado for a in sri.authorizations(clave)] == ["AUTORIZADO"]
        client.close()


def test_pending_answer_en_proceso_style(signer):
    xml = signer.invoice(2)
    with SriSandbox(poll_delay=1, pending_answer="en_proceso") as sri:
        client = SriClient(sri.recepcion_url, sri.autorizacion_url)
        assert client.send(xml).estado == "RECIBIDA"
        assert client.authorize(clave_of(xml)).estado == "EN PROCESO"
        assert client.authorize(clave_of(xml)).estado == "AUTORIZADO"


def test_produccion_ambiente_has_no_pruebas_warning(client, sandbox, signer):
    xml = signer.invoice(3, ambiente="2")
    assert client.send(xml).estado == "RECIBIDA"
    result = client.authorize(clave_of(xml))
    assert (result.estado, result.ambiente, result.messages) == ("AUTORIZADO", "PRODUCCIÓN", [])


def test_unknown_clave_is_pending_with_zero_comprobantes(client):
    clave = make_clave(fecha=today_ec(), secuencial=999)
    result = client.authorize(clave)
    assert (result.estado, result.numero_comprobantes, result.messages) == ("PENDIENTE", 0, [])
    assert b"<numeroComprobantes>0</numeroComprobantes>" in result.raw


# -- idempotency and numbering ------------------------------------------------------------------

def test_resend_gives_43_and_is_authorized_exactly_once(client, sandbox, signer):
    xml = signer.invoice(10)
    clave = clave_of(xml)
    assert client.send(xml).estado == "RECIBIDA"
    assert client.authorize(clave).estado == "AUTORIZADO"
    for _ in range(3):
        again = client.send(xml)
        assert again.estado == "DEVUELTA"
        assert ids(again.messages) == ["43"]
        assert again.messages[0].mensaje == "CLAVE ACCESO REGISTRADA"
        assert again.clave == clave
        assert classify(again.messages) == "poll"
    assert sandbox.received_count(clave) == 1
    assert sandbox.devuelta_count(clave, "43") == 3
    assert [a.estado for a in sandbox.authorizations(clave)] == ["AUTORIZADO"]
    assert client.authorize(clave).estado == "AUTORIZADO"


def test_same_secuencial_with_another_clave_gives_45(client, sandbox, signer):
    first = signer.invoice(11, codigo="11111111")
    second = signer.invoice(11, codigo="22222222")
    assert clave_of(first) != clave_of(second)
    assert client.send(first).estado == "RECIBIDA"
    answer = client.send(second)
    assert answer.estado == "DEVUELTA"
    assert ids(answer.messages) == ["45"]
    assert answer.messages[0].mensaje == "SECUENCIAL REGISTRADO"
    assert clave_of(first) in answer.messages[0].informacion_adicional
    assert classify(answer.messages) == "attention"
    assert sandbox.received_count(clave_of(second)) == 0


def test_another_point_of_sale_may_reuse_the_secuencial(client, signer):
    assert client.send(signer.invoice(12, pto="001")).estado == "RECIBIDA"
    assert client.send(signer.invoice(12, pto="002")).estado == "RECIBIDA"


def test_no_autorizado_can_be_corrected_and_resent_with_the_same_clave(client, sandbox, signer):
    bad = signer.invoice(13, importe_total="99.99")
    clave = clave_of(bad)
    assert client.send(bad).estado == "RECIBIDA"
    assert client.authorize(clave).estado == "NO AUTORIZADO"
    good = signer.invoice(13)
    assert clave_of(good) == clave
    assert client.send(good).estado == "RECIBIDA"  # not 43: the SRI did not keep the rejected one
    result = client.authorize(clave)
    assert result.estado == "AUTORIZADO"
    # Both verdicts are published; the client picks the AUTORIZADO one (REFERENCE §4.3).
    assert result.raw.count(b"<autorizacion>") == 2
    assert [a.estado for a in sandbox.authorizations(clave)] == ["NO AUTORIZADO", "AUTORIZADO"]
    assert b"99.99" not in result.comprobante.encode()


def test_state_survives_a_restart_on_the_same_database(tmp_path, signer):
    db = str(tmp_path / "sri.db")
    xml = signer.invoice(14)
    clave = clave_of(xml)
    with SriSandbox(db_path=db) as sri:
        assert SriClient(sri.recepcion_url, sri.autorizacion_url).send(xml).estado == "RECIBIDA"
    with SriSandbox(db_path=db) as sri:
        client = SriClient(sri.recepcion_url, sri.autorizacion_url)
        assert client.authorize(clave).estado == "AUTORIZADO"
        assert ids(client.send(xml).messages) == ["43"]
        assert sri.received_count(clave) == 1


# -- recepción rejections, in the SRI's order -----------------------------------------------------

def test_not_xml_is_35_archivo_no_cumple_estructura(client):
    answer = client.send(b"esto no es XML")
    assert answer.estado == "DEVUELTA"
    assert ids(answer.messages) == ["35"]
    assert answer.messages[0].mensaje == "ARCHIVO NO CUMPLE ESTRUCTURA XML"
    assert classify(answer.messages) == "attention"


def test_invalid_base64_is_35(sandbox):
    envelope = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:rec="http://ec.gob.sri.ws.recepcion"><soapenv:Body><rec:validarComprobante>'
                '<xml>%%%no-es-base64%%%</xml></rec:validarComprobante></soapenv:Body></soapenv:Envelope>')
    r = requests.post(sandbox.recepcion_url, data=envelope.encode(), headers={"Content-Type": "text/xml"})
    assert r.status_code == 200
    assert b"<estado>DEVUELTA</estado>" in r.content and b"<identificador>35</identificador>" in r.content


def test_schema_invalid_is_35_with_the_validator_message(client, sandbox, signer):
    xml = invoice_xml(20).replace(b"<razonSocialComprador>CONSUMIDOR FINAL</razonSocialComprador>", b"")
    answer = client.send(signer.sign(xml))
    assert answer.estado == "DEVUELTA"
    assert ids(answer.messages) and set(ids(answer.messages)) == {"35"}
    assert "razonSocialComprador" in " ".join(m.informacion_adicional for m in answer.messages)
    assert sandbox.received_count(clave_of(xml)) == 0


def test_oversize_is_26_before_the_schema(client, signer):
    xml = signer.invoice(21)
    big = xml + b"<!--" + b"x" * (MAX_SIZE + 10) + b"-->"
    answer = client.send(big)
    assert (answer.estado, ids(answer.messages)) == ("DEVUELTA", ["26"])


def test_unregistered_ruc_is_46_and_closed_establishment_is_56(client, signer):
    other = signer.sign(invoice_xml(22, ruc=OTHER_RUC))
    answer = client.send(other)
    assert (answer.estado, ids(answer.messages)) == ("DEVUELTA", ["46"])
    answer = client.send(signer.invoice(22, estab="003"))
    assert (answer.estado, ids(answer.messages)) == ("DEVUELTA", ["56"])
    assert classify(answer.messages) == "attention"


def test_accepted_may_be_a_callable(signer):
    with SriSandbox(accepted=lambda ruc: {"*"} if ruc == RUC else None) as sri:
        client = SriClient(sri.recepcion_url, sri.autorizacion_url)
        assert client.send(signer.invoice(23, estab="777")).estado == "RECIBIDA"
        assert ids(client.send(signer.sign(invoice_xml(23, ruc=OTHER_RUC))).messages) == ["46"]


# -- autorización verdicts ---------------------------------------------------------------------

def test_bad_signature_is_recibida_then_no_autorizado_39(client, sandbox, signer):
    xml = tamper(signer.invoice(30), b"Producto de prueba", b"Producto de prueba alterado")
    assert client.send(xml).estado == "RECIBIDA"  # the signature is judged after reception
    result = client.authorize(clave_of(xml))
    assert result.estado == "NO AUTORIZADO"
    assert [m.identificador for m in errors(result.messages)] == ["39"]
    assert errors(result.messages)[0].mensaje == "FIRMA INVALIDA"
    assert "60" in ids(result.messages)  # pruebas warning rides along
    assert result.numero_autorizacion is None
    assert classify(result.messages) == "attention"


def test_unsigned_document_is_no_autorizado_39(client):
    xml = invoice_xml(31)
    assert client.send(xml).estado == "RECIBIDA"
    result = client.authorize(clave_of(xml))
    assert (result.estado, ids(errors(result.messages))) == ("NO AUTORIZADO", ["39"])


def test_bad_arithmetic_is_no_autorizado_52(client, signer):
    xml = signer.invoice(32, importe_total="25.00")  # 2 × 10.00 + 15 % = 23.00
    assert client.send(xml).estado == "RECIBIDA"
    result = client.authorize(clave_of(xml))
    assert result.estado == "NO AUTORIZADO"
    errs = errors(result.messages)
    assert errs and {m.identificador for m in errs} == {"52"}
    assert all(m.mensaje == "ERROR EN DIFERENCIAS" and m.informacion_adicional for m in errs)
    assert "importeTotal" in " ".join(m.informacion_adicional for m in errs)


def test_clave_disagreeing_with_the_xml_is_no_autorizado_58(client, signer):
    wrong = make_clave(fecha=today_ec(), secuencial=34)  # valid check digit, wrong secuencial
    xml = signer.invoice(33, clave=wrong)
    assert client.send(xml).estado == "RECIBIDA"
    result = client.authorize(wrong)
    assert (result.estado, ids(errors(result.messages))) == ("NO AUTORIZADO", ["58"])
    assert "secuencial" in errors(result.messages)[0].informacion_adicional


def test_clave_with_a_wrong_check_digit_is_no_autorizado_58(client, signer):
    good = make_clave(fecha=today_ec(), secuencial=35)
    bad = good[:48] + str((int(good[48]) + 1) % 10)
    xml = signer.invoice(35, clave=bad)
    assert client.send(xml).estado == "RECIBIDA"
    result = client.authorize(bad)
    assert (result.estado, ids(errors(result.messages))) == ("NO AUTORIZADO", ["58"])
    assert "verificador" in errors(result.messages)[0].informacion_adicional


def test_malformed_clave_query_is_80(client):
    result = client.authorize("123")
    assert result.estado == "NO AUTORIZADO"
    assert ids(result.messages) == ["80"]


# -- WSDL and control endpoints ---------------------------------------------------------------

@pytest.mark.parametrize("which", ["recepcion_url", "autorizacion_url"])
def test_wsdl_is_served_with_its_own_address(sandbox, which):
    url = getattr(sandbox, which)
    r = requests.get(url + "?wsdl")
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.tag == "{http://schemas.xmlsoap.org/wsdl/}definitions"
    assert root.xpath("//soap:address/@location", namespaces=WSDL_NS) == [url]


def test_zeep_can_load_the_served_wsdl_and_call_it(sandbox):
    import zeep
    from zeep.transports import Transport
    session = requests.Session()
    session.trust_env = False
    client = zeep.Client(sandbox.autorizacion_url + "?wsdl", transport=Transport(session=session))
    reply = client.service.autorizacionComprobante(claveAccesoComprobante=make_clave(fecha=today_ec()))
    assert reply.numeroComprobantes == "0"


def test_documents_endpoint_reports_the_same_facts(client, sandbox, signer):
    xml = signer.invoice(40)
    clave = clave_of(xml)
    client.send(xml)
    client.send(xml)
    client.authorize(clave)
    facts = requests.get(f"{sandbox.url}/_sandbox/documents/{clave}").json()
    assert facts["received"] == 1
    assert [r["identificador"] for r in facts["receptions"]] == [None, "43"]
    assert [a["estado"] for a in facts["authorizations"]] == ["AUTORIZADO"]


def test_raw_soap_request_with_empty_xml_is_49(sandbox):
    envelope = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:rec="http://ec.gob.sri.ws.recepcion"><soapenv:Body><rec:validarComprobante/>'
                '</soapenv:Body></soapenv:Envelope>')
    r = requests.post(sandbox.recepcion_url, data=envelope.encode(), headers={"Content-Type": "text/xml"})
    assert b"<identificador>49</identificador>" in r.content


def test_non_soap_body_gets_a_soap_fault_500(sandbox):
    r = requests.post(sandbox.recepcion_url, data=b"hola", headers={"Content-Type": "text/xml"})
    assert r.status_code == 500 and b"<faultstring>" in r.content


def test_base64_of_the_sent_document_is_what_the_sandbox_stored(client, sandbox, signer):
    xml = signer.invoice(41)
    client.send(xml)
    stored = sandbox.store.db.execute("SELECT xml FROM documents WHERE clave=?", (clave_of(xml),)).fetchone()[0]
    assert bytes(stored) == xml  # zeep base64-encoded the raw bytes exactly once
