"""Running the API: `mostrador serve` (foreground, with the sync worker beside it) and a
background server for the desktop app and the tests (`start`)."""
from __future__ import annotations

import ipaddress
import socket
import threading
from contextlib import ExitStack
from dataclasses import dataclass

import uvicorn

from app.api.http import create_app
from app.core.errors import ConfigurationError
from app.pos.session import Session


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # inherited by accepted connections: a keep-alive client must not wait for a delayed ACK
    # between a response's header and body writes (Nagle), ~40 ms on Linux
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigurationError(f"No se puede escuchar en {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    return sock


@dataclass
class Running:
    url: str
    server: uvicorn.Server
    thread: threading.Thread
    app: object

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        _close_state(self.app)


def _close_state(app) -> None:
    """Stops what the app's state runs beside the server (the group-commit writer)."""
    close = getattr(getattr(getattr(app, "state", None), "api", None), "close", None)
    if close is not None:
        close()


def _config(app, tls: tuple[str, str] | None) -> uvicorn.Config:
    kw = {}
    if tls:
        kw = {"ssl_certfile": tls[0], "ssl_keyfile": tls[1]}
    # proxy_headers off: nothing here reads the client's address or scheme, and a request on
    # loopback must not be able to claim another one with X-Forwarded-For (one middleware less)
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", proxy_headers=False, **kw)


def start(session: Session, *, host: str = "127.0.0.1", port: int = 0,
          tls: tuple[str, str] | None = None) -> Running:
    """Serves in a background thread; `.url` has the real port (port 0 picks a free one)."""
    app = create_app(session)
    sock = _bind(host, port)
    server = uvicorn.Server(_config(app, tls))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="mostrador-api", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.01)
    real = sock.getsockname()[1]
    scheme = "https" if tls else "http"
    shown = f"[{host}]" if ":" in host else host
    return Running(f"{scheme}://{shown}:{real}", server, thread, app)


def serve_forever(session: Session, *, host: str, port: int, tls: tuple[str, str] | None = None,
                  with_worker: bool = True, generate_tls: bool = False, announce=print) -> None:
    """`mostrador serve`: the API in the foreground, the sync worker in a thread beside it."""
    from app.pos.runtime import make_worker

    if not is_loopback(host) and not tls:
        if not generate_tls:
            raise ConfigurationError(
                f"Escuchar en {host} (fuera de este equipo) requiere TLS: indique --tls-cert y --tls-key, "
                "o --tls-generate para crear un certificado propio.")
        from app.api.tls import ensure_generated

        cert, key, fp = ensure_generated(session.data.root / "api-tls", host)
        tls = (cert, key)
        announce(f"Certificado TLS generado ({cert}); huella SHA-256: {fp}")
    with ExitStack() as stack:
        if with_worker:
            worker = make_worker(session, stack)
            t = threading.Thread(target=worker.run_forever, name="mostrador-sync", daemon=True)
            t.start()
            stack.callback(worker.stop)
        app = create_app(session)
        sock = _bind(host, port)
        server = uvicorn.Server(_config(app, tls))
        scheme = "https" if tls else "http"
        announce(f"API local en {scheme}://{host}:{sock.getsockname()[1]}/ (documentación en /docs; Ctrl+C para terminar)")
        stack.callback(_close_state, app)
        server.run(sockets=[sock])
