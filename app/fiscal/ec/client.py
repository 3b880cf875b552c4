"""SOAP client for the SRI's offline web services (recepción + autorización).

zeep builds and sends the requests from the bundled WSDLs (endpoint overridden, raw bytes for
base64Binary so nothing is double-encoded). Replies are taken raw and read with a safe lxml
parser: we keep the exact bytes the SRI sent (the worker stores them verbatim), we see HTML
maintenance pages and SOAP faults for what they are, and zeep's reply decoding is skipped.
Anything that is not a well-formed SRI answer raises `TransportError` (always retryable).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import requests
import zeep
from zeep.transports import Transport

from app.core.errors import ConfigurationError, TransportError, ValidationError
from app.resources import resource
from app.xmlsafe import parse_xml

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
RECEPCION_BINDING = "{http://ec.gob.sri.ws.recepcion}RecepcionComprobantesOfflineServiceSoapBinding"
AUTORIZACION_BINDING = "{http://ec.gob.sri.ws.autorizacion}AutorizacionComprobantesOfflineServiceSoapBinding"
SERVICE_PATH = "/comprobantes-electronicos-ws/"
HOSTS = {"pruebas": "https://celcer.sri.gob.ec", "produccion": "https://cel.sri.gob.ec"}
EC_TZ = timezone(timedelta(hours=-5))

# REFERENCE §4.5: what the worker does with each SRI error identifier.
#   poll      the SRI has (or is processing) this clave: query autorización, never resend or renumber
#   retry     transient on the SRI's side: resend later with backoff
#   attention a person must act (fix and re-sign with the same clave, or fix the configuration)
# ADVERTENCIA messages (59, 60, 62, 68) never change the action.
SRI_ACTIONS: dict[str, str] = {
    "43": "poll",   # CLAVE ACCESO REGISTRADA
    "70": "poll",   # CLAVE DE ACCESO EN PROCESAMIENTO
    "50": "retry",  # ERROR INTERNO GENERAL
    "2": "attention", "10": "attention", "26": "attention", "27": "attention", "28": "attention",
    "34": "attention", "35": "attention", "36": "attention", "37": "attention", "39": "attention",
    "40": "attention", "42": "attention", "45": "attention", "46": "attention", "47": "attention",
    "48": "attention", "49": "attention", "52": "attention", "56": "attention", "57": "attention",
    "58": "attention", "63": "attention", "65": "attention", "67": "attention", "80": "attention",
    "82": "attention", "92": "attention", "99": "attention",
}
UNKNOWN_ERROR_ACTION = "attention"
ACTION_RANK = {"poll": 0, "retry": 1, "attention": 2}  # several errors: the most demanding wins

@dataclass(frozen=True)
class SriMessage:
    identificador: str
    mensaje: str
    informacion_adicional: str | None
    tipo: str  # 'ERROR' | 'ADVERTENCIA' | 'INFORMATIVO'

    @property
    def is_error(self) -> bool:
        return self.tipo.upper() == "ERROR"

    def __str__(self) -> str:
        extra = f" ({self.informacion_adicional})" if self.informacion_adicional else ""
        return f"{self.identificador} {self.mensaje}{extra}"

    def as_dict(self) -> dict:
        return {"identificador": self.identificador, "mensaje": self.mensaje,
                "informacionAdicional": self.informacion_adicional, "tipo": self.tipo}


@dataclass(frozen=True)
class ReceptionResult:
    estado: str  # 'RECIBIDA' | 'DEVUELTA'
    messages: list[SriMessage]
    raw: bytes
    clave: str | None = None  # as echoed in comprobantes/comprobante/claveAcceso, when present


@dataclass(frozen=True)
class AuthorizationResult:
    estado: str  # 'AUTORIZADO' | 'NO AUTORIZADO' | 'EN PROCESO' | 'PENDIENTE' (nothing yet)
    numero_autorizacion: str | None
    fecha_autorizacion: datetime | None  # aware
    ambiente: str | None  # 'PRUEBAS' | 'PRODUCCIÓN'
    messages: list[SriMessage]
    raw: bytes
    comprobante: str | None = None  # the XML the SRI returns inside the autorizacion
    numero_comprobantes: int = 0


def classify(messages: list[SriMessage]) -> str:
    """'retry' | 'poll' | 'attention' for a DEVUELTA / NO AUTORIZADO answer (REFERENCE §4.5)."""
    actions = [SRI_ACTIONS.get(m.identificador.strip(), UNKNOWN_ERROR_ACTION) for m in messages if m.is_error]
    if not actions:
        return "attention"  # rejected without a reason: a person has to look
    return max(actions, key=ACTION_RANK.__getitem__)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el, name: str):
    """Children are unqualified per the WSDL, but the SRI's refs may come qualified: match local names."""
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _text(el, name: str) -> str | None:
    c = _child(el, name) if el is not None else None
    return c.text.strip() if c is not None and c.text is not None else (None if c is None else "")


