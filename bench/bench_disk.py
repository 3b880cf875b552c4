"""Disk per document: issue N sales, transmit them to the authority's sandbox, then measure the
database (and its backup) per document, as stored now and as it was before the compact storage
of the authority's answers (migration 0008: each event's `raw` rebuilt in full, no raw_blobs).

  python bench/bench_disk.py [--n 2000] [--country EC|PY|both] [--project 100000]

Sizes are of a VACUUMed copy (what a backup of a settled database weighs) divided by N; the
bytes per document do not depend on N (nothing is shared between documents except a SIFEN
lote's answer), so the figure for --project documents is N's per-document size times it.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from _common import memory_keyring


def _columns(conn: sqlite3.Connection) -> dict[str, int]:
    one = lambda sql: conn.execute(sql).fetchone()[0] or 0  # noqa: E731
    return {
        "documents.xml": one("SELECT SUM(length(xml)) FROM documents"),
        "document_events.raw": one("SELECT SUM(length(raw)) FROM document_events"),
        "raw_blobs.z": one("SELECT SUM(length(z)) FROM raw_blobs"),
        "sales.request_json": one("SELECT SUM(length(request_json)) FROM sales"),
    }


def _vacuumed_size(conn: sqlite3.Connection, dest: Path) -> int:
    dest.unlink(missing_ok=True)
    conn.execute("VACUUM INTO ?", (str(dest),))
    return dest.stat().st_size


def _to_legacy(path: Path) -> None:
    """The same database as it was stored before migration 0008 (each answer in full)."""
    from app.store import documents
    from app.store.db import connect, transaction

    conn = connect(path)
    with transaction(conn):
        rows = conn.execute("SELECT id, document_id, raw FROM document_events WHERE raw IS NOT NULL").fetchall()
        for r in rows:
            conn.execute("UPDATE document_events SET raw=? WHERE id=?",
                         (documents.raw_bytes(conn, r["document_id"], r["raw"]), r["id"]))
        conn.execute("DELETE FROM raw_blobs")
    conn.close()


def run(country: str, n: int, tmp: Path, project: int) -> None:
    from app.config import DataDir
    from app.pos import checkout
    from app.pos.demo import create_demo_company, demo_sale
    from app.pos.runtime import make_worker
    from app.store import backup, documents
    from app.store.db import connect

    session = create_demo_company(DataDir(tmp / country / "data"), country)
    company = session.company
    with ExitStack() as stack:  # the worker starts the embedded sandbox on loopback
        rng = random.Random(1)
        points = [(e.code, p.code) for e in company.establishments for p in e.points]
        t0 = time.perf_counter()
        for i in range(n):
            estab, point = points[i % len(points)]
            body, kind = demo_sale(company, rng, i + 1, estab=estab, point=point)
            checkout.issue(session, body, kind, source="bench")
        worker = make_worker(session, stack)
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            if worker.run_once() == 0:
                time.sleep(0.01)
            if documents.counts_by_status(session.conn).get("authorized", 0) >= n:
                break
        counts = documents.counts_by_status(session.conn)
        dt = time.perf_counter() - t0
    db = session.data.db_path
    session.close()
    conn = connect(db)
    after_cols = _columns(conn)
    after = _vacuumed_size(conn, tmp / f"{country}-after.db")
    conn.close()
    bk = backup.make(db, tmp / f"{country}-backup.db").stat().st_size
    legacy = tmp / f"{country}-legacy.db"
    legacy.write_bytes((tmp / f"{country}-after.db").read_bytes())
    _to_legacy(legacy)
    conn = connect(legacy)
    before_cols = _columns(conn)
    before = _vacuumed_size(conn, tmp / f"{country}-before.db")
    conn.close()
    print(f"{country}: {n} documents {counts} issued and transmitted in {dt:.0f} s")
    for name in after_cols:
        print(f"  {name:22} before {before_cols[name] / n:8.0f} B/doc   after {after_cols[name] / n:8.0f} B/doc")
    print(f"  whole database (VACUUMed)  before {before / n:8.0f} B/doc   after {after / n:8.0f} B/doc")
    print(f"  backup (SQLite backup API, as `mostrador backup` makes it): {bk / n:.0f} B/doc")
    print(f"  projected for {project} documents: before {before / n * project / 1e9:.2f} GB, "
          f"after {after / n * project / 1e9:.2f} GB (each daily backup the same)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--country", default="both", choices=["EC", "PY", "both"])
    ap.add_argument("--project", type=int, default=100_000)
    args = ap.parse_args()
    memory_keyring()
    tmp = Path(tempfile.mkdtemp(prefix="bench-disk-"))
    for country in (["EC", "PY"] if args.country == "both" else [args.country]):
        run(country, args.n, tmp, args.project)


if __name__ == "__main__":
    main()
