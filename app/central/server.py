"""`mostrador central serve`: the HTTPS service registers talk to (stdlib http.server, TLS).

  POST /v1/join      {"code", ...}               → {"register_id", "name", "token"} (one-time code)
  POST /v1/hello     {"company_ruc", ...}        → {"ok": true}   (who the register issues for)
  POST /v1/push      {"table", "rows": [...]}    → {"ok": true, "new": N}  (one PostgreSQL transaction)
  POST /v1/pull      {"since": REVISION}         → {"products": [...], ..., "revision": R, "more": bool}

Every call but join carries `Authorization: Bearer TOKEN`. Each handler thread has its own
PostgreSQL connection. Errors are JSON {"error": {"message": …}} in Spanish.
"""
from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from app.central import tls
from app.central.store import CentralStore
from app.core.errors import MostradorError

log = logging.getLogger("mostrador.central")
MAX_BODY = 64 * 1024 * 1024
IDLE_TIMEOUT = 60.0  # seconds


class CentralServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, dsn: str, folder: Path, host: str = "0.0.0.0", port: int = 8443):
        self.dsn = dsn
        self.local = threading.local()
        with CentralStore(dsn) as s:
            s.create_schema()
        cert, key = tls.ensure_certificate(folder, host)
        self.fingerprint = tls.fingerprint(cert)
        super().__init__((host, port), Handler)
        self.socket = tls.server_context(cert, key).wrap_socket(self.socket, server_side=True,
                                                                do_handshake_on_connect=False)

    def store(self) -> CentralStore:
        s = getattr(self.local, "store", None)
        if s is None or s.conn.closed:
            s = self.local.store = CentralStore(self.dsn)
        return s


class Handler(BaseHTTPRequestHandler):
    server: CentralServer
    protocol_version = "HTTP/1.1"
    # every socket operation of a connection (the TLS handshake, which runs here and not in the
    # accepting thread, each read and write) gives up after this long: a register that vanished
    # mid-request (a cut wire, no FIN nor RST) does not hold a thread and its PostgreSQL
    # connection forever
    timeout = IDLE_TIMEOUT

    def log_message(self, fmt, *args):
        log.info("%s " + fmt, self.address_string(), *args)

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._answer(status, {"error": {"message": message}})

    def do_POST(self):  # noqa: N802
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True  # the body stays unread: this connection ends here
                return self._error(413, "Lote demasiado grande")
            raw = self.rfile.read(length)
        except (ValueError, OSError):  # a cut or silent connection: nobody to answer
            self.close_connection = True
            return None
        if len(raw) < length:  # the register went away mid-body
            self.close_connection = True
            return None
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except (ValueError, RecursionError):
            return self._error(400, "Cuerpo JSON inválido")
        try:
            return self._dispatch(body)
        except OSError:  # the answer could not be written: the register retries the batch
            self.close_connection = True
        except Exception:  # a bug of ours: logged, and answered (never a connection cut without a word)
            log.exception("Error interno atendiendo %s", self.path)
            try:
                return self._error(500, "Error interno de la central; el detalle quedó en su registro")
            except OSError:
                self.close_connection = True
        return None

    def _dispatch(self, body: dict):
        import psycopg

        try:
            store = self.server.store()
            if self.path == "/v1/join":
                rid, name, token = store.redeem(str(body.get("code", "")))
                return self._answer(200, {"register_id": rid, "name": name, "token": token})
            auth = self.headers.get("Authorization", "")
            rid = store.register_for(auth.removeprefix("Bearer ").strip())
            if self.path == "/v1/hello":
                store.describe(rid, body)
                return self._answer(200, {"ok": True})
            if self.path == "/v1/push":
                rows = body.get("rows")
                if not isinstance(rows, list):
                    return self._error(400, "Falta la lista 'rows'")
                return self._answer(200, {"ok": True, "new": store.ingest(rid, str(body.get("table")), rows)})
            if self.path == "/v1/pull":
                return self._answer(200, store.changes_since(int(body.get("since") or 0)))
            return self._error(404, "Ruta desconocida")
        except PermissionError as exc:
            return self._error(401, str(exc))
        except MostradorError as exc:
            return self._error(400, str(exc))
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            return self._error(400, f"Datos incompletos o inválidos: {type(exc).__name__} {exc}")
        except psycopg.Error as exc:
            log.warning("base central: %s", exc)
            store = getattr(self.server.local, "store", None)
            try:
                if store is not None:
                    store.conn.rollback()
            except psycopg.Error:
                self.server.local.store = None
            return self._error(503, "La base central no está disponible; reintente")


def backfill_taxes(dsn: str) -> None:
    """At start, in the background: the tax rows of documents that arrived without them."""
    import psycopg

    from app.central import taxes

    try:
        with CentralStore(dsn) as s:
            done = taxes.backfill(s)
        if done["documents"] or done["unreadable"]:
            log.warning("impuestos por tarifa completados: %s", done)
    except (psycopg.Error, MostradorError) as exc:
        log.warning("no se completaron los impuestos por tarifa (se reintenta al arrancar): %s", exc)


def serve(dsn: str, folder: Path, *, host: str = "0.0.0.0", port: int = 8443,
          on_ready=None) -> None:
    server = CentralServer(dsn, folder, host=host, port=port)
    threading.Thread(target=backfill_taxes, args=(dsn,), name="mostrador-central-backfill", daemon=True).start()
    if on_ready is not None:
        on_ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
