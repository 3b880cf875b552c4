"""SriClient: the §4.5 action table, endpoints, and reading real-world SRI reply shapes over
real HTTP on 127.0.0.1 (the simulated SRI, and a replay server for shapes recorded from the
live SRI in public code that the simulator does not produce itself)."""
from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import pytest

from app.core.errors import ConfigurationError, TransportError
from app.fiscal.ec.client import SRI_ACTIONS, AuthorizationResult, SriClient, SriMessage, classify
from app.sandbox.faults import FaultInjector
from app.sandbox.http import LoopbackService, Request, Response
from app.fiscal.ec.sandbox import SriSandbox
from sample_paths import EC_SIGNER_SAMPLES  # noqa: E402

SAMPLES = EC_SIGNER_SAMPLES
CLAVE = "3105201501119000221300120010260000866211234567814"


def msg(identificador, tipo="ERROR"):
    return SriMessage(identificador, "x", None, tipo)


# -- classify -------------------------------------------------------------------------------------

@pytest.mark.parametrize("messages, action", [
    ([msg("43")], "poll"),
    ([msg("70")], "poll"),
    ([msg("50")], "retry"),
    ([msg("35")], "attention"),
    ([msg("39")], "attention"),
    ([msg("45")], "attention"),  # never renumber silently
    ([msg("52"), msg("60", "ADVERTENCIA")], "attention"),
    ([msg("43"), msg("60", "ADVERTENCIA")], "poll"),  # warnings never change the action
    ([msg("50"), msg("35")], "attention"),  # the most demanding error wins
    ([msg("43"), msg("50")], "retry"),
    ([msg("999")], "attention"),  # unknown error: a person looks
    ([msg("60", "ADVERTENCIA")], "attention"),  # rejected with no error at all: a person looks
    ([], "attention"),
])
def test_classify(messages, action):
    assert classify(messages) == action


def test_action_table_is_data_with_only_known_actions():
    assert set(SRI_ACTIONS.values()) == {"poll", "retry", "attention"}
    assert {k for k, v in SRI_ACTIONS.items() if v != "attention"} == {"43", "70", "50"}


# -- endpoints --------------------------------------------------------------------------------------

def test_for_environment_urls():
    c = SriClient.for_environment("pruebas")
    assert c.recepcion_url == "https://celcer.sri.gob.ec/comprobantes-electronicos-ws/RecepcionComprobantesOffline"
    assert c.autorizacion_url == ("https://celcer.sri.gob.ec/comprobantes-electronicos-ws/"
                                  "AutorizacionComprobantesOffline")
    c = SriClient.for_environment("produccion")
    assert c.recepcion_url.startswith("https://cel.sri.gob.ec/comprobantes-electronicos-ws/")
    c = SriClient.for_environment("sandbox", sandbox_url="http://127.0.0.1:8099/")
    assert c.autorizacion_url == "http://127.0.0.1:8099/comprobantes-electronicos-ws/AutorizacionComprobantesOffline"
    assert c.session.trust_env is False
    with pytest.raises(ConfigurationError):
        SriClient.for_environment("sandbox")
    with pytest.raises(ConfigurationError):
        SriClient.for_environment("celcer")


def test_send_wants_bytes():
    with pytest.raises(TypeError):
        SriClient.for_environment("sandbox", sandbox_url="http://127.0.0.1:9").send("<factura/>")


def test_connection_refused_is_a_transport_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = SriClient.for_environment("sandbox", sandbox_url=f"http://127.0.0.1:{port}", timeout=(1, 1))
    with pytest.raises(TransportError) as err:
        client.send(b"<x/>")
    assert "No se pudo conectar" in str(err.value)
    with pytest.raises(TransportError):
        client.authorize(CLAVE)


# -- against the simulated SRI, with a shared sample ------------------------------------------------

def test_sample_credit_note_is_received_then_rejected_for_its_clave():
    xml = (SAMPLES / "credit-note" / "signed.xml").read_bytes()
    clave = "2712202404123456789100110010010000000028694560211"
    with SriSandbox() as sri:
        client = SriClient(sri.recepcion_url, sri.autorizacion_url)
        sent = client.send(xml)
        assert (sent.estado, sent.messages) == ("RECIBIDA", [])
        result = client.authorize(clave)
        assert isinstance(result, AuthorizationResult)
        assert result.estado == "NO AUTORIZADO"
        errs = [m for m in result.messages if m.is_error]
        assert [m.identificador for m in errs] == ["58"]  # its check digit is wrong (6 expected, 1 present)
        assert "verificador" in errs[0].informacion_adicional
        assert result.comprobante.encode() == xml.strip()
        assert result.raw.startswith(b"<?xml")


