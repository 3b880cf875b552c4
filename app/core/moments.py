"""How a stored moment is shown to a person."""
from __future__ import annotations

from datetime import datetime


def shown_local(iso: str | None) -> str:
    """A stored ISO moment as dd/mm/aaaa hh:mm:ss in the machine's local time ('' for none;
    the text itself when it is not a moment)."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return iso


def shown_as_written(iso: str | None) -> str:
    """A stored ISO moment as dd/mm/aaaa hh:mm:ss in its own offset (the authority's time, as
    printed documents show it): '2026-11-23T05:40:38.734-05:00' -> '23/11/2026 05:40:38'."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return iso
