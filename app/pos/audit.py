"""Append-only log of sensitive actions (the table refuses updates and deletes)."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

from app.store.db import transaction

ACTION_LABELS = {
    "discount": "Descuento sobre el límite",
    "price_change": "Cambio de precio",
    "delete_after_prebill": "Línea borrada tras la pre-cuenta",
    "quantity_down_after_prebill": "Cantidad reducida tras la pre-cuenta",
    "cancel_after_prebill": "Venta descartada tras la pre-cuenta",
    "shift_open": "Apertura de caja",
    "shift_close": "Cierre de caja",
    "cash_movement": "Movimiento de caja",
    "credit_note": "Nota de crédito",
    "settings": "Configuración modificada",
}


def record(conn: sqlite3.Connection, action: str, actor: str, detail: dict, *,
           approved_by: str | None = None, in_transaction: bool = False) -> int:
    def write() -> int:
        cur = conn.execute(
            "INSERT INTO audit_log(at, actor, approved_by, action, detail) VALUES (?,?,?,?,?)",
            (datetime.now(timezone.utc).isoformat(timespec="milliseconds"), actor, approved_by, action,
             json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)))
        return int(cur.lastrowid)
    if in_transaction:
        return write()
    with transaction(conn):
        return write()


def entries(conn: sqlite3.Connection, *, action: str | None = None, limit: int = 500) -> list[dict]:
    sql, args = "SELECT * FROM audit_log", []
    if action:
        sql += " WHERE action=?"
        args.append(action)
    rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
    return [{"id": r["id"], "at": r["at"], "actor": r["actor"], "approved_by": r["approved_by"],
             "action": r["action"], "detail": json.loads(r["detail"])} for r in rows]
