"""The central API (`mostrador central serve --api-port P`): the same dialects, paths, keys
header and error envelopes as a register's local API, answering the READ side from the central
PostgreSQL store over every register of the key's company.

Issuing cannot happen centrally: each register numbers its documents from its own punto de
emisión and signs them with its own certificate, also while offline; a central issue would need
a number and a signature that only a register has. So every call that would write (issue, a
lote, drafts, events, e-mails, webhooks) or ask the authority answers, in the dialect's error
envelope (HTTP 422), to do it at a register. Keys are the central store's own
(`mostrador central api-key`), each tied to one company; the certificate's password (Dátil's
`X-Password`) is not asked, since nothing is signed here (docs/central.md)."""
from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import Any

from app.api.http import build_app, country_dialects, key_scope_error
from app.api.server import Running, _bind, _config, is_loopback
from app.central import api_keys
from app.central.reads import CentralReads
from app.central.store import CentralStore
from app.core.errors import FieldError, MostradorError
from app.fiscal import registry
from app.fiscal.base import ApiRequest

TOUCH_EVERY = 60.0


class RegisterOnlyError(MostradorError):
    """What the central API answers to a call only a register can serve."""

    def __init__(self, what: str):
        super().__init__(f"La API central solo consulta documentos: {what} se hace en la API local de una caja "
                         "(cada caja numera y firma sus propios documentos, también sin conexión)")


class CentralCompany:
    """The company of a key as the central store knows it (what its registers reported)."""

    def __init__(self, ruc: str, razon_social: str, country: str | None):
        self.ruc, self.razon_social, self.country = ruc, razon_social, country
        self.extra: dict = {}

    def __getattr__(self, name: str) -> Any:
        raise RegisterOnlyError("consultar los datos del emisor")


class CentralContext(CentralReads):
    """`ctx` of a dialect's handler on the central API: the reads, and a refusal for the rest."""

    def __init__(self, store: CentralStore, key: api_keys.CentralKey, dialect: str):
        super().__init__(store, key.company_ruc)
        self.dialect = dialect
        row = store.conn.execute("SELECT max(company_name), max(country) FROM registers WHERE company_ruc=%s",
                                 (key.company_ruc,)).fetchone()
        self.company = CentralCompany(key.company_ruc, (row[0] if row else None) or "", row[1] if row else None)

    def issue(self, *args, **kwargs):
        raise RegisterOnlyError("emitir")

    def save_draft(self, *args, **kwargs):
        raise RegisterOnlyError("guardar un borrador")

    def confirm_draft(self, *args, **kwargs):
        raise RegisterOnlyError("confirmar un borrador")

    def reject_draft(self, *args, **kwargs):
        raise RegisterOnlyError("descartar un borrador")

    def check(self, *args, **kwargs):
        raise RegisterOnlyError("emitir")

    def locked(self, *args, **kwargs):
        raise RegisterOnlyError("pedir un evento o leer el certificado")

    def subscribe(self, *args, **kwargs):
        raise RegisterOnlyError("suscribir webhooks")

    def send_email(self, *args, **kwargs):
        raise RegisterOnlyError("enviar el correo")

    def online(self, *args, **kwargs):
        raise RegisterOnlyError("consultar a la autoridad en línea")


class CentralApiState:
    """What app/api/http.py's handlers need of a store (`authenticate`, `context`), over
    PostgreSQL: one connection per worker thread, made again when the server restarted."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.local = threading.local()
        self._touched: dict[str, float] = {}
        self.calls: deque = deque(maxlen=100)  # the last calls, like the register's API

    def store(self) -> CentralStore:
        s = getattr(self.local, "store", None)
        if s is None or s.conn.closed or s.conn.broken:
            s = self.local.store = CentralStore(self.dsn)
        return s

    def authenticate(self, dialect, req: ApiRequest):
        import time

        import psycopg

        key, _password = dialect.credentials(req)
        try:
            found = api_keys.lookup(self.store(), key)
        except psycopg.Error:
            self.local.store = None
            return dialect.error(503, "La base central no está disponible; reintente", [])
        if found is None:
            return dialect.error(401, "Clave de API inválida o ausente",
                                 [FieldError("authorization", "clave inválida", "unauthorized")])
        refused = key_scope_error(dialect, found, req)
        if refused is not None:
            return refused
        now = time.monotonic()
        if now - self._touched.get(found.key_hash, -TOUCH_EVERY) >= TOUCH_EVERY:
            self._touched[found.key_hash] = now
            api_keys.touch(self.store(), found.key_hash)
        return found

    def context(self, found, req: ApiRequest, raw: bytes, dialect) -> CentralContext:
        if found is None:  # a public route (a health check): it reads nothing
            found = api_keys.CentralKey("", "", "", None, "")
        return CentralContext(self.store(), found, dialect.name)


def all_dialects() -> dict:
    """Every country's dialects: the central store holds the registers of every country."""
    out: dict = {}
    for code in registry.codes():
        out.update(country_dialects(code))
    return out


def create_app(dsn: str):
    with CentralStore(dsn) as s:
        s.create_schema()
    return build_app(CentralApiState(dsn), all_dialects(), service="Mostrador API central (solo consultas)")


def start(dsn: str, folder: Path, *, host: str = "127.0.0.1", port: int = 0) -> Running:
    """Serves the central API in a background thread; `.url` has the real port. Off this machine
    it is HTTPS with the central server's own certificate (its fingerprint is the one
    `central enrol` prints)."""
    import uvicorn

    tls = None
    if not is_loopback(host):
        from app.central.tls import ensure_certificate

        cert, key = ensure_certificate(folder, host)
        tls = (str(cert), str(key))
    app = create_app(dsn)
    sock = _bind(host, port)
    server = uvicorn.Server(_config(app, tls))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="mostrador-central-api",
                              daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.01)
    real = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return Running(f"{'https' if tls else 'http'}://{shown}:{real}", server, thread, app)
