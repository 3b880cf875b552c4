"""The document status machine: the only place a document status is spelled.

`signed` (numbered, signed, queued) → `sent` (the authority has it, no verdict yet) →
`authorized` | `rejected`. SIFEN may lose a DE in a lote: `sent` → `signed` queues it again
(never renumbered). An authorized document can be `cancelled` (SIFEN cancelación event).
A rejected document is corrected by a new document or a new version, linked; its own row
stays `rejected`. A transition to the same status records new messages (a poll, a retry).
"""
from __future__ import annotations

from enum import StrEnum


class DocumentStatus(StrEnum):
    SIGNED = "signed"
    SENT = "sent"
    AUTHORIZED = "authorized"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


SIGNED = DocumentStatus.SIGNED
SENT = DocumentStatus.SENT
AUTHORIZED = DocumentStatus.AUTHORIZED
REJECTED = DocumentStatus.REJECTED
CANCELLED = DocumentStatus.CANCELLED

ALL: frozenset[DocumentStatus] = frozenset(DocumentStatus)

# The statuses a document may move to from each status (besides staying where it is).
TRANSITIONS: dict[DocumentStatus, frozenset[DocumentStatus]] = {
    SIGNED: frozenset({SENT, AUTHORIZED, REJECTED}),
    SENT: frozenset({SIGNED, AUTHORIZED, REJECTED}),
    AUTHORIZED: frozenset({CANCELLED}),
    REJECTED: frozenset(),
    CANCELLED: frozenset(),
}

# Still owed an answer by the authority (what the worker and the deadline watch look at).
PENDING: frozenset[DocumentStatus] = frozenset({SIGNED, SENT})
# The authority has spoken for good.
FINAL: frozenset[DocumentStatus] = frozenset({AUTHORIZED, REJECTED, CANCELLED})


class IllegalTransition(ValueError):
    """A status change the machine does not allow (a bug, never user input)."""


def parse(value: str) -> DocumentStatus:
    try:
        return DocumentStatus(value)
    except ValueError:
        raise IllegalTransition(f"Estado de documento desconocido: {value!r}") from None


def can_move(old: str, new: str) -> bool:
    o, n = parse(old), parse(new)
    return o == n or n in TRANSITIONS[o]


def check_transition(old: str, new: str) -> DocumentStatus:
    """Returns `new` as a status, or raises `IllegalTransition` when `old` → `new` is not allowed."""
    if not can_move(old, new):
        raise IllegalTransition(f"Un documento en estado '{old}' no puede pasar a '{new}'")
    return parse(new)