def _messages(container) -> list[SriMessage]:
    mensajes = _child(container, "mensajes") if container is not None else None
    if mensajes is None:
        return []
    return [SriMessage(_text(m, "identificador") or "", _text(m, "mensaje") or "",
                       _text(m, "informacionAdicional"), (_text(m, "tipo") or "ERROR").upper())
            for m in _children(mensajes, "mensaje")]


def _parse_fecha(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise TransportError(f"El SRI devolvió una fecha de autorización ilegible: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=EC_TZ)


class SriClient:
    def __init__(self, recepcion_url: str, autorizacion_url: str, *,
                 timeout: tuple[float, float] = (5, 20), session: requests.Session | None = None):
        self.recepcion_url = recepcion_url
        self.autorizacion_url = autorizacion_url
        self.timeout = timeout
        self.session = session or requests.Session()
        # Never pick up proxies or CA bundles from the environment (ecosystem notes §A2).
        self.session.trust_env = False
        transport = Transport(session=self.session, timeout=timeout[0], operation_timeout=timeout)
        settings = zeep.Settings(strict=True, raw_response=True, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True, xml_huge_tree=False)
        self._recepcion = zeep.Client(str(resource("wsdl", "ec", "RecepcionComprobantesOffline.wsdl")),
                                      transport=transport, settings=settings
                                      ).create_service(RECEPCION_BINDING, recepcion_url)
        self._autorizacion = zeep.Client(str(resource("wsdl", "ec", "AutorizacionComprobantesOffline.wsdl")),
                                         transport=transport, settings=settings
                                         ).create_service(AUTORIZACION_BINDING, autorizacion_url)

    @classmethod
    def for_environment(cls, env: str, sandbox_url: str | None = None, **kwargs) -> "SriClient":
        """'sandbox' (needs sandbox_url, e.g. http://127.0.0.1:8099), 'pruebas' (celcer) or 'produccion' (cel)."""
        if env == "sandbox":
            if not sandbox_url:
                raise ConfigurationError("Para el SRI simulado hace falta su dirección (p. ej. http://127.0.0.1:8099)")
            base = sandbox_url.rstrip("/")
        elif env in HOSTS:
            base = HOSTS[env]
        else:
            raise ConfigurationError(f"Ambiente desconocido: {env!r}; use 'sandbox', 'pruebas' o 'produccion'")
        return cls(f"{base}{SERVICE_PATH}RecepcionComprobantesOffline",
                   f"{base}{SERVICE_PATH}AutorizacionComprobantesOffline", **kwargs)

    def close(self) -> None:
        self.session.close()

    # -- operations ------------------------------------------------------------------------------
    def send(self, xml: bytes) -> ReceptionResult:
        """Recepción: `xml` is the exact signed bytes (zeep base64-encodes them once)."""
        if not isinstance(xml, bytes):
            raise TypeError("send() espera los bytes exactos del comprobante firmado")
        raw, payload = self._call(self._recepcion.validarComprobante, "RecepcionComprobantesOffline",
                                  "RespuestaRecepcionComprobante", xml=xml)
        estado = _text(payload, "estado")
        if estado not in ("RECIBIDA", "DEVUELTA"):
            raise TransportError(f"El SRI (recepción) respondió un estado desconocido: {estado!r}")
        comprobantes = _child(payload, "comprobantes")
        messages: list[SriMessage] = []
        clave = None
        for comprobante in _children(comprobantes, "comprobante") if comprobantes is not None else []:
            clave = clave or _text(comprobante, "claveAcceso") or None
            messages += _messages(comprobante)
        return ReceptionResult(estado, messages, raw, clave)

    def authorize(self, clave: str) -> AuthorizationResult:
        """Autorización: the SRI's current verdict on `clave` (PENDIENTE when it has none yet)."""
        raw, payload = self._call(self._autorizacion.autorizacionComprobante, "AutorizacionComprobantesOffline",
                                  "RespuestaAutorizacionComprobante", claveAccesoComprobante=clave)
        consultada = _text(payload, "claveAccesoConsultada")
        if consultada and consultada != clave:
            raise TransportError(f"El SRI respondió por otra clave de acceso ({consultada}) "
                                 f"en lugar de {clave}")
        numero_txt = _text(payload, "numeroComprobantes") or "0"
        try:
            numero_comprobantes = int(numero_txt)
        except ValueError as exc:
            raise TransportError(f"El SRI devolvió numeroComprobantes ilegible: {numero_txt!r}") from exc
        autorizaciones = _child(payload, "autorizaciones")
        entries = _children(autorizaciones, "autorizacion") if autorizaciones is not None else []
        if not entries:
            return AuthorizationResult("PENDIENTE", None, None, None, [], raw, None, numero_comprobantes)
        # REFERENCE §4.3: any AUTORIZADO entry means authorized; otherwise the last state counts.
        chosen = next((e for e in entries if (_text(e, "estado") or "").upper() == "AUTORIZADO"), entries[-1])
        estado = self._estado(_text(chosen, "estado"))
        return AuthorizationResult(
            estado, _text(chosen, "numeroAutorizacion") or None, _parse_fecha(_text(chosen, "fechaAutorizacion")),
            _text(chosen, "ambiente") or None, _messages(chosen), raw,
            _text(chosen, "comprobante") or None, numero_comprobantes)

    @staticmethod
    def _estado(value: str | None) -> str:
        v = (value or "").strip().upper()
        if v == "AUTORIZADO":
            return "AUTORIZADO"
        if v in ("NO AUTORIZADO", "RECHAZADO", "RECHAZADA", "NAT"):
            return "NO AUTORIZADO"
        if v in ("EN PROCESO", "EN PROCESAMIENTO", "PPR"):
            return "EN PROCESO"
        raise TransportError(f"El SRI (autorización) respondió un estado desconocido: {value!r}")

    # -- transport --------------------------------------------------------------------------------
    def _call(self, operation, service: str, result_name: str, **kwargs):
        """Sends one request; returns (raw bytes, the result element) or raises TransportError."""
        try:
            response = operation(**kwargs)
        except requests.Timeout as exc:
            raise TransportError(f"El SRI ({service}) no respondió a tiempo") from exc
        except requests.ConnectionError as exc:
            raise TransportError(f"No se pudo conectar con el SRI ({service}): "
                                 "la conexión falló o fue cortada") from exc
        except requests.RequestException as exc:
            raise TransportError(f"Error de comunicación con el SRI ({service}): {type(exc).__name__}") from exc
        raw = response.content
        status = response.status_code
        ctype = (response.headers.get("Content-Type") or "").lower()
        root = None
        if "html" not in ctype:
            try:
                root = parse_xml(raw) if raw.strip() else None
            except ValidationError:
                root = None
        body = _child(root, "Body") if root is not None and root.tag == f"{{{SOAP_NS}}}Envelope" else None
        fault = _child(body, "Fault") if body is not None else None
        if fault is not None:
            reason = _text(fault, "faultstring") or "(sin detalle)"
            raise TransportError(f"El SRI ({service}) respondió un error SOAP (HTTP {status}): {reason}")
        if status >= 500:
            raise TransportError(f"El SRI ({service}) respondió HTTP {status}: servicio no disponible")
        if status != 200:
            raise TransportError(f"El SRI ({service}) respondió HTTP {status}")
        if "html" in ctype or (root is None and b"<html" in raw[:1024].lower()):
            raise TransportError(f"El SRI ({service}) respondió una página web en lugar de SOAP "
                                 "(posible mantenimiento o bloqueo)")
        if root is None:
            raise TransportError(f"El SRI ({service}) respondió un XML mal formado o vacío")
        if body is None:
            raise TransportError(f"El SRI ({service}) respondió algo que no es un mensaje SOAP")
        wrapper = body[0] if len(body) else None
        result = _child(wrapper, result_name) if wrapper is not None else None
        if result is None:
            raise TransportError(f"La respuesta del SRI ({service}) no contiene {result_name}")
        return raw, result
