"""The mall report from the central store: the authorized facturas of every register of an
establishment, read from PostgreSQL, delivered through app.integrations.mall's SFTP or REST
delivery (`mall.deliver`) with the mall settings and secrets of the machine that runs it.

Never twice: each document the mall received or refused is recorded in the central
`mall_deliveries` (key: register and local id) in its own transaction as soon as the mall has it,
so a run after a crash or a cut connection sends only the rest. Registers whose establishment is
reported from the central store must not have their own `mall.<estab>.mode` (docs/central.md).
"""
from __future__ import annotations

import sqlite3

from app.central.store import CentralStore
from app.core import status as st
from app.core.errors import ConfigurationError, MostradorError
from app.fiscal import registry
from app.integrations import mall


def _reports(country: str):
    try:
        return registry.country(country).facet("reports")
    except ImportError:
        raise ConfigurationError(f"El reporte al centro comercial no está disponible para "
                                 f"{registry.country(country).name}") from None


def pending(store: CentralStore, estab: str, day: str | None, ruc: str | None = None) -> list[dict]:
    """Authorized documents of `estab` (of every register; of company `ruc` if given) issued up to
    `day`, that the mall has neither received nor refused, oldest first, of the kind it wants."""
    sql = ("SELECT d.register_id, d.local_id, d.country, d.key, d.number, d.xml, d.authorization_number, "
           "d.authorized_at, d.issued_at FROM documents d JOIN registers r ON r.id = d.register_id "
           "WHERE d.status = %s AND d.establishment = %s AND NOT EXISTS (SELECT 1 FROM mall_deliveries m "
           "WHERE m.register_id = d.register_id AND m.local_id = d.local_id)")
    args: list = [st.AUTHORIZED.value, estab]
    if day:
        sql += " AND left(d.issued_at, 10) <= %s"
        args.append(day)
    if ruc:
        sql += " AND r.company_ruc = %s"
        args.append(ruc)
    cur = store.conn.execute(sql + " ORDER BY d.issued_at, d.register_id, d.local_id", args)
    names = [c.name for c in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    store.conn.commit()
    out = []
    for r in rows:
        r["xml"] = bytes(r["xml"])
        if _reports(r["country"]).is_mall_document(r["xml"]):
            r["id"] = len(out)  # the delivery's handle; the document is (register_id, local_id)
            out.append(r)
    return out


def run_report(conn: sqlite3.Connection, store: CentralStore, estab: str, day: str | None = None, *,
               dry_run: bool = False, ruc: str | None = None) -> mall.Report:
    """Like `mall.run_report`, over the central store's documents. Raises what it raises
    (MallTransportError, MallHostKeyError, ConfigurationError); what was delivered is recorded."""
    cfg = mall.MallConfig.load(conn, estab)
    docs = pending(store, estab, day, ruc)
    report = mall.Report(estab, cfg.mode, day or "", dry_run=dry_run)
    if dry_run:
        report.deliveries = [mall.Delivery(r["id"], r["key"], r["number"], "would-send", "") for r in docs]
        return report
    if cfg.password is None:
        raise ConfigurationError(f"Falta la contraseña en el llavero "
                                 f"(mostrador secret set mall.{estab}.{cfg.mode}.password)")

    def delivered(d: mall.Delivery) -> None:
        doc = docs[d.document_id]
        with store.tx() as c:
            c.execute("INSERT INTO mall_deliveries(register_id, local_id, mode, status, answer) "
                      "VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                      (doc["register_id"], doc["local_id"], cfg.mode, d.status, d.answer))
        report.deliveries.append(d)

    by_country: dict[str, list[dict]] = {}
    for r in docs:
        by_country.setdefault(r["country"], []).append(r)
    try:
        for country, group in by_country.items():
            mall.deliver(conn, cfg, _reports(country), group, delivered)
    except MostradorError as exc:
        report.error = str(exc)
        raise
    return report
