"""The simulated SRI: the two offline SOAP services on loopback, as strict as the real ones.

Recepción (`validarComprobante`) checks, in the SRI's order: base64 + well-formed XML (35),
size ≤ 320 KB (26), XSD (35), emisor RUC / establecimiento accepted (46 / 56), duplicate clave
(43) and the same secuencial under another clave (45); then RECIBIDA. The document is judged
at once, the way the SRI's back office would — clave structure and agreement with the XML (58),
signature (39), arithmetic (52) — and the verdict is revealed by Autorización
(`autorizacionComprobante`) after `poll_delay` polls. State lives in its own SQLite file so
tests can assert "received once, authorized once" even across restarts. A document the SRI
rejected (NO AUTORIZADO) may come back corrected under the same clave; both verdicts are then
published and the AUTORIZADO one wins (REFERENCE §4.3).

Faults (`sandbox.faults.inject(kind, count=1 | probability=p, seconds=, endpoint=)`, or
`POST /_sandbox/faults` with the same fields as JSON, `GET` lists, `DELETE` clears):
delay, reset, http500, http503, html (BIG-IP page, status 200), malformed, processing
(70 at recepción — the document is still registered — or EN PROCESO at autorización),
error50 (recepción only) and lost_response (the request is processed — a document is
registered — but the connection is reset instead of answering). Endpoints: 'recepcion', 'autorizacion', 'wsdl'. A processing
fault drawn for a document that is rejected anyway is spent on it.
`GET /_sandbox/documents/<clave>` returns what `received_count` / `reception_log` /
`authorizations` return, for tests in another process.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import signal
import sqlite3
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable
from xml.sax.saxutils import escape

from app.core.errors import ConfigurationError, ValidationError
from app.fiscal.ec import arithmetic, schema, xades
from app.fiscal.ec.documents import rate_dates
from app.fiscal.ec.verify import access_key_problems, find_signature
from app.resources import resource
from app.sandbox.faults import FaultInjector
from app.sandbox.http import LoopbackService, Request, Response, json_response, soap_fault, transport_fault
from app.xmlsafe import parse_xml

BASE_PATH = "/comprobantes-electronicos-ws"
RECEPCION_PATH = f"{BASE_PATH}/RecepcionComprobantesOffline"
AUTORIZACION_PATH = f"{BASE_PATH}/AutorizacionComprobantesOffline"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
RECEPCION_NS = "http://ec.gob.sri.ws.recepcion"
AUTORIZACION_NS = "http://ec.gob.sri.ws.autorizacion"
MAX_SIZE = 320 * 1024  # FICHA §7.5: 320 KB per comprobante
EC_TZ = timezone(timedelta(hours=-5))  # Ecuador has no DST
SRI_KINDS = frozenset({"processing", "error50", "lost_response"})
ENDPOINTS = frozenset({"recepcion", "autorizacion", "wsdl"})
FAULT_SCOPES = {"error50": {"recepcion"}, "processing": {"recepcion", "autorizacion"},
                "lost_response": {"recepcion", "autorizacion"}}
AMBIENTES = {"1": "PRUEBAS", "2": "PRODUCCIÓN"}
# Accepted: None = every RUC and establishment; dict ruc -> estab codes ('*' = any);
# or a callable ruc -> estab codes, None when the RUC is not registered.
Accepted = dict[str, Iterable[str]] | Callable[[str], Iterable[str] | None] | None


@dataclass(frozen=True)
class Msg:
    identificador: str
    mensaje: str
    informacion_adicional: str | None = None
    tipo: str = "ERROR"

    def as_dict(self) -> dict:
        return {"identificador": self.identificador, "mensaje": self.mensaje,
                "informacionAdicional": self.informacion_adicional, "tipo": self.tipo}

    @classmethod
    def from_dict(cls, d: dict) -> "Msg":
        return cls(d["identificador"], d["mensaje"], d.get("informacionAdicional"), d.get("tipo", "ERROR"))


PRUEBAS_WARNING = Msg("60", "ESTE PROCESO FUE REALIZADO EN EL AMBIENTE DE PRUEBAS", None, "ADVERTENCIA")


@dataclass(frozen=True)
class Facts:
    """The infoTributaria fields the SRI keys its records on."""

    clave: str
    ruc: str
    cod_doc: str
    estab: str
    pto_emi: str
    secuencial: str
    ambiente: str


def _facts(root) -> Facts:
    def text(tag: str) -> str:
        el = root.find(f"infoTributaria/{tag}")
        return (el.text or "").strip() if el is not None else ""
    return Facts(text("claveAcceso"), text("ruc"), text("codDoc"), text("estab"), text("ptoEmi"),
                 text("secuencial"), text("ambiente"))


def _now() -> datetime:
    return datetime.now(EC_TZ)


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside one CDATA section: split it across two.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _opt(tag: str, value: str | None) -> str:
    return f"<{tag}>{escape(value)}</{tag}>" if value is not None else ""


def _mensajes(msgs: Iterable[Msg]) -> str:
    items = "".join(
        "<mensaje>" + _opt("identificador", m.identificador) + _opt("mensaje", m.mensaje)
        + _opt("informacionAdicional", m.informacion_adicional) + _opt("tipo", m.tipo) + "</mensaje>"
        for m in msgs)
    return f"<mensajes>{items}</mensajes>" if items else "<mensajes/>"


def _envelope(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>{body}</soap:Body></soap:Envelope>').encode("utf-8")


def recepcion_envelope(estado: str, clave: str | None = None, msgs: Iterable[Msg] = ()) -> bytes:
    msgs = list(msgs)
    if msgs:
        comprobantes = ("<comprobantes><comprobante>" + _opt("claveAcceso", clave or "")
                        + _mensajes(msgs) + "</comprobante></comprobantes>")
    else:
        comprobantes = "<comprobantes/>"
    return _envelope(f'<ns2:validarComprobanteResponse xmlns:ns2="{RECEPCION_NS}">'
                     f"<RespuestaRecepcionComprobante><estado>{escape(estado)}</estado>{comprobantes}"
                     "</RespuestaRecepcionComprobante></ns2:validarComprobanteResponse>")


@dataclass(frozen=True)
class Authorization:
    estado: str
    numero: str | None
    fecha: str | None
    ambiente: str | None
    messages: tuple[Msg, ...]
    xml: bytes | None

    def as_dict(self) -> dict:
        return {"estado": self.estado, "numeroAutorizacion": self.numero, "fechaAutorizacion": self.fecha,
                "ambiente": self.ambiente, "mensajes": [m.as_dict() for m in self.messages]}


def autorizacion_envelope(clave: str, autorizaciones: list[Authorization]) -> bytes:
    items = []
    for a in autorizaciones:
        comprobante = ""
        if a.xml is not None:
            comprobante = "<comprobante>" + _cdata(a.xml.decode("utf-8", "replace")) + "</comprobante>"
        items.append("<autorizacion>" + _opt("estado", a.estado) + _opt("numeroAutorizacion", a.numero)
                     + _opt("fechaAutorizacion", a.fecha) + _opt("ambiente", a.ambiente) + comprobante
                     + _mensajes(a.messages) + "</autorizacion>")
    autorizaciones_xml = f"<autorizaciones>{''.join(items)}</autorizaciones>" if items else "<autorizaciones/>"
    return _envelope(f'<ns2:autorizacionComprobanteResponse xmlns:ns2="{AUTORIZACION_NS}">'
                     f"<RespuestaAutorizacionComprobante><claveAccesoConsultada>{escape(clave)}"
                     f"</claveAccesoConsultada><numeroComprobantes>{len(items)}</numeroComprobantes>"
                     f"{autorizaciones_xml}</RespuestaAutorizacionComprobante>"
                     "</ns2:autorizacionComprobanteResponse>")


class SriStore:
    """The sandbox's memory of what it received and decided (one connection, one lock)."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS documents(
        clave TEXT PRIMARY KEY, ruc TEXT, cod_doc TEXT, estab TEXT, pto_emi TEXT, secuencial TEXT,
        ambiente TEXT, xml BLOB, state TEXT, polls_left INTEGER, decision TEXT, decision_messages TEXT,
        received_at TEXT);
    CREATE INDEX IF NOT EXISTS documents_series ON documents(ruc, cod_doc, estab, pto_emi, secuencial);
    CREATE TABLE IF NOT EXISTS authorizations(
        id INTEGER PRIMARY KEY, clave TEXT, estado TEXT, numero TEXT, fecha TEXT, ambiente TEXT,
        messages TEXT, xml BLOB);
    CREATE INDEX IF NOT EXISTS authorizations_clave ON authorizations(clave);
    CREATE TABLE IF NOT EXISTS receptions(
        id INTEGER PRIMARY KEY, clave TEXT, estado TEXT, identificador TEXT, registered INTEGER, at TEXT);
    CREATE INDEX IF NOT EXISTS receptions_clave ON receptions(clave);
    """

    def __init__(self, path: str = ":memory:"):
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # survives a killed process; it is a simulator
        self.db.executescript(self.SCHEMA)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    @contextmanager
    def transaction(self):
        """Lock + one commit per request: several writes cost one WAL commit."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def log_reception(self, clave: str, estado: str, identificador: str | None, registered: bool) -> None:
        self.db.execute("INSERT INTO receptions(clave, estado, identificador, registered, at) VALUES (?,?,?,?,?)",
                        (clave, estado, identificador, int(registered), _now().isoformat()))

    def document(self, clave: str):
        return self.db.execute("SELECT clave, state, polls_left, decision, decision_messages, ambiente, xml "
                               "FROM documents WHERE clave=?", (clave,)).fetchone()

    def other_clave_same_series(self, f: Facts) -> str | None:
        row = self.db.execute(
            "SELECT clave FROM documents WHERE ruc=? AND cod_doc=? AND estab=? AND pto_emi=? AND secuencial=? "
            "AND clave<>? AND state<>'NO AUTORIZADO' LIMIT 1",
            (f.ruc, f.cod_doc, f.estab, f.pto_emi, f.secuencial, f.clave)).fetchone()
        return row[0] if row else None

    def register(self, f: Facts, xml: bytes, decision: str, msgs: list[Msg], polls_left: int) -> None:
        self.db.execute(
            "INSERT INTO documents(clave, ruc, cod_doc, estab, pto_emi, secuencial, ambiente, xml, state, "
            "polls_left, decision, decision_messages, received_at) VALUES (?,?,?,?,?,?,?,?,'PENDIENTE',?,?,?,?) "
            "ON CONFLICT(clave) DO UPDATE SET ruc=excluded.ruc, cod_doc=excluded.cod_doc, estab=excluded.estab, "
            "pto_emi=excluded.pto_emi, secuencial=excluded.secuencial, ambiente=excluded.ambiente, xml=excluded.xml, "
            "state='PENDIENTE', polls_left=excluded.polls_left, decision=excluded.decision, "
            "decision_messages=excluded.decision_messages, received_at=excluded.received_at",
            (f.clave, f.ruc, f.cod_doc, f.estab, f.pto_emi, f.secuencial, f.ambiente, xml, polls_left, decision,
             json.dumps([m.as_dict() for m in msgs]), _now().isoformat()))

    def finalize(self, clave: str) -> None:
        """Publishes the stored verdict as an autorizacion entry."""
        _, _, _, decision, msgs_json, ambiente, xml = self.document(clave)
        numero = clave if decision == "AUTORIZADO" else None  # offline scheme: the clave is the number
        fecha = _now().isoformat(timespec="milliseconds")
        self.db.execute("INSERT INTO authorizations(clave, estado, numero, fecha, ambiente, messages, xml) "
                        "VALUES (?,?,?,?,?,?,?)",
                        (clave, decision, numero, fecha, AMBIENTES.get(ambiente, ambiente), msgs_json, xml))
        self.db.execute("UPDATE documents SET state=?, polls_left=0 WHERE clave=?", (decision, clave))

    def tick(self, clave: str) -> None:
        self.db.execute("UPDATE documents SET polls_left=polls_left-1 WHERE clave=?", (clave,))

    def authorizations(self, clave: str) -> list[Authorization]:
        rows = self.db.execute("SELECT estado, numero, fecha, ambiente, messages, xml FROM authorizations "
                               "WHERE clave=? ORDER BY id", (clave,)).fetchall()
        return [Authorization(e, n, fe, a, tuple(Msg.from_dict(d) for d in json.loads(m)), x)
                for e, n, fe, a, m, x in rows]

    def reception_log(self, clave: str) -> list[tuple[str, str | None]]:
        return [(e, i) for e, i in self.db.execute(
            "SELECT estado, identificador FROM receptions WHERE clave=? ORDER BY id", (clave,))]

    def received_count(self, clave: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM receptions WHERE clave=? AND registered=1",
                               (clave,)).fetchone()[0]


