"""Shared bits of the benchmarks (run on demand, never in the test suite)."""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))


def memory_keyring() -> None:
    """Benchmarks run like tests: the throwaway password in a memory keyring."""
    import keyring
    from memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())


def report(name: str, samples_ms: list[float]) -> None:
    s = sorted(samples_ms)
    p95 = s[min(len(s) - 1, int(len(s) * 0.95))]
    print(f"{name}: n={len(s)} median={statistics.median(s):.2f} ms p95={p95:.2f} ms max={s[-1]:.2f} ms")
