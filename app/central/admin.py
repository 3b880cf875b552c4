"""What the `mostrador central …` commands do (app/cli.py parses, this acts).

Central machine: `serve` keeps its state in <data-dir>/central/ (certificate, key, server.json
with the advertised URL); the PostgreSQL connection string, which may hold a password, lives in
the OS keyring only. Register: `join` stores the central URL (with the pinned fingerprint) in the
settings and the register's token in the OS keyring.
"""
from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

from app.central import replica, tls
from app.central.store import CentralStore
from app.core.errors import ConfigurationError, TransportError, ValidationError
from app.store import settings
from app.store.db import transaction

DSN_ACCOUNT = "central-postgresql-dsn"


def _state(folder: Path) -> Path:
    return folder / "server.json"


def _dsn(db: str | None) -> str:
    from app.fiscal.signing import load_secret

    dsn = db or load_secret(DSN_ACCOUNT)
    if not dsn:
        raise ConfigurationError("No hay base central configurada: ejecute primero "
                                 "`mostrador central serve --db postgresql://…` (o indique --db)")
    if not dsn.startswith(("postgresql://", "postgres://")):
        raise ValidationError("--db debe ser una dirección postgresql://usuario@servidor/base", field="--db")
    return dsn


def _advertised_host(host: str) -> str:
    if host not in ("0.0.0.0", "::", ""):
        return host
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        return s.getsockname()[0]
    except OSError:
        return socket.gethostname()
    finally:
        s.close()


def serve(folder: Path, db: str, *, host: str, port: int, on_ready=None) -> None:
    from app.central.server import serve as run
    from app.fiscal.signing import store_secret

    dsn = _dsn(db)
    store_secret(DSN_ACCOUNT, dsn)
    folder.mkdir(parents=True, exist_ok=True)

    def ready(server):
        url = f"https://{_advertised_host(host)}:{server.server_address[1]}/#sha256={server.fingerprint}"
        _state(folder).write_text(json.dumps({"url": url}), encoding="utf-8")
        if on_ready is not None:
            on_ready(url)

    try:
        run(dsn, folder, host=host, port=port, on_ready=ready)
    except OSError as exc:
        raise ConfigurationError(f"No se pudo escuchar en {host}:{port}: {exc.strerror or exc}") from None


def enrol(folder: Path, name: str, db: str | None = None) -> dict:
    try:
        url = json.loads(_state(folder).read_text(encoding="utf-8"))["url"]
    except (OSError, ValueError, KeyError):
        raise ConfigurationError("Esta carpeta no tiene un servidor central: ejecute primero "
                                 "`mostrador central serve --db postgresql://…`") from None
    with CentralStore(_dsn(db)) as store:
        store.create_schema()
        code = store.new_enrolment(name)
    return {"url": url, "code": code}


def join(conn: sqlite3.Connection, url: str, code: str) -> dict:
    from app.fiscal.signing import store_secret

    client = tls.PinnedClient(url)
    answer = client.call("POST", "/v1/join", {"code": code.strip()})
    store_secret(replica.token_account(answer["name"]), answer["token"])
    with transaction(conn):
        if settings.get(conn, replica.URL_KEY) != url:
            conn.execute("DELETE FROM central_cursors")  # a new central store starts from zero
        settings.put(conn, replica.URL_KEY, url)
        settings.put(conn, replica.NAME_KEY, answer["name"])
    return {"ok": True, "register": answer["name"], "url": url}


def sync_now(conn: sqlite3.Connection, info: dict | None) -> dict:
    url = replica.joined(conn)
    if not url:
        raise ConfigurationError("Esta caja no está unida a una central: use `mostrador central join URL CODE`")
    rep = replica.Replicator(url, replica.token(conn), info=info)
    try:
        moved = rep.sync(conn)
    except TransportError as exc:
        return {"ok": False, "error": str(exc), "pending": rep.pending(conn)}
    return {"ok": True, "moved": moved, "pending": rep.pending(conn)}


def documents(db: str | None) -> list[dict]:
    with CentralStore(_dsn(db)) as store:
        store.create_schema()
        return store.documents()


def report(db: str | None) -> dict:
    with CentralStore(_dsn(db)) as store:
        store.create_schema()
        return store.report()


def load_products(db: str | None, path: Path) -> int:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"No se pudo leer el catálogo {path}: {exc}", field="FILE") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "code" in r and "name" in r
                                             and "price" in r and "tax_category" in r for r in rows):
        raise ValidationError("El catálogo debe ser una lista JSON de productos con code, name, price y "
                              "tax_category", field="FILE")
    from decimal import Decimal, InvalidOperation

    for r in rows:
        try:
            Decimal(str(r["price"]))
        except InvalidOperation:
            raise ValidationError(f"Precio inválido en el producto {r['code']}: {r['price']!r}", field="price") from None
    with CentralStore(_dsn(db)) as store:
        store.put_products(rows)
    return len(rows)


def mall_report(conn: sqlite3.Connection, db: str | None, day: str, *, estab: str | None = None,
                ruc: str | None = None, dry_run: bool = False) -> list[dict]:
    """`central mall report`: per configured establishment (of this machine's mall settings), the
    mall report over every register's documents in the central store; an establishment whose
    delivery failed carries its error (the others still run)."""
    from app.central import mall as central_mall
    from app.integrations import config, mall

    estabs = [estab] if estab else config.establishments_with_mall(conn)
    if not estabs:
        raise ValidationError("Ningún establecimiento tiene configurado el centro comercial "
                              "(mostrador settings set mall.<estab>.mode sftp|rest)", field="mall")
    results = []
    with CentralStore(_dsn(db)) as store:
        store.create_schema()
        for e in estabs:
            try:
                rep = central_mall.run_report(conn, store, e, day, dry_run=dry_run, ruc=ruc)
            except (mall.MallTransportError, mall.MallHostKeyError) as exc:
                results.append({"establecimiento": e, "dia": day, "error": str(exc)})
                continue
            results.append(rep.as_dict())
    return results


def register_status(conn: sqlite3.Connection) -> dict:
    """This register's link to a central store, for the settings screen: joined or not, the
    register's name, the server and its pinned certificate fingerprint, the last completed
    replication (ISO, UTC; None before the first) and the rows not yet pushed."""
    url = replica.joined(conn)
    if not url:
        return {"joined": False}
    host, port, fp = tls.split_url(url)
    return {"joined": True, "url": url, "register": settings.get(conn, replica.NAME_KEY), "server": f"{host}:{port}",
            "fingerprint": fp, "last_sync": settings.get(conn, replica.LAST_SYNC_KEY),
            "pending": sum(replica.pending(conn).values())}


def api_key(name: str, ruc: str | None, dialect: str | None, db: str | None, *, revoke: bool = False,
            dialects: tuple[str, ...] = ()) -> dict:
    """`central api-key`: a new key of the central API for company `ruc` (shown once), or revoked."""
    from app.central import api_keys

    with CentralStore(_dsn(db)) as store:
        store.create_schema()
        if revoke:
            api_keys.revoke(store, name)
            return {"ok": True, "name": name, "revoked": True}
        return api_keys.create(store, name, ruc or "", dialect, dialects=dialects)


def backfill_taxes(db: str | None) -> dict:
    """`central backfill-taxes`: the per-rate taxes of documents that arrived without them."""
    from app.central import taxes

    with CentralStore(_dsn(db)) as store:
        store.create_schema()
        return taxes.backfill(store)
