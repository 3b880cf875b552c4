"""The simulated SIFEN: the six SOAP 1.2 services of REFERENCE §5 on loopback, as strict as
the real ones, on the same base as the SRI sandbox (`LoopbackService`, `FaultInjector`).

recibe (siRecepDE, sync) judges one DE at once; recibe-lote (siRecepLoteDE) takes a base64
zip of ≤ 50 DEs of one type and one RUC, answers 0300 + dProtConsLote, judges every DE and
reveals the verdicts through consulta-lote after `lote_processing_seconds` (0361 before,
0362 after, 0364 once `lote_query_window_seconds` have passed, 0360 for an unknown lote);
consulta (siConsDE) answers 0422 with the approved DE or 0420; consulta-ruc 0502 / 0500;
evento (siRecepEvento) registers cancelación and inutilización (0600) or rejects them
(4002, 4003, 4009, 4010, 4065, 4066, 4067); nominación; the receptor events with their order
rules (notificación 4113/4101/4104, conformidad 4152/4155/4156/4150/4154, disconformidad
4202/4204/4205/4200, desconocimiento 4251/4254); transport update on an approved DTE (4002,
4003 cancelled, 4301/4303/4306/4308/4309, 4311/4312, 4313).

Judging (MT §12): schema (0160), emitter RUC / establishment / timbrado (1101, 1105),
contingencia (1050), CDC (1003, 1000), signature (0141, 0142), QR hash with the sandbox's
CSC (2500, 2501), test literal (1263), dates (1004, 1150, 1151; 1005 observation after
72 h), totals (2365), duplicates (1001, 1002). Like SIFEN it refuses a lote holding a CDC
twice or a CDC still being processed in another lote, and then blocks the RUC for
`block_seconds` (0301 to every lote meanwhile) — tests assert `blocks == 0`.

Faults (`sandbox.faults.inject(kind, ...)` or `POST /_sandbox/faults`): the transport kinds
(delay, reset, http500, http503, html = BIG-IP page, malformed) on any endpoint, plus
busy (0161 at recibe), not_queued (0301 at recibe-lote), processing (0361 at consulta-lote),
expired (0364 at consulta-lote) and lost (recibe, recibe-lote, evento: the request IS processed,
then the connection is reset before the answer). Endpoints: recibe, recibe-lote, consulta-lote,
consulta, consulta-ruc, evento, wsdl.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import signal
import sqlite3
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

from lxml import etree

from app.core.errors import ConfigurationError, ValidationError
from app.fiscal.py import catalog as cat
from app.fiscal.py import dsig, qr, rules, schema
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py import verify as py_verify
from app.fiscal.py.xml_build import PY_TZ
from app.resources import resource
from app.sandbox.faults import FaultInjector
from app.sandbox.http import LoopbackService, Request, Response, json_response, transport_fault
from app.xmlsafe import parse_xml

SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
NS = cat.NS
_N = "{%s}" % NS
PATHS = {
    "/de/ws/sync/recibe.wsdl": ("recibe", "rEnviDe", ("sync", "recibe.wsdl")),
    "/de/ws/async/recibe-lote.wsdl": ("recibe-lote", "rEnvioLote", ("async", "recibe-lote.wsdl")),
    "/de/ws/consultas/consulta-lote.wsdl": ("consulta-lote", "rEnviConsLoteDe", ("consultas", "consulta-lote.wsdl")),
    "/de/ws/consultas/consulta.wsdl": ("consulta", "rEnviConsDeRequest", ("consultas", "consulta.wsdl")),
    "/de/ws/consultas/consulta-ruc.wsdl": ("consulta-ruc", "rEnviConsRUC", ("consultas", "consulta-ruc.wsdl")),
    "/de/ws/eventos/evento.wsdl": ("evento", "rEnviEventoDe", ("eventos", "evento.wsdl")),
}
ENDPOINTS = frozenset({p[0] for p in PATHS.values()} | {"wsdl"})
SIFEN_KINDS = frozenset({"busy", "not_queued", "processing", "expired", "lost"})
FAULT_SCOPES = {"busy": {"recibe"}, "not_queued": {"recibe-lote"},
                "processing": {"consulta-lote"}, "expired": {"consulta-lote"},
                "lost": {"recibe", "recibe-lote", "evento"}}
MAX_MESSAGE = 1000 * 1024

# The manual's texts (MT §12.3, GUIA), verbatim where the manual has them.
TEXTS = {
    "0160": "XML malformado", "0161": "Servidor de procesamiento momentáneamente sin respuesta",
    "0260": "Autorización del DE satisfactoria", "0300": "Lote recibido con éxito",
    "0301": "Lote no encolado para procesamiento", "0360": "Número de lote inexistente",
    "0361": "Lote en procesamiento", "0362": "Procesamiento de lote concluido",
    "0363": "Lotes con tipos distintos de DE", "0364": "Consulta extemporánea de lote",
    "0420": "CDC inexistente", "0422": "CDC encontrado", "0500": "RUC inexistente",
    "0502": "Éxito en la consulta", "0600": "Evento registrado correctamente",
    "0141": "Valor de la firma (SignatureValue) diferente del calculado por el PKI",
    "0142": "RUC del certificado utilizado para firmar no pertenece al Contribuyente emisor",
    "1000": "El CDC no es compatible con las informaciones de los campos del XML",
    "1001": "CDC duplicado", "1002": "Documento electrónico duplicado",
    "1003": "DV del CDC inválido", "1004": "La fecha y hora de la firma digital es adelantada",
    "1005": "Transmisión extemporánea del DE",
    "1050": "El tipo de emisión en contingencia (B002=2) no permitida en esta etapa",
    "1101": "Número de timbrado inválido", "1105": "Establecimiento no habilitado para el timbrado",
    "1150": "La fecha y hora de emisión del DE informada es inválida por envío extemporáneo",
    "1151": "La fecha y hora de emisión del DE informada es inválida por envío adelantado",
    "1263": "Se debe utilizar el texto de ambiente de prueba en dNomEmi",
    "2365": "Error en el cálculo del total general de la operación",
    "2500": "Cadena de caracteres correspondiente al código QR no coincidente con el archivo XML",
    "2501": "El hash del código QR incluido en la cadena de caracteres es inválido",
    "4002": "El CDC no se encuentra aprobado como DTE", "4003": "El DTE ya se encuentra cancelado",
    "4009": "Plazo para cancelar la factura electrónica (48 horas) vencido",
    "4010": "Plazo para cancelar el documento (168 horas) vencido",
    "4065": "Para el rango solicitado existe DTE en SIFEN",
    "4066": "Dentro del rango solicitado para inutilización existen números de DE ya inutilizados",
    "4067": "La cantidad máxima de números en el rango debe ser menor o igual a 1000",
    # receptor events (MT §11.6.3–11.6.6) and transport update (§11.6.7)
    "4101": "CDC del DTE ya cuenta con un evento de esta naturaleza",
    "4104": "Fecha de Recepción debe ser mayor o igual a la fecha de emisión del DE/DTE",
    "4113": "Incongruencia en el registro de eventos del receptor (hay un evento previo de conformidad o "
            "disconformidad o desconocimiento)",
    "4150": "CDC del DTE ya cuenta con dos eventos de la misma naturaleza",
    "4152": "CDC del DTE es inexistente o ha superado el plazo para registro del evento",
    "4154": "Fecha estimada de Recepción requerida",
    "4155": "No se puede registrar la confirmación por CDC del DTE cancelado o ajustado en su totalidad por "
            "nota de crédito",
    "4156": "Incongruencia en el registro de eventos del receptor (hay un evento previo de desconocimiento)",
    "4200": "CDC del DTE ya cuenta con un evento de esta naturaleza",
    "4202": "CDC inexistente o ha superado el plazo para registro del evento",
    "4204": "No se puede registrar la disconformidad por CDC del DTE cancelado",
    "4205": "Incongruencia en el registro de eventos del receptor (hay un evento previo de desconocimiento)",
    "4251": "CDC del DTE ya cuenta con un evento de esta naturaleza",
    "4254": "Fecha de Recepción debe ser mayor a la fecha de emisión del DE/DTE",
    "4301": "Código del departamento del local de la entrega requerido para el motivo Cambio del local de "
            "la entrega",
    "4303": "Descripción del departamento del local de la entrega no corresponde al código",
    "4306": "Código de la ciudad del local de la entrega requerido para el motivo Cambio del local de la "
            "entrega",
    "4308": "Descripción de la ciudad del local de la entrega no corresponde al código",
    "4309": "Dirección del local de la entrega requerida para el motivo Cambio del local de la entrega",
    "4311": "Nombre y apellido del chofer requerido para el motivo Cambio del chofer",
    "4312": "Número de documento de identidad del chofer requerido para el motivo Cambio del chofer",
    "4313": "Naturaleza del transportista requerida para el motivo Cambio del transportista",
}
RECEPTOR_GROUPS = {"rGeVeNotRec": "notificacion", "rGeVeConf": "conformidad", "rGeVeDisconf": "disconformidad",
                   "rGeVeDescon": "desconocimiento"}


def _now() -> datetime:
    return datetime.now(PY_TZ).replace(microsecond=0)


def _fec() -> str:
    return _now().isoformat()


def _m(code: str, detail: str = "") -> tuple[str, str]:
    text = TEXTS.get(code, "Rechazado")
    return code, (f"{text}: {detail}" if detail else text)[:255]


def _res(msgs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"<ns2:gResProc><ns2:dCodRes>{c}</ns2:dCodRes><ns2:dMsgRes>{escape(t)}</ns2:dMsgRes>"
                   "</ns2:gResProc>" for c, t in msgs)


def soap(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<env:Envelope xmlns:env="{SOAP12_NS}"><env:Header/><env:Body>{body}</env:Body></env:Envelope>'
            ).encode("utf-8")


def _wrap(name: str, inner: str) -> bytes:
    return soap(f'<ns2:{name} xmlns:ns2="{NS}">{inner}</ns2:{name}>')


@dataclass(frozen=True)
class Verdict:
    cdc: str
    status: str  # 'Aprobado' | 'Aprobado con observación' | 'Rechazado'
    messages: tuple[tuple[str, str], ...]
    digest: str = ""

    @property
    def approved(self) -> bool:
        return self.status != "Rechazado"


@dataclass(frozen=True)
class Emitter:
    name: str
    establishments: frozenset[str]  # '*' = any
    timbrado: str | None  # None = any


def _emitters(accepted) -> dict[str, Emitter] | None:
    """accepted_rucs: None (everybody), {ruc: {estab, …}} or {ruc: {"timbrado": …,
    "establishments": […], "name": …}}; RUCs with or without check digit."""
    if accepted is None:
        return None
    out = {}
    for ruc, spec in accepted.items():
        base, _ = ruc_mod.split(ruc)
        if isinstance(spec, dict):
            out[base] = Emitter(spec.get("name", "CONTRIBUYENTE DE PRUEBA"),
                                frozenset(spec.get("establishments") or {"*"}), spec.get("timbrado"))
        else:
            out[base] = Emitter("CONTRIBUYENTE DE PRUEBA", frozenset(spec or {"*"}), None)
    return out


class SifenStore:
    """The sandbox's memory (one connection, one lock), in its own SQLite file."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS des(
        cdc TEXT PRIMARY KEY, ruc TEXT, doc_type INTEGER, timbrado TEXT, est TEXT, point TEXT,
        number TEXT, state TEXT, protocol TEXT, approved_at REAL, reveal_at REAL, xml BLOB,
        messages TEXT, digest TEXT, cancelled INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX IF NOT EXISTS des_number ON des(ruc, doc_type, timbrado, est, point, number);
    CREATE TABLE IF NOT EXISTS receptions(id INTEGER PRIMARY KEY, cdc TEXT, service TEXT, code TEXT, at REAL);
    CREATE INDEX IF NOT EXISTS receptions_cdc ON receptions(cdc);
    CREATE TABLE IF NOT EXISTS lotes(prot TEXT PRIMARY KEY, ruc TEXT, received_at REAL, reveal_at REAL,
        results TEXT);
    CREATE TABLE IF NOT EXISTS blocks(ruc TEXT, until REAL, reason TEXT, at REAL);
    CREATE TABLE IF NOT EXISTS inutilized(ruc TEXT, timbrado TEXT, doc_type INTEGER, est TEXT, point TEXT,
        number INTEGER);
    CREATE TABLE IF NOT EXISTS events(id TEXT, kind TEXT, cdc TEXT, code TEXT, at REAL);
    """

    def __init__(self, path: str = ":memory:"):
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(self.SCHEMA)

    @contextmanager
    def transaction(self):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self.db.close()


class SifenSandbox(LoopbackService):
    """`with SifenSandbox(accepted_rucs={'80012345-0': {'001'}}) as sifen: SifenClient(sifen.url)`.
    `tls=SandboxTLS(...)` serves HTTPS and requires a client certificate (mTLS)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, accepted_rucs=None,
                 db_path: str | None = None, lote_processing_seconds: float = 0.0,
                 lote_query_window_seconds: float = 48 * 3600, block_seconds: float = 600.0,
                 csc: dict[str, str] | None = None, test_environment: bool = True,
                 tls: "SandboxTLS | None" = None, seed: int = 0):
        super().__init__(host, port, faults=FaultInjector(SIFEN_KINDS, ENDPOINTS, seed=seed, scopes=FAULT_SCOPES))
        self.emitters = _emitters(accepted_rucs)
        self.store = SifenStore(db_path or ":memory:")
        self.lote_processing_seconds = float(lote_processing_seconds)
        self.lote_query_window_seconds = float(lote_query_window_seconds)
        self.block_seconds = float(block_seconds)
        self.csc = dict(csc or qr.TEST_CSC)
        self.test_environment = test_environment
        self.tls = tls
        self._wsdl_cache: dict[str, bytes] = {}
        # Compile the XSDs now, before any thread runs: lxml resolves xs:include through a
        # process-wide loader, and compiling while another thread parses proved flaky.
        schema.de_schema()
        schema.event_schema()
        self._processing: set[str] = set()  # CDCs of queued lotes not judged yet
        self._judging = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sifen-lotes")

    # -- lifecycle (TLS) -------------------------------------------------------------------
    def start(self) -> "SifenSandbox":
        if self.tls is None or self._server is not None:
            return super().start()
        from app.sandbox import http as http_mod

        self._server = http_mod._Server((self.host, self.port), self)
        self._server.socket = self.tls.server_context().wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"SifenSandbox-tls:{self.port}", daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def closed(self) -> None:
        self._judging.shutdown(wait=True)  # lotes already acknowledged are judged before closing
        self.store.close()

    # -- facts for tests -------------------------------------------------------------------
    def received_count(self, cdc: str, service: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM receptions WHERE cdc=?", [cdc]
        if service:
            sql += " AND service=?"
            args.append(service)
        with self.store.lock:
            return self.store.db.execute(sql, args).fetchone()[0]

    def reception_log(self, cdc: str) -> list[tuple[str, str]]:
        with self.store.lock:
            return [(s, c) for s, c in self.store.db.execute(
                "SELECT service, code FROM receptions WHERE cdc=? ORDER BY id", (cdc,))]

    def state(self, cdc: str) -> str | None:
        with self.store.lock:
            row = self.store.db.execute("SELECT state FROM des WHERE cdc=?", (cdc,)).fetchone()
        return row[0] if row else None

    def approved(self) -> set[str]:
        with self.store.lock:
            return {r[0] for r in self.store.db.execute("SELECT cdc FROM des WHERE state='approved'")}

    @property
    def blocks(self) -> int:
        with self.store.lock:
            return self.store.db.execute("SELECT COUNT(*) FROM blocks").fetchone()[0]

    def lotes(self) -> int:
        with self.store.lock:
            return self.store.db.execute("SELECT COUNT(*) FROM lotes").fetchone()[0]

    def control(self, request: Request) -> Response:
        prefix = "/_sandbox/documents/"
        if request.method == "GET" and request.path.startswith(prefix):
            cdc = request.path[len(prefix):]
            return json_response({"cdc": cdc, "state": self.state(cdc), "received": self.received_count(cdc),
                                  "receptions": self.reception_log(cdc)})
        if request.method == "GET" and request.path == "/_sandbox/stats":
            return json_response({"approved": len(self.approved()), "blocks": self.blocks, "lotes": self.lotes()})
        return super().control(request)

    # -- HTTP ------------------------------------------------------------------------------
    def route(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path not in PATHS:
            return Response(404, b"<html><body>404 Not Found</body></html>", "text/html; charset=utf-8")
        endpoint, op_name, wsdl = PATHS[path]
        if request.method == "GET":
            plan = self.apply_plan_delay("wsdl")
            if plan.fault and (r := transport_fault(plan.fault)):
                return r
            if request.has_flag("wsdl"):
                return Response(200, self._wsdl(path, wsdl), "text/xml; charset=utf-8")
            return Response(200, b"<html><body>SIFEN web service</body></html>", "text/html; charset=utf-8")
        if request.method != "POST":
            return Response(405, b"", "text/plain")
        plan = self.apply_plan_delay(endpoint)
        if plan.fault is not None and (r := transport_fault(plan.fault)):
            return r
        if len(request.body) > MAX_MESSAGE * 2:
            return self._fault("Mensaje demasiado grande", 413)
        try:
            env = parse_xml(request.body)
        except ValidationError:
            return Response(400, soap(self._soap_fault_body("XML mal formado")), "application/soap+xml; charset=utf-8")
        body = next((c for c in env if isinstance(c.tag, str) and c.tag == f"{{{SOAP12_NS}}}Body"), None)
        if env.tag != f"{{{SOAP12_NS}}}Envelope" or body is None or not len(body):
            return self._fault("Se espera un sobre SOAP 1.2")
        operation = body[0]
        if operation.tag != _N + op_name:
            return self._fault(f"Operación desconocida {operation.tag}")
        kind = plan.kind
        handler = {"recibe": self._recibe, "recibe-lote": self._recibe_lote, "consulta-lote": self._consulta_lote,
                   "consulta": self._consulta, "consulta-ruc": self._consulta_ruc, "evento": self._evento}[endpoint]
        answer = handler(operation, kind)
        if kind == "lost":  # processed, then the connection drops: the client never sees the answer
            return Response(reset=True)
        return Response(200, answer, "application/soap+xml; charset=utf-8")

    @staticmethod
    def _soap_fault_body(reason: str) -> str:
        return (f'<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason>'
                f'<env:Text xml:lang="es">{escape(reason)}</env:Text></env:Reason></env:Fault>')

    def _fault(self, reason: str, status: int = 400) -> Response:
        return Response(status, soap(self._soap_fault_body(reason)), "application/soap+xml; charset=utf-8")

    def _wsdl(self, path: str, wsdl: tuple[str, str]) -> bytes:
        if path not in self._wsdl_cache:
            text = resource("wsdl", "py", *wsdl).read_bytes()
            self._wsdl_cache[path] = re.sub(rb'(location=")https://sifen-test\.set\.gov\.py[^"]*(")',
                                            lambda m: m.group(1) + (self.url + path).encode() + m.group(2), text)
        return self._wsdl_cache[path]

    # -- judging ---------------------------------------------------------------------------
    def _blocked(self, ruc: str) -> bool:
        row = self.store.db.execute("SELECT MAX(until) FROM blocks WHERE ruc=?", (ruc,)).fetchone()
        return bool(row and row[0] and row[0] > time.time())

    def judge(self, rde) -> Verdict:
        """Everything SIFEN checks on one DE that does not depend on its own records."""
        de = rde.find(_N + "DE")
        cdc = de.get("Id", "") if de is not None else ""

        def rej(code: str, detail: str = "") -> Verdict:
            return Verdict(cdc, "Rechazado", (_m(code, detail),))

        problems = schema.validate(rde)
        if problems or de is None:
            return rej("0160", problems[0] if problems else "falta DE")
        t = lambda p: py_verify._t(de, p)  # noqa: E731
        ruc = t("gDatGralOpe/gEmis/dRucEm")
        if self.emitters is not None:
            em = self.emitters.get(ruc)
            if em is None or (em.timbrado and em.timbrado != t("gTimb/dNumTim")):
                return rej("1101", f"TEST - timbrado {t('gTimb/dNumTim')} no corresponde al RUC {ruc}")
            if "*" not in em.establishments and t("gTimb/dEst") not in em.establishments:
                return rej("1105", f"establecimiento {t('gTimb/dEst')}")
        if t("gOpeDE/iTipEmi") == "2":
            return rej("1050")
        bad = [f for f in py_verify.cdc_findings(rde) if not f.ok]
        if bad:
            return rej("1003" if "verificador incorrecto" in bad[0].message and "RUC" not in bad[0].message else "1000",
                       bad[0].message)
        sigs = rde.findall(f"{{{cat.DS}}}Signature")
        if len(sigs) != 1:
            return rej("0141", "se espera una firma")
        ok, why = dsig._verify_signature(sigs[0], rde)
        if not ok:
            return rej("0141", why)
        cert_text = "".join(rde.findtext(f"{{{cat.DS}}}Signature/{{{cat.DS}}}KeyInfo/{{{cat.DS}}}X509Data/"
                                         f"{{{cat.DS}}}X509Certificate") .split())
        if not _cert_has_ruc(cert_text, ruc):
            return rej("0142")
        url = rde.findtext(f"{_N}gCamFuFD/{_N}dCarQR") or ""
        _, params, hash_ = qr.split_url(url)
        id_csc = params.rpartition("IdCSC=")[2]
        if params != qr.params_from_rde(rde, id_csc):
            return rej("2500")
        if id_csc not in self.csc or qr.c_hash_qr(params, self.csc[id_csc]) != hash_:
            return rej("2501")
        if self.test_environment and t("gDatGralOpe/gEmis/dNomEmi") != cat.TEST_ISSUER_NAME:
            return rej("1263")
        broken = rules.problems(rules.from_xml(de, _N))  # the same rules the builder checks
        if broken:
            return rej(broken[0].code, broken[0].message)
        now = _now().replace(tzinfo=None)
        try:
            signed = datetime.fromisoformat(t("dFecFirma"))
            issued = datetime.fromisoformat(t("gDatGralOpe/dFeEmiDE"))
        except ValueError:
            return rej("0160", "fecha inválida")
        if signed > now + timedelta(minutes=5):
            return rej("1004")
        if issued < now - timedelta(hours=720):
            return rej("1150")
        if issued > now + timedelta(hours=120):
            return rej("1151")
        bad = [f for f in py_verify.totals_findings(rde) if not f.ok]
        if bad:
            return rej("2365", bad[0].message)
        digest = rde.findtext(f"{{{cat.DS}}}Signature/{{{cat.DS}}}SignedInfo/{{{cat.DS}}}Reference/"
                              f"{{{cat.DS}}}DigestValue") or ""
        if signed < now - timedelta(hours=72):
            return Verdict(cdc, "Aprobado con observación", (_m("1005"),), digest)
        return Verdict(cdc, "Aprobado", (_m("0260"),), digest)

    def _record(self, rde, verdict: Verdict, *, service: str, reveal_at: float) -> Verdict:
        """Inside the store transaction: duplicates (1001/1002) against SIFEN's records,
        then remember the DE. Returns the final verdict."""
        db = self.store.db
        cdc = verdict.cdc
        de = rde.find(_N + "DE")
        t = lambda p: py_verify._t(de, p)  # noqa: E731
        if verdict.approved:
            row = db.execute("SELECT state FROM des WHERE cdc=?", (cdc,)).fetchone()
            if row and row[0] == "approved":
                verdict = Verdict(cdc, "Rechazado", (_m("1001"),))
            else:
                other = db.execute(
                    "SELECT cdc FROM des WHERE ruc=? AND doc_type=? AND timbrado=? AND est=? AND point=? AND "
                    "number=? AND cdc<>? AND state='approved'",
                    (t("gDatGralOpe/gEmis/dRucEm"), int(t("gTimb/iTiDE")), t("gTimb/dNumTim"), t("gTimb/dEst"),
                     t("gTimb/dPunExp"), t("gTimb/dNumDoc"), cdc)).fetchone()
                if other:
                    verdict = Verdict(cdc, "Rechazado", (_m("1002", f"ya aprobado con el CDC {other[0]}"),))
        db.execute("INSERT INTO receptions(cdc, service, code, at) VALUES (?,?,?,?)",
                   (cdc, service, verdict.messages[0][0], time.time()))
        existing = db.execute("SELECT state FROM des WHERE cdc=?", (cdc,)).fetchone()
        if existing and existing[0] == "approved":
            return verdict  # a duplicate never overwrites the approved DE
        if verdict.approved:
            protocol = str(secrets.randbelow(9 * 10**9) + 10**9)
            db.execute(
                "INSERT OR REPLACE INTO des(cdc, ruc, doc_type, timbrado, est, point, number, state, protocol, "
                "approved_at, reveal_at, xml, messages, digest) VALUES (?,?,?,?,?,?,?,'approved',?,?,?,?,?,?)",
                (cdc, t("gDatGralOpe/gEmis/dRucEm"), int(t("gTimb/iTiDE")), t("gTimb/dNumTim"), t("gTimb/dEst"),
                 t("gTimb/dPunExp"), t("gTimb/dNumDoc"), protocol, reveal_at, reveal_at, schema.serialize(rde),
                 json.dumps(verdict.messages), verdict.digest))
        elif len(cdc) == 44:
            db.execute("INSERT OR REPLACE INTO des(cdc, state, reveal_at, messages) VALUES (?,?,?,?)",
                       (cdc, "rejected", reveal_at, json.dumps(verdict.messages)))
        return verdict

    def _protocol(self, cdc: str) -> str | None:
        row = self.store.db.execute("SELECT protocol FROM des WHERE cdc=? AND state='approved'", (cdc,)).fetchone()
        return row[0] if row else None

    # -- siRecepDE ---------------------------------------------------------------------------
    def _recibe(self, op, fault_kind: str | None) -> bytes:
        xde = op.find(_N + "xDE")
        rde = xde[0] if xde is not None and len(xde) else None
        if fault_kind == "busy":
            return self._prot_de("", "Rechazado", [_m("0161")])
        if rde is None or rde.tag != _N + "rDE":
            return self._prot_de("", "Rechazado", [_m("0160", "xDE no contiene rDE")])
        rde = py_verify._detach(rde)
        verdict = self.judge(rde)
        with self.store.transaction():
            ruc = py_verify._t(rde.find(_N + "DE"), "gDatGralOpe/gEmis/dRucEm") if rde.find(_N + "DE") is not None else ""
            if self._blocked(ruc):
                return self._prot_de(verdict.cdc, "Rechazado", [_m("0301", "RUC bloqueado temporalmente")])
            if self._pending(verdict.cdc):
                self._block(ruc, f"CDC {verdict.cdc} reenviado mientras se procesa en un lote")
                return self._prot_de(verdict.cdc, "Rechazado", [_m("0301", "CDC en procesamiento; RUC bloqueado")])
            verdict = self._record(rde, verdict, service="recibe", reveal_at=time.time())
            protocol = self._protocol(verdict.cdc) if verdict.approved else None
        return self._prot_de(verdict.cdc, verdict.status, list(verdict.messages), protocol, verdict.digest)

    def _prot_de(self, cdc: str, status: str, msgs, protocol: str | None = None, digest: str = "") -> bytes:
        inner = (f"<ns2:rProtDe>{f'<ns2:Id>{cdc}</ns2:Id>' if len(cdc) == 44 else ''}<ns2:dFecProc>{_fec()}"
                 f"</ns2:dFecProc>{f'<ns2:dDigVal>{digest}</ns2:dDigVal>' if digest else ''}"
                 f"<ns2:dEstRes>{escape(status)}</ns2:dEstRes>"
                 f"{f'<ns2:dProtAut>{protocol}</ns2:dProtAut>' if protocol else ''}{_res(msgs)}</ns2:rProtDe>")
        return _wrap("rRetEnviDe", inner)

    def _pending(self, cdc: str) -> bool:
        """A CDC whose lote result is not yet final (SIFEN blocks a RUC that resends it)."""
        if cdc in self._processing:
            return True
        row = self.store.db.execute("SELECT reveal_at FROM des WHERE cdc=?", (cdc,)).fetchone()
        return bool(row and row[0] and row[0] > time.time())

    def _block(self, ruc: str, reason: str) -> None:
        self.store.db.execute("INSERT INTO blocks(ruc, until, reason, at) VALUES (?,?,?,?)",
                              (ruc, time.time() + self.block_seconds, reason, time.time()))

    # -- siRecepLoteDE -----------------------------------------------------------------------
    def _lote_ack(self, code: str, detail: str = "", prot: str | None = None) -> bytes:
        c, msg = _m(code, detail)
        inner = (f"<ns2:dFecProc>{_fec()}</ns2:dFecProc><ns2:dCodRes>{c}</ns2:dCodRes>"
                 f"<ns2:dMsgRes>{escape(msg)}</ns2:dMsgRes>"
                 f"{f'<ns2:dProtConsLote>{prot}</ns2:dProtConsLote>' if prot else ''}<ns2:dTpoProces>0</ns2:dTpoProces>")
        return _wrap("rResEnviLoteDe", inner)

    def _recibe_lote(self, op, fault_kind: str | None) -> bytes:
        if fault_kind == "not_queued":
            return self._lote_ack("0301")
        xde = op.find(_N + "xDE")
        try:
            data = base64.b64decode("".join((xde.text or "").split()) if xde is not None else "", validate=True)
            root = parse_xml(py_verify.unzip_lote(data))
        except (binascii.Error, ValueError, ValidationError) as exc:
            return self._lote_ack("0160", str(exc)[:200])
        rdes = [py_verify._detach(r) for r in py_verify.lote_rdes(root)]
        if not 1 <= len(rdes) <= 50:
            return self._lote_ack("0301", f"el lote tiene {len(rdes)} DE")
        des = [r.find(_N + "DE") for r in rdes]
        if any(d is None for d in des):
            return self._lote_ack("0160", "rDE sin DE")
        rucs = {py_verify._t(d, "gDatGralOpe/gEmis/dRucEm") for d in des}
        types = {py_verify._t(d, "gTimb/iTiDE") for d in des}
        cdcs = [d.get("Id", "") for d in des]
        ruc = next(iter(rucs))
        if len(rucs) > 1:
            return self._lote_ack("0301", "más de un RUC emisor en el lote")
        if len(types) > 1:
            return self._lote_ack("0301", "más de un tipo de documento en el lote")
        with self.store.transaction():
            if self._blocked(ruc):
                return self._lote_ack("0301", "RUC bloqueado temporalmente")
            dup = len(set(cdcs)) != len(cdcs)
            pending = [c for c in cdcs if self._pending(c)]
            if dup or pending:
                self._block(ruc, "CDC repetido en el lote" if dup else f"CDC {pending[0]} en procesamiento")
                return self._lote_ack("0301", "CDC repetido o en procesamiento; RUC bloqueado temporalmente")
            # queued (same transaction as the checks): from now on these CDCs are "in processing"
            prot = str(secrets.randbelow(9 * 10**16) + 10**16)
            now = time.time()
            self.store.db.execute("INSERT INTO lotes(prot, ruc, received_at, reveal_at, results) VALUES (?,?,?,NULL,NULL)",
                                  (prot, ruc, now))
            self._processing.update(cdcs)
        # Like SIFEN, the lote is judged after the 0300 (dTpoProces): in the background.
        self._judging.submit(self._process_lote, prot, rdes, now)
        return self._lote_ack("0300", "", prot)

    def _process_lote(self, prot: str, rdes: list, received: float) -> None:
        try:
            verdicts = [self.judge(r) for r in rdes]
            reveal = max(time.time(), received + self.lote_processing_seconds)
            with self.store.transaction():
                results = []
                for rde, v in zip(rdes, verdicts):
                    v = self._record(rde, v, service="recibe-lote", reveal_at=reveal)
                    results.append({"cdc": v.cdc, "status": v.status, "messages": v.messages,
                                    "protocol": self._protocol(v.cdc) if v.approved else None})
                self.store.db.execute("UPDATE lotes SET reveal_at=?, results=? WHERE prot=?",
                                      (reveal, json.dumps(results), prot))
                self._processing.difference_update(r["cdc"] for r in results)
        except Exception as exc:  # a sandbox bug must not go unnoticed
            self.errors.append(exc)
            raise

    # -- siResultLoteDE ----------------------------------------------------------------------
    def _consulta_lote(self, op, fault_kind: str | None) -> bytes:
        prot = (op.findtext(_N + "dProtConsLote") or "").strip()

        def answer(code: str, items: str = "", detail: str = "") -> bytes:
            c, msg = _m(code, detail)
            return _wrap("rResEnviConsLoteDe", f"<ns2:dFecProc>{_fec()}</ns2:dFecProc><ns2:dCodResLot>{c}"
                                               f"</ns2:dCodResLot><ns2:dMsgResLot>{escape(msg)}</ns2:dMsgResLot>{items}")
        with self.store.lock:
            row = self.store.db.execute("SELECT received_at, reveal_at, results FROM lotes WHERE prot=?",
                                        (prot,)).fetchone()
        if row is None:
            return answer("0360")
        received, reveal, results = row
        if fault_kind == "expired" or time.time() > received + self.lote_query_window_seconds:
            return answer("0364")
        if fault_kind == "processing" or reveal is None or time.time() < reveal:
            return answer("0361")
        items = "".join(_lote_item(r) for r in json.loads(results))
        return answer("0362", items, f"lote {{{prot}}}")

    # -- siConsDE ----------------------------------------------------------------------------
    def _consulta(self, op, fault_kind: str | None) -> bytes:
        cdc = (op.findtext(_N + "dCDC") or "").strip()
        with self.store.lock:
            row = self.store.db.execute("SELECT xml, protocol, reveal_at FROM des WHERE cdc=? AND state='approved'",
                                        (cdc,)).fetchone()
        if row is None or (row[2] and row[2] > time.time()):
            c, msg = _m("0420")
            return _wrap("rEnviConsDeResponse", f"<ns2:dFecProc>{_fec()}</ns2:dFecProc><ns2:dCodRes>{c}"
                                                f"</ns2:dCodRes><ns2:dMsgRes>{msg}</ns2:dMsgRes>")
        xml, protocol, _ = row
        content = (b"<rContDe>" + bytes(xml).split(b"?>", 1)[1] + b"<dProtAut>" + protocol.encode()
                   + b"</dProtAut></rContDe>").decode("utf-8")
        c, msg = _m("0422")
        return _wrap("rEnviConsDeResponse", f"<ns2:dFecProc>{_fec()}</ns2:dFecProc><ns2:dCodRes>{c}</ns2:dCodRes>"
                                            f"<ns2:dMsgRes>{msg}</ns2:dMsgRes><ns2:xContenDE>{escape(content)}"
                                            "</ns2:xContenDE>")

    # -- siConsRUC ---------------------------------------------------------------------------
    def _consulta_ruc(self, op, fault_kind: str | None) -> bytes:
        ruc = (op.findtext(_N + "dRUCCons") or "").strip()
        em = (self.emitters or {}).get(ruc)
        if em is None:
            c, msg = _m("0500")
            return _wrap("rResEnviConsRUC", f"<ns2:dCodRes>{c}</ns2:dCodRes><ns2:dMsgRes>{msg}</ns2:dMsgRes>")
        c, msg = _m("0502")
        return _wrap("rResEnviConsRUC", f"<ns2:dCodRes>{c}</ns2:dCodRes><ns2:dMsgRes>{msg}</ns2:dMsgRes>"
                                        f"<ns2:xContRUC><ns2:dRUCCons>{ruc}</ns2:dRUCCons><ns2:dRazCons>"
                                        f"{escape(em.name)}</ns2:dRazCons><ns2:dCodEstCons>ACT</ns2:dCodEstCons>"
                                        "<ns2:dDesEstCons>ACTIVO</ns2:dDesEstCons><ns2:dRUCFactElec>S"
                                        "</ns2:dRUCFactElec></ns2:xContRUC>")

    # -- siRecepEvento -----------------------------------------------------------------------
    def _evento(self, op, fault_kind: str | None) -> bytes:
        request = py_verify._detach(op)
        problems = schema.validate_event(request)
        eves = list(request.iter(_N + "rEve"))
        if problems:
            return self._event_answer([(e.get("Id") or "0", "Rechazado", [_m("0160", problems[0])]) for e in eves]
                                      or [("0", "Rechazado", [_m("0160", problems[0])])])
        sigs = dsig.verify(schema.serialize(request))
        answers = []
        for n, eve in enumerate(eves):
            eid = eve.get("Id") or "0"
            if n >= len(sigs) or not sigs[n].ok:
                answers.append((eid, "Rechazado", [_m("0141")]))
                continue
            group = eve.find(f"{_N}gGroupTiEvt")
            kind = group[0] if group is not None and len(group) else None
            with self.store.transaction():
                answers.append((eid, *self._event(eid, kind)))
        return self._event_answer(answers)

    def _event(self, eid: str, g) -> tuple[str, list]:
        db = self.store.db
        name = etree.QName(g).localname if g is not None else ""
        if name == "rGeVeCan":
            cdc = g.findtext(_N + "Id") or ""
            row = db.execute("SELECT doc_type, approved_at, cancelled, reveal_at FROM des WHERE cdc=? AND state='approved'",
                             (cdc,)).fetchone()
            if row is None or (row[3] and row[3] > time.time()):
                return "Rechazado", [_m("4002")]
            doc_type, approved_at, cancelled, _ = row
            if cancelled:
                return "Rechazado", [_m("4003")]
            window = 48 if doc_type == cat.FE else 168
            if time.time() > approved_at + window * 3600:
                return "Rechazado", [_m("4009" if doc_type == cat.FE else "4010")]
            db.execute("UPDATE des SET cancelled=1 WHERE cdc=?", (cdc,))
            db.execute("INSERT INTO events(id, kind, cdc, code, at) VALUES (?,?,?,?,?)",
                       (eid, "cancelacion", cdc, "0600", time.time()))
            return "Aprobado", [_m("0600")]
        if name == "rGeVeInu":
            timbrado, est, point = (g.findtext(_N + k) or "" for k in ("dNumTim", "dEst", "dPunExp"))
            first, last = int(g.findtext(_N + "dNumIn") or 0), int(g.findtext(_N + "dNumFin") or 0)
            doc_type = int(g.findtext(_N + "iTiDE") or 0)
            if last - first + 1 > 1000 or last < first:
                return "Rechazado", [_m("4067")]
            numbers = [f"{n:07d}" for n in range(first, last + 1)]
            marks = ",".join("?" * len(numbers))
            if db.execute(f"SELECT 1 FROM des WHERE state='approved' AND doc_type=? AND timbrado=? AND est=? "
                          f"AND point=? AND number IN ({marks}) LIMIT 1",
                          (doc_type, timbrado, est, point, *numbers)).fetchone():
                return "Rechazado", [_m("4065")]
            if db.execute("SELECT 1 FROM inutilized WHERE timbrado=? AND doc_type=? AND est=? AND point=? "
                          "AND number BETWEEN ? AND ? LIMIT 1", (timbrado, doc_type, est, point, first, last)).fetchone():
                return "Rechazado", [_m("4066")]
            db.executemany("INSERT INTO inutilized(ruc, timbrado, doc_type, est, point, number) VALUES (?,?,?,?,?,?)",
                           [("", timbrado, doc_type, est, point, n) for n in range(first, last + 1)])
            db.execute("INSERT INTO events(id, kind, cdc, code, at) VALUES (?,?,?,?,?)",
                       (eid, "inutilizacion", f"{est}-{point}-{first:07d}-{last:07d}", "0600", time.time()))
            return "Aprobado", [_m("0600")]
        cdc = g.findtext(_N + "Id") if g is not None else ""
        row = db.execute("SELECT doc_type, cancelled, reveal_at, xml FROM des WHERE cdc=? AND state='approved'",
                         (cdc,)).fetchone() if cdc else None
        if row is not None and row[2] and row[2] > time.time():
            row = None  # still being processed in its lote: not yet a DTE
        if name in RECEPTOR_GROUPS:
            code = self._receptor_problem(RECEPTOR_GROUPS[name], g, cdc, row)
        elif name == "rGeVeTr":
            code = "4002" if row is None else self._transport_problem(g, row)
        else:
            code = "4002" if row is None else None
        if code:
            return "Rechazado", [_m(code)]
        kind = RECEPTOR_GROUPS.get(name, name)
        db.execute("INSERT INTO events(id, kind, cdc, code, at) VALUES (?,?,?,?,?)", (eid, kind, cdc, "0600", time.time()))
        return "Aprobado", [_m("0600")]

    def _receptor_problem(self, kind: str, g, cdc: str, row) -> str | None:
        """MT §11.6.3–11.6.6: the receptor's events on one DTE and their order."""
        previous = [r[0] for r in self.store.db.execute(
            "SELECT kind FROM events WHERE cdc=? AND code='0600' ORDER BY at", (cdc,))]
        cancelled = bool(row and row[1])
        opposite = {"conformidad": "disconformidad", "disconformidad": "conformidad"}.get(kind)
        if opposite and row is not None and opposite not in previous:
            # 45 days from the emission date (in the CDC); a corrective event after the
            # opposite one has its own 15-day rule, not simulated
            issued_on = datetime.strptime(cdc[25:33], "%Y%m%d").date()
            if _now().date() > issued_on + timedelta(days=45):
                return "4152" if kind == "conformidad" else "4202"
        if kind == "notificacion":
            if row is None:
                return "4002"
            if {"conformidad", "disconformidad", "desconocimiento"} & set(previous):
                return "4113"
            if "notificacion" in previous:
                return "4101"
        elif kind == "conformidad":
            if row is None:
                return "4152"
            if cancelled:
                return "4155"
            if "desconocimiento" in previous:
                return "4156"
            if previous.count("conformidad") >= 2:
                return "4150"
            if g.findtext(_N + "iTipConf") == "2" and not g.findtext(_N + "dFecRecep"):
                return "4154"
        elif kind == "disconformidad":
            if row is None:
                return "4202"
            if cancelled:
                return "4204"
            if "desconocimiento" in previous:
                return "4205"
            if "disconformidad" in previous:
                return "4200"
        elif kind == "desconocimiento":
            if row is None:
                return "4002"
            if "desconocimiento" in previous:
                return "4251"
        if kind in ("notificacion", "desconocimiento"):
            issued, received = g.findtext(_N + "dFecEmi") or "", g.findtext(_N + "dFecRecep") or ""
            if received < issued:  # both AAAA-MM-DDThh:mm:ss: text order is time order
                return "4104" if kind == "notificacion" else "4254"
        return None

    def _transport_problem(self, g, row) -> str | None:
        """MT §11.6.7 (the rules this sandbox checks) on an approved, not cancelled DTE."""
        if row[1]:
            return "4003"
        reason = g.findtext(_N + "dMotEv")
        if reason == "1":
            dep, city = g.findtext(_N + "cDepEnt"), g.findtext(_N + "cCiuEnt")
            if not dep:
                return "4301"
            if cat.departments().get(int(dep)) != g.findtext(_N + "dDesDepEnt"):
                return "4303"
            if not city:
                return "4306"
            from app.fiscal.py import geo
            if geo.city_name(int(city)) != g.findtext(_N + "dDesCiuEnt"):
                return "4308"
            if not g.findtext(_N + "dDirEnt"):
                return "4309"
        if reason == "2":
            if not g.findtext(_N + "dNomChof"):
                return "4311"
            if not g.findtext(_N + "dNumIDChof"):
                return "4312"
        if reason == "3" and not g.findtext(_N + "iNatTrans"):
            return "4313"
        return None

    def _event_answer(self, answers) -> bytes:
        items = "".join(
            f"<ns2:gResProcEVe><ns2:dEstRes>{escape(status)}</ns2:dEstRes>"
            f"{f'<ns2:dProtAut>{secrets.randbelow(9 * 10**9) + 10**9}</ns2:dProtAut>' if status == 'Aprobado' else ''}"
            f"<ns2:id>{escape(eid)}</ns2:id>{_res(msgs)}</ns2:gResProcEVe>" for eid, status, msgs in answers)
        return _wrap("rRetEnviEventoDe", f"<ns2:dFecProc>{_fec()}</ns2:dFecProc>{items}")


def _lote_item(r: dict) -> str:
    protocol = f"<ns2:dProtAut>{r['protocol']}</ns2:dProtAut>" if r.get("protocol") else ""
    return (f"<ns2:gResProcLote><ns2:id>{r['cdc']}</ns2:id><ns2:dEstRes>{escape(r['status'])}</ns2:dEstRes>"
            f"{protocol}{_res([tuple(m) for m in r['messages']][:5])}</ns2:gResProcLote>")


@lru_cache(maxsize=64)
def _cert_has_ruc(cert_b64: str, ruc: str) -> bool:
    """MT §7.5: 'RUC<base>-<dv>' in the Subject serialNumber (jurídica) or in a SAN
    directoryName serialNumber (física)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(cert_b64))
    except ValueError:
        return False
    names = [cert.subject]
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names += san.get_values_for_type(x509.DirectoryName)
    except x509.ExtensionNotFound:
        pass
    for name in names:
        for attr in name.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
            value = str(attr.value).upper().replace(" ", "")
            if value.startswith("RUC") and ruc_mod.split(value[3:])[0] == ruc:
                return True
    return False


# ------------------------------------------------------------------------------------ TLS

@dataclass
class SandboxTLS:
    """HTTPS for the sandbox with client authentication: a throwaway CA signs the server
    certificate (127.0.0.1); `client_certs` are the certificates accepted from clients."""

    ca_pem: bytes
    server_cert_pem: bytes
    server_key_pem: bytes
    client_certs_pem: bytes
    directory: Path

    @property
    def ca_file(self) -> str:
        return str(self.directory / "sandbox-ca.pem")

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        cert, key = self.directory / "server.pem", self.directory / "server.key"
        ctx.load_cert_chain(str(cert), str(key))
        ctx.verify_mode = ssl.CERT_REQUIRED  # mutual authentication, as SIFEN
        ctx.load_verify_locations(cadata=self.client_certs_pem.decode("ascii"))
        ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # taxpayer test certificates are self-signed
        return ctx

    @classmethod
    def generate(cls, directory: Path, client_certs: list) -> "SandboxTLS":
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID
        import ipaddress
        from datetime import timezone

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        now = datetime.now(timezone.utc) - timedelta(hours=1)
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SIFEN Sandbox CA")])
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
              .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=30))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        server = (x509.CertificateBuilder()
                  .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
                  .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                  .not_valid_before(now).not_valid_after(now + timedelta(days=30))
                  .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                              x509.DNSName("localhost")]), critical=False)
                  .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                  .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                  .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
                  .sign(ca_key, hashes.SHA256()))
        pem = serialization.Encoding.PEM
        ca_pem = ca.public_bytes(pem)
        server_pem = server.public_bytes(pem)
        key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        clients = b"".join(c.public_bytes(pem) for c in client_certs)
        (directory / "sandbox-ca.pem").write_bytes(ca_pem)
        (directory / "server.pem").write_bytes(server_pem)
        (directory / "server.key").write_bytes(key_pem)
        try:
            (directory / "server.key").chmod(0o600)
        except OSError:
            pass
        return cls(ca_pem, server_pem, key_pem, clients, directory)


def serve_forever(port: int, accepted_rucs=None, *, host: str = "127.0.0.1", db_path: str | None = None,
                  lote_processing_seconds: float = 0.0) -> None:
    """Runs the simulated SIFEN in the foreground until Ctrl+C or SIGTERM."""
    sifen = SifenSandbox(host, port, accepted_rucs=accepted_rucs, db_path=db_path,
                         lote_processing_seconds=lote_processing_seconds)
    try:
        sifen.start()
    except OSError as exc:
        sifen.store.close()
        raise ConfigurationError(f"No se pudo abrir {host}:{port} para el SIFEN simulado: {exc.strerror}") from exc
    with sifen:
        print(f"SIFEN simulado escuchando en {sifen.url}", flush=True)
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass


def main(argv: list[str] | None = None) -> int:
    """`python -m app.fiscal.py.sandbox --port 8090 --accept 80012345-0:12560812:001,002`."""
    import argparse
    import sys

    p = argparse.ArgumentParser(prog="python -m app.fiscal.py.sandbox", description="SIFEN simulado en 127.0.0.1")
    p.add_argument("--port", type=int, default=8090)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--accept", action="append", default=[], metavar="RUC[:TIMBRADO[:EST,EST]]",
                   help="RUC emisor aceptado (por defecto, todos)")
    p.add_argument("--db", default=None, help="archivo SQLite del simulador (por defecto, en memoria)")
    p.add_argument("--processing", type=float, default=0.0, help="segundos que tarda un lote en procesarse")
    a = p.parse_args(argv)
    accepted = None
    for spec in a.accept:
        ruc, _, rest = spec.partition(":")
        timbrado, _, estabs = rest.partition(":")
        accepted = accepted or {}
        accepted[ruc] = {"timbrado": timbrado or None, "establishments": [e for e in estabs.split(",") if e] or ["*"]}
    try:
        serve_forever(a.port, accepted, host=a.host, db_path=a.db, lote_processing_seconds=a.processing)
    except ConfigurationError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
