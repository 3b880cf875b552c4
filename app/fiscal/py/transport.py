"""Paraguay's `transport` facet: the SIFEN protocol for the worker (lotes, events, receptor
events), its client per environment (mTLS, timeouts), the simulated SIFEN
(app/fiscal/py/sandbox.py) for the sandbox environment, and SIFEN's online queries."""
from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from app.fiscal.base import OnlineQuery
from app.fiscal.py.protocol import DEFAULTS, SANDBOX_DEFAULTS, Settings, SifenProtocol

SANDBOX_DB = "sifen-sandbox.db"  # the embedded sandbox's state, in the data folder


def drain_receptor_events(session) -> int:
    """Sends the due receptor events now, with this session's client (sandbox or SIFEN)."""
    with ExitStack() as stack:
        return SifenProtocol(make_client(session, stack), protocol_settings(session),
                             ambiente=session.company.ambiente).send_receptor_events(session.conn)


def _setting(session, key: str, sandbox: bool):
    default = (SANDBOX_DEFAULTS if sandbox else DEFAULTS).get(key, DEFAULTS.get(key))
    return session.setting(key, default)


def protocol_settings(session) -> Settings:
    sandbox = session.company.environment == "sandbox"
    return Settings(first_poll=float(_setting(session, "py.lote_first_poll_seconds", sandbox)),
                    poll=float(_setting(session, "py.lote_poll_seconds", sandbox)),
                    unknown_wait=float(_setting(session, "py.unknown_wait_seconds", sandbox)),
                    not_queued_wait=float(_setting(session, "py.not_queued_wait_seconds", sandbox)),
                    sync_single=bool(_setting(session, "py.sync_single", sandbox)),
                    max_backoff=float(session.setting("sync.max_backoff_seconds", 600)))


SANDBOX_URL_KEY = "sifen.sandbox_url"
SANDBOX_CA_KEY = "sifen.sandbox_ca_file"


def sandbox_accepts(company) -> dict:
    return {company.ruc: {"timbrado": company.timbrado, "name": company.razon_social,
                          "establishments": [e.code for e in company.establishments]}}


SANDBOX_TLS_KEY = "sifen.sandbox_tls"  # true: the embedded sandbox serves HTTPS with mTLS


def start_embedded_sandbox(session, stack: ExitStack, *, port: int = 0):
    """The simulated SIFEN for this data folder (state in sifen-sandbox.db). With the setting
    `sifen.sandbox_tls` it serves HTTPS and demands the company's certificate (mTLS), so the
    same TLS code path as production is exercised."""
    from app.fiscal.py.sandbox import SandboxTLS, SifenSandbox

    tls = None
    if session.setting(SANDBOX_TLS_KEY, False):
        tls = SandboxTLS.generate(session.data.root / "sifen-sandbox-tls", [session.identity.cert])
    sandbox = SifenSandbox(port=port, accepted_rucs=sandbox_accepts(session.company),
                           db_path=str(session.data.root / SANDBOX_DB),
                           lote_processing_seconds=float(session.setting("sifen.sandbox_processing_seconds", 0.1)),
                           tls=tls)
    sandbox.start()
    stack.callback(sandbox.stop)
    return sandbox


def make_client(session, stack: ExitStack):
    from app.fiscal.py.client import SifenClient

    company = session.company
    if company.environment == "sandbox":
        url, ca_file = session.setting(SANDBOX_URL_KEY), session.setting(SANDBOX_CA_KEY)
        if not url:
            sandbox = start_embedded_sandbox(session, stack)
            url, ca_file = sandbox.url, (sandbox.tls.ca_file if sandbox.tls else None)
        identity = session.identity if url.startswith("https://") else None
        client = SifenClient.for_environment("sandbox", sandbox_url=url, identity=identity, ca_file=ca_file,
                                             timeout=(5, float(session.setting("sifen.read_timeout_seconds", 30))))
    else:  # REFERENCE §5.1: connect 15 s, read 45 s (RSHK); SIFEN acks a lote within ~30 s
        client = SifenClient.for_environment(company.environment, identity=session.identity,
                                             timeout=(15, float(session.setting("sifen.read_timeout_seconds", 45))))
    stack.callback(client.close)
    return client


def make_protocol(session, stack: ExitStack) -> SifenProtocol:
    """What the transport facet plugs into the worker for a PY company."""
    from app.fiscal.py import schema

    schema.de_schema()  # compile the XSD before the worker thread exists (see sandbox.sifen)
    return SifenProtocol(make_client(session, stack), protocol_settings(session), ambiente=session.company.ambiente)



# ------------------------------------------------------------------------ online queries

def _client(session, stack: ExitStack, timeout: float):
    """A SIFEN client with short timeouts (online-only commands: they must fail fast)."""
    client = make_client(session, stack)
    client.timeout = (min(3.0, timeout), timeout)
    return client


def query_ruc(session, ruc: str, timeout: float) -> dict:
    with ExitStack() as stack:
        res = _client(session, stack, timeout).query_ruc(ruc)
    return {"ok": res.code == "0502", "codigo": res.code, "mensaje": res.message, "ruc": res.ruc,
            "razon_social": res.name, "estado": res.state, "facturador_electronico": res.electronic_invoicing}


def _ruc_text(out: dict) -> str:
    text = f"{out['codigo']} {out['mensaje']}"
    if out["ruc"]:
        text += (f"\nRUC {out['ruc']}: {out['razon_social']} ({out['estado']}); facturador electrónico: "
                 f"{'sí' if out['facturador_electronico'] else 'no'}")
    return text


def query_de(session, cdc: str, timeout: float) -> dict:
    with ExitStack() as stack:
        res = _client(session, stack, timeout).query_de(cdc.replace(" ", ""))
    return {"ok": res.found, "codigo": res.code, "mensaje": res.message, "protocolo": res.protocol}


def _de_text(out: dict) -> str:
    return f"{out['codigo']} {out['mensaje']}" + (f" (protocolo {out['protocolo']})" if out["protocolo"] else "")


class SifenTransport:
    deadline_hours = 72.0  # after 72 h SIFEN still approves, as transmisión extemporánea (1005)
    sandbox_url_key = SANDBOX_URL_KEY
    online_queries = (
        OnlineQuery("ruc", "Consulta un RUC en SIFEN (en línea)", "ruc", query_ruc, _ruc_text),
        OnlineQuery("consulta", "Consulta un DE en SIFEN por su CDC (en línea)", "cdc", query_de, _de_text),
    )

    @staticmethod
    def sandbox_accepts(company) -> dict:
        return sandbox_accepts(company)

    def make_protocol(self, session, stack: ExitStack) -> SifenProtocol:
        return make_protocol(session, stack)

    def start_sandbox(self, session, stack: ExitStack, *, port: int = 0):
        return start_embedded_sandbox(session, stack, port=port)

    def serve_sandbox(self, port: int, rucs: list[str] | None, company, folder: Path) -> None:
        from app.fiscal.py.sandbox import serve_forever

        accepted = None
        if rucs:
            accepted = {spec.partition(":")[0]: {"establishments": [e for e in spec.partition(":")[2].split(",")
                                                                    if e] or ["*"]}
                        for spec in rucs}
        elif company is not None and company.country == "PY":
            accepted = {company.ruc: {"timbrado": company.timbrado or None, "name": company.razon_social,
                                      "establishments": [e.code for e in company.establishments]}}
        serve_forever(port, accepted, db_path=str(Path(folder) / SANDBOX_DB))


FACET = SifenTransport()
