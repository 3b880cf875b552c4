"""The counter, measured (plain script, offscreen Qt, run on demand):

1. a 5-item cash sale by keyboard, from the first scanned key to the printed ticket (a "file"
   printer: the ESC/POS bytes land in a file): keystrokes and milliseconds;
2. Cobrar → next sale ready, p95, with 100 000 documents stored and the network down (the worker
   thread runs against an address where nothing listens).

The 100 000 documents are made fast with direct SQL in the benchmark's own copy of the demo data
folder: one recursive-CTE INSERT … SELECT that copies the demo's first signed document (its XML
included) under establishment 999, with new sequential numbers and keys, status authorized (so the
worker has nothing to send for them), in one transaction.

    python bench/bench_counter.py [--sales 40] [--documents 100000]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import bench_ui  # noqa: F401  (sets sys.path and the offscreen platform)
from bench_ui import checkout_loop, prepare

CART = ("ARROZ1", "ACEITE1", "PAN", "CAFE", "CEMENTO")


def scan_to_ticket(data: Path, out: Path, rounds: int = 3) -> list[tuple[int, float]]:
    """[(keystrokes, ms)] from the first key of the first scan to the ticket's bytes in `out`,
    one per sale (the first one cold: XSD, key and fonts load)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.pos import users
    from app.pos.printing import auto_printer
    from app.pos.session import Session
    from app.store import settings
    from app.store.db import transaction
    from app.ui.main import MainWindow, build_context, make_app

    app = make_app()
    session = Session(data)
    with transaction(session.conn):
        settings.put(session.conn, "printers", {"caja": {"kind": "file", "path": str(out)}})
        settings.put(session.conn, "printer.default", "caja")
    user = users.authenticate(session.conn, "1234")
    with ExitStack() as stack:
        ctx = build_context(session, user, demo=True, stack=stack, start_worker=True)
        ctx.on_sale_committed.append(auto_printer(session.data))
        w = MainWindow(ctx)
        w.resize(1280, 800)
        w.show()
        w.activateWindow()
        app.processEvents()
        sale = w.sale
        results = []
        for _ in range(rounds):
            out.unlink(missing_ok=True)
            results.append(_one_sale(app, sale, out))
        w.shutdown()
    session.close()
    return results


def _one_sale(app, sale, out: Path) -> tuple[int, float]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    sale.code.setFocus()
    if True:
        keys = 0
        t = time.perf_counter()
        for code in CART:  # a scanner types fast and ends with Enter
            QTest.keyClicks(sale.code, code)
            QTest.keyClick(sale.code, Qt.Key.Key_Return)
            keys += len(code) + 1
        app.processEvents()
        QTest.keyClick(sale.code, Qt.Key.Key_F12)
        keys += 1
        while sale.payment_dialog is None or not sale.payment_dialog.isVisible():
            app.processEvents()
        field = sale.payment_dialog.fields["efectivo"]
        QTest.keyClick(field, Qt.Key.Key_Return)  # the exact cash amount is proposed
        keys += 1
        while not (out.exists() and out.stat().st_size > 0):
            app.processEvents()
            time.sleep(0.0005)
        ms = (time.perf_counter() - t) * 1000
        while sale.payment_dialog is not None and sale.payment_dialog.isVisible():
            app.processEvents()
        return keys, ms


def add_documents(data: Path, n: int) -> float:
    """n copies of the first document, by direct SQL (seconds taken)."""
    from app.pos.session import Session
    from app.store.db import transaction

    session = Session(data)
    t = time.perf_counter()
    with transaction(session.conn):
        session.conn.execute(
            "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?) "
            "INSERT INTO documents(sale_id, country, kind, doc_code, key, version, previous_id, number, ambiente, "
            "establishment, point, sequential, issued_at, signed_at, total, currency, buyer_id, buyer_name, status, "
            "xml, updated_at, authorized_at) "
            "SELECT d.sale_id, d.country, d.kind, d.doc_code, 'BENCH' || printf('%09d', seq.i), 1, NULL, "
            "'999-001-' || printf('%09d', seq.i), d.ambiente, '999', d.point, seq.i, d.issued_at, d.signed_at, "
            "d.total, d.currency, d.buyer_id, d.buyer_name, 'authorized', d.xml, d.updated_at, d.signed_at "
            "FROM seq, (SELECT * FROM documents ORDER BY id LIMIT 1) d", (n,))
    took = time.perf_counter() - t
    total = session.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    session.close()
    print(f"  {n} documentos insertados por SQL directo en {took:.1f} s (total {total})")
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=int, default=40)
    ap.add_argument("--documents", type=int, default=100_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-counter-"))
    prepare(tmp / "data", tmp / "keyring.json")  # the demo company; network down (port 9)
    from app.pos.session import Session
    from app.store import settings
    from app.store.db import transaction

    print("Venta de 5 artículos en efectivo, del primer escaneo al ticket impreso (impresora 'file'):")
    for n, (keys, ms) in enumerate(scan_to_ticket(tmp / "data", tmp / "ticket.bin"), start=1):
        print(f"  venta {n}{' (en frío)' if n == 1 else ''}: {keys} teclas (5 escaneos con Enter, F12, Enter), "
              f"{ms:.1f} ms")
    session = Session(tmp / "data")
    with transaction(session.conn):  # back to no printer for the loop (printing is measured above)
        settings.put(session.conn, "printer.default", "")
    session.close()
    print(f"Cobrar → siguiente venta lista con {args.documents} documentos guardados y la red caída:")
    add_documents(tmp / "data", args.documents)
    times, note = checkout_loop(tmp / "data", args.sales, True)
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    print(f"  n={len(times)} mediana {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, máximo {times[-1]:.1f} ms")
    print(f"  {note}")


if __name__ == "__main__":
    main()