# -- replayed real-world shapes ------------------------------------------------------------------

class Replay(LoopbackService):
    """Answers every POST with the next canned (status, content type, body)."""

    def __init__(self, *answers):
        super().__init__(faults=FaultInjector())
        self.answers = list(answers)

    def route(self, request: Request) -> Response:
        status, ctype, body = self.answers.pop(0)
        return Response(status, body, ctype)


def soap(inner: str) -> bytes:
    return ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            + inner + "</soap:Body></soap:Envelope>").encode("utf-8")


def aut(autorizaciones: str, clave: str = CLAVE, numero: int = 1) -> bytes:
    return soap('<ns2:autorizacionComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion">'
                f"<RespuestaAutorizacionComprobante><claveAccesoConsultada>{clave}</claveAccesoConsultada>"
                f"<numeroComprobantes>{numero}</numeroComprobantes><autorizaciones>{autorizaciones}"
                "</autorizaciones></RespuestaAutorizacionComprobante></ns2:autorizacionComprobanteResponse>")


def entry(estado, fecha="2026-09-16T07:50:56-05:00", messages="", numero=""):
    num = f"<numeroAutorizacion>{numero}</numeroAutorizacion>" if numero else ""
    return (f"<autorizacion><estado>{estado}</estado>{num}<fechaAutorizacion>{fecha}</fechaAutorizacion>"
            f"<ambiente>PRUEBAS</ambiente><comprobante><![CDATA[<factura/>]]></comprobante>"
            f"<mensajes>{messages}</mensajes></autorizacion>")


M39 = ("<mensaje><identificador>39</identificador><mensaje>FIRMA INVALIDA</mensaje><informacionAdicional>"
       "La validacion de la cadena de confianza ha fallado</informacionAdicional><tipo>ERROR</tipo></mensaje>")
M52 = ("<mensaje><identificador>52</identificador><mensaje>ERROR EN DIFERENCIAS</mensaje>"
       "<tipo>ERROR</tipo></mensaje>")


def replay_client(*answers):
    server = Replay(*[(200, "text/xml;charset=utf-8", a) if isinstance(a, bytes) else a for a in answers]).start()
    client = SriClient(server.url + "/r", server.url + "/a", timeout=(2, 2))
    return server, client