class SriSandbox(LoopbackService):
    """`with SriSandbox(accepted={'1790012345001': {'001'}}) as sri: SriClient(sri.recepcion_url, ...)`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, accepted: Accepted = None,
                 db_path: str | None = None, poll_delay: int = 0, pending_answer: str = "empty",
                 seed: int = 0):
        if pending_answer not in ("empty", "en_proceso"):
            raise ValueError("pending_answer debe ser 'empty' o 'en_proceso'")
        super().__init__(host, port, faults=FaultInjector(SRI_KINDS, ENDPOINTS, seed=seed, scopes=FAULT_SCOPES))
        self.accepted = accepted
        self.poll_delay = int(poll_delay)
        self.pending_answer = pending_answer
        self.store = SriStore(db_path or ":memory:")
        self._wsdl_cache: dict[str, bytes] = {}

    # -- URLs ------------------------------------------------------------------------------
    @property
    def recepcion_url(self) -> str:
        return self.url + RECEPCION_PATH

    @property
    def autorizacion_url(self) -> str:
        return self.url + AUTORIZACION_PATH

    def closed(self) -> None:
        self.store.close()

    # -- assertions for tests ----------------------------------------------------------------
    def received_count(self, clave: str) -> int:
        """How many times this clave was taken in for processing (RECIBIDA, or registered under a 70)."""
        with self.store.lock:
            return self.store.received_count(clave)

    def reception_log(self, clave: str) -> list[tuple[str, str | None]]:
        """Every recepción answer for this clave: ('RECIBIDA', None), ('DEVUELTA', '43'), ..."""
        with self.store.lock:
            return self.store.reception_log(clave)

    def devuelta_count(self, clave: str, identificador: str) -> int:
        return sum(1 for e, i in self.reception_log(clave) if e == "DEVUELTA" and i == identificador)

    def authorizations(self, clave: str) -> list[Authorization]:
        """The autorizacion entries published so far, oldest first."""
        with self.store.lock:
            return self.store.authorizations(clave)

    # -- HTTP ------------------------------------------------------------------------------
    def route(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path not in (RECEPCION_PATH, AUTORIZACION_PATH):
            return Response(404, b"<html><body>404 Not Found</body></html>", "text/html; charset=utf-8")
        if request.method == "GET":
            plan = self.apply_plan_delay("wsdl")
            if plan.fault and (r := transport_fault(plan.fault)):
                return r
            if request.has_flag("wsdl"):
                return Response(200, self._wsdl(path), "text/xml; charset=utf-8")
            return Response(200, b"<html><body>Web service</body></html>", "text/html; charset=utf-8")
        if request.method != "POST":
            return Response(405, b"", "text/plain")
        endpoint = "recepcion" if path == RECEPCION_PATH else "autorizacion"
        plan = self.apply_plan_delay(endpoint)
        if plan.fault is not None and (r := transport_fault(plan.fault)):
            return r
        try:
            envelope = parse_xml(request.body)
        except ValidationError:  # the envelope itself is not XML
            return Response(500, soap_fault("Couldn't create SOAP message due to exception: XML reader error",
                                            "soap:Client"))
        body = envelope.find(f"{{{SOAP_NS}}}Body")
        operation = body[0] if body is not None and len(body) else None
        if envelope.tag != f"{{{SOAP_NS}}}Envelope" or operation is None:
            return Response(500, soap_fault("Mensaje SOAP inválido", "soap:Client"))
        kind = plan.kind
        if endpoint == "recepcion" and operation.tag == f"{{{RECEPCION_NS}}}validarComprobante":
            answer = self._recepcion(operation, kind)
        elif endpoint == "autorizacion" and operation.tag == f"{{{AUTORIZACION_NS}}}autorizacionComprobante":
            answer = self._autorizacion(operation, kind)
        else:
            return Response(500, soap_fault(f"Cannot find dispatch method for {operation.tag}", "soap:Client"))
        if kind == "lost_response":  # the SRI did the work; the answer never reaches the client
            return Response(reset=True)
        return Response(200, answer)

    def _wsdl(self, path: str) -> bytes:
        if path not in self._wsdl_cache:
            name = path.rsplit("/", 1)[1]
            text = resource("wsdl", "ec", f"{name}.wsdl").read_bytes()
            text = re.sub(rb'(<soap:address\s+location=")[^"]*(")',
                          lambda m: m.group(1) + (self.url + path).encode() + m.group(2), text)
            self._wsdl_cache[path] = text
        return self._wsdl_cache[path]

    def control(self, request: Request) -> Response:
        """Adds `GET /_sandbox/documents/<clave>` so another process can assert the same facts."""
        prefix = "/_sandbox/documents/"
        if request.method == "GET" and request.path.startswith(prefix):
            clave = request.path[len(prefix):]
            return json_response({
                "clave": clave,
                "received": self.received_count(clave),
                "receptions": [{"estado": e, "identificador": i} for e, i in self.reception_log(clave)],
                "authorizations": [a.as_dict() for a in self.authorizations(clave)],
            })
        return super().control(request)

    # -- Recepción -----------------------------------------------------------------------------
    def _recepcion(self, operation, fault_kind: str | None) -> bytes:
        arg = operation.find("xml")
        if arg is None or not (arg.text or "").strip():
            return recepcion_envelope("DEVUELTA", "", [Msg("49", "ARGUMENTOS QUE ENVIAN AL WS NULOS",
                                                           "No se recibió el comprobante", "ERROR")])
        if fault_kind == "error50":
            return recepcion_envelope("DEVUELTA", "", [Msg("50", "ERROR INTERNO GENERAL",
                                                           "Error interno del servidor", "ERROR")])
        estado, clave, msgs = self.receive(arg.text, processing=fault_kind == "processing")
        return recepcion_envelope(estado, clave, msgs)

    def receive(self, b64: str, *, processing: bool = False) -> tuple[str, str, list[Msg]]:
        """The whole recepción decision for one base64 payload → (estado, clave, messages)."""
        try:
            xml = base64.b64decode("".join(b64.split()), validate=True)
        except (binascii.Error, ValueError):
            return self._devuelta("", Msg("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML",
                                          "El contenido no es base64 válido", "ERROR"))
        try:
            root = parse_xml(xml)
        except ValidationError as exc:  # the parser's own words go back, as the SRI does
            return self._devuelta("", Msg("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML",
                                          "Se encontró el siguiente error en la estructura del comprobante: "
                                          + "; ".join(e.message for e in exc.errors), "ERROR"))
        f = _facts(root)
        if len(xml) > MAX_SIZE:
            return self._devuelta(f.clave, Msg("26", "TAMAÑO MÁXIMO SUPERADO",
                                               f"El comprobante tiene {len(xml)} bytes; el máximo es {MAX_SIZE}",
                                               "ERROR"))
        errors = schema.validate(root)
        if errors:
            return self._devuelta(f.clave, *[Msg("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML",
                                                 f"Se encontró el siguiente error en la estructura del "
                                                 f"comprobante: {e}", "ERROR") for e in errors[:5]])
        problem = self._emisor_problem(f.ruc, f.estab)
        if problem:
            return self._devuelta(f.clave, problem)
        with self.store.lock:  # cheap check first: a resend must not pay for judging
            conflict = self._conflict(f)
        if conflict:
            return self._devuelta(f.clave, conflict)
        # The verdict is computed outside the lock (signature and arithmetic are the slow part).
        decision, decision_msgs = judge(root, xml)
        with self.store.transaction():
            conflict = self._conflict(f)  # again: another thread may have registered it meanwhile
            if conflict:
                self.store.log_reception(f.clave, "DEVUELTA", conflict.identificador, False)
                return "DEVUELTA", f.clave, [conflict]
            self.store.register(f, xml, decision, decision_msgs, self.poll_delay)
            if self.poll_delay <= 0:
                self.store.finalize(f.clave)
            if processing:
                self.store.log_reception(f.clave, "DEVUELTA", "70", True)
                return "DEVUELTA", f.clave, [Msg("70", "CLAVE DE ACCESO EN PROCESAMIENTO",
                                                 "La clave de acceso ya se encuentra en procesamiento", "ERROR")]
            self.store.log_reception(f.clave, "RECIBIDA", None, True)
        return "RECIBIDA", f.clave, []

    def _conflict(self, f: Facts) -> Msg | None:
        """43 when the SRI already holds this clave (unless it rejected it: a corrected document
        may come back with the same clave), 45 when the secuencial is taken by another clave."""
        existing = self.store.document(f.clave)
        if existing is not None and existing[1] != "NO AUTORIZADO":
            return Msg("43", "CLAVE ACCESO REGISTRADA", None, "ERROR")
        other = self.store.other_clave_same_series(f)
        if other:
            return Msg("45", "SECUENCIAL REGISTRADO",
                       f"El secuencial {f.estab}-{f.pto_emi}-{f.secuencial} ya fue registrado con la clave {other}",
                       "ERROR")
        return None

    def _devuelta(self, clave: str, *msgs: Msg) -> tuple[str, str, list[Msg]]:
        with self.store.transaction():
            self.store.log_reception(clave, "DEVUELTA", msgs[0].identificador, False)
        return "DEVUELTA", clave, list(msgs)

    def _emisor_problem(self, ruc: str, estab: str) -> Msg | None:
        if self.accepted is None:
            return None
        if callable(self.accepted):
            estabs = self.accepted(ruc)
        else:
            estabs = self.accepted.get(ruc)
        if estabs is None:
            return Msg("46", "RUC NO EXISTE", f"El RUC {ruc} no está registrado como emisor electrónico", "ERROR")
        estabs = set(estabs)
        if "*" not in estabs and estab not in estabs:
            return Msg("56", "ESTABLECIMIENTO CERRADO",
                       f"El establecimiento {estab} del RUC {ruc} no está abierto", "ERROR")
        return None

    # -- Autorización ----------------------------------------------------------------------------
    def _autorizacion(self, operation, fault_kind: str | None) -> bytes:
        arg = operation.find("claveAccesoComprobante")
        clave = (arg.text or "").strip() if arg is not None else ""
        if not re.fullmatch(r"[0-9]{49}", clave):
            return autorizacion_envelope(clave, [Authorization(
                "RECHAZADO", None, None, None,
                (Msg("80", "ERROR EN LA ESTRUCTURA DE CLAVE DE ACCESO",
                     "La clave de acceso debe tener 49 dígitos", "ERROR"),), None)])
        if fault_kind == "processing":
            return autorizacion_envelope(clave, [Authorization("EN PROCESO", None, None, None, (), None)])
        with self.store.transaction():
            doc = self.store.document(clave)
            if doc is not None and doc[1] == "PENDIENTE":
                if doc[2] > 0:
                    self.store.tick(clave)
                    if self.pending_answer == "en_proceso":
                        return autorizacion_envelope(clave, [Authorization("EN PROCESO", None, None, None, (), None)])
                    return autorizacion_envelope(clave, [])
                self.store.finalize(clave)
            found = self.store.authorizations(clave)
        # FICHA §5.11: an AUTORIZADO wins and comes with its history; otherwise only the last state.
        if found and not any(a.estado == "AUTORIZADO" for a in found):
            found = found[-1:]
        return autorizacion_envelope(clave, found)


def judge(root, xml: bytes) -> tuple[str, list[Msg]]:
    """The back office's verdict, in the SRI's order: clave (58), signature (39), arithmetic (52), then
    the IVA rates in force on the document's date (52, as `verify`'s 'rates')."""
    ambiente = (root.findtext("infoTributaria/ambiente") or "").strip()
    warnings = [PRUEBAS_WARNING] if ambiente == "1" else []
    problems = access_key_problems(root)
    if problems:
        return "NO AUTORIZADO", [Msg("58", "ERROR EN LA ESTRUCTURA DE CLAVE ACCESO", p, "ERROR")
                                 for p in problems] + warnings
    if find_signature(root) is None:
        return "NO AUTORIZADO", [Msg("39", "FIRMA INVALIDA", "El comprobante no contiene una firma electrónica",
                                     "ERROR")] + warnings
    bad = [f for f in xades.verify(xml) if not f.ok]
    if bad:
        return "NO AUTORIZADO", [Msg("39", "FIRMA INVALIDA", "; ".join(f.message for f in bad), "ERROR")] + warnings
    # A header within totals.HEADER_SUM_TOLERANCE of its lines is only a warning Finding (ok): the
    # SRI authorizes it and its published authorizations carry no message about it (docs/sri.md).
    bad = [f for f in arithmetic.check(root) if not f.ok]
    if bad:
        return "NO AUTORIZADO", [Msg("52", "ERROR EN DIFERENCIAS", f.message, "ERROR") for f in bad] + warnings
    rates = rate_dates.xml_problems(root)
    if rates:  # the SRI's own code for a rate out of force is not published: 52 (docs/sri.md)
        return "NO AUTORIZADO", [Msg("52", "ERROR EN DIFERENCIAS", p, "ERROR") for p in rates] + warnings
    return "AUTORIZADO", warnings


def serve_forever(port: int, accepted: Accepted = None, *, host: str = "127.0.0.1",
                  db_path: str | None = None, poll_delay: int = 0, seed: int = 0) -> None:
    """Runs the sandbox in the foreground until Ctrl+C or SIGTERM (for `mostrador sandbox`).
    port=0 picks a free port; the first line printed carries the URL."""
    sri = SriSandbox(host, port, accepted=accepted, db_path=db_path, poll_delay=poll_delay, seed=seed)
    try:
        sri.start()
    except OSError as exc:
        sri.store.close()
        raise ConfigurationError(f"No se pudo abrir {host}:{port} para el SRI simulado: {exc.strerror}") from exc
    with sri:
        print(f"SRI simulado escuchando en {sri.url}")
        print(f"  Recepción:    {sri.recepcion_url}?wsdl")
        print(f"  Autorización: {sri.autorizacion_url}?wsdl")
        print(f"  Fallas:       POST {sri.url}/_sandbox/faults", flush=True)
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        print("Deteniendo el SRI simulado", flush=True)


def parse_accepted(specs: Iterable[str]) -> Accepted:
    """`['1790012345001:001,002', '0991234567001']` → {ruc: {estab...}} ('*' when none given)."""
    out: dict[str, set[str]] = {}
    for spec in specs:
        ruc, _, estabs = spec.partition(":")
        ruc = ruc.strip()
        if not re.fullmatch(r"[0-9]{10}001", ruc):
            raise ValueError(f"RUC inválido: {ruc!r}")
        codes = {e.strip() for e in estabs.split(",") if e.strip()} or {"*"}
        for code in codes - {"*"}:
            if not re.fullmatch(r"[0-9]{3}", code):
                raise ValueError(f"Establecimiento inválido: {code!r}")
        out.setdefault(ruc, set()).update(codes)
    return out or None


def main(argv: list[str] | None = None) -> int:
    """`python -m app.fiscal.ec.sandbox --port 8099 --accept 1790012345001:001`."""
    import argparse
    p = argparse.ArgumentParser(prog="mostrador sandbox", description="SRI simulado en 127.0.0.1")
    p.add_argument("--port", type=int, default=8099)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--accept", action="append", default=[], metavar="RUC[:EST,EST]",
                   help="RUC emisor aceptado (por defecto, todos)")
    p.add_argument("--db", default=None, help="archivo SQLite del simulador (por defecto, en memoria)")
    p.add_argument("--poll-delay", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    try:
        serve_forever(a.port, parse_accepted(a.accept), host=a.host, db_path=a.db, poll_delay=a.poll_delay,
                      seed=a.seed)
    except (ConfigurationError, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
