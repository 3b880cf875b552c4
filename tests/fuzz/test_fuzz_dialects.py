"""Property-based fuzzing of every input dialect, both countries: Dátil (each SRI kind),
FacturaSend and DTEpy (SIFEN). Budget: the `ci` profile in conftest.py (200 cases per dialect,
derandomized); HYPOTHESIS_PROFILE=long for a longer random run."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given

import harness
from harness import PY_NOW
from mutations import mutated

import ec_docs_support as S  # noqa: E402  (path set by harness)

EC_KINDS = list(S.BODIES)


@pytest.mark.parametrize("kind", EC_KINDS)
def test_the_unmutated_ec_bodies_sign(ec, kind):
    backend, company, ident = ec
    assert harness.issue(f"datil:{kind}", backend, S.BODIES[kind](), kind, company, ident, S.NOW) == "signed"


@pytest.mark.parametrize("dialect", ["facturasend", "dtepy"])
def test_the_unmutated_py_bodies_sign(py, dialect):
    backend, company, ident, bodies = py
    assert harness.issue(dialect, backend, copy.deepcopy(bodies[dialect]), "invoices", company, ident, PY_NOW,
                         dialect=dialect) == "signed"


@pytest.mark.parametrize("kind", EC_KINDS)
def test_datil_never_crashes(ec, kind):
    backend, company, ident = ec

    @given(mutated(S.BODIES[kind]()))
    def run(body):
        harness.issue(f"datil:{kind}", backend, body, kind, company, ident, S.NOW)
    run()


@pytest.mark.parametrize("dialect", ["facturasend", "dtepy"])
def test_sifen_dialects_never_crash(py, dialect):
    backend, company, ident, bodies = py

    @given(mutated(bodies[dialect]))
    def run(body):
        harness.issue(dialect, backend, body, "invoices", company, ident, PY_NOW, dialect=dialect)
    run()
