"""The kill loop shared by the crash tests (Ecuador and Paraguay)."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.store.db import connect

CHILD = Path(__file__).resolve().parent / "crash_child.py"


def run_kills(data, env, kills: int, seed: int, *, child_args: tuple[str, ...] = (),
              wait: tuple[float, float] = (0.4, 2.5)) -> set[str]:
    """Starts a child that issues and syncs (and every third round a second, sync-only worker),
    SIGKILLs them after a random wait, checks the database is intact; repeats `kills` times.
    Returns the keys the children reported as committed."""
    rng = random.Random(seed)
    committed: set[str] = set()
    for i in range(kills):
        procs = [subprocess.Popen([sys.executable, str(CHILD), str(data.root), "issue+sync", str(seed * 100000 + i),
                                   *child_args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)]
        if i % 3 == 0:  # a second worker at the same time: no double send
            procs.append(subprocess.Popen([sys.executable, str(CHILD), str(data.root), "sync", "0"],
                                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        time.sleep(rng.uniform(*wait))
        for p in procs:
            p.send_signal(signal.SIGKILL)
        for p in procs:
            out, err = p.communicate(timeout=30)
            assert p.returncode == -signal.SIGKILL, err.decode(errors="replace")[-2000:]
            committed |= {line.split()[1] for line in out.decode().splitlines() if line.startswith("C ")}
        conn = connect(data.db_path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    return committed
