"""The mall report (seed 000): every authorized factura of an establishment inside a shopping
mall is reported to the mall's portal, by SFTP (a daily upload of the authorized XML files) or
by REST (login → token → `invoices/register` per invoice).

Generic mechanics here; what is reported comes from the document's country `reports` facet
(`is_mall_document`, `authorized_form`, `authorized_name`, `mall_fields`), so nothing here names
a country. Settings: `mall.<estab>.mode|hour|sftp.*|rest.*` (app.integrations.config).

- Never twice: every document delivered is recorded in `mall_deliveries` in its own
  transaction as soon as the server has it. SFTP writes `.<name>.part` and renames it when
  complete, so a final name on the server is always a whole file; a run after a crash sees the
  final name there and records it instead of sending it again. REST keeps the portal's `Ok` or
  `error` per invoice; a business `error` is shown and not retried by itself.
- Catch-up: a run for day D reports every authorized factura issued up to D not yet delivered,
  so a day missed while offline goes out with the next run.
- SFTP host key: pinned on first use (`mall.<estab>.sftp.hostkey`, its fingerprint shown); a
  different key stops the upload and says so. Never "accept any host key".
- Scheduling: on authorization a job (kind `mall.report`) is queued: for SFTP one per day at the
  configured hour (`mall.<estab>.hour`), for REST one per invoice, due at once.
"""
from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable
from zoneinfo import ZoneInfo

from app.core import status as st
from app.core.errors import ConfigurationError, MostradorError
from app.fiscal import registry
from app.integrations import config, jobs
from app.store import settings as store_settings
from app.store.db import transaction

KIND = "mall.report"
# what the mall answered per document (mall_deliveries.status)
DELIVERED = "delivered"
REFUSED = "error"
TIMEOUT = 20.0


class MallTransportError(MostradorError):
    """The mall could not be reached or failed (retry later)."""

    code = "mall_transport"


class MallHostKeyError(MostradorError):
    """The SFTP server's key is not the pinned one: nothing is uploaded."""

    code = "mall_host_key"


@dataclass(frozen=True)
class MallConfig:
    estab: str
    mode: str
    hour: str
    host: str = ""
    port: int = 22
    user: str = ""
    directory: str = "."
    hostkey: str = ""
    url: str = ""
    password: str | None = None

    @classmethod
    def load(cls, conn: sqlite3.Connection, estab: str) -> "MallConfig":
        def s(name):
            return config.setting(conn, f"mall.{estab}.{name}")

        mode = s("mode")
        if mode not in config.MALL_MODES:
            raise ConfigurationError(f"El establecimiento {estab} no tiene configurado el reporte al centro "
                                     f"comercial (mall.{estab}.mode)")
        if mode == "sftp":
            if not s("sftp.host") or not s("sftp.user"):
                raise ConfigurationError(f"Falta mall.{estab}.sftp.host o mall.{estab}.sftp.user")
            return cls(estab, mode, s("hour"), host=s("sftp.host"), port=int(s("sftp.port")), user=s("sftp.user"),
                       directory=s("sftp.dir") or ".", hostkey=s("sftp.hostkey") or "",
                       password=config.load_secret(conn, f"mall.{estab}.sftp.password"))
        if not s("rest.url") or not s("rest.user"):
            raise ConfigurationError(f"Falta mall.{estab}.rest.url o mall.{estab}.rest.user")
        return cls(estab, mode, s("hour"), url=s("rest.url"), user=s("rest.user"),
                   password=config.load_secret(conn, f"mall.{estab}.rest.password"))


@dataclass
class Delivery:
    document_id: int
    key: str
    number: str
    status: str  # DELIVERED | REFUSED | 'would-send' (dry run)
    answer: str

    def as_dict(self) -> dict:
        return {"clave": self.key, "numero": self.number, "estado": self.status, "respuesta": self.answer}


@dataclass
class Report:
    estab: str
    mode: str
    day: str
    deliveries: list[Delivery] = field(default_factory=list)
    error: str | None = None
    dry_run: bool = False

    @property
    def sent(self) -> int:
        return sum(1 for d in self.deliveries if d.status == DELIVERED)

    @property
    def failed(self) -> int:
        return sum(1 for d in self.deliveries if d.status == REFUSED)

    def as_dict(self) -> dict:
        return {"establecimiento": self.estab, "modo": self.mode, "dia": self.day, "simulado": self.dry_run,
                "enviados": self.sent, "con_error": self.failed, "error": self.error,
                "documentos": [d.as_dict() for d in self.deliveries]}


