"""Retry delays: exponential with full jitter, capped (so a fleet of shops coming back
online after an outage does not hammer the authority in lock-step)."""
from __future__ import annotations

import random


def delay(attempt: int, *, base: float = 2.0, cap: float = 600.0, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `attempt` (1-based): uniform in [d/2, d],
    d = min(cap, base * 2**(attempt-1))."""
    d = min(cap, base * (2 ** max(0, attempt - 1)))
    r = (rng or random).random()
    return d / 2 + r * d / 2
