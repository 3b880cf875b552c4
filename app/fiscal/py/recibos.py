"""FacturaSend's recibo kept by Paraguay itself (table `py_recibos`, migration 0014): validated
(app/fiscal/py/recibo_model.py), numbered per establecimiento/punto without gaps, given a CDC
starting with 55, signed with the company's certificate (app/fiscal/py/recibo_xml.py) and
stored — all in one transaction, at most once per idempotency token. A recibo is approved when
issued and never goes to SIFEN, so it stays out of `documents`, the outbox and the status machine;
its cancellation is a mark on its own row."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from app.core.errors import NotFoundError, ValidationError
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import recibo_model, recibo_xml, xml_build
from app.fiscal.py import ruc as ruc_mod
from app.store.db import transaction

Session = Any  # duck-typed: a pos.session.Session (.conn, .company, .identity)


@dataclass
class IssuedRecibo:
    row: dict
    created: bool
    warnings: list[str]


def body_token(body: Any) -> str:
    """The idempotency token of a body without an Idempotency-Key: its canonical JSON's hash."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "body:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_recibo_cdc(cdc: str) -> bool:
    return isinstance(cdc, str) and len(cdc) == 44 and cdc.startswith(str(recibo_model.DOC_TYPE))


def number_text(row: dict) -> str:
    return f"{row['establishment']}-{row['point']}-{int(row['number']):07d}"


def _replay(conn: sqlite3.Connection, scope: str, tokens: list[str]) -> dict | None:
    marks = ",".join("?" * len(tokens))
    row = conn.execute(f"SELECT r.* FROM py_recibo_requests q JOIN py_recibos r ON r.id = q.recibo_id "
                       f"WHERE q.scope=? AND q.idem IN ({marks}) LIMIT 1", (scope, *tokens)).fetchone()
    return dict(row) if row is not None else None


def issue(session: Session, body: Any, *, scope: str, idem_key: str | None = None,
          now: datetime | None = None) -> IssuedRecibo:
    """Issues the recibo of `body` once per token (`Idempotency-Key`, else the body's hash; and the
    client's own `numero` when given); a retry answers with the recibo issued the first time."""
    now = now or datetime.now(timezone.utc)
    tokens = [f"idem:{idem_key}" if idem_key else body_token(body)]
    conn = session.conn
    found = _replay(conn, scope, tokens)
    if found is not None:
        return IssuedRecibo(found, False, [])
    company = session.company
    r = recibo_model.parse(body, company, now_local=xml_build.local_naive(now))
    if r.client_number is not None:
        tokens.append(f"num:{r.establishment}-{r.point}-{r.client_number}")
        found = _replay(conn, scope, tokens)
        if found is not None:
            return IssuedRecibo(found, False, [])
    identity = session.identity
    base, dv = ruc_mod.split(company.ruc)
    with transaction(conn):
        number = conn.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM py_recibos WHERE establishment=? AND point=?",
                              (r.establishment, r.point)).fetchone()[0]
        code = cdc_mod.build(recibo_model.DOC_TYPE, base, dv, r.establishment, r.point, number,
                             company.tipo_contribuyente, r.fecha, cdc_mod.new_security_code(avoid=number))
        unsigned = recibo_xml.build(r, company, cdc=code, number=number, signed_at=xml_build.local_naive(now))
        xml = recibo_xml.sign(unsigned, identity.key, identity.cert)
        stamp = now.isoformat()
        rid = conn.execute(
            "INSERT INTO py_recibos(cdc, establishment, point, number, issued_at, currency, total, request_json, "
            "xml, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (code, r.establishment, r.point, number, r.fecha.isoformat(timespec="seconds"), r.currency, str(r.total),
             json.dumps(body, ensure_ascii=False), xml, stamp)).lastrowid
        conn.executemany("INSERT INTO py_recibo_requests(scope, idem, recibo_id, created_at) VALUES (?,?,?,?)",
                         [(scope, t, rid, stamp) for t in tokens])
        row = dict(conn.execute("SELECT * FROM py_recibos WHERE id=?", (rid,)).fetchone())
    return IssuedRecibo(row, True, r.warnings)


def by_cdc(conn: sqlite3.Connection, cdc: str) -> dict:
    row = conn.execute("SELECT * FROM py_recibos WHERE cdc=?", (cdc,)).fetchone()
    if row is None:
        raise NotFoundError(f"No existe el recibo con CDC {cdc}")
    return dict(row)


def cancel(session: Session, body: Any, *, now: datetime | None = None) -> dict:
    """Marks the recibo `body['cdc']` cancelled with `body['motivo']` (5-500 characters, as a SIFEN
    event's mOtEve); returns the row. Refused when it is already cancelled."""
    if not isinstance(body, dict):
        raise ValidationError("Se esperaba un objeto JSON con cdc y motivo", field="body")
    cdc, reason = body.get("cdc"), body.get("motivo")
    errors = []
    if not isinstance(cdc, str) or not cdc.strip():
        errors.append(("cdc", "Es obligatorio"))
    elif not is_recibo_cdc(cdc.strip()):
        errors.append(("cdc", "El CDC de un recibo tiene 44 dígitos y empieza con 55"))
    if not isinstance(reason, str) or not 5 <= len(reason.strip()) <= 500:
        errors.append(("motivo", "Es obligatorio, de 5 a 500 caracteres"))
    if errors:
        from app.core.errors import FieldError

        raise ValidationError([FieldError(f, m, "required" if m == "Es obligatorio" else "invalid") for f, m in errors])
    now = now or datetime.now(timezone.utc)
    conn = session.conn
    with transaction(conn):
        row = by_cdc(conn, cdc.strip())
        if row["cancelled_at"] is not None:
            raise ValidationError("El recibo ya está cancelado", field="cdc")
        conn.execute("UPDATE py_recibos SET cancelled_at=?, cancel_reason=? WHERE id=?",
                     (now.isoformat(), reason.strip(), row["id"]))
        return dict(conn.execute("SELECT * FROM py_recibos WHERE id=?", (row["id"],)).fetchone())
