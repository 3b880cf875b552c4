"""Drain N queued Ecuador documents to the SRI sandbox (target ≥ 100 documents/s).

  python bench/bench_drain_ec.py [--n 10000]

The sandbox runs in its own process (`mostrador sandbox`), as the real SRI would be on
another machine; the worker sends each document and polls its authorization.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from _common import ROOT, memory_keyring


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()
    memory_keyring()
    import random

    from app.config import DataDir
    from app.pos import checkout
    from app.pos.demo import create_demo_company
    from app.fiscal.ec.demo import demo_invoice
    from app.fiscal.ec.transport import SANDBOX_URL_KEY
    from app.pos.runtime import make_worker
    from app.store import documents, settings
    from app.store.db import transaction

    tmp = Path(tempfile.mkdtemp(prefix="bench-drain-"))
    session = create_demo_company(DataDir(tmp / "data"), "EC")
    sandbox = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(tmp / "sri"), "sandbox",
                                "--port", "0", "--ruc", session.company.ruc + ":001,002"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = sandbox.stdout.readline().split()[-1]
    try:
        with transaction(session.conn):
            settings.put(session.conn, SANDBOX_URL_KEY, url)
        rng = random.Random(1)
        t0 = time.perf_counter()
        for i in range(args.n):
            checkout.issue(session, demo_invoice(session.company, rng, i + 1), "invoices", source="bench")
        t_issue = time.perf_counter() - t0
        print(f"issued {args.n} documents in {t_issue:.1f} s ({args.n / t_issue:.0f}/s)")
        with ExitStack() as stack:
            worker = make_worker(session, stack)
            t0 = time.perf_counter()
            # counting statuses is a scan of every document: ask every 50 ms, not every pass
            checked = 0.0
            while True:
                if worker.run_once() == 0:
                    time.sleep(0.01)
                now = time.perf_counter()
                if now - checked > 0.05:
                    checked = now
                    if documents.counts_by_status(session.conn).get("authorized", 0) >= args.n:
                        break
                if now - t0 > 3600:
                    break
            dt = time.perf_counter() - t0
        counts = documents.counts_by_status(session.conn)
        print(f"drained to the sandbox: {counts} in {dt:.1f} s -> {args.n / dt:.0f} documents/s")
    finally:
        sandbox.terminate()
        sandbox.wait(10)


if __name__ == "__main__":
    main()
