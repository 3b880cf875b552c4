"""Signed SIFEN documents for the sandbox/client tests: the demo company, a generated
certificate carrying its RUC, and varied demo sales signed by the real backend."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache

from app.fiscal.py.backend import PyBackend
from app.fiscal.py.certificate import PROFILE as PY_CERTIFICATE
from app.fiscal.signing import generate_test_p12, load_identity
from app.fiscal.py.demo import DEMO_PY, demo_py_sale

COMPANY = DEMO_PY
ACCEPTED = {COMPANY.ruc: {"timbrado": COMPANY.timbrado, "establishments": ["001", "002"],
                          "name": COMPANY.razon_social}}


@lru_cache(maxsize=None)
def identity(ruc: str = COMPANY.ruc):
    return load_identity(generate_test_p12(ruc=ruc, holder="EMISOR DE PRUEBA", password="x", profile=PY_CERTIFICATE), "x")


class Signer:
    def __init__(self, company=COMPANY, seed: int = 7):
        self.company = company
        self.backend = PyBackend()
        self.rng = random.Random(seed)
        self.n = 0

    def sale(self, *, body: dict | None = None, now: datetime | None = None, identity_=None):
        self.n += 1
        body = body or demo_py_sale(self.company, self.rng, self.n)
        if now is not None:
            from app.fiscal.py.xml_build import local_naive
            body = {**body, "fecha": local_naive(now).isoformat()}
        draft = self.backend.parse(body, "invoices", self.company, now=now)
        return self.backend.sign(draft, self.n, identity_ or identity(), self.company,
                                 now=now or datetime.now(timezone.utc))

    def many(self, count: int):
        return [self.sale() for _ in range(count)]


def company_with(**kw):
    return replace(COMPANY, **kw)
