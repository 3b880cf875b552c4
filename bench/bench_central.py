"""Central replication benchmarks, on a throwaway PostgreSQL server (tests/central/pg_cluster.py)
and `CentralServer` over TLS on loopback (the same code as `mostrador central serve`).

  python bench/bench_central.py [--registers 10] [--docs 10000] [--days 3] [--per-day 500] [--till 200]

1. ingest: R registers, each in its own process, push D documents each (with their sales and
   events) from zero; documents/s as the central store committed them.
2. catch-up: one register offline for DAYS × PER_DAY sales, then back: time to push all of it.
3. till cost: median and p95 of one sale committed (checkout.issue) with the background worker
   running against the sandbox, not joined vs joined to the central store (replicating while the
   till sells). Replication runs after the commit, in the worker's thread.

Documents for 1 and 2 are real signed documents of a demo register, copied under new ids, keys and
sequentials (signing 100 000 documents would measure the signer, not the replication).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, memory_keyring, report

sys.path.insert(0, str(ROOT / "tests" / "central"))


def seed_register(data_dir: Path, seed_sales: int = 10):
    from app.config import DataDir
    from app.pos import checkout
    from app.pos.demo import create_demo_company, demo_sale

    session = create_demo_company(DataDir(data_dir))
    company = session.company
    rng = random.Random(1)
    e = company.establishments[0]
    for n in range(1, seed_sales + 1):
        body, kind = demo_sale(company, rng, n, estab=e.code, point=e.points[0].code)
        checkout.issue(session, body, kind, source="demo")
    return session


def fabricate(conn, count: int) -> None:
    """Copies the register's real documents (and their sales and events) until it holds `count`."""
    from app.store.db import transaction

    docs = [dict(r) for r in conn.execute("SELECT * FROM documents ORDER BY id")]
    sales = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM sales")}
    have = len(docs)
    with transaction(conn):
        for i in range(have, count):
            src = docs[i % len(docs)]
            sale = dict(sales[src["sale_id"]])
            sale.pop("id")
            cols = ",".join(sale)
            sid = conn.execute(f"INSERT INTO sales({cols}) VALUES ({','.join('?' * len(sale))})",
                               list(sale.values())).lastrowid
            d = dict(src)
            d.pop("id")
            d.update(sale_id=sid, key=f"{src['key']}-{i}", sequential=1_000_000 + i, previous_id=None)
            cols = ",".join(d)
            did = conn.execute(f"INSERT INTO documents({cols}) VALUES ({','.join('?' * len(d))})",
                               list(d.values())).lastrowid
            conn.execute("INSERT INTO document_events(document_id, at, status, detail) VALUES (?,?,?,?)",
                         (did, d["signed_at"], d["status"], "bench"))


def _push_child(data_dir: str, url: str, name: str, code: str, keyring_file: str, out) -> None:
    try:
        _push(data_dir, url, name, code, keyring_file, out)
    except BaseException as exc:  # the parent must not wait for ever
        out.put((name, -1, repr(exc)))
        raise


