"""SOAP 1.2 client for SIFEN's web services, over TLS with mutual authentication.

REFERENCE §5: envelopes are built with lxml-free string templates around the exact signed
bytes (zeep cannot load the SET WSDLs offline and mangles `xs:any`), POSTed with `requests`
to the service URL ending in `.wsdl`, the client certificate being the taxpayer's own
(requests-pkcs12 `Pkcs12Adapter`; `trust_env=False` so no environment CA bundle or proxy
silently replaces ours — ecosystem notes §A2). Replies are read with the safe parser and
matched by local name (SIFEN prefixes them `ns2:`). Anything that is not a SIFEN answer —
the F5 "BIG-IP" HTML page, a SOAP fault, garbage, a timeout — raises `TransportError`.
"""
from __future__ import annotations

import base64
import io
import itertools
import secrets
import time
import zipfile
from dataclasses import dataclass

import requests

from app.core.errors import ConfigurationError, TransportError, ValidationError
from app.xmlsafe import parse_xml

SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SIFEN_NS = "http://ekuatia.set.gov.py/sifen/xsd"
HOSTS = {"pruebas": "https://sifen-test.set.gov.py", "produccion": "https://sifen.set.gov.py"}
PATHS = {
    "recibe": "/de/ws/sync/recibe.wsdl",
    "recibe-lote": "/de/ws/async/recibe-lote.wsdl",
    "consulta-lote": "/de/ws/consultas/consulta-lote.wsdl",
    "consulta": "/de/ws/consultas/consulta.wsdl",
    "consulta-ruc": "/de/ws/consultas/consulta-ruc.wsdl",
    "evento": "/de/ws/eventos/evento.wsdl",
}
LOTE_MAX = 50
MESSAGE_MAX = 1000 * 1024  # GUIA §4e: the (compressed) message must stay under 1000 KB
_XML_DECL = b"<?xml"


# ----------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Msg:
    code: str  # dCodRes
    message: str  # dMsgRes, verbatim

    def as_dict(self) -> dict:
        return {"codigo": self.code, "mensaje": self.message}

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


@dataclass(frozen=True)
class DEResult:
    """rProtDe: what SIFEN decided about one DE (sync reception, or one entry of a lote)."""

    cdc: str
    status: str  # dEstRes: 'Aprobado' | 'Aprobado con observación' | 'Rechazado'
    protocol: str | None  # dProtAut
    messages: list[Msg]
    processed_at: str | None = None
    digest: str | None = None  # dDigVal

    @property
    def approved(self) -> bool:
        return self.status.lower().startswith("aprobado")

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.messages]


@dataclass(frozen=True)
class SyncResult:
    result: DEResult
    raw: bytes


@dataclass(frozen=True)
class LoteAck:
    code: str  # 0300 | 0301 | ...
    message: str
    protocol: str | None  # dProtConsLote, TEXT (up to 28 digits)
    raw: bytes

    @property
    def accepted(self) -> bool:
        return self.code == "0300" and bool(self.protocol)


@dataclass(frozen=True)
class LoteResult:
    code: str  # dCodResLot: 0360 | 0361 | 0362 | 0363 | 0364 | 0340
    message: str
    results: list[DEResult]
    raw: bytes


@dataclass(frozen=True)
class ConsultaResult:
    code: str  # 0420 | 0421 | 0422
    message: str
    protocol: str | None  # dProtAut of the approved DE, when found
    content: bytes | None  # xContenDE (the rContDe container), as XML bytes
    raw: bytes

    @property
    def found(self) -> bool:
        return self.code == "0422"


@dataclass(frozen=True)
class RucResult:
    code: str  # 0500 | 0501 | 0502
    message: str
    ruc: str = ""
    name: str = ""
    state_code: str = ""
    state: str = ""
    electronic_invoicing: bool = False
    raw: bytes = b""


@dataclass(frozen=True)
class EventResult:
    results: list[DEResult]  # one per rEve: cdc = the rEve Id
    raw: bytes


# ------------------------------------------------------------------------------ XML helpers

def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el, name: str):
    if el is None:
        return None
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name] if el is not None else []


