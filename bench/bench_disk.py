"""Disk per document: issue N sales, transmit them to the authority's sandbox, then measure the
database (and its backup) per document, as stored now and as it was stored before the compact
storage (migrations 0008 and 0013: each event's `raw` in full, no raw_blobs; the signed XML and
the sale's request uncompressed, no store_dicts).

  python bench/bench_disk.py [--n 2000] [--country EC|PY|both] [--chunk 1000] [--project 100000]
  python bench/bench_disk.py --n 100000          # the issue's figure (30–60 min per country, idle machine)

Sales are issued and transmitted in chunks (issue `--chunk`, drain the outbox, repeat), as a
shop does over a day, so the outbox stays short at any N. Sizes are of a VACUUMed copy (what a
settled database weighs) and of `mostrador backup`'s copy, divided by N; `--project` scales the
per-document figure. The per-table lines come from SQLite's dbstat table (pages, payload).
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
    # `AS stored`: the bytes on disk, not what the row factory reads back
    one = lambda sql: conn.execute(sql).fetchone()[0] or 0  # noqa: E731
    return {
        "documents.xml": one("SELECT SUM(length(CAST(xml AS BLOB))) AS stored FROM documents"),
        "sales.request_json": one("SELECT SUM(length(CAST(request_json AS BLOB))) AS stored FROM sales"),
        "document_events.raw": one("SELECT SUM(length(raw)) FROM document_events"),
        "raw_blobs.z": one("SELECT SUM(length(z)) FROM raw_blobs"),
        "store_dicts.data": one("SELECT SUM(length(data)) FROM store_dicts"),
    }


def _tables(path: Path) -> list[tuple[str, int, int]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name, SUM(pgsize), SUM(payload) FROM dbstat GROUP BY name "
                            "ORDER BY 2 DESC LIMIT 8").fetchall()
    except sqlite3.Error:  # SQLite built without dbstat
        return []
    finally:
        conn.close()


def _vacuumed_size(conn: sqlite3.Connection, dest: Path) -> int:
    dest.unlink(missing_ok=True)
    conn.execute("VACUUM INTO ?", (str(dest),))
    return dest.stat().st_size


def _to_legacy(path: Path) -> None:
    """The same database as it was stored before migrations 0008 and 0013 (nothing packed)."""
    from app.store import documents
    from app.store.db import connect, transaction

    conn = connect(path)
    with transaction(conn):
        rows = conn.execute("SELECT id, document_id, raw FROM document_events WHERE raw IS NOT NULL").fetchall()
        for r in rows:
            conn.execute("UPDATE document_events SET raw=? WHERE id=?",
                         (documents.raw_bytes(conn, r["document_id"], r["raw"]), r["id"]))
        conn.execute("DELETE FROM raw_blobs")
        for r in conn.execute("SELECT id, xml FROM documents").fetchall():  # the row factory unpacks
            conn.execute("UPDATE documents SET xml=? WHERE id=?", (r["xml"], r["id"]))
        for r in conn.execute("SELECT id, request_json FROM sales").fetchall():
            conn.execute("UPDATE sales SET request_json=? WHERE id=?", (r["request_json"], r["id"]))
        conn.execute("DROP TRIGGER store_dicts_undeletable")  # a copy: the real one refuses
        conn.execute("DELETE FROM store_dicts")
    conn.close()


def _drain(worker, conn, target: int, deadline: float) -> None:
    from app.store import documents

    while time.monotonic() < deadline:
        if worker.run_once() == 0:
            if documents.counts_by_status(conn).get("authorized", 0) >= target:
                return
            time.sleep(0.01)


def run(country: str, n: int, chunk: int, tmp: Path, project: int) -> None:
    from app.config import DataDir
    from app.core.errors import ValidationError
    from app.pos import checkout
    from app.pos.demo import create_demo_company, demo_sale
    from app.pos.runtime import make_worker
    from app.store import backup, documents
    from app.store.db import connect

    session = create_demo_company(DataDir(tmp / country / "data"), country)
    company = session.company
    commit_ms: list[float] = []
    with ExitStack() as stack:  # the worker starts the embedded sandbox on loopback
        rng = random.Random(1)
        points = [(e.code, p.code) for e in company.establishments for p in e.points]
        worker = make_worker(session, stack)
        t0 = time.perf_counter()
        deadline = time.monotonic() + 4 * 3600
        i = refused = 0
        while len(commit_ms) < n:
            i += 1
            estab, point = points[i % len(points)]
            body, kind = demo_sale(company, rng, i, estab=estab, point=point)
            t = time.perf_counter()
            try:
                checkout.issue(session, body, kind, source="bench")
            except ValidationError as exc:  # a demo body the country's rules refuse: not stored
                refused += 1
                print(f"  {country}: demo sale {i} refused ({exc}); skipped", flush=True)
                continue
            commit_ms.append((time.perf_counter() - t) * 1000)
            done = len(commit_ms)
            if done % chunk == 0 or done == n:
                _drain(worker, session.conn, done, deadline)
                print(f"  {country}: {done}/{n} issued and authorized, {time.perf_counter() - t0:.0f} s",
                      flush=True)
        counts = documents.counts_by_status(session.conn)
        dt = time.perf_counter() - t0
    db = session.data.db_path
    session.close()
    conn = connect(db)
    after_cols = _columns(conn)
    t = time.perf_counter()
    listed = len(documents.listing(conn))
    list_s = time.perf_counter() - t
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
    commit_ms.sort()
    print(f"{country}: {n} documents {counts} issued and transmitted in {dt:.0f} s; "
          f"issue median {commit_ms[len(commit_ms) // 2]:.1f} ms; listing {listed} rows {list_s * 1000:.0f} ms")
    for name in after_cols:
        print(f"  {name:22} before {before_cols[name] / n:8.0f} B/doc   after {after_cols[name] / n:8.0f} B/doc")
    print(f"  whole database (VACUUMed)  before {before / n:8.0f} B/doc   after {after / n:8.0f} B/doc")
    print(f"  backup (SQLite backup API, as `mostrador backup` makes it): {bk / n:.0f} B/doc, "
          f"{bk / 1e6:.1f} MB for {n}")
    print("  largest tables and indexes after (dbstat): " + ", ".join(
        f"{name} {size / n:.0f} B/doc" for name, size, _ in _tables(tmp / f"{country}-after.db")))
    print(f"  projected for {project} documents: before {before / n * project / 1e9:.2f} GB, "
          f"after {after / n * project / 1e9:.2f} GB (each daily backup the same)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--country", default="both", choices=["EC", "PY", "both"])
    ap.add_argument("--chunk", type=int, default=1000, help="sales issued between two drains of the outbox")
    ap.add_argument("--project", type=int, default=100_000)
    args = ap.parse_args()
    memory_keyring()
    tmp = Path(tempfile.mkdtemp(prefix="bench-disk-"))
    for country in (["EC", "PY"] if args.country == "both" else [args.country]):
        run(country, args.n, args.chunk, tmp, args.project)


if __name__ == "__main__":
    main()
