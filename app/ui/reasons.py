"""Why a document is still pending or was rejected, in plain Spanish: the authority's messages
verbatim with the country's explanation of each code (its `actions` facet `explain`), and generic
explanations of transport failures (no connection, no answer in time) and of a stopped worker."""
from __future__ import annotations

import json

from app.core import status as st
from app.store import outbox

OFFLINE = ("No hay conexión con {0}: el documento está firmado y guardado; se envía solo cuando vuelva "
           "la conexión. Revise el cable o el Wi-Fi; no hace falta emitirlo de nuevo.")
TIMEOUT = ("{0} no respondió a tiempo: el documento está guardado y Mostrador reintenta solo. Si dura "
           "horas, revise la conexión a internet.")
STOPPED = ("La transmisión está detenida: {0}. Los documentos quedan guardados; cierre y abra Mostrador "
           "o revise Configuración.")
OTHER = "El último intento de envío falló: Mostrador reintenta solo. Si se repite, llame a soporte."
WAITING = "Esperando su turno de envío a {0}; no hace falta hacer nada."


def transport_reason(error: str | None, authority: str) -> str:
    """A transport failure (the outbox's `last_error`) in plain words, or '' when there is none."""
    if not error:
        return ""
    low = error.lower()
    if any(w in low for w in ("no se pudo conectar", "connection", "conexión", "unreachable", "name or service",
                              "refused", "network")):
        return OFFLINE.format(authority)
    if any(w in low for w in ("a tiempo", "timed out", "timeout")):
        return TIMEOUT.format(authority)
    return OTHER


def status_words(error: str | None, authority: str) -> str:
    """The status bar's short reason why the authority cannot be reached, or ''."""
    if not error:
        return ""
    low = error.lower()
    if transport_reason(error, authority) == OFFLINE.format(authority):
        return "sin conexión (los documentos se guardan y se envían al volver)"
    if "a tiempo" in low or "timeout" in low or "timed out" in low:
        return "no responde (se reintenta solo)"
    return "falló el último envío (se reintenta solo)"


def messages_of(detail) -> list[dict]:
    """The authority's messages of a document (`documents.last_messages`, stored as JSON)."""
    try:
        data = json.loads(detail) if isinstance(detail, str) else detail
    except ValueError:
        return []
    if isinstance(data, dict):
        data = data.get("messages") or []
    return [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []


def _code(m: dict) -> str:
    return str(m.get("identificador") or m.get("codigo") or m.get("code") or "")


def _text(m: dict) -> str:
    parts = [m.get("mensaje") or m.get("message"), m.get("informacionAdicional") or m.get("informacion_adicional")]
    return " — ".join(str(p) for p in parts if p)


def document_reasons(conn, doc, facet, authority: str, worker_error: str | None = None,
                     worker_running: bool = True) -> list[str]:
    """Lines saying why `doc` (a documents row) is pending or rejected and what to do; [] otherwise."""
    if doc["status"] not in st.PENDING and doc["status"] != st.REJECTED:
        return []
    out: list[str] = []
    for m in messages_of(doc["last_messages"]):
        code = _code(m)
        out.append(f"{authority} dice: «{code + ' ' if code else ''}{_text(m)}»".replace(" »", "»"))
        out.append("  → " + facet.explain(code, _text(m)))
    if doc["status"] == st.REJECTED:
        if not out:
            out.append(f"{authority} rechazó el documento sin dar motivo. Corríjalo y emítalo de nuevo.")
        return out
    if not worker_running:
        out.append(STOPPED.format(worker_error or "sin detalle"))
        return out
    error = outbox.last_error(conn, doc["id"])
    if error:
        out.append(f"Último intento: «{error}»")
        out.append("  → " + transport_reason(error, authority))
    elif not out:
        out.append(WAITING.format(authority))
    return out