def _push(data_dir: str, url: str, name: str, code: str, keyring_file: str, out) -> None:
    os.environ["MOSTRADOR_TEST_KEYRING_FILE"] = str(Path(data_dir).parent / f"keyring-{Path(data_dir).name}.json")
    import keyring
    from file_keyring import FileKeyring

    keyring.set_keyring(FileKeyring())
    from app.central import admin, replica
    from app.store.db import connect

    conn = connect(Path(data_dir) / "mostrador.db")
    admin.join(conn, url, code)
    rep = replica.Replicator(url, replica.token(conn))
    t0 = time.perf_counter()
    moved = rep.push(conn)
    out.put((name, moved, time.perf_counter() - t0))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--registers", type=int, default=10)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--per-day", type=int, default=500)
    ap.add_argument("--till", type=int, default=200)
    ap.add_argument("--only-till", action="store_true", help="skip the ingest and catch-up parts")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-central-"))
    keyring_file = str(tmp / "keyring.json")
    os.environ["MOSTRADOR_TEST_KEYRING_FILE"] = keyring_file
    import keyring
    from file_keyring import FileKeyring

    keyring.set_keyring(FileKeyring())
    from pg_cluster import Cluster

    from app.central.server import CentralServer
    from app.central.store import CentralStore
    from app.store.db import connect

    cluster = Cluster().init()
    cluster.start()
    try:
        srv = CentralServer(cluster.dsn, tmp / "central", host="127.0.0.1", port=0)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        url = f"https://127.0.0.1:{srv.server_address[1]}/#sha256={srv.fingerprint}"
        store = CentralStore(cluster.dsn)

        if args.only_till:
            return till(args.till, tmp, url, store)
        # -- 1. ingest ----------------------------------------------------------------------------
        template = tmp / "template"
        seed_register(template).close()
        conn = connect(template / "mostrador.db")
        fabricate(conn, args.docs)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        import shutil

        dirs = []
        for r in range(args.registers):
            d = tmp / f"reg{r}"
            shutil.copytree(template, d)
            dirs.append(d)
        codes = [store.new_enrolment(f"Caja {r}") for r in range(args.registers)]
        q = mp.get_context("spawn").Queue()
        procs = [mp.get_context("spawn").Process(target=_push_child, args=(str(d), url, f"Caja {r}", codes[r],
                                                                          keyring_file, q))
                 for r, d in enumerate(dirs)]
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        results = [q.get(timeout=3600) for _ in procs]
        if any(r[1] < 0 for r in results):
            raise SystemExit(f"a register failed: {results}")
        wall = time.perf_counter() - t0
        for p in procs:
            p.join()
        total = store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        size = store.conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        print(f"ingest: {args.registers} registers x {args.docs} documents = {total} documents stored "
              f"in {wall:.1f} s wall (process start and join included) -> {total / wall:.0f} documents/s; "
              f"slowest register pushed in {max(r[2] for r in results):.1f} s; database {size}")

        # -- 2. catch-up ----------------------------------------------------------------------------
        offline = args.days * args.per_day
        d = tmp / "offline"
        seed_register(d).close()
        conn = connect(d / "mostrador.db")
        fabricate(conn, offline)
        conn.close()
        code = store.new_enrolment("Caja offline")
        t0 = time.perf_counter()
        ctx = mp.get_context("spawn")
        p = ctx.Process(target=_push_child, args=(str(d), url, "Caja offline", code, keyring_file, q))
        p.start()
        name, moved, secs = q.get(timeout=3600)
        p.join()
        print(f"catch-up: {args.days} days x {args.per_day} sales offline = {offline} documents "
              f"({moved} rows with sales and events) pushed in {secs:.2f} s")

        # -- 3. till cost ---------------------------------------------------------------------------
        till(args.till, tmp, url, store)
    finally:
        cluster.destroy()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)  # the copies of 10 registers take gigabytes


def till(n: int, tmp: Path, url: str, store) -> None:
    from contextlib import ExitStack

    from app.central import admin
    from app.pos import checkout
    from app.pos.demo import demo_sale
    from app.pos.runtime import make_worker

    for joined in (False, True):
        session = seed_register(tmp / f"till-{joined}", seed_sales=1)
        if joined:
            admin.join(session.conn, url, store.new_enrolment(f"Caja till {time.monotonic_ns()}"))
        company = session.company
        e = company.establishments[0]
        rng = random.Random(2)
        samples = []
        with ExitStack() as stack:
            worker = make_worker(session, stack)
            thread = worker.start_thread()
            for i in range(n):
                body, kind = demo_sale(company, rng, i + 2, estab=e.code, point=e.points[0].code)
                t0 = time.perf_counter()
                checkout.issue(session, body, kind, source="demo")
                samples.append((time.perf_counter() - t0) * 1000)
                worker.wake()
                time.sleep(0.02)  # a cashier's pace, compressed
            if joined:  # let the worker finish replicating before it stops
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and _central_docs(store) < n + 1:
                    time.sleep(0.05)
            worker.stop()
            thread.join(timeout=30)
        report(f"till: one sale committed, {'joined to the central store' if joined else 'not joined'}", samples)
        if joined:
            print(f"  replicated by the worker after the commits: {_central_docs(store)} of {n + 1} documents")
        session.close()


def _central_docs(store) -> int:
    return store.conn.execute("SELECT count(*) FROM documents d JOIN registers r ON r.id=d.register_id "
                              "WHERE r.name LIKE 'Caja till%'").fetchone()[0]


if __name__ == "__main__":
    main()
