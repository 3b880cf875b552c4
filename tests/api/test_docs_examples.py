"""docs/api.md's examples run against a real server (they are what integrators copy)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(r"<!-- example: (\w+) -->\s*```python\n(.*?)```", re.S)


def examples(*dialects):
    found = [(d, code) for d, code in EXAMPLE.findall(DOC) if d in dialects]
    assert found, dialects
    return found


def test_datil_examples_run(ec_api):
    scope = {"BASE": ec_api.url, "KEY": ec_api.key, "TENANT": ec_api.tenant, "RUC": ec_api.session.company.ruc}
    for _, code in examples("datil"):
        exec(compile(code, "docs/api.md", "exec"), scope)
    assert ec_api.doc_count() == 1


def test_paraguay_examples_run(py_api):
    scope = {"BASE": py_api.url, "KEY": py_api.key, "TENANT": py_api.tenant, "RUC": py_api.session.company.ruc}
    for _, code in examples("facturasend", "dtepy"):  # in order: dtepy reuses the `de` body
        exec(compile(code, "docs/api.md", "exec"), scope)
    assert py_api.doc_count() == 1  # the same body again, through DTEpy, is recognised as a retry