def _reports_facet(conn: sqlite3.Connection):
    company = store_settings.load_company(conn)
    country = registry.country(company.country)
    try:
        return country.facet("reports")
    except ImportError:
        raise ConfigurationError(f"El reporte al centro comercial no está disponible para {country.name}") from None


def pending_documents(conn: sqlite3.Connection, estab: str, day: str | None, reports,
                      only: int | None = None) -> list[sqlite3.Row]:
    """Authorized documents of `estab` issued up to `day` that the mall has not received
    (neither sent nor answered with an error), of the kind the mall wants, oldest first."""
    sql = ("SELECT d.id, d.key, d.number, d.xml, d.authorization_number, d.authorized_at, d.issued_at "
           "FROM documents d WHERE d.status=? AND d.establishment=? AND NOT EXISTS ("
           "SELECT 1 FROM mall_deliveries m WHERE m.estab=d.establishment AND m.document_id=d.id)")
    args: list = [st.AUTHORIZED.value, estab]
    if day:
        sql += " AND substr(d.issued_at, 1, 10) <= ?"
        args.append(day)
    if only is not None:
        sql += " AND d.id=?"
        args.append(only)
    rows = conn.execute(sql + " ORDER BY d.id", args).fetchall()
    return [r for r in rows if reports.is_mall_document(bytes(r["xml"]))]


def _record(conn: sqlite3.Connection, estab: str, mode: str, d: Delivery) -> None:
    with transaction(conn):
        conn.execute("INSERT OR IGNORE INTO mall_deliveries(estab, document_id, mode, status, answer, at) "
                     "VALUES (?,?,?,?,?,?)", (estab, d.document_id, mode, d.status, d.answer, time.time()))


def run_report(conn: sqlite3.Connection, estab: str, day: str | None = None, *, dry_run: bool = False,
               only: int | None = None) -> Report:
    """Reports what the mall has not received yet (up to `day`, default everything). Raises
    `MallTransportError` (retry), `MallHostKeyError` or `ConfigurationError` (fix and retry);
    what was delivered before the error is recorded."""
    cfg = MallConfig.load(conn, estab)
    reports = _reports_facet(conn)
    docs = pending_documents(conn, estab, day, reports, only)
    report = Report(estab, cfg.mode, day or "", dry_run=dry_run)
    if dry_run:
        report.deliveries = [Delivery(r["id"], r["key"], r["number"], "would-send", "") for r in docs]
        return report
    if cfg.password is None:
        raise ConfigurationError(f"Falta la contraseña en el llavero (mostrador secret set mall.{estab}.{cfg.mode}.password)")
    with transaction(conn):
        run_id = conn.execute("INSERT INTO mall_runs(estab, mode, day, started_at) VALUES (?,?,?,?)",
                              (estab, cfg.mode, day or "", time.time())).lastrowid

    def delivered(d: Delivery) -> None:
        _record(conn, estab, cfg.mode, d)
        report.deliveries.append(d)

    try:
        if docs:
            deliver(conn, cfg, reports, docs, delivered)
    except MostradorError as exc:
        report.error = str(exc)
        raise
    finally:
        with transaction(conn):
            conn.execute("UPDATE mall_runs SET finished_at=?, delivered=?, failed=?, error=? WHERE id=?",
                         (time.time(), report.sent, report.failed, report.error, run_id))
    return report


def deliver(conn: sqlite3.Connection, cfg: MallConfig, reports, docs, delivered: Callable[[Delivery], None]) -> None:
    """Delivers `docs` (mappings with id, key, number, xml, authorization_number, authorized_at)
    by the mall's mode; `delivered(d)` is called for each one the mall received or refused, as soon
    as it did. Generic hook: documents may come from elsewhere (the central store's mall report).
    `conn` holds the mall settings (the SFTP host key is pinned there on first use)."""
    if cfg.mode == "sftp":
        _sftp_report(conn, cfg, reports, docs, delivered)
    else:
        _rest_report(cfg, reports, docs, delivered)


# ------------------------------------------------------------------------------ SFTP

def fingerprint(public_key: str) -> str:
    import asyncssh

    return asyncssh.import_public_key(public_key).get_fingerprint("sha256")


def _sftp_report(conn, cfg: MallConfig, reports, docs, delivered: Callable[[Delivery], None]) -> None:
    files = [(reports.authorized_name(r["key"]),
              reports.authorized_form(bytes(r["xml"]), r["authorization_number"], r["authorized_at"] or ""), r)
             for r in docs]
    hostkey = cfg.hostkey or pin_host_key(conn, cfg)
    asyncio.run(_sftp_upload(cfg, hostkey, files, delivered))


