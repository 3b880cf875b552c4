"""Backfill of the per-rate tax rows (`document_taxes`) of documents that reached the central store
without them: pushed before registers sent taxes, or by a register that could not read the
sale's request back. The rows are computed from the stored signed XML by the document's country
(`doc_taxes` facet, over its reader), never from anything a register could still change, and
rounded to the currency per document like the rows registers push (app/central/replica.py).

Idempotent and resumable: batches of `batch` documents, each batch one transaction that writes
the rows (ON CONFLICT DO NOTHING) and marks its documents `taxes_read`; rows locked by another
backfill are skipped (`SKIP LOCKED`), so `central serve` at start and `central backfill-taxes`
may run at once. A document whose XML its country cannot read is marked too (it has no taxes to
show) and counted in `unreadable`."""
from __future__ import annotations

import logging
from decimal import Decimal

from app.central.store import CentralStore
from app.fiscal import registry

log = logging.getLogger("mostrador.central")
BATCH = 200


def _rows_of(country: str, xml: bytes) -> list[dict] | None:
    """The document's tax rows, or None when its country cannot read it."""
    try:
        c = registry.country(country)
        rows = c.facet("doc_taxes").rows(xml)
        money = c.till().money  # each sum rounded to the currency, as registers push them
        return [{**t, "base": money.round(Decimal(t["base"])), "tax": money.round(Decimal(t["tax"]))} for t in rows]
    except (ValueError, KeyError, ArithmeticError, ImportError) as exc:
        log.warning("impuestos no legibles del XML (%s): %s", country, exc)
        return None


def backfill(store: CentralStore, *, batch: int = BATCH) -> dict:
    """Fills what is missing; returns {'documents', 'rows', 'unreadable'} done by this call."""
    done = {"documents": 0, "rows": 0, "unreadable": 0}
    while True:
        with store.tx() as c:
            docs = c.execute(
                "SELECT d.register_id, d.local_id, d.country, d.xml, EXISTS (SELECT 1 FROM document_taxes t "
                "WHERE t.register_id = d.register_id AND t.local_id = d.local_id) FROM documents d "
                "WHERE NOT d.taxes_read ORDER BY d.register_id, d.local_id LIMIT %s FOR UPDATE OF d SKIP LOCKED",
                (batch,)).fetchall()
            rows = []
            for rid, lid, country, xml, has_rows in docs:
                if has_rows:  # pushed with its taxes before the mark existed
                    continue
                found = _rows_of(country, bytes(xml))
                if found is None:
                    done["unreadable"] += 1
                    continue
                done["documents"] += 1
                rows += [(rid, lid, t["tax_category"], t["label"], Decimal(t["rate"]), Decimal(t["base"]),
                          Decimal(t["tax"])) for t in found]
            if rows:
                with c.cursor() as cur:
                    cur.executemany("INSERT INTO document_taxes(register_id, local_id, tax_category, label, rate, "
                                    "base, tax) VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING", rows)
            if docs:
                with c.cursor() as cur:
                    cur.executemany("UPDATE documents SET taxes_read = TRUE WHERE register_id=%s AND local_id=%s",
                                    [(d[0], d[1]) for d in docs])
            done["rows"] += len(rows)
        if len(docs) < batch:
            return done