def test_real_2015_production_reply_with_escaped_comprobante():
    body = aut("<autorizacion><estado>AUTORIZADO</estado><numeroAutorizacion>0706201512424111900022130016097370826"
               "</numeroAutorizacion><fechaAutorizacion>2015-06-07T12:42:41.700-05:00</fechaAutorizacion>"
               "<ambiente>PRODUCCION</ambiente><comprobante>&lt;?xml version=\"1.0\" encoding=\"UTF-8\"?&gt;"
               "&lt;factura id=\"comprobante\" version=\"1.1.0\"&gt;&lt;/factura&gt;</comprobante>"
               "<mensajes/></autorizacion>")
    server, client = replay_client(body)
    with server:
        r = client.authorize(CLAVE)
    assert r.estado == "AUTORIZADO"
    assert r.numero_autorizacion == "0706201512424111900022130016097370826"
    assert r.fecha_autorizacion == dt.datetime(2015, 6, 7, 12, 42, 41, 700000,
                                               tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert r.ambiente == "PRODUCCION"
    assert r.comprobante.startswith('<?xml version="1.0"') and "<factura" in r.comprobante
    assert r.raw == body


def test_several_entries_autorizado_wins_else_the_last():
    server, client = replay_client(
        aut(entry("NO AUTORIZADO", messages=M39) + entry("AUTORIZADO", numero=CLAVE), numero=2),
        aut(entry("AUTORIZADO", numero=CLAVE) + entry("NO AUTORIZADO", messages=M52), numero=2),
        aut(entry("NO AUTORIZADO", messages=M39) + entry("NO AUTORIZADO", messages=M52), numero=2),
    )
    with server:
        first, second, third = client.authorize(CLAVE), client.authorize(CLAVE), client.authorize(CLAVE)
    assert (first.estado, first.numero_autorizacion, first.messages) == ("AUTORIZADO", CLAVE, [])
    assert second.estado == "AUTORIZADO"
    assert third.estado == "NO AUTORIZADO"
    assert [m.identificador for m in third.messages] == ["52"]


def test_en_proceso_without_numero_comprobantes():
    body = soap('<ns2:autorizacionComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion">'
                f"<RespuestaAutorizacionComprobante><claveAccesoConsultada>{CLAVE}</claveAccesoConsultada>"
                "<autorizaciones><autorizacion><estado>EN PROCESO</estado></autorizacion></autorizaciones>"
                "</RespuestaAutorizacionComprobante></ns2:autorizacionComprobanteResponse>")
    server, client = replay_client(body)
    with server:
        r = client.authorize(CLAVE)
    assert (r.estado, r.fecha_autorizacion, r.numero_autorizacion) == ("EN PROCESO", None, None)


def test_qualified_refs_as_the_wsdl_declares_them_are_read_too():
    inner = ('<ns2:autorizacion><estado>NO AUTORIZADO</estado><mensajes><ns2:mensaje><identificador>39'
             "</identificador><mensaje>FIRMA INVALIDA</mensaje><tipo>ERROR</tipo></ns2:mensaje></mensajes>"
             "</ns2:autorizacion>")
    server, client = replay_client(aut(inner))
    with server:
        r = client.authorize(CLAVE)
    assert (r.estado, [m.identificador for m in r.messages]) == ("NO AUTORIZADO", ["39"])


def test_devuelta_collects_every_message():
    body = soap('<ns2:validarComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.recepcion">'
                "<RespuestaRecepcionComprobante><estado>DEVUELTA</estado><comprobantes><comprobante>"
                f"<claveAcceso>{CLAVE}</claveAcceso><mensajes>"
                "<mensaje><identificador>35</identificador><mensaje>ARCHIVO NO CUMPLE ESTRUCTURA XML</mensaje>"
                "<informacionAdicional>cvc-complex-type.2.4.a</informacionAdicional><tipo>ERROR</tipo></mensaje>"
                "<mensaje><identificador>60</identificador><mensaje>AMBIENTE DE PRUEBAS</mensaje>"
                "<tipo>ADVERTENCIA</tipo></mensaje></mensajes></comprobante></comprobantes>"
                "</RespuestaRecepcionComprobante></ns2:validarComprobanteResponse>")
    server, client = replay_client(body)
    with server:
        r = client.send(b"<factura/>")
    assert (r.estado, r.clave) == ("DEVUELTA", CLAVE)
    assert [(m.identificador, m.tipo) for m in r.messages] == [("35", "ERROR"), ("60", "ADVERTENCIA")]
    assert r.messages[0].informacion_adicional == "cvc-complex-type.2.4.a"
    assert classify(r.messages) == "attention"


@pytest.mark.parametrize("answer, words", [
    (aut(entry("AUTORIZADO"), clave="1" * 49), "otra clave"),
    (aut(entry("ANULADO POR MARCIANOS")), "estado desconocido"),
    (aut(entry("AUTORIZADO", fecha="ayer")), "fecha"),
    ((200, "text/xml", soap("<soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring>"
                            "</soap:Fault>")), "error SOAP"),
    ((404, "text/html", b"<html>no</html>"), "HTTP 404"),
    ((502, "text/plain", b"Bad Gateway"), "HTTP 502"),
    ((200, "text/xml", b""), "mal formado o vac"),
    ((200, "text/xml", soap("<otra/>")), "no contiene"),
    ((200, "text/xml", b"<html><body>mantenimiento</body></html>"), "no es un mensaje SOAP"),
    ((200, "application/octet-stream", b"<html><body>mantenimiento"), "página web"),
])
def test_answers_outside_the_protocol_raise_transport_error(answer, words):
    server, client = replay_client(answer)
    with server:
        with pytest.raises(TransportError) as err:
            client.authorize(CLAVE)
    assert words in str(err.value)
