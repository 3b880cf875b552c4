"""SIFEN events requested at the counter: cancelación of an approved DE, inutilización of the
number of a rejected one, nominación, actualización de datos del transporte. Each is signed at
once, stored in `py_events` with its own status (signed → registered | rejected) and queued in
the outbox like a document (`event:<id>`); the worker sends it by siRecepEvento (app/fiscal/py/protocol.py).

Receptor events (conformidad, disconformidad, desconocimiento, notificación) concern a DE of
ANOTHER issuer, known only by its CDC: they are stored in `py_receptor_events` (migration 0004),
which is their own queue (status, schedule, lease), sent by the same SIFEN protocol."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

from app.core.status import EventStatus as ES, sql_list
from app.core import status
from app.core.errors import ValidationError
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import events, xml_build
from app.store import documents, outbox
from app.store.db import transaction

Session = Any  # duck-typed: a pos.session.Session (.conn, .company, .identity)


LABELS = {"cancelacion": "Cancelación", "inutilizacion": "Inutilización", "nominacion": "Nominación",
          "transporte": "Actualización de datos del transporte", "conformidad": "Conformidad",
          "disconformidad": "Disconformidad", "desconocimiento": "Desconocimiento",
          "notificacion": "Notificación de recepción"}
RECEPTOR_KINDS = ("conformidad", "disconformidad", "desconocimiento", "notificacion")
RECEPTOR_DAYS = 45  # MT §11.6.4/11.6.5: conformidad / disconformidad within 45 days of emission


def _aware(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _queue(session: Session, doc_id: int, kind: str, reason: str, group, now: datetime) -> int:
    identity = session.identity
    conn = session.conn
    with transaction(conn):
        stamp = documents.utcnow_iso()
        event_id = conn.execute(
            "INSERT INTO py_events(document_id, kind, status, reason, xml, created_at, updated_at) "
            f"VALUES (?,?,'{ES.SIGNED.value}',?,?,?,?)", (doc_id, kind, reason, b"", stamp, stamp)).lastrowid
        xml = events.build_signed([(event_id, group)], identity.key, identity.cert, now, d_id=event_id)
        conn.execute("UPDATE py_events SET xml=? WHERE id=?", (xml, event_id))
        row = documents.get(conn, doc_id)
        label = LABELS[kind]
        documents.add_event(conn, doc_id, row["status"], f"{label} firmada; en cola para SIFEN")
        outbox.enqueue(conn, doc_id, f"event:{event_id}")
    return event_id


def request_cancellation(session: Session, cdc: str, reason: str, *, now: datetime | None = None) -> int:
    """Queues the cancelación of an approved DE; refused locally past the window (48 h for a
    factura, 168 h for the other types, counted from SIFEN's approval: MT §6.2.1, 4009/4010)."""
    now = now or datetime.now(timezone.utc)
    row = documents.by_key(session.conn, cdc)
    if row["country"] != "PY":
        raise ValidationError("Solo los documentos de SIFEN se cancelan con un evento", field="cdc")
    if row["status"] == status.CANCELLED:
        raise ValidationError("El documento ya está cancelado", field="cdc")
    if row["status"] != status.AUTHORIZED:
        raise ValidationError("Solo se puede cancelar un documento aprobado por SIFEN (4002); "
                              "un documento rechazado se inutiliza", field="cdc")
    pending = session.conn.execute("SELECT 1 FROM py_events WHERE document_id=? AND kind='cancelacion' "
                                   f"AND status IN ({sql_list({ES.SIGNED, ES.REGISTERED})})", (row["id"],)).fetchone()
    if pending:
        raise ValidationError("Ya hay una cancelación de este documento en curso o registrada", field="cdc")
    approved = _aware(row["authorized_at"]) or _aware(row["signed_at"])
    doc_type = int(row["doc_code"])
    deadline = events.cancel_deadline(doc_type, approved)
    if now > deadline:
        hours = 48 if doc_type == 1 else 168
        raise ValidationError(
            f"El plazo de cancelación venció el {deadline.astimezone():%d/%m/%Y %H:%M} ({hours} horas desde la "
            "aprobación). Emita una nota de crédito en su lugar.", field="cdc")
    return _queue(session, row["id"], "cancelacion", reason, events.cancellation(cdc, reason), now)


def request_inutilization(session: Session, cdc: str, reason: str, *, now: datetime | None = None) -> int:
    """Queues the inutilización of the number of a rejected DE (never approved)."""
    now = now or datetime.now(timezone.utc)
    row = documents.by_key(session.conn, cdc)
    if row["status"] != status.REJECTED:
        raise ValidationError("Solo se inutiliza el número de un documento rechazado (nunca aprobado)", field="cdc")
    company = session.company
    group = events.inutilization(company.timbrado, row["establishment"], row["point"], int(row["sequential"]),
                                 int(row["sequential"]), int(row["doc_code"]), reason)
    return _queue(session, row["id"], "inutilizacion", reason, group, now)


def event_status(session: Session, event_id: int) -> dict:
    row = session.conn.execute("SELECT id, document_id, kind, status, messages, protocol FROM py_events WHERE id=?",
                               (event_id,)).fetchone()
    if row is None:
        raise ValidationError(f"No existe el evento {event_id}", field="evento")
    return dict(row)


def request_event(session: Session, kind: str, body: dict, *, now: datetime | None = None) -> int:
    """An event from FacturaSend's JSON (`/evento/<kind>`, seed 002): cancelacion, inutilizacion
    (a range of our own numbers, every one of them rejected), nominacion (an approved FE whose
    receptor was innominado, NT-014) and datostransporte (DTEpy's name; body in
    facturasend_events.parse_transport_update) return a `py_events` id; the receptor events
    conformidad, disconformidad, desconocimiento and notificacion (a supplier's DE) return a
    `py_receptor_events` id (see receptor_event_status)."""
    from app.fiscal.py import facturasend_events

    now = now or datetime.now(timezone.utc)
    if kind == "cancelacion":
        facturasend_events.parse_event(kind, body)  # every field checked the FacturaSend way
        return request_cancellation(session, body.get("cdc", ""), body.get("motivo", ""), now=now)
    if kind == "inutilizacion":
        group = facturasend_events.parse_event(kind, body, session.company)
        ns = "{http://ekuatia.set.gov.py/sifen/xsd}"
        est, point = group.findtext(ns + "dEst"), group.findtext(ns + "dPunExp")
        first, last = int(group.findtext(ns + "dNumIn")), int(group.findtext(ns + "dNumFin"))
        doc_type = group.findtext(ns + "iTiDE")
        rows = session.conn.execute(
            "SELECT id, status, sequential FROM documents WHERE country='PY' AND doc_code=? AND establishment=? "
            "AND point=? AND sequential BETWEEN ? AND ? ORDER BY sequential, version DESC",
            (doc_type, est, point, first, last)).fetchall()
        latest = {}
        for r in rows:
            latest.setdefault(r["sequential"], r)
        if len(latest) != last - first + 1 or any(r["status"] != status.REJECTED for r in latest.values()):
            raise ValidationError("Solo se inutilizan números de Mostrador cuyos documentos fueron rechazados "
                                  "(nunca aprobados); el rango incluye otros", field="desde")
        return _queue(session, latest[first]["id"], "inutilizacion", body.get("motivo", ""), group, now)
    if kind == "nominacion":
        group = facturasend_events.parse_event(kind, body)
        row = documents.by_key(session.conn, body.get("cdc", ""))
        if row["status"] != status.AUTHORIZED or row["doc_code"] != "1":
            raise ValidationError("La nominación solo aplica a una factura aprobada", field="cdc")
        if b"<iTipIDRec>5</iTipIDRec>" not in bytes(row["xml"]):
            raise ValidationError("La factura no fue emitida a un receptor innominado (4469)", field="cdc")
        return _queue(session, row["id"], "nominacion", body.get("motivo", ""), group, now)
    if kind in ("transporte", "datostransporte"):
        return request_transport_update(session, body, now=now)
    if kind in RECEPTOR_KINDS:
        return request_receptor_event(session, kind, body, now=now)
    raise ValidationError(f"El evento '{kind}' no está soportado (cancelacion, inutilizacion, nominacion, "
                          "datostransporte, conformidad, disconformidad, desconocimiento, notificacion)",
                          field="evento")


def request_transport_update(session: Session, body: dict, *, now: datetime | None = None) -> int:
    """Actualización de datos del transporte (rGeVeTr) of one of our approved DEs that carry
    transport: a nota de remisión, or a factura with its gTransp group. Body: see
    facturasend_events.parse_transport_update. Returns the py_events id."""
    from app.fiscal.py import facturasend_events

    now = now or datetime.now(timezone.utc)
    cdc, group = facturasend_events.parse_transport_update(body)
    row = documents.by_key(session.conn, cdc)
    if row["country"] != "PY":
        raise ValidationError("Solo los documentos de SIFEN admiten este evento", field="cdc")
    if row["status"] != status.AUTHORIZED:
        raise ValidationError("Solo se actualiza el transporte de un documento aprobado por SIFEN (4002)",
                              field="cdc")
    if row["doc_code"] != "7" and b"<gTransp>" not in bytes(row["xml"]):
        raise ValidationError("El documento no tiene datos de transporte: el evento aplica a una nota de "
                              "remisión o a una factura con transporte", field="cdc")
    motive = {1: "cambio de local de entrega", 2: "cambio de chofer", 3: "cambio de transportista",
              4: "cambio de vehículo"}[int(body.get("motivo"))]
    return _queue(session, row["id"], "transporte", motive, group, now)


def request_receptor_event(session: Session, kind: str, body: dict, *, now: datetime | None = None) -> int:
    """Conformidad, disconformidad, desconocimiento or notificación of a DE we RECEIVED (FacturaSend
    `evento/<kind>` body). Signed at once and queued in `py_receptor_events`; returns its id
    (see `receptor_event_status`). Refused for a CDC issued by this shop: only its receptor may."""
    from app.fiscal.py import facturasend_events

    if kind not in RECEPTOR_KINDS:
        raise ValidationError(f"'{kind}' no es un evento del receptor", field="evento")
    now = now or datetime.now(timezone.utc)
    group = facturasend_events.parse_event(kind, body)
    cdc = str(body.get("cdc", "")).strip()
    conn = session.conn
    if conn.execute("SELECT 1 FROM documents WHERE key=?", (cdc,)).fetchone():
        raise ValidationError("El CDC corresponde a un documento emitido por esta empresa: los eventos del "
                              "receptor los registra quien lo recibió", field="cdc")
    if cdc[2:10].lstrip("0") == session.company.ruc.split("-")[0].lstrip("0"):
        raise ValidationError("El CDC fue emitido con el RUC de esta empresa: no puede ser su receptor",
                              field="cdc")
    if kind == "conformidad" and conn.execute(
            "SELECT 1 FROM py_receptor_events WHERE cdc=? AND kind IN ('disconformidad','desconocimiento') "
            f"AND status IN ({sql_list({ES.SIGNED, ES.REGISTERED})})", (cdc,)).fetchone():
        raise ValidationError("Ya se registró disconformidad o desconocimiento de este documento", field="cdc")
    pending = conn.execute(f"SELECT 1 FROM py_receptor_events WHERE cdc=? AND kind=? AND status='{ES.SIGNED.value}'",
                           (cdc, kind)).fetchone()
    if pending:
        raise ValidationError(f"Ya hay un evento de {LABELS[kind].lower()} de este CDC en cola", field="cdc")
    if kind in ("conformidad", "disconformidad"):
        issued_on = cdc_mod.parse(cdc).issued_on  # the CDC carries the emission date
        if xml_build.local_naive(now).date() > issued_on + timedelta(days=RECEPTOR_DAYS):
            raise ValidationError(f"Pasaron más de {RECEPTOR_DAYS} días desde la emisión del documento "
                                  f"({issued_on:%d/%m/%Y}): SIFEN ya no registra la {LABELS[kind].lower()} "
                                  f"({'4152' if kind == 'conformidad' else '4202'})", field="cdc")
    identity = session.identity
    with transaction(conn):
        stamp = documents.utcnow_iso()
        row_id = conn.execute(
            "INSERT INTO py_receptor_events(cdc, kind, status, reason, xml, next_attempt_at, created_at, "
            f"updated_at) VALUES (?,?,'{ES.SIGNED.value}',?,?,?,?,?)",
            (cdc, kind, str(body.get("motivo") or ""), b"", time.time(), stamp, stamp)).lastrowid
        eid = events.RECEPTOR_ID_BASE + row_id
        xml = events.build_signed([(eid, group)], identity.key, identity.cert, now, d_id=row_id)
        conn.execute("UPDATE py_receptor_events SET xml=? WHERE id=?", (xml, row_id))
    return row_id


def receptor_event_status(session: Session, row_id: int) -> dict:
    row = session.conn.execute("SELECT id, cdc, kind, status, messages, protocol, attempts, last_error "
                               "FROM py_receptor_events WHERE id=?", (row_id,)).fetchone()
    if row is None:
        raise ValidationError(f"No existe el evento del receptor {row_id}", field="evento")
    return dict(row)
