"""Ecuador issue path benchmarks.

  python bench/bench_issue_ec.py [--stored 100000] [--n 300]

1. build + sign a 10-line factura (parse Dátil JSON, build XML, XSD-validate, XAdES sign);
   target ≤ 3 ms median.
2. one sale committed (allocate + build + sign + store + enqueue, fsync'd) with `--stored`
   documents already in the database; target ≤ 15 ms p95.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from _common import memory_keyring, report


def ten_line_body(company):
    from decimal import Decimal

    from app.fiscal.ec.demo import BUYERS, PRODUCTS, invoice_body

    lines = [(PRODUCTS[i % len(PRODUCTS)], Decimal("2"), Decimal("0.05") if i % 4 == 0 else Decimal(0))
             for i in range(10)]
    body = invoice_body(company, lines)
    tipo, ident, name, email = BUYERS[0]
    body["comprador"] = {"tipo_identificacion": tipo, "identificacion": ident, "razon_social": name,
                         "email": email}
    return body


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stored", type=int, default=100_000)
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    memory_keyring()
    from app.config import DataDir
    from app.pos import checkout
    from app.pos.demo import create_demo_company

    tmp = Path(tempfile.mkdtemp(prefix="bench-ec-"))
    session = create_demo_company(DataDir(tmp / "data"), "EC")
    company, backend, identity = session.company, session.backend, session.identity
    body = ten_line_body(company)

    samples = []
    for i in range(args.n + 20):
        t0 = time.perf_counter()
        draft = backend.parse(body, "invoices", company)
        backend.sign(draft, i + 1, identity, company, now=datetime.now(timezone.utc))
        if i >= 20:
            samples.append((time.perf_counter() - t0) * 1000)
    report("build+sign 10-line factura (parse+build+XSD+XAdES)", samples)

    fill(session, args.stored)
    samples = []
    for i in range(args.n):
        t0 = time.perf_counter()
        checkout.issue(session, body, "invoices", source="bench")
        samples.append((time.perf_counter() - t0) * 1000)
    report(f"sale committed with {args.stored} documents stored", samples)
    size = sum(f.stat().st_size for f in (tmp / "data").glob("mostrador.db*"))
    print(f"database size: {size / 1e6:.0f} MB in {tmp}")


def fill(session, n: int) -> None:
    """Stores `n` signed documents in the same series, fast (one transaction, copies of a real one)."""
    from app.pos import checkout
    from app.store.db import transaction

    if n <= 0:
        return
    r = checkout.issue(session, ten_line_body(session.company), "invoices", source="bench")
    row = session.conn.execute("SELECT * FROM documents WHERE id=?", (r.document_id,)).fetchone()
    t0 = time.perf_counter()
    cols = [k for k in row.keys() if k != "id"]
    with transaction(session.conn):
        base = row["sequential"]
        batch = []
        for i in range(1, n + 1):
            v = dict(row)
            v["sequential"] = base + i
            v["key"] = f"{random.getrandbits(160):049d}"[-49:]
            v["number"] = f"001-001-{base + i:09d}"
            v["status"] = "authorized"
            batch.append(tuple(v[c] for c in cols))
            if len(batch) == 5000:
                session.conn.executemany(f"INSERT INTO documents({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", batch)
                batch = []
        if batch:
            session.conn.executemany(f"INSERT INTO documents({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", batch)
        session.conn.execute("UPDATE sequences SET last=? WHERE doc_code='01' AND establishment='001' AND point='001'",
                             (base + n,))
        session.conn.execute("INSERT INTO outbox(document_id, action, state, attempts, next_attempt_at, created_at) "
                             "SELECT id, 'send', 'done', 1, 0, datetime('now') FROM documents WHERE id > ?",
                             (r.document_id,))
    print(f"stored {n} documents in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
