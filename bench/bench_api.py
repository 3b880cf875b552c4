"""The local API's issue path over real HTTP on loopback (run on demand).

  python bench/bench_api.py [--n 300] [--clients 1 8] [--no-group-commit] [--in-process]

A demo Ecuadorian company served by a `mostrador serve` process (or, with --in-process, by a
thread of this one); each request is `POST /datil/invoices/issue` with a Dátil body
(the demo's varied invoices, each with its own Idempotency-Key), answered after the document
is numbered, signed, stored with its outbox job and committed (fsync'd). Prints p50/p95
latency and sustained documents per second for each number of concurrent clients, and the
server's CPU per invoice. Concurrent requests are committed together (app/pos/group_commit.py);
--no-group-commit gives one transaction per request, for a before/after under the same load.
Aim: p95 ≤ 20 ms and ≥ 150 invoices/s.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _common import memory_keyring


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="invoices per run")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--in-process", action="store_true",
                    help="serve from this process (a thread) instead of a `mostrador serve` process: "
                         "client and server then share one GIL")
    ap.add_argument("--no-group-commit", action="store_true",
                    help="one transaction (one fsync) per request, as before group commit: for comparison")
    args = ap.parse_args()
    memory_keyring()
    if args.no_group_commit:
        import os

        os.environ["MOSTRADOR_API_GROUP_COMMIT"] = "0"  # read by the server (this process or the child)
    import requests

    from app.api import keys
    from app.api.server import start
    from app.config import DataDir
    from app.pos.demo import create_demo_company, demo_sale

    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    session = create_demo_company(DataDir(tmp / "data"), "EC")
    company = session.company
    key = keys.create(session.conn, "bench", company.ruc)["key"]
    session.identity  # noqa: B018  (the certificate is loaded once per process)
    running = _InProcess(start(session)) if args.in_process else _serve_process(tmp)
    est = company.establishments[0]
    rng = random.Random(7)
    bodies = [demo_sale(company, rng, i, estab=est.code, point=est.points[0].code)[0] for i in range(1, 201)]
    url = f"{running.url}/datil/invoices/issue"
    try:
        for clients in args.clients:
            per = max(1, args.n // clients)
            lat: list[float] = []
            lock = threading.Lock()
            errors: list[str] = []

            def client(c: int) -> None:
                http = requests.Session()
                http.post(url, json=bodies[0], headers={"X-Key": key, "Idempotency-Key": f"warm-{clients}-{c}"})
                mine = []
                for i in range(per):
                    h = {"X-Key": key, "Idempotency-Key": uuid.uuid4().hex}
                    t0 = time.perf_counter()
                    r = http.post(url, json=bodies[(c * per + i) % len(bodies)], headers=h, timeout=30)
                    mine.append((time.perf_counter() - t0) * 1000)
                    if r.status_code != 200:
                        errors.append(r.text[:200])
                with lock:
                    lat.extend(mine)

            threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
            cpu0 = running.cpu_seconds()
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
            cpu = running.cpu_seconds() - cpu0
            s = sorted(lat)
            p95 = s[min(len(s) - 1, int(len(s) * 0.95))]
            print(f"{clients} client(s): n={len(s)} p50={statistics.median(s):.1f} ms p95={p95:.1f} ms "
                  f"max={s[-1]:.1f} ms  {len(s) / wall:.0f} invoices/s  errors={len(errors)}  "
                  f"server CPU {cpu * 1000 / max(1, len(s)):.2f} ms/invoice ({100 * cpu / wall:.0f} % of a core)  "
                  f"load {_load()}")
            if errors:
                print("  first error:", errors[0])
    finally:
        running.stop()
        session.close()


def _load() -> str:
    """The 1/5/15-minute load averages (the machine is shared: a figure means little without them)."""
    import os

    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _cpu_of(pid: int | str) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; 0 elsewhere)."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _InProcess:
    """The server in a thread of this process (its CPU figure then includes the clients')."""

    def __init__(self, running):
        self.running, self.url = running, running.url

    def cpu_seconds(self) -> float:
        return _cpu_of("self")

    def stop(self):
        self.running.stop()


class _Process:
    def __init__(self, proc, url):
        self.proc, self.url = proc, url

    def cpu_seconds(self) -> float:
        return _cpu_of(self.proc.pid)

    def stop(self):
        import signal

        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)


def _serve_process(tmp: Path) -> _Process:
    """`mostrador serve --port 0 --no-sync` on the bench's data folder, as a shop runs it."""
    import os
    import re
    import subprocess
    import sys

    from _common import ROOT

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests" / "support"), env.get("PYTHONPATH", "")])
    env["PYTHON_KEYRING_BACKEND"] = "file_keyring.FileKeyring"  # the demo certificate is made anew there
    env["MOSTRADOR_TEST_KEYRING_FILE"] = str(tmp / "keyring.json")
    proc = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(tmp / "data"), "serve", "--port", "0",
                             "--no-sync"], env=env, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"mostrador serve did not start: {line}{proc.stderr.read()}")
    return _Process(proc, m.group(1))


if __name__ == "__main__":
    main()
