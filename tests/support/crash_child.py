"""Child process for the crash tests (Ecuador and Paraguay): issues invoices and transmits
them until killed.

argv: DATA_DIR MODE SEED [MAX_DOCS [WAKE_EVERY]]   (MODE: 'issue+sync' | 'sync')
Prints one line per committed document ("C <clave or CDC>") so the parent knows what was
committed before the SIGKILL. WAKE_EVERY > 1 lets a backlog build up (SIFEN lotes).
"""
from __future__ import annotations

import random
import sys
import threading
from contextlib import ExitStack

from app.config import DataDir
from app.pos import checkout
from app.pos.demo import demo_sale
from app.pos.runtime import make_worker
from app.pos.session import Session


def main() -> None:
    data, mode, seed = DataDir(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    max_docs = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    wake_every = int(sys.argv[5]) if len(sys.argv) > 5 else 1
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
        for n in range(max_docs):
            estab, point = points[n % len(points)]
            body, kind = demo_sale(session.company, rng, n + 1, estab=estab, point=point)
            result = checkout.issue(session, body, kind, source="test")
            print(f"C {result.key}", flush=True)
            if n % wake_every == 0:
                worker.wake()
        t.join()


if __name__ == "__main__":
    main()
