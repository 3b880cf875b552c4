"""Hypothesis profiles for the fuzz suite: `ci` (the default: a fixed budget, derandomized so it
never flakes) and `long` (HYPOTHESIS_PROFILE=long: many more cases, random, on demand)."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import harness  # noqa: F401  (puts the EC and SIFEN test helpers on sys.path)

import ec_docs_support as S  # noqa: E402
import sifen_docs  # noqa: E402

from app.fiscal.ec.backend import EcBackend  # noqa: E402
from app.fiscal.py.backend import PyBackend  # noqa: E402
from app.fiscal.py.demo import demo_py_sale  # noqa: E402
from app.fiscal.py.xml_build import local_naive  # noqa: E402

PY_DATA = Path(__file__).resolve().parents[1] / "fiscal" / "py" / "data"
from harness import PY_NOW  # noqa: E402

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.filter_too_much], database=None)
settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")), derandomize=True,
                          print_blob=True, **_COMMON)
settings.register_profile("long", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5000")), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
def ec():
    from app.fiscal.ec.certificate import PROFILE
    from app.fiscal.signing import generate_test_p12, load_identity
    company = S.company()
    ident = load_identity(generate_test_p12(ruc=company.ruc, holder="Fuzz", password="x", profile=PROFILE,
                                            not_before=datetime(2020, 1, 1, tzinfo=timezone.utc),
                                            days_valid=365 * 30), "x")
    return EcBackend(), company, ident


@pytest.fixture(scope="module")
def py():
    import random
    company = sifen_docs.COMPANY
    fs = demo_py_sale(company, random.Random(1), 1)
    fs["fecha"] = local_naive(PY_NOW).isoformat()
    dtepy = json.loads((PY_DATA / "dtepy_documentoset.json").read_text(encoding="utf-8"))
    dtepy.update(ruc=company.ruc, fecha=fs["fecha"], establecimiento=1, punto=1)
    dtepy["cliente"]["ruc"] = "1111111-9"
    dtepy["condicion"]["entregas"][1]["tipo"] = 3
    dtepy["condicion"]["entregas"][2]["tipo"] = 2
    for k in ("dncp", "cdc"):
        dtepy.pop(k, None)
    dtepy["condicion"].pop("credito", None)
    return PyBackend(), company, sifen_docs.identity(), {"facturasend": fs, "dtepy": dtepy}


def pytest_terminal_summary(terminalreporter):
    """The case counts of this run (signed / refused per dialect), for the report."""
    if harness.Tally.counts:
        terminalreporter.write_line("fuzz cases: " + ", ".join(
            f"{k} {v['signed'] + v['refused']} ({v['signed']} firmados, {v['refused']} rechazados)"
            for k, v in sorted(harness.Tally.counts.items())))
