"""Ecuador's `transport` facet: the SRI protocol for the worker, per environment, and the
simulated SRI (app/fiscal/ec/sandbox.py) for the sandbox environment, the demo and the tests."""
from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from app.fiscal.base import OnlineQuery, WorkerProtocol

SANDBOX_URL_KEY = "sandbox.url"  # a sandbox already running elsewhere (another process)
SANDBOX_DB = "sandbox.db"  # the embedded sandbox's state, in the data folder


def sandbox_accepts(company) -> dict[str, set[str]]:
    """The issuers the sandbox accepts: this company's RUC and establishments."""
    return {company.ruc: {e.code for e in company.establishments}}


class SriTransport:
    deadline_hours = 24.0  # the SRI asks for transmission "en el momento mismo": our own limit
    sandbox_url_key = SANDBOX_URL_KEY
    online_queries: tuple[OnlineQuery, ...] = ()

    @staticmethod
    def sandbox_accepts(company) -> dict[str, set[str]]:
        return sandbox_accepts(company)

    def start_sandbox(self, session, stack: ExitStack, *, port: int = 0):
        """Starts the simulated SRI on loopback for this data folder (its state in sandbox.db)."""
        from app.fiscal.ec.sandbox import SriSandbox

        sandbox = SriSandbox(port=port, accepted=sandbox_accepts(session.company),
                             db_path=str(session.data.root / SANDBOX_DB))
        sandbox.start()
        stack.callback(sandbox.stop)
        return sandbox

    def make_protocol(self, session, stack: ExitStack) -> WorkerProtocol:
        from app.fiscal.ec.client import SriClient
        from app.fiscal.ec.protocol import SriProtocol

        company = session.company
        if company.environment == "sandbox":
            url = session.setting(SANDBOX_URL_KEY)
            if not url:
                url = self.start_sandbox(session, stack).url
            client = SriClient.for_environment("sandbox", sandbox_url=url)
            poll_delay = float(session.setting("sandbox.poll_delay_seconds", 0))
        else:
            client = SriClient.for_environment(company.environment)
            poll_delay = float(session.setting("ec.poll_delay_seconds"))
        return SriProtocol(client, poll_delay=poll_delay,
                           max_backoff=float(session.setting("sync.max_backoff_seconds")))

    def serve_sandbox(self, port: int, rucs: list[str] | None, company, folder: Path) -> None:
        from app.fiscal.ec.sandbox import parse_accepted, serve_forever

        accepted = parse_accepted(rucs) if rucs else None
        if accepted is None and company is not None and company.country == "EC":
            accepted = sandbox_accepts(company)
        serve_forever(port, accepted, db_path=str(Path(folder) / SANDBOX_DB))


FACET = SriTransport()
