"""The mall's sandbox on loopback, for demo mode, tests and the bench (seed 000):

- `SftpSandbox`: a real SFTP server (asyncssh) with one user and password, chrooted to a folder;
  its host key can be replaced (`new_host_key()`) to play a changed server.
- `MallPortal`: the REST portal: `POST …/smo/login` {username, password} → {token};
  `POST …/invoices/register` (header `Authorization: <token>` or `Bearer <token>`) → {"Ok":
  "Se registró correctamente"} or {"error": reason} (an invoice already registered, a missing or
  malformed field, a RUC that is not the shop's); 401 when the token is unknown or expired
  (`token_ttl` seconds, or `expire_tokens()`); the shared transport faults (`faults.inject(
  "http500")`, "http503", "reset", "delay") on endpoints `login` / `register`.
"""
from __future__ import annotations

import asyncio
import json
import re
import secrets
import threading
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.sandbox.faults import FaultInjector
from app.sandbox.http import LoopbackService, Request, Response, json_response, transport_fault

OK_TEXT = "Se registró correctamente"
REQUIRED = ("RUC", "establishmentCode", "salePointCode", "total", "totalWithoutTaxes", "authorizationNumber",
            "authorizationDate", "totalTaxIVA", "totalTaxICE", "totalTaxIRBPNR")


class SftpSandbox:
    def __init__(self, root: Path | str, *, user: str = "local", password: str = "clave-sftp", port: int = 0):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.user, self.password, self.port = user, password, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server = None
        self._key = None
        self.logins = 0

    def _call(self, coro, timeout: float = 15.0):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> "SftpSandbox":
        import asyncssh

        self._key = self._key or asyncssh.generate_private_key("ssh-ed25519")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sftp-sandbox", daemon=True)
        self._thread.start()
        self._call(self._listen())
        return self

    async def _listen(self):
        import asyncssh

        sandbox = self

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username):
                return True

            def password_auth_supported(self):
                return True

            def validate_password(self, username, password):
                ok = username == sandbox.user and password == sandbox.password
                sandbox.logins += ok
                return ok

        self._server = await asyncssh.create_server(
            Server, "127.0.0.1", self.port, server_host_keys=[self._key],
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(self.root).encode()),
            allow_scp=False)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def fingerprint(self) -> str:
        return self._key.get_fingerprint("sha256")

    def new_host_key(self) -> None:
        """Restarts with a new host key (a replaced, or impostor, server) on the same port."""
        import asyncssh

        self.stop()
        self._key = asyncssh.generate_private_key("ssh-ed25519")
        self.start()

    def stop(self) -> None:
        if self._loop is None:
            return

        async def close():
            self._server.close()
            await self._server.wait_closed()

        try:
            self._call(close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()
            self._loop = None

    def files(self, folder: str = ".") -> list[str]:
        return sorted(p.name for p in (self.root / folder).iterdir() if p.is_file())


class MallPortal(LoopbackService):
    def __init__(self, *, user: str = "local", password: str = "clave-rest", rucs: set[str] | None = None,
                 token_ttl: float = 3600.0, port: int = 0, clock=time.monotonic):
        super().__init__(port=port, faults=FaultInjector(endpoints={"login", "register"}))
        self.user, self.password, self.rucs = user, password, rucs
        self.token_ttl, self.clock = token_ttl, clock
        self._lock = threading.Lock()
        self.tokens: dict[str, float] = {}
        self.registered: dict[str, dict] = {}  # authorizationNumber -> fields
        self.logins = 0

    @property
    def base_url(self) -> str:
        return f"{self.url}/prod/api"

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def route(self, request: Request) -> Response:
        endpoint = "login" if request.path.endswith("/smo/login") else (
            "register" if request.path.endswith("/invoices/register") else None)
        if endpoint is None or request.method != "POST":
            return json_response({"message": "Not Found"}, 404)
        plan = self.apply_plan_delay(endpoint)
        if plan.fault is not None:
            fault = transport_fault(plan.fault)
            if fault is not None:
                return fault
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return json_response({"error": "JSON inválido"}, 400)
        if not isinstance(body, dict):
            return json_response({"error": "JSON inválido"}, 400)
        return self._login(body) if endpoint == "login" else self._register(request, body)

    def _login(self, body: dict) -> Response:
        if body.get("username") != self.user or body.get("password") != self.password:
            return json_response({"error": "Usuario o contraseña incorrectos"}, 401)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = self.clock() + self.token_ttl
            self.logins += 1
        return json_response({"token": token})

    def _register(self, request: Request, body: dict) -> Response:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else auth
        with self._lock:
            expiry = self.tokens.get(token)
        if expiry is None or expiry < self.clock():
            return json_response({"message": "Unauthorized"}, 401)
        missing = [k for k in REQUIRED if not str(body.get(k, "")).strip()]
        if missing:
            return json_response({"error": f"Campos obligatorios: {', '.join(missing)}"})
        for k in ("total", "totalWithoutTaxes", "totalTaxIVA", "totalTaxICE", "totalTaxIRBPNR"):
            try:
                Decimal(str(body[k]))
            except InvalidOperation:
                return json_response({"error": f"El campo {k} no es un número"})
        if not re.fullmatch(r"\d{10,49}", str(body["authorizationNumber"])):
            return json_response({"error": "Número de autorización inválido"})
        if self.rucs is not None and body["RUC"] not in self.rucs:
            return json_response({"error": f"El RUC {body['RUC']} no corresponde a este local"})
        with self._lock:
            if body["authorizationNumber"] in self.registered:
                return json_response({"error": "La factura ya se encuentra registrada"})
            self.registered[body["authorizationNumber"]] = dict(body)
        return json_response({"Ok": OK_TEXT})
