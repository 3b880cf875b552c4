"""A small loopback HTTP server for the simulated authorities (stdlib only).

`LoopbackService` owns a `ThreadingHTTPServer` in a background thread, keeps connections
alive (HTTP/1.1, Nagle off) so a client session reuses one socket, and serves the fault
control endpoint `/_sandbox/faults` shared by every sandbox. A concrete service (SRI,
SIFEN) subclasses it and implements `route(request) -> Response`; `transport_fault()` turns
the generic fault kinds into what a broken network or a broken front end really does.
"""
from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from app.sandbox.faults import Fault, FaultInjector

MAX_BODY = 8 * 1024 * 1024  # a sandbox never needs more; refuse instead of buffering anything

BIG_IP_PAGE = (
    b"<html><head><title>Request Rejected</title></head><body>"
    b"<p>El sitio se encuentra en mantenimiento. The requested URL was rejected. "
    b"Please consult with your administrator.</p>"
    b"<p>Your support ID is: 17351839912345678901</p></body></html>"
)
MALFORMED_SOAP = (
    b'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope '
    b'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns2:respuesta'
)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def has_flag(self, name: str) -> bool:
        """`?wsdl` style flags, case-insensitive."""
        return any(k.lower() == name for k in self.query)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # drop the connection without answering


def json_response(obj, status: int = 200) -> Response:
    return Response(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"),
                    "application/json; charset=utf-8")


def soap_fault(faultstring: str, code: str = "soap:Server") -> bytes:
    from xml.sax.saxutils import escape
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f"<soap:Fault><faultcode>{escape(code)}</faultcode><faultstring>{escape(faultstring)}"
        "</faultstring></soap:Fault></soap:Body></soap:Envelope>"
    ).encode("utf-8")


def transport_fault(fault: Fault) -> Response | None:
    """The generic kinds; None for a kind the service must interpret itself."""
    kind = fault.kind
    if kind == "reset":
        return Response(reset=True)
    if kind == "http500":
        # What a JAX-WS stack answers when it blows up: 500 with a SOAP fault.
        return Response(500, soap_fault("java.lang.NullPointerException"))
    if kind == "http503":
        return Response(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>",
                        "text/html; charset=iso-8859-1")
    if kind == "html":
        return Response(200, BIG_IP_PAGE, "text/html; charset=utf-8")
    if kind == "malformed":
        return Response(200, MALFORMED_SOAP)
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one socket per client session
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections give their thread back
    server_version = "MostradorSandbox/1"

    def log_message(self, format, *args):  # noqa: A002 - quiet; tests read state, not logs
        pass

    def _serve(self) -> None:
        service: LoopbackService = self.server.service  # type: ignore[attr-defined]
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            # Not supported here; refusing (and closing) keeps the connection's framing sane.
            self._send(Response(411, b"se requiere Content-Length", "text/plain; charset=utf-8"))
            self.close_connection = True
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._send(Response(413, b"cuerpo ausente o demasiado grande", "text/plain; charset=utf-8"))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                          {k.lower(): v for k, v in self.headers.items()}, body)
        try:
            if parts.path.startswith("/_sandbox/"):
                response = service.control(request)
            else:
                response = service.route(request)
        except Exception as exc:  # a sandbox bug must look like a server error, not hang the client...
            service.errors.append(exc)  # ...and must not go unnoticed: tests assert this stays empty
            traceback.print_exc()
            response = Response(500, soap_fault(f"Error interno del simulador: {type(exc).__name__}"))
        if response.reset:
            self._reset()
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for k, v in response.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
        linger = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)  # on, 0 seconds
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        except OSError:
            pass
        self.close_connection = True
        self.server.drop(self.connection)  # type: ignore[attr-defined]

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # On Windows SO_REUSEADDR lets a second server steal a busy port; elsewhere it only skips TIME_WAIT.
    allow_reuse_address = sys.platform != "win32"
    request_queue_size = 128

    def __init__(self, addr, service: "LoopbackService"):
        self.service = service
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(addr, _Handler)

    def process_request(self, request, client_address):
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # A client that gave up (timeout, reset) is normal life for a fault simulator.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def drop(self, sock: socket.socket) -> None:
        with self._conns_lock:
            self._conns.discard(sock)
        try:
            sock.close()
        except OSError:
            pass

    def close_all(self) -> None:
        with self._conns_lock:
            conns, self._conns = list(self._conns), set()
        for sock in conns:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class LoopbackService(ABC):
    """Base for a sandbox: lifecycle, URL, fault control endpoint."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, faults: FaultInjector):
        self.host = host
        self.port = port
        self.faults = faults
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.errors: list[Exception] = []  # unexpected exceptions inside the service (bugs)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "LoopbackService":
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"{type(self).__name__}:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_all()  # keep-alive connections must not outlive the service
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.closed()

    def closed(self) -> None:
        """Hook for subclasses (close databases)."""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- requests ---------------------------------------------------------------------------
    @abstractmethod
    def route(self, request: Request) -> Response:
        """Answers one request to the service's own paths."""

    def apply_plan_delay(self, endpoint: str):
        """Draws the faults for `endpoint`, sleeps the delays, returns the plan."""
        plan = self.faults.draw(endpoint)
        if plan.delay:
            time.sleep(plan.delay)
        return plan

    def control(self, request: Request) -> Response:
        """`/_sandbox/faults`: GET lists, POST arms (object or list), DELETE clears;
        `/_sandbox/seed` POST {"seed": n}. Subclasses extend with their own state queries."""
        if request.path == "/_sandbox/faults":
            if request.method == "GET":
                return json_response({"faults": self.faults.active()})
            if request.method == "DELETE":
                self.faults.clear()
                return json_response({"faults": []})
            if request.method == "POST":
                try:
                    payload = json.loads(request.body or b"null")
                    items = payload if isinstance(payload, list) else [payload]
                    armed = [self.faults.inject_json(p).as_dict() for p in items]
                except (ValueError, TypeError) as exc:
                    return json_response({"error": str(exc)}, 400)
                return json_response({"armed": armed, "faults": self.faults.active()}, 201)
        if request.path == "/_sandbox/seed" and request.method == "POST":
            try:
                self.faults.reseed(int(json.loads(request.body)["seed"]))
            except (ValueError, TypeError, KeyError):
                return json_response({"error": "Se espera {\"seed\": <entero>}"}, 400)
            return json_response({"ok": True})
        return json_response({"error": "Ruta desconocida"}, 404)
