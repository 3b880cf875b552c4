"""Drain N queued Paraguay DEs to the SIFEN sandbox through lotes (target ≥ 500 DE/s).

  python bench/bench_drain_py.py [--n 10000]

The sandbox runs in its own process (`python -m app.fiscal.py.sandbox`), as SIFEN would be on
another machine. The worker packs the backlog into lotes of ≤ 50 DEs (siRecepLoteDE), then
polls each lote (siResultLoteDE); the poll intervals are set to 0 here (the real schedule is
10 minutes) so the figure measures our side plus the sandbox's judging, not the waiting.
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


def _cpu_seconds(pid: int) -> float:
    """user + system CPU time of another process (Linux /proc; 0 elsewhere)."""
    import os
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()
    memory_keyring()
    import random

    from app.config import DataDir
    from app.pos import checkout
    from app.pos.demo import create_demo_company
    from app.fiscal.py.demo import demo_py_sale
    from app.pos.runtime import make_worker
    from app.store import documents, settings
    from app.store.db import transaction
    from app.fiscal.py.transport import SANDBOX_URL_KEY

    tmp = Path(tempfile.mkdtemp(prefix="bench-drain-py-"))
    session = create_demo_company(DataDir(tmp / "data"), "PY")
    company = session.company
    estabs = ",".join(e.code for e in company.establishments)
    sandbox = subprocess.Popen([sys.executable, "-m", "app.fiscal.py.sandbox", "--port", "0", "--accept",
                                f"{company.ruc}:{company.timbrado}:{estabs}"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = sandbox.stdout.readline().split()[-1]
    try:
        with transaction(session.conn):
            settings.put(session.conn, SANDBOX_URL_KEY, url)
            settings.put(session.conn, "py.lote_first_poll_seconds", 0)
            settings.put(session.conn, "py.lote_poll_seconds", 0.05)
        rng = random.Random(1)
        points = [(e.code, p.code) for e in company.establishments for p in e.points]
        t0 = time.perf_counter()
        for i in range(args.n):
            estab, point = points[i % len(points)]
            checkout.issue(session, demo_py_sale(company, rng, i + 1, estab=estab, point=point), "invoices",
                           source="bench")
        t_issue = time.perf_counter() - t0
        print(f"issued {args.n} DEs in {t_issue:.1f} s ({args.n / t_issue:.0f}/s)")
        with ExitStack() as stack:
            worker = make_worker(session, stack)
            cpu0, sb0 = time.process_time(), _cpu_seconds(sandbox.pid)
            t0 = time.perf_counter()
            # counting statuses is a scan of every document: ask every 50 ms, not every pass
            checked = 0.0
            while True:
                if worker.run_once() == 0:
                    time.sleep(0.005)
                now = time.perf_counter()
                if now - checked > 0.05:
                    checked = now
                    if documents.counts_by_status(session.conn).get("authorized", 0) >= args.n:
                        break
                if now - t0 > 3600:
                    break
            dt = time.perf_counter() - t0
            cpu, sb_cpu = time.process_time() - cpu0, _cpu_seconds(sandbox.pid) - sb0
        counts = documents.counts_by_status(session.conn)
        lotes = session.conn.execute("SELECT COUNT(*), MAX(n) FROM (SELECT COUNT(*) n FROM py_lote_items "
                                     "GROUP BY lote_id)").fetchone()
        print(f"drained to the sandbox: {counts} in {dt:.1f} s -> {args.n / dt:.0f} DE/s "
              f"({lotes[0]} lotes, largest {lotes[1]} DEs)")
        print(f"CPU per DE: worker {cpu / args.n * 1000:.2f} ms, simulated SIFEN {sb_cpu / args.n * 1000:.2f} ms "
              "(the simulator validates schema, signature, CDC, QR and totals of every DE)")
    finally:
        sandbox.terminate()
        sandbox.wait(10)


if __name__ == "__main__":
    main()