def _text(el, name: str) -> str | None:
    c = _child(el, name)
    if c is None:
        return None
    return (c.text or "").strip()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def strip_declaration(xml: bytes) -> bytes:
    """The signed rDE without its `<?xml …?>` line, to embed it in an envelope."""
    data = xml.lstrip()
    if data.startswith(_XML_DECL):
        data = data[data.index(b"?>") + 2:]
    return data


def envelope(body: bytes) -> bytes:
    """A SOAP 1.2 envelope with an empty header, declaration first (TIPS setapi #13)."""
    return (b'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="' + SOAP12_NS.encode()
            + b'"><env:Header/><env:Body>' + body + b"</env:Body></env:Envelope>")


def lote_zip(xmls: list[bytes]) -> bytes:
    """rLoteDE holding each signed rDE verbatim (its own namespace declarations), zipped as
    one entry (MT §9.2; the entry name is not prescribed)."""
    if not 1 <= len(xmls) <= LOTE_MAX:
        raise ValueError(f"Un lote lleva entre 1 y {LOTE_MAX} documentos")
    content = (b'<?xml version="1.0" encoding="UTF-8"?><rLoteDE>'
               + b"".join(strip_declaration(x) for x in xmls) + b"</rLoteDE>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("lote.xml", content)
    return buf.getvalue()


def _de_result(el) -> DEResult:
    msgs = [Msg(_text(g, "dCodRes") or "", _text(g, "dMsgRes") or "") for g in _children(el, "gResProc")]
    return DEResult(cdc=_text(el, "Id") or _text(el, "id") or "", status=_text(el, "dEstRes") or "",
                    protocol=_text(el, "dProtAut") or None, messages=msgs,
                    processed_at=_text(el, "dFecProc"), digest=_text(el, "dDigVal") or None)


_ids = itertools.count(int(time.time() * 1000) % 10**12)


def next_d_id() -> int:
    """dId: 1-15 digits, only echoed by SIFEN (not an idempotency key)."""
    return next(_ids) % 10**15 or 1


# ---------------------------------------------------------------------------------- client

def _error(message: str, maybe_received: bool) -> TransportError:
    """A TransportError that says whether SIFEN may have processed the request anyway (the
    answer was lost) — then the caller must query before resending — or surely did not."""
    exc = TransportError(message)
    exc.maybe_received = maybe_received
    return exc


def _pkcs12_adapter(identity):
    """Client-certificate TLS from the in-memory identity: re-serialised as a PKCS#12 with a
    one-off random password (never the user's), for requests-pkcs12."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from requests_pkcs12 import Pkcs12Adapter

    password = secrets.token_bytes(24).hex().encode()
    data = pkcs12.serialize_key_and_certificates(b"mostrador", identity.key, identity.cert,
                                                 list(getattr(identity, "chain", ()) or ()),
                                                 BestAvailableEncryption(password))
    return Pkcs12Adapter(pkcs12_data=data, pkcs12_password=password)


class SifenClient:
    """`SifenClient.for_environment('pruebas', identity=...)`; each call raises TransportError
    when SIFEN cannot be reached or answers something that is not SIFEN's protocol."""

    def __init__(self, base_url: str, *, identity=None, ca_file: str | None = None,
                 timeout: tuple[float, float] = (15, 45), session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        # Never pick up proxies or CA bundles from the environment (ecosystem notes §A2).
        self.session.trust_env = False
        if self.base_url.startswith("https://"):
            if identity is None:
                raise ConfigurationError("SIFEN exige autenticación TLS mutua: falta el certificado del contribuyente")
            self.session.mount("https://", _pkcs12_adapter(identity))
            self.session.verify = ca_file if ca_file else True

    @classmethod
    def for_environment(cls, env: str, *, identity=None, sandbox_url: str | None = None,
                        ca_file: str | None = None, **kwargs) -> "SifenClient":
        """'sandbox' (sandbox_url: http://127.0.0.1:port or https:// for the mTLS sandbox),
        'pruebas' (sifen-test.set.gov.py) or 'produccion' (sifen.set.gov.py)."""
        if env == "sandbox":
            if not sandbox_url:
                raise ConfigurationError("Para el SIFEN simulado hace falta su dirección (p. ej. http://127.0.0.1:8090)")
            return cls(sandbox_url, identity=identity, ca_file=ca_file, **kwargs)
        if env not in HOSTS:
            raise ConfigurationError(f"Ambiente desconocido: {env!r}; use 'sandbox', 'pruebas' o 'produccion'")
        return cls(HOSTS[env], identity=identity, ca_file=ca_file, **kwargs)

    def url(self, service: str) -> str:
        return self.base_url + PATHS[service]

    def close(self) -> None:
        self.session.close()

    # -- operations ------------------------------------------------------------------------
    def send_de(self, xml: bytes, d_id: int | None = None) -> SyncResult:
        """siRecepDE: one signed rDE, inline (not base64). Final answer at once."""
        body = (b'<rEnviDe xmlns="' + SIFEN_NS.encode() + b'"><dId>' + str(d_id or next_d_id()).encode()
                + b"</dId><xDE>" + strip_declaration(xml) + b"</xDE></rEnviDe>")
        raw, payload = self._call("recibe", body, "rRetEnviDe")
        prot = _child(payload, "rProtDe")
        if prot is None or not _text(prot, "dEstRes"):
            raise TransportError("La respuesta de SIFEN (recibe) no contiene rProtDe/dEstRes")
        return SyncResult(_de_result(prot), raw)

    def send_lote(self, xmls: list[bytes], d_id: int | None = None) -> LoteAck:
        """siRecepLoteDE: up to 50 signed DEs of ONE type, zipped and base64'd."""
        data = base64.b64encode(lote_zip(xmls))
        if len(data) > MESSAGE_MAX:
            raise ValidationError(f"El lote comprimido ocupa {len(data) // 1024} KB; el máximo es 1000 KB")
        body = (b'<rEnvioLote xmlns="' + SIFEN_NS.encode() + b'"><dId>' + str(d_id or next_d_id()).encode()
                + b"</dId><xDE>" + data + b"</xDE></rEnvioLote>")
        raw, payload = self._call("recibe-lote", body, "rResEnviLoteDe")
        code = _text(payload, "dCodRes")
        if not code:
            raise TransportError("La respuesta de SIFEN (recibe-lote) no contiene dCodRes")
        return LoteAck(code, _text(payload, "dMsgRes") or "", _text(payload, "dProtConsLote") or None, raw)

    def query_lote(self, protocol: str, d_id: int | None = None) -> LoteResult:
        """siResultLoteDE by dProtConsLote."""
        body = (b'<rEnviConsLoteDe xmlns="' + SIFEN_NS.encode() + b'"><dId>' + str(d_id or next_d_id()).encode()
                + b"</dId><dProtConsLote>" + _esc(str(protocol)).encode() + b"</dProtConsLote></rEnviConsLoteDe>")
        raw, payload = self._call("consulta-lote", body, "rResEnviConsLoteDe")
        code = _text(payload, "dCodResLot")
        if not code:
            raise TransportError("La respuesta de SIFEN (consulta-lote) no contiene dCodResLot")
        results = []
        for g in _children(payload, "gResProcLote"):
            r = _de_result(g)
            results.append(r)
        return LoteResult(code, _text(payload, "dMsgResLot") or "", results, raw)

    def query_de(self, cdc: str, d_id: int | None = None) -> ConsultaResult:
        """siConsDE by CDC: 0422 + the approved DE, or 0420 (not there or not approved)."""
        body = (b'<rEnviConsDeRequest xmlns="' + SIFEN_NS.encode() + b'"><dId>' + str(d_id or next_d_id()).encode()
                + b"</dId><dCDC>" + _esc(cdc).encode() + b"</dCDC></rEnviConsDeRequest>")
        raw, payload = self._call("consulta", body, "rEnviConsDeResponse")
        code = _text(payload, "dCodRes")
        if not code:
            raise TransportError("La respuesta de SIFEN (consulta) no contiene dCodRes")
        content, protocol = None, None
        cont = _child(payload, "xContenDE")
        if cont is not None:
            if len(cont):  # inline XML
                from lxml import etree
                content = etree.tostring(cont[0])
            elif (cont.text or "").strip():  # xs:string: the container arrives as text
                content = cont.text.strip().encode("utf-8")
            if content:
                try:
                    protocol = _text(parse_xml(content), "dProtAut") or None
                except ValidationError:
                    protocol = None
        return ConsultaResult(code, _text(payload, "dMsgRes") or "", protocol, content, raw)

    def query_ruc(self, ruc: str, d_id: int | None = None) -> RucResult:
        """siConsRUC: the RUC without check digit (5-8 chars)."""
        base = ruc.split("-")[0].strip()
        body = (b'<rEnviConsRUC xmlns="' + SIFEN_NS.encode() + b'"><dId>' + str(d_id or next_d_id()).encode()
                + b"</dId><dRUCCons>" + _esc(base).encode() + b"</dRUCCons></rEnviConsRUC>")
        raw, payload = self._call("consulta-ruc", body, "rResEnviConsRUC")
        code = _text(payload, "dCodRes")
        if not code:
            raise TransportError("La respuesta de SIFEN (consulta-ruc) no contiene dCodRes")
        c = _child(payload, "xContRUC")
        return RucResult(code, _text(payload, "dMsgRes") or "", _text(c, "dRUCCons") or "",
                         _text(c, "dRazCons") or "", _text(c, "dCodEstCons") or "",
                         _text(c, "dDesEstCons") or "", (_text(c, "dRUCFactElec") or "").upper() == "S", raw)

    def send_event(self, signed_request: bytes) -> EventResult:
        """siRecepEvento: a signed rEnviEventoDe (built by `events.build_signed`)."""
        raw, payload = self._call("evento", strip_declaration(signed_request), "rRetEnviEventoDe")
        results = [_de_result(g) for g in _children(payload, "gResProcEVe")]
        if not results:
            raise TransportError("La respuesta de SIFEN (evento) no contiene gResProcEVe")
        return EventResult(results, raw)

    # -- transport ---------------------------------------------------------------------------
    def _call(self, service: str, body: bytes, result_name: str):
        """POSTs one envelope; returns (raw bytes, the result element) or raises TransportError.
        SIFEN answers errors with HTTP 4xx/5xx and a SOAP body too: the body decides."""
        data = envelope(body)
        try:
            response = self.session.post(self.url(service), data=data, timeout=self.timeout,
                                         headers={"Content-Type": "application/xml; charset=utf-8"})
        except requests.exceptions.SSLError as exc:
            raise _error(f"SIFEN ({service}): falló la conexión TLS con certificado "
                         "(revise el certificado del contribuyente y su fecha)", False) from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise _error(f"SIFEN ({service}) no aceptó la conexión a tiempo", False) from exc
        except requests.Timeout as exc:
            raise _error(f"SIFEN ({service}) no respondió a tiempo", True) from exc
        except requests.ConnectionError as exc:
            refused = "NewConnectionError" in repr(exc) or "Connection refused" in str(exc)
            raise _error(f"No se pudo conectar con SIFEN ({service}): la conexión falló o fue cortada",
                         not refused) from exc
        except requests.RequestException as exc:
            raise _error(f"Error de comunicación con SIFEN ({service}): {type(exc).__name__}", True) from exc
        raw = response.content
        status = response.status_code
        ctype = (response.headers.get("Content-Type") or "").lower()
        head = raw[:2048].lower()
        if "html" in ctype or b"<html" in head or b"big-ip" in head:
            raise TransportError(f"SIFEN ({service}) respondió una página web (BIG-IP) en lugar de SOAP "
                                 f"(HTTP {status}); se reintentará")
        try:
            root = parse_xml(raw) if raw.strip() else None
        except ValidationError:
            root = None
        if root is None:
            # the answer is broken, not necessarily the processing: query before resending
            raise _error(f"SIFEN ({service}) respondió un XML mal formado o vacío (HTTP {status})", True)
        if _local(root.tag) != "Envelope" or root.tag.split("}")[0].lstrip("{") != SOAP12_NS:
            raise TransportError(f"SIFEN ({service}) respondió algo que no es un mensaje SOAP 1.2 (HTTP {status})")
        soap_body = _child(root, "Body")
        fault = _child(soap_body, "Fault")
        if fault is not None:
            reason = " ".join(t.strip() for t in fault.itertext() if t.strip())[:300] or "(sin detalle)"
            raise TransportError(f"SIFEN ({service}) respondió un error SOAP (HTTP {status}): {reason}")
        payload = soap_body[0] if soap_body is not None and len(soap_body) else None
        if payload is None or _local(payload.tag) != result_name:
            raise TransportError(f"La respuesta de SIFEN ({service}) no contiene {result_name} (HTTP {status})")
        return raw, payload
