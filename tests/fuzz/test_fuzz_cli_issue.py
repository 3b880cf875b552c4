"""`mostrador issue` fuzzed end to end, both countries: hostile JSON files through the CLI and
checkout into a real SQLite data folder. Every run exits 0 (issued) or 2 (refused, naming the
field), never a traceback; afterwards every issued document is stored whole (its outbox job,
no numbering gap) and no refused one left anything behind."""
from __future__ import annotations

import contextlib
import io
import json
import os
import random
import sqlite3

import keyring
import pytest
from keyring.backends import fail
from hypothesis import given, settings, strategies as st

from app.cli import EXIT_INVALID, EXIT_OK, main
from app.config import DataDir
from app.fiscal import registry
from app.pos.demo import create_demo_company
from mutations import HugeInt, mutated

CLI_EXAMPLES = int(os.environ.get("FUZZ_CLI_EXAMPLES", "40"))  # per country: each run opens the data folder


HUGE = "__HUGE_INT__"


def _spell(o, depth=0):
    """HugeInt -> a marker (json cannot str() it); the marker becomes 5 000 digits in the file."""
    if isinstance(o, HugeInt):
        return HUGE
    if depth > 60:
        return o
    if isinstance(o, dict):
        return {k: _spell(v, depth + 1) for k, v in o.items()}
    if isinstance(o, list):
        return [_spell(v, depth + 1) for v in o]
    return o


def _write(path, body) -> None:
    try:
        text = json.dumps(_spell(body), ensure_ascii=False, allow_nan=True)
    except RecursionError:  # the 5 000-deep value: write the same shape by hand
        text = '{"items": ' + "[" * 5000 + "]" * 5000 + "}"
    path.write_text(text.replace(f'"{HUGE}"', "9" * 5000), encoding="utf-8", errors="surrogatepass")


def run_cli(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module", params=[c.code for c in registry.all_countries() if c.code in ("EC", "PY")])
def shop(request, tmp_path_factory):
    data = tmp_path_factory.mktemp(f"shop-{request.param}") / "data"
    # a module fixture runs outside the per-test memory keyring: make its keyring the same
    # whatever an earlier test left installed (none: the demo keeps its password in memory)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        session = create_demo_company(DataDir(data), request.param)
    finally:
        keyring.set_keyring(previous)
    company = session.company
    est = company.establishments[0]
    body, kind = registry.country(request.param).demo().sale_body(company, random.Random(3), 1, estab=est.code,
                                                                  point=est.points[0].code)
    session.close()
    return data, body, kind


def _consistent(data) -> tuple[int, int]:
    """(documents, outbox send jobs); asserts no numbering gap in any series."""
    conn = sqlite3.connect(DataDir(data).db_path)
    try:
        docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        jobs = conn.execute("SELECT count(DISTINCT document_id) FROM outbox").fetchone()[0]
        for country, doc_code, est, point, last in conn.execute(
                "SELECT country, doc_code, establishment, point, last FROM sequences"):
            n = conn.execute("SELECT count(*) FROM documents WHERE country=? AND doc_code=? AND number LIKE ?",
                             (country, doc_code, f"{est}-{point}-%")).fetchone()[0]
            assert n == last, (country, doc_code, est, point, n, last)
        return docs, jobs
    finally:
        conn.close()


def test_issue_never_crashes_and_never_half_writes(shop, tmp_path):
    data, base, kind = shop
    path = tmp_path / "body.json"
    _write(path, base)
    rc, text = run_cli("--data-dir", str(data), "issue", str(path), "--type", kind)
    assert rc == EXIT_OK, text  # the unmutated body issues: the fuzzing starts from a valid document
    before, _ = _consistent(data)
    issued = []

    @settings(max_examples=CLI_EXAMPLES)
    @given(mutated(base))
    def run(body):
        _write(path, body)
        rc, text = run_cli("--data-dir", str(data), "issue", str(path), "--type", kind)
        assert rc in (EXIT_OK, EXIT_INVALID), text
        assert "Traceback" not in text
        issued.append(rc == EXIT_OK)
    run()
    for raw in (b"[" * 100_000, b'{"a":' * 50_000, b"\xff\xfe{}", b'{"items": [' , b"9" * 5000,
                b'{"cantidad": 1e999999}', b"{}"):
        path.write_bytes(raw)
        rc, text = run_cli("--data-dir", str(data), "issue", str(path), "--type", kind)
        assert rc == EXIT_INVALID and "Traceback" not in text, text
    docs, jobs = _consistent(data)
    assert docs - before == sum(issued) and jobs == docs
    print(f"\ncli issue fuzz: {len(issued)} bodies, {sum(issued)} issued, {len(issued) - sum(issued)} refused")
