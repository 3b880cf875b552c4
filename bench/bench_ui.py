"""Cashier's window benchmarks (plain script, offscreen Qt):

1. cold start: a new Python process → Venta screen shown with the focus in the code field
   (target ≤ 1.5 s), on a data folder that already holds the demo company;
2. Cobrar → next sale ready: confirm in the payment dialog until the cart is empty and the code
   field has the focus again (target ≤ 100 ms p95), with the network unplugged: the worker thread
   runs against an address where nothing listens.

    python bench/bench_ui.py [--sales 40] [--starts 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CHILD = r"""
import os, sys, time
t0 = float(sys.argv[2])
sys.path.insert(0, sys.argv[3]); sys.path.insert(0, sys.argv[3] + "/tests/support")
import keyring
from file_keyring import FileKeyring
keyring.set_keyring(FileKeyring())
from app.ui.main import make_app, open_window
from app.pos.session import Session
from app.pos import users
from contextlib import ExitStack
app = make_app()
session = Session(sys.argv[1])
user = users.authenticate(session.conn, "1234")
with ExitStack() as stack:
    w = open_window(session, user, demo=True, stack=stack)  # what `mostrador` runs
    w.activateWindow()
    # short sleeps: a tight processEvents() loop trips a PySide refcount bug on None
    while not w.sale.code.hasFocus():
        app.processEvents()
        time.sleep(0.001)
    ready = time.time() - t0
    while w.ctx.worker is None and w.ctx.worker_error is None:
        app.processEvents()
        time.sleep(0.005)
    print(f"READY {ready:.3f} worker-started {time.time() - t0:.3f} "
          f"worker={'yes' if w.ctx.worker else w.ctx.worker_error}", flush=True)
    w.shutdown()
"""


def prepare(data: Path, keyring_file: Path) -> None:
    import keyring
    from file_keyring import FileKeyring

    os.environ["MOSTRADOR_TEST_KEYRING_FILE"] = str(keyring_file)
    keyring.set_keyring(FileKeyring())
    from app.store import settings
    from app.store.db import transaction
    from app.ui.main import prepare_demo

    session = prepare_demo(data)
    with transaction(session.conn):  # network unplugged: nothing listens on the discard port
        settings.put(session.conn, "sandbox.url", "http://127.0.0.1:9/")
    session.close()


def cold_starts(data: Path, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.time()
        r = subprocess.run([sys.executable, "-c", CHILD, str(data), repr(t0), str(ROOT)], capture_output=True,
                           text=True, timeout=60, env=dict(os.environ))
        line = next((x for x in r.stdout.splitlines() if x.startswith("READY")), None)
        if line is None:
            raise SystemExit(f"cold start failed:\n{r.stdout}\n{r.stderr[-2000:]}")
        out.append(float(line.split()[1]))
        print("  " + line)
    return out


def checkout_loop(data: Path, sales: int, start_worker: bool = True) -> tuple[list[float], str]:
    from PySide6.QtWidgets import QApplication

    from app.store import outbox

    claims = [0]
    real_claim = outbox.claim

    def counting_claim(*a, **k):  # how often the worker takes the write lock to look for jobs
        claims[0] += 1
        return real_claim(*a, **k)

    outbox.claim = counting_claim

    from app.pos import users
    from app.pos.session import Session
    from app.ui.main import MainWindow, build_context, make_app

    app = make_app()
    session = Session(data)
    user = users.authenticate(session.conn, "1234")
    times = []
    with ExitStack() as stack:
        ctx = build_context(session, user, demo=True, stack=stack, start_worker=start_worker)
        w = MainWindow(ctx)
        w.resize(1280, 800)
        w.show()
        app.processEvents()
        started = time.perf_counter()
        sale = w.sale
        codes = ["ARROZ1", "ACEITE1", "3*7861001234608", "PAN", "CAFE"]
        for i in range(sales + 3):
            for c in codes[: 1 + i % len(codes)]:
                sale.add_code(c)
            sale.charge()
            dlg = sale.payment_dialog
            app.processEvents()
            t = time.perf_counter()
            dlg.confirm()  # issue: number, build, sign, store, outbox — one transaction
            while not (sale.cart.empty and not dlg.isVisible()):
                app.processEvents()
                time.sleep(0.0005)
            app.processEvents()
            elapsed = (time.perf_counter() - t) * 1000
            assert sale.last_sale is not None and sale.cart.empty
            if i >= 3:  # the first sales warm caches (XSD, key)
                times.append(elapsed)
        pending = session.conn.execute("SELECT COUNT(*) FROM documents WHERE status='signed'").fetchone()[0]
        err = session.conn.execute("SELECT last_error FROM outbox WHERE last_error IS NOT NULL LIMIT 1").fetchone()
        seconds = time.perf_counter() - started
        w.shutdown()
    QApplication.processEvents()
    outbox.claim = real_claim
    return times, (f"{pending} documentos esperando (red desconectada); el worker tomó el bloqueo de escritura "
                   f"{claims[0]} veces en {seconds:.1f} s; último error: {err[0] if err else '—'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=int, default=40)
    ap.add_argument("--starts", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    prepare(tmp / "data", tmp / "keyring.json")
    print("Arranque en frío hasta Venta lista (objetivo ≤ 1.5 s):")
    starts = cold_starts(tmp / "data", args.starts)
    print(f"  mediana {statistics.median(starts):.3f} s, máximo {max(starts):.3f} s")
    for with_worker in (True, False):
        label = "con el worker en su hilo" if with_worker else "sin worker (solo la ruta de la interfaz)"
        print(f"Cobrar → siguiente venta lista, red desconectada, {label} (objetivo p95 ≤ 100 ms):")
        times, note = checkout_loop(tmp / "data", args.sales, with_worker)
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        print(f"  n={len(times)} mediana {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, máximo {times[-1]:.1f} ms")
        print(f"  {note}")


if __name__ == "__main__":
    main()