def pin_host_key(conn: sqlite3.Connection, cfg: MallConfig) -> str:
    """First use: fetch the server's key, store it (`mall.<estab>.sftp.hostkey`), return it."""
    import asyncssh

    async def fetch():
        return await asyncio.wait_for(asyncssh.get_server_host_key(cfg.host, cfg.port), TIMEOUT)

    try:
        key = asyncio.run(fetch())
    except (OSError, asyncio.TimeoutError, asyncssh.Error) as exc:
        raise MallTransportError(f"No se pudo conectar con el servidor SFTP {cfg.host}:{cfg.port}: "
                                 f"{type(exc).__name__}") from None
    if key is None:
        raise MallTransportError(f"El servidor SFTP {cfg.host}:{cfg.port} no presentó su clave")
    text = key.export_public_key().decode().strip()
    with transaction(conn):
        store_settings.put(conn, f"mall.{cfg.estab}.sftp.hostkey", text)
    return text


async def _sftp_upload(cfg: MallConfig, hostkey: str, files, delivered: Callable[[Delivery], None]) -> None:
    import asyncssh

    trusted = ([asyncssh.import_public_key(hostkey)], [], [])
    try:
        async with asyncssh.connect(cfg.host, cfg.port, username=cfg.user, password=cfg.password,
                                    known_hosts=trusted, client_keys=None, agent_path=None,
                                    connect_timeout=TIMEOUT) as ssh:
            async with ssh.start_sftp_client() as sftp:
                folder = cfg.directory.rstrip("/") or "."
                there = set(await sftp.listdir(folder))
                for name, data, row in files:
                    final = f"{folder}/{name}"
                    if name in there:  # a crash after the rename: it is there, whole
                        delivered(Delivery(row["id"], row["key"], row["number"], DELIVERED, "ya estaba en el servidor"))
                        continue
                    part = f"{folder}/.{name}.part"
                    async with sftp.open(part, "wb") as f:
                        await f.write(data)
                    await sftp.rename(part, final)
                    delivered(Delivery(row["id"], row["key"], row["number"], DELIVERED, f"subido como {name}"))
    except asyncssh.HostKeyNotVerifiable:
        raise MallHostKeyError(
            f"La clave del servidor SFTP {cfg.host}:{cfg.port} cambió: no coincide con la fijada "
            f"({fingerprint(hostkey)}). No se subió nada. Si el cambio es legítimo, borre "
            f"mall.{cfg.estab}.sftp.hostkey para fijar la nueva.") from None
    except asyncssh.PermissionDenied:
        raise MallTransportError(f"El servidor SFTP rechazó el usuario o la contraseña de {cfg.user}") from None
    except (OSError, asyncio.TimeoutError, asyncssh.Error) as exc:
        raise MallTransportError(f"Falló la subida SFTP a {cfg.host}:{cfg.port}: {type(exc).__name__}: "
                                 f"{getattr(exc, 'reason', '') or exc}") from None


# ------------------------------------------------------------------------------ REST

class _Portal:
    def __init__(self, cfg: MallConfig):
        import requests

        self.cfg = cfg
        self.http = requests.Session()
        self.token: str | None = None

    def _post(self, path: str, body: dict, token: str | None = None):
        import requests

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            r = self.http.post(f"{self.cfg.url}/{path}", json=body, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise MallTransportError(f"No se pudo conectar con el portal del centro comercial: {type(exc).__name__}") from None
        if r.status_code >= 500:
            raise MallTransportError(f"El portal del centro comercial respondió {r.status_code}")
        try:
            data = r.json()
        except ValueError:
            data = None
        return r.status_code, data if isinstance(data, dict) else {}

    def login(self) -> None:
        code, data = self._post("smo/login", {"username": self.cfg.user, "password": self.cfg.password})
        if code != 200 or not data.get("token"):
            raise ConfigurationError(f"El portal del centro comercial rechazó el usuario {self.cfg.user}: "
                                     f"{data.get('error') or data.get('message') or code}")
        self.token = str(data["token"])

    def register(self, fields: dict) -> tuple[bool, str]:
        if self.token is None:
            self.login()
        code, data = self._post("invoices/register", fields, self.token)
        if code in (401, 403):  # the token expired: one new login, one more try
            self.login()
            code, data = self._post("invoices/register", fields, self.token)
        if "Ok" in data:
            return True, str(data["Ok"])
        if "error" in data:
            return False, str(data["error"])
        raise MallTransportError(f"Respuesta inesperada del portal del centro comercial ({code})")


def _rest_report(cfg: MallConfig, reports, docs, delivered: Callable[[Delivery], None]) -> None:
    portal = _Portal(cfg)
    for r in docs:
        fields = reports.mall_fields(bytes(r["xml"]), r["authorization_number"], r["authorized_at"] or "")
        ok, answer = portal.register(fields)
        delivered(Delivery(r["id"], r["key"], r["number"], DELIVERED if ok else REFUSED, answer))


# ------------------------------------------------------------------------------ scheduling

def _tz(conn) -> ZoneInfo:
    try:
        return ZoneInfo(registry.country(store_settings.load_company(conn).country).timezone)
    except Exception:
        return ZoneInfo("UTC")


def due_at(conn: sqlite3.Connection, day: str, hour: str) -> float:
    """Unix time of `day` at `hour` in the authority's time zone."""
    h, m = (int(x) for x in hour.split(":"))
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), _tz(conn)).replace(
        hour=h, minute=m).timestamp()


