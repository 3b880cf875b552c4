"""The one property of the fuzz suite: any body gives a Draft (and then a signed document) or a
ValidationError whose every error names an input field — never another exception."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from app.core.errors import ValidationError

PY_NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # the SIFEN bodies' fixed clock
ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT / "fiscal" / "ec", ROOT / "sandbox"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


class Tally:
    """Outcome counts per dialect, printed at the end of the session (the figures in the report)."""
    counts: dict[str, dict[str, int]] = {}

    @classmethod
    def add(cls, dialect: str, outcome: str) -> None:
        d = cls.counts.setdefault(dialect, {"signed": 0, "refused": 0})
        d[outcome] += 1


def issue(label: str, backend, body, kind: str, company, identity, now, **options) -> str:
    """parse + sign; returns 'signed' or 'refused', fails the test on anything else."""
    try:
        draft = backend.parse(body, kind, company, now=now, **options)
        backend.sign(draft, 7, identity, company, now=now)
        outcome = "signed"
    except ValidationError as exc:
        assert exc.errors, "ValidationError without errors"
        unnamed = [e for e in exc.errors if not e.field or e.field == "xml"]
        assert not unnamed, f"refusal that names no input field: {unnamed}"
        outcome = "refused"
    Tally.add(label, outcome)
    return outcome
