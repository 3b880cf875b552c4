"""A 500-invoice day reported to the mall's loopback sandbox, by SFTP and by REST (seed 000).

  python bench/bench_mall.py [--n 500]

Issues N Ecuador invoices (signed as at the till), records them authorized (as the worker
would after the SRI's answer; the SRI is not what is measured here), then times
`mall.run_report` for the day: one SFTP session uploading N `autorizacion` files (temp name,
then rename, each recorded), and N `invoices/register` calls to the REST portal (login once).
Prints seconds and documents/s for each.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import memory_keyring


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    args = ap.parse_args()
    memory_keyring()
    import random

    from app.config import DataDir
    from app.core import status as st
    from app.fiscal.ec.demo import demo_invoice
    from app.integrations import config, mall
    from app.integrations.sandbox_mall import MallPortal, SftpSandbox
    from app.pos import checkout
    from app.pos.demo import create_demo_company
    from app.store import documents
    from app.store.db import transaction

    tmp = Path(tempfile.mkdtemp(prefix="bench-mall-"))
    try:
        session = create_demo_company(DataDir(tmp / "data"), "EC")
        conn = session.conn
        rng = random.Random(7)
        t0 = time.perf_counter()
        keys = [checkout.issue(session, demo_invoice(session.company, rng, n), "invoices").key for n in range(args.n)]
        print(f"issued {len(keys)} invoices in {time.perf_counter() - t0:.1f} s")
        with transaction(conn):
            for k in keys:
                row = documents.by_key(conn, k)
                documents.set_status(conn, row["id"], st.AUTHORIZED, authorization_number=k,
                                     authorized_at=row["issued_at"])
        day = "2999-12-31"

        sftp = SftpSandbox(tmp / "sftp").start()
        portal = MallPortal().start()
        try:
            with transaction(conn):
                for k, v in {"mall.001.mode": "sftp", "mall.001.sftp.host": "127.0.0.1",
                             "mall.001.sftp.port": str(sftp.port), "mall.001.sftp.user": sftp.user}.items():
                    config.set_value(conn, k, v)
            config.store_secret(conn, "mall.001.sftp.password", sftp.password)
            t0 = time.perf_counter()
            rep = mall.run_report(conn, "001", day)
            dt = time.perf_counter() - t0
            assert rep.sent == args.n and len(sftp.files()) == args.n, (rep.sent, len(sftp.files()))
            print(f"SFTP: {rep.sent} files in {dt:.2f} s = {rep.sent / dt:.0f} documents/s")

            conn.execute("DELETE FROM mall_deliveries")
            with transaction(conn):
                for k, v in {"mall.001.mode": "rest", "mall.001.rest.url": portal.base_url,
                             "mall.001.rest.user": portal.user}.items():
                    config.set_value(conn, k, v)
            config.store_secret(conn, "mall.001.rest.password", portal.password)
            t0 = time.perf_counter()
            rep = mall.run_report(conn, "001", day)
            dt = time.perf_counter() - t0
            assert rep.sent == args.n and len(portal.registered) == args.n
            print(f"REST: {rep.sent} invoices in {dt:.2f} s = {rep.sent / dt:.0f} documents/s "
                  f"({portal.logins} login)")
        finally:
            sftp.stop()
            portal.stop()
        session.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
