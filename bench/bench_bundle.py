"""Budgets of the frozen program (dist/Mostrador, built by packaging/build-linux.sh):

1. bundle size unpacked (aim ≤ 200 MB);
2. cold start of the windowed program to a usable Venta screen (aim ≤ 2 s): `mostradorw demo`
   with MOSTRADOR_EXIT_WHEN_READY=1 prints `VENTA-READY <epoch>` once the code field has the
   focus (app/ui/main.py: exit_when_ready), measured from just before the process is spawned;
3. peak RSS of `mostrador demo --headless --sales 1000` (aim ≤ 250 MB): 1 000 sales signed,
   stored and authorized by the embedded sandbox, in one frozen process (os.wait4's ru_maxrss).

    python bench/bench_bundle.py [--bundle dist/Mostrador] [--starts 3] [--sales 1000] [--country EC]
Runs offscreen, with a scrubbed environment (no PYTHONPATH; the bundle's own Python only).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bundle_bytes(bundle: Path) -> int:
    return sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())


def frozen_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "TZ": os.environ.get("TZ", "UTC"),
            "QT_QPA_PLATFORM": "offscreen"}


def cold_start(bundle: Path, data: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds to VENTA-READY, CPU seconds of the whole process): on a loaded machine the
    wall time waits for the CPU; the CPU time says what the program itself spends."""
    env = dict(env, MOSTRADOR_EXIT_WHEN_READY="1")
    t0 = time.time()
    p = subprocess.Popen([str(bundle / "mostradorw"), "demo", "--data-dir", str(data)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=120)
    line = next((x for x in out.splitlines() if x.startswith("VENTA-READY")), None)
    if line is None:
        raise SystemExit(f"el programa no llegó a Venta (código {p.returncode}):\n{out}\n{err[-3000:]}")
    return float(line.split()[1]) - t0, _children_cpu()


_cpu_seen = [0.0]


def _children_cpu() -> float:
    """CPU seconds of the children waited for since the last call."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = ru.ru_utime + ru.ru_stime
    delta, _cpu_seen[0] = total - _cpu_seen[0], total
    return delta


def headless_rss(bundle: Path, data: Path, env: dict[str, str], sales: int, country: str | None) -> tuple[int, float, str]:
    cmd = [str(bundle / "mostrador"), "demo", "--headless", "--sales", str(sales), "--timeout", "900",
           "--data-dir", str(data)]
    if country:
        cmd += ["--country", country]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _pid, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"demo --headless falló ({p.returncode}):\n{out[-3000:]}")
    summary = [x.strip() for x in out.splitlines() if x.startswith(("Ventas emitidas", "Aprobadas"))]
    return usage.ru_maxrss * 1024, time.perf_counter() - t0, "; ".join(summary)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", default=str(ROOT / "dist" / "Mostrador"))
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--sales", type=int, default=1000)
    ap.add_argument("--country", default=None)
    args = ap.parse_args()
    bundle = Path(args.bundle).resolve()
    if not (bundle / "mostrador").exists():
        raise SystemExit(f"no hay bundle en {bundle}: ejecute bash packaging/build-linux.sh")
    tmp = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    env = frozen_env(tmp / "home")
    (tmp / "home").mkdir()

    size = bundle_bytes(bundle)
    print(f"Tamaño del bundle (objetivo ≤ 200 MB): {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB) en {bundle}")

    data = tmp / "data"
    subprocess.run([str(bundle / "mostrador"), "demo", "--headless", "--sales", "1", "--data-dir", str(data)]
                   + (["--country", args.country] if args.country else []),
                   env=env, check=True, capture_output=True, timeout=300)
    _children_cpu()
    print("Arranque en frío de mostradorw hasta Venta lista (objetivo ≤ 2 s):")
    starts = []
    for _ in range(args.starts):
        starts.append(cold_start(bundle, data, env))
        print(f"  {starts[-1][0]:.3f} s (CPU del proceso completo, hasta salir: {starts[-1][1]:.3f} s)")
    print(f"  mediana {statistics.median(s for s, _c in starts):.3f} s, máximo {max(s for s, _c in starts):.3f} s; "
          f"carga del equipo {os.getloadavg()[0]:.1f} en {os.cpu_count()} CPU")

    print(f"RSS máximo de `mostrador demo --headless --sales {args.sales}` (objetivo ≤ 250 MB):")
    rss, seconds, last = headless_rss(bundle, tmp / "data-rss", env, args.sales, args.country)
    print(f"  {rss / 1e6:.1f} MB ({rss / 2**20:.1f} MiB) en {seconds:.1f} s — {last}")


if __name__ == "__main__":
    main()
