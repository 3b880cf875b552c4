"""Correcting a DE that SIFEN rejected (REFERENCE §6.4, MT §6.5).

If the fix keeps every field that enters the CDC (type, RUC and DV, establishment, point, number,
tipo de contribuyente, emission date AAAAMMDD, tipo de emisión, dCodSeg), the document is
re-signed with the SAME CDC as a new version of the same number (`documents.version` + 1,
`previous_id` → the rejected version, which stays `rejected`) and queued for sending, all in one
transaction: the customer's printed CDC/QR stays valid. Otherwise the number is inutilizado
and the corrected body is issued as a new DE with the next number (`inutilize_and_reissue`).

A corrected body may leave out `fecha` and `codigoSeguridadAleatorio`: they are taken from the
rejected DE (its request never carried the dCodSeg that Mostrador generated).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from lxml import etree

from app.core.status import EventStatus as ES, sql_list
from app.core.errors import ClockError, ValidationError
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py.schema import safe_parser
from app.fiscal.py.xml_build import PY_TZ as PY_ZONE
from app.core import status
from app.fiscal.py import event_requests
from app.store import documents, outbox
from app.store.db import transaction

Session = Any  # duck-typed: a pos.session.Session (.conn, .company, .identity, .backend)
# NTP may step the clock back a little; anything more is a wrong clock (as in pos.checkout)
CLOCK_TOLERANCE = timedelta(seconds=2)

_N = "{%s}" % cat.NS
# CdcParts field -> how a person calls it (Spanish)
CDC_FIELDS = {"doc_type": "el tipo de documento", "ruc": "el RUC del emisor", "ruc_dv": "el DV del RUC",
              "establishment": "el establecimiento", "point": "el punto de expedición",
              "number": "el número", "taxpayer_type": "el tipo de contribuyente",
              "issued_on": "la fecha de emisión", "emission_type": "el tipo de emisión",
              "security_code": "el código de seguridad"}


@dataclass
class CorrectionResult:
    document_id: int  # the new version
    key: str  # the same CDC
    version: int
    previous_id: int  # the rejected version
    number: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class ReissueResult:
    inutilization_event_id: int  # py_events id of the inutilización of the rejected number
    issued: Any  # the corrected DE (pos.checkout.IssueResult), with a new number and CDC


def _rejected(session: Session, cdc: str):
    row = documents.by_key(session.conn, cdc)  # the latest version is the live one
    if row["country"] != "PY":
        raise ValidationError("Solo los documentos de SIFEN se corrigen así", field="cdc")
    if row["status"] != status.REJECTED:
        raise ValidationError(f"Solo se corrige un documento rechazado por SIFEN; el {row['number']} está "
                              f"'{row['status']}'", field="cdc")
    busy = session.conn.execute(
        "SELECT 1 FROM py_events e JOIN documents d ON d.id = e.document_id WHERE d.key=? "
        f"AND e.kind='inutilizacion' AND e.status IN ({sql_list({ES.SIGNED, ES.REGISTERED})})", (cdc,)).fetchone()
    if busy:
        raise ValidationError("El número de este documento ya está en inutilización: emita un DE nuevo",
                              field="cdc")
    return row


def _original(row) -> tuple[str, str]:
    """(dFeEmiDE, dCodSeg) of the rejected signed DE."""
    root = etree.fromstring(bytes(row["xml"]), safe_parser())
    de = root.find(_N + "DE")
    return (de.findtext(f"{_N}gDatGralOpe/{_N}dFeEmiDE") or "", de.findtext(f"{_N}gOpeDE/{_N}dCodSeg") or "")


def _given(body: dict, *names: str):
    return next((body[n] for n in names if body.get(n) not in (None, "")), None)


def _complete(body: dict, row) -> dict:
    if not isinstance(body, dict):
        raise ValidationError("Se esperaba un objeto JSON con los campos del documento")
    body = dict(body)
    issued, code = _original(row)
    if _given(body, "fecha") is None:
        body["fecha"] = issued
    if _given(body, "codigoSeguridadAleatorio", "codigo_seguridad_aleatorio") is None:
        body["codigoSeguridadAleatorio"] = code
    return body


def _changed(old_cdc: str, new_cdc: str) -> list[str]:
    old, new = cdc_mod.parse(old_cdc), cdc_mod.parse(new_cdc)
    return [label for name, label in CDC_FIELDS.items() if getattr(old, name) != getattr(new, name)]


def _refusal(row, changed: list[str]) -> ValidationError:
    return ValidationError(
        f"La corrección cambia {', '.join(changed)}, que {'forma' if len(changed) == 1 else 'forman'} parte "
        "del CDC: no puede reenviarse con el "
        f"mismo CDC. El número {row['number']} debe inutilizarse y emitirse un DE nuevo "
        "(inutilizar y reemitir).", field="cdc")


def correct_rejected(session: Session, cdc: str, corrected_body: dict, *,
                     now: datetime | None = None) -> CorrectionResult:
    """Re-signs the rejected DE `cdc` from `corrected_body` (FacturaSend JSON) as version n+1 with
    the same CDC and queues it; refuses (ValidationError, Spanish) when a CDC field changes."""
    now = now or datetime.now(timezone.utc)
    row = _rejected(session, cdc)
    body = _complete(corrected_body, row)
    number = _given(body, "numero")
    changed = []
    if number is not None and str(number).strip().lstrip("0") != str(row["sequential"]):
        changed.append("el número")
    draft = session.backend.parse(body, row["kind"], session.company, now=now)
    warnings = [w for w in draft.warnings if not w.startswith("Se ignora el número")]
    return _resign(session, row, draft, changed, warnings, now)


def correct_rejected_sale(session: Session, cdc: str, sale, *, now: datetime | None = None) -> CorrectionResult:
    """The same for a DE issued from the till (its stored request is the `Sale`): `sale`, the
    corrected sale (e.g. another buyer), is built again at the rejected DE's emission moment and
    with its dCodSeg, so the CDC stays when nothing of it changed."""
    from dataclasses import replace

    now = now or datetime.now(timezone.utc)
    row = _rejected(session, cdc)
    issued, code = _original(row)
    try:
        moment = datetime.fromisoformat(issued).replace(tzinfo=PY_ZONE)
    except ValueError:
        raise ValidationError("No se puede leer la fecha de emisión del documento rechazado", field="cdc") from None
    draft = session.backend.draft_from_sale(replace(sale, issued_at=moment), session.company, now=now)
    if code:
        draft.model.security_code = code
    return _resign(session, row, draft, [], list(getattr(draft, "warnings", []) or []), now)


def _resign(session: Session, row, draft, changed: list[str], warnings: list[str], now: datetime) -> CorrectionResult:
    """Signs `draft` with the rejected number; stores it as the next version of the same CDC and
    queues it, in one transaction; refuses when the CDC would change."""
    cdc = row["key"]
    identity = session.identity
    conn = session.conn
    with transaction(conn):
        last = documents.last_signed_at(conn)
        if last is not None and now < last - CLOCK_TOLERANCE:
            raise ClockError(f"El reloj del equipo marca {now.astimezone():%d/%m/%Y %H:%M:%S}, antes del último "
                             f"documento firmado ({last.astimezone():%d/%m/%Y %H:%M:%S}). Corrija la fecha y hora "
                             "del equipo.")
        signed = session.backend.sign(draft, int(row["sequential"]), identity, session.company, now=now)
        changed += [c for c in _changed(cdc, signed.key) if c not in changed]
        if changed or signed.key != cdc:
            raise _refusal(row, changed or ["un campo del CDC"])
        # re-read inside the lock: another till may have corrected it meanwhile
        live = documents.by_key(conn, cdc)
        if live["id"] != row["id"] or live["status"] != status.REJECTED:
            raise ValidationError("El documento cambió mientras se corregía; vuelva a intentarlo", field="cdc")
        version = int(row["version"]) + 1
        doc_id = documents.insert(conn, signed, ambiente=row["ambiente"], sale_id=row["sale_id"],
                                  previous_id=row["id"], version=version)
        documents.add_event(conn, row["id"], status.REJECTED, f"Corregido: versión {version} firmada con el mismo CDC")
        outbox.enqueue(conn, doc_id, "send")
    return CorrectionResult(doc_id, signed.key, version, row["id"], signed.number, warnings)


def inutilize_and_reissue(session: Session, cdc: str, corrected_body: dict, *, commit: Callable[..., Any],
                          reason: str = "Documento rechazado por SIFEN; se emite uno nuevo corregido",
                          source: str = "cli", now: datetime | None = None) -> ReissueResult:
    """The other way out of a rejection: queues the inutilización of the rejected number and
    issues `corrected_body` as a new DE (next number, new CDC, new dCodSeg) through `commit`
    (`pos.checkout.commit(session, draft, request=, source=, now=)`). The body is validated
    first, so a bad body inutilizes nothing."""
    now = now or datetime.now(timezone.utc)
    row = _rejected(session, cdc)
    if not isinstance(corrected_body, dict):
        raise ValidationError("Se esperaba un objeto JSON con los campos del documento")
    body = {k: v for k, v in corrected_body.items()
            if k not in ("numero", "cdc", "codigoSeguridadAleatorio", "codigo_seguridad_aleatorio")}
    draft = session.backend.parse(body, row["kind"], session.company, now=now)
    event_id = event_requests.request_inutilization(session, cdc, reason, now=now)
    issued = commit(session, draft, request=body, source=source, now=now)
    return ReissueResult(event_id, issued)
