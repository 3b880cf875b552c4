"""No push can hang: the register's HTTPS client gives up on a server that accepts and never
answers (before or after the TLS handshake) and on one that trickles its answer forever; the
central server lets go of a connection that went silent, and serves others meanwhile."""
from __future__ import annotations

import socket
import ssl
import threading

import pytest
from test_central_rules import joined_register, server  # noqa: F401  (the in-thread central server)

from app.central import replica, tls
from app.central.server import Handler
from app.central.tls import PinnedClient
from app.core.errors import TransportError

LIVENESS = 60  # seconds a blocked call would be waited for before the test calls it hung


class SilentServer:
    """Accepts on loopback; with `tls`, completes the handshake and reads the request; then
    either says nothing or (`trickle`) sends one byte of a never-ending answer every 0.1 s."""

    def __init__(self, folder, *, tls_on: bool, trickle: bool = False):
        self.cert, key = tls.ensure_certificate(folder, "127.0.0.1")
        self.ctx = tls.server_context(self.cert, key) if tls_on else None
        self.trickle = trickle
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.conns: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/#sha256={tls.fingerprint(self.cert)}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.ctx is not None:
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn) -> None:
        try:
            s = self.ctx.wrap_socket(conn, server_side=True)
            self.conns.append(s)
            s.recv(65536)
            if self.trickle:
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
                while not self.stop.wait(0.1):
                    s.sendall(b" ")
            else:
                self.stop.wait()
        except (OSError, ssl.SSLError):
            pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


def call_in_thread(client: PinnedClient) -> dict:
    out: dict = {}

    def run():
        try:
            out["answer"] = client.call("POST", "/v1/push", {"table": "sales", "rows": []})
        except TransportError as exc:
            out["error"] = str(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(LIVENESS)
    assert not t.is_alive(), "the call hung"
    return out


@pytest.mark.parametrize("tls_on", [False, True], ids=["no-handshake", "after-handshake"])
def test_a_server_that_accepts_and_never_answers_fails_the_push(tmp_path, tls_on):
    srv = SilentServer(tmp_path, tls_on=tls_on)
    try:
        out = call_in_thread(PinnedClient(srv.url, "token", timeout=0.5))
        assert "answer" not in out and out["error"].startswith("Sin conexión con la central 127.0.0.1")
    finally:
        srv.close()


def test_a_server_that_trickles_forever_is_cut_at_the_deadline(tmp_path):
    srv = SilentServer(tmp_path, tls_on=True, trickle=True)
    try:
        # each byte arrives well within the per-operation timeout: only the deadline ends it
        out = call_in_thread(PinnedClient(srv.url, "token", timeout=5, deadline=1.0))
        assert out == {"error": f"Sin conexión con la central 127.0.0.1:{srv.port}: plazo vencido"}
    finally:
        srv.close()


def test_a_replication_pass_against_a_silent_server_backs_off_instead_of_hanging(tmp_path, server):  # noqa: F811
    session = joined_register(server, tmp_path, "Caja silenciosa")
    srv = SilentServer(tmp_path / "silent", tls_on=True)
    try:
        rep = replica.Replicator(srv.url, "token", timeout=0.5, min_interval=0)
        done: dict = {}
        t = threading.Thread(target=lambda: done.setdefault("moved", rep.run_pass(session.conn, force=True)),
                             daemon=True)
        t.start()
        t.join(LIVENESS)
        assert not t.is_alive() and done == {"moved": 0}
        assert rep.failures == 1 and rep.last_error.startswith("Sin conexión")
    finally:
        srv.close()
        session.close()


def test_the_central_server_drops_a_silent_connection_and_serves_others_meanwhile(tmp_path, server,  # noqa: F811
                                                                                   monkeypatch):
    monkeypatch.setattr(Handler, "timeout", 0.5)
    silent = socket.create_connection(server.server_address[:2])  # no handshake, no request
    try:
        # the handshake runs in the connection's own thread: the server answers another register
        session = joined_register(server, tmp_path, "Caja activa")
        session.close()
        silent.settimeout(LIVENESS)
        assert silent.recv(1) == b""  # the server let it go (EOF), it did not wait forever
    finally:
        silent.close()


def test_the_schema_does_not_wait_forever_for_a_session_idle_in_a_transaction(server, monkeypatch):  # noqa: F811
    import psycopg

    from app.central.store import CentralStore
    from app.core.errors import ConfigurationError

    monkeypatch.setattr(CentralStore, "SCHEMA_LOCK_TIMEOUT", "200ms")
    with psycopg.connect(server.dsn) as idle:  # a report left open: it holds the view's lock
        idle.execute("SELECT count(*) FROM v_documents").fetchone()
        with CentralStore(server.dsn) as store:
            with pytest.raises(ConfigurationError, match="La base central está ocupada"):
                store.create_schema()
        idle.rollback()
        with CentralStore(server.dsn) as store:
            store.create_schema()  # and once it let go, it goes through
