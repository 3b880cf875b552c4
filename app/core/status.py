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


class EventStatus(StrEnum):
    """An event sent to the authority about a document (SIFEN cancelación, inutilización,
    nominación, receptor events): queued signed, then registered or rejected for good."""

    SIGNED = "signed"
    REGISTERED = "registered"
    REJECTED = "rejected"


EVENT_TRANSITIONS: dict[EventStatus, frozenset[EventStatus]] = {
    EventStatus.SIGNED: frozenset({EventStatus.REGISTERED, EventStatus.REJECTED}),
    EventStatus.REGISTERED: frozenset(),
    EventStatus.REJECTED: frozenset(),
}


def sql_list(statuses) -> str:
    """`'signed', 'sent'`: a literal SQL list of statuses for an IN (…) clause, spelled from the enum."""
    return ", ".join(f"'{s.value}'" for s in sorted(statuses, key=lambda s: s.value))


# How people read a status (Spanish): a short word for lists, a phrase for a single document.
SHORT_ES: dict[DocumentStatus, str] = {
    SIGNED: "pendiente", SENT: "enviado", AUTHORIZED: "autorizado", REJECTED: "rechazado",
    CANCELLED: "anulado",
}
PHRASE_ES: dict[DocumentStatus, str] = {
    SIGNED: "firmado, pendiente de envío", SENT: "enviado, esperando autorización",
    AUTHORIZED: "AUTORIZADO", REJECTED: "rechazado", CANCELLED: "anulado",
}