def on_status(conn: sqlite3.Connection, doc_id: int, status: str) -> None:
    """`store.documents` listener: queue the mall's report of a newly authorized document."""
    if status != st.AUTHORIZED:
        return
    row = conn.execute("SELECT establishment, issued_at FROM documents WHERE id=?", (doc_id,)).fetchone()
    if row is None:
        return
    estab = row["establishment"]
    mode = store_settings.get(conn, f"mall.{estab}.mode")
    if mode == "rest":
        jobs.enqueue(conn, KIND, f"{estab}:doc:{doc_id}", {"estab": estab, "document_id": doc_id},
                     document_id=doc_id)
    elif mode == "sftp":
        day = row["issued_at"][:10]
        hour = config.setting(conn, f"mall.{estab}.hour")
        jobs.enqueue(conn, KIND, f"{estab}:{day}", {"estab": estab, "day": day}, at=due_at(conn, day, hour))


def handle(conn: sqlite3.Connection, job: jobs.Job) -> jobs.Result:
    estab = job.payload.get("estab", "")
    try:
        report = run_report(conn, estab, job.payload.get("day"), only=job.payload.get("document_id"))
    except MallTransportError as exc:
        return jobs.retry(str(exc))
    except (MallHostKeyError, ConfigurationError) as exc:
        return jobs.retry(str(exc), after=3600)  # shown until someone fixes it
    return jobs.done({"enviados": report.sent, "con_error": report.failed,
                      "errores": [d.answer for d in report.deliveries if d.status == REFUSED]})


def handler() -> jobs.Handler:
    # receivers deduplicate (final file name on the server; records per invoice): safe to retry
    return jobs.Handler(handle, on_uncertain="retry")


# ------------------------------------------------------------------------------ the owner's view

def last_runs(conn: sqlite3.Connection, limit: int = 10) -> list[dict]:
    return [dict(r) for r in conn.execute("SELECT * FROM mall_runs ORDER BY id DESC LIMIT ?", (limit,))]


def failures(conn: sqlite3.Connection, limit: int = 50) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT m.estab, m.answer, m.at, d.number, d.key FROM mall_deliveries m JOIN documents d "
        "ON d.id=m.document_id WHERE m.status='error' ORDER BY m.id DESC LIMIT ?", (limit,))]


def status_text(conn: sqlite3.Connection) -> str:
    """One Spanish paragraph for the owner: the last run, and what failed and why."""
    runs = last_runs(conn, 1)
    if not runs:
        return "Aún no se ha enviado ningún reporte al centro comercial."
    r = runs[0]
    when = datetime.fromtimestamp(r["started_at"]).strftime("%d/%m/%Y %H:%M")
    text = (f"Último reporte ({r['mode'].upper()}, establecimiento {r['estab']}) el {when}: "
            f"{r['delivered']} enviados, {r['failed']} con error.")
    if r["error"]:
        text += f" Falló: {r['error']}"
    for f in failures(conn, 5):
        text += f"\n{f['number']}: {f['answer']}"
    return text


def today(conn: sqlite3.Connection, now: datetime | None = None) -> str:
    """Today's date where the authority dates documents."""
    return (now or datetime.now(_tz(conn))).astimezone(_tz(conn)).date().isoformat()
