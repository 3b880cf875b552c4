"""The `transport` facet: the toy DGT's protocol and sandbox."""
from __future__ import annotations

import time

from toy_country.protocol import ToyProtocol
from toy_country.sandbox import ToyDgt

SANDBOX_URL_KEY = "toy.sandbox_url"


class ToyTransport:
    deadline_hours = 12.0
    online_queries = ()
    sandbox_url_key = SANDBOX_URL_KEY

    def start_sandbox(self, session, stack, *, port: int = 0):
        dgt = ToyDgt(port, accepted_ruc=session.company.ruc).start()
        stack.callback(dgt.stop)
        return dgt

    def make_protocol(self, session, stack):
        url = session.setting(SANDBOX_URL_KEY) or self.start_sandbox(session, stack).url
        return ToyProtocol(url)

    def serve_sandbox(self, port: int, rucs, company, folder) -> None:
        dgt = ToyDgt(port, accepted_ruc=company.ruc if company else None).start()
        try:
            while True:
                time.sleep(3600)
        finally:
            dgt.stop()


FACET = ToyTransport()
