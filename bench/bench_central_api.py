"""The central API's read side (`central serve --api-port`), against a register's local API.

  python bench/bench_central_api.py [--docs 2000] [--calls 300]

One demo register (Paraguay) with DOCS documents (real signed ones copied under new keys) is
pushed to a throwaway PostgreSQL (tests/central/pg_cluster.py) through `CentralServer`; then the
same FacturaSend queries go over HTTP on loopback to the register's local API (SQLite) and to
the central API (PostgreSQL): GET de/cdc/<cdc>, POST de/estado (50 CDC), GET de/xml/<cdc>.
Then the tax backfill: every tax row deleted and recomputed from the signed XML (documents/s).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, memory_keyring, report

sys.path.insert(0, str(ROOT / "tests" / "central"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args()
    memory_keyring()
    import requests
    from bench_central import fabricate
    from pg_cluster import Cluster

    from app.api import keys
    from app.api.central import start as start_central_api
    from app.api.server import start as start_local_api
    from app.central import admin, api_keys, replica, taxes
    from app.central.server import CentralServer
    from app.central.store import CentralStore
    from app.config import DataDir
    from app.pos import checkout
    from app.pos.demo import create_demo_company, demo_sale
    from app.pos.runtime import register_info

    tmp = Path(tempfile.mkdtemp(prefix="bench-central-api-"))
    cluster = Cluster().init()
    cluster.start()
    try:
        srv = CentralServer(cluster.dsn, tmp / "central", host="127.0.0.1", port=0)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        url = f"https://127.0.0.1:{srv.server_address[1]}/#sha256={srv.fingerprint}"
        store = CentralStore(cluster.dsn)

        session = create_demo_company(DataDir(tmp / "register"), "PY")
        e = session.company.establishments[0]
        for n in range(1, 11):
            body, kind = demo_sale(session.company, random.Random(n), n, estab=e.code, point=e.points[0].code)
            checkout.issue(session, body, kind, source="demo")
        fabricate(session.conn, args.docs)
        admin.join(session.conn, url, store.new_enrolment("Caja bench"))
        t0 = time.perf_counter()
        replica.Replicator(url, replica.token(session.conn), info=register_info(session)).sync(session.conn)
        print(f"pushed {args.docs} documents in {time.perf_counter() - t0:.1f} s")

        local_key = keys.create(session.conn, "bench", session.company.ruc)
        central_key = api_keys.create(store, "bench", session.company.ruc)
        local = start_local_api(session)
        central = start_central_api(cluster.dsn, tmp / "central", host="127.0.0.1", port=0)
        cdcs = [r[0] for r in session.conn.execute("SELECT key FROM documents ORDER BY id")]
        rng = random.Random(7)
        http = requests.Session()
        for name, api, key in (("local (SQLite)", local, local_key), ("central (PostgreSQL)", central, central_key)):
            base = f"{api.url}/facturasend/{key['tenant']}"
            head = {"Authorization": f"Bearer {key['key']}"}
            for label, call in (
                    ("GET de/cdc", lambda: http.get(f"{base}/de/cdc/{rng.choice(cdcs)}", headers=head)),
                    ("POST de/estado x50", lambda: http.post(f"{base}/de/estado", headers=head,
                                                             json={"cdcList": [{"cdc": c} for c in rng.sample(cdcs, 50)]})),
                    ("GET de/xml", lambda: http.get(f"{base}/de/xml/{rng.choice(cdcs)}", headers=head))):
                samples = []
                for _ in range(args.calls):
                    t = time.perf_counter()
                    r = call()
                    samples.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text
                report(f"{name} {label}", samples)
        local.stop()
        central.stop()

        with store.tx() as c:
            c.execute("DELETE FROM document_taxes")
            c.execute("UPDATE documents SET taxes_read = FALSE")
        t0 = time.perf_counter()
        done = taxes.backfill(store)
        took = time.perf_counter() - t0
        print(f"tax backfill: {done['documents']} documents, {done['rows']} rows in {took:.1f} s "
              f"-> {done['documents'] / took:.0f} documents/s")
        store.close()
        session.close()
        srv.shutdown()
    finally:
        cluster.destroy()
        os.system(f"rm -rf '{tmp}'")


if __name__ == "__main__":
    main()
