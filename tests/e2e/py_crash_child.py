"""Child process for the PY crash test: issues facturas and transmits them (sync and lotes)
until killed. argv: DATA_DIR MODE SEED (MODE: 'issue+sync' | 'sync'). Prints "C <CDC>" per
committed document so the parent knows what was committed before the SIGKILL."""
from __future__ import annotations

import random
import sys
import threading
from contextlib import ExitStack

from app.config import DataDir
from app.pos import checkout
from app.pos.demo_py import demo_py_sale
from app.pos.runtime import make_worker
from app.pos.session import Session


def main() -> None:
    data, mode, seed = DataDir(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    session = Session(data)
    rng = random.Random(seed)
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        t = threading.Thread(target=worker.run_forever, kwargs={"idle_max": 0.05}, daemon=True)
        t.start()
        if mode == "sync":
            t.join()
            return
        points = [(e.code, p.code) for e in session.company.establishments for p in e.points]
        for n in range(400):
            estab, point = points[n % len(points)]
            result = checkout.issue(session, demo_py_sale(session.company, rng, n + 1, estab=estab, point=point),
                                    "invoices", source="test")
            print(f"C {result.key}", flush=True)
            if n % 7 == 0:
                worker.wake()
        t.join()


if __name__ == "__main__":
    main()
