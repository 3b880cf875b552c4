"""Three registers (separate processes, own data folders, own puntos de emisión) and a central
PostgreSQL: the central server down while they sell, then back; a register killed -9 during a
push; the connection cut mid-transfer. Afterwards the central store holds every document exactly
once with the register's signed bytes and status, and every register holds the central catalogue."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import signal
import subprocess
import sys
import time
from decimal import Decimal

import psycopg
import pytest
from central_helpers import ROOT, run_app

from app.config import DataDir
from app.pos.demo import create_demo_company
from app.store import settings
from app.store.db import connect, transaction

pytestmark = pytest.mark.slow

CATALOGUE = [
    {"code": "CEN-001", "barcode": "7861234500017", "name": "Arroz central 1 kg", "price": "1.25",
     "tax_category": "0"},
    {"code": "CEN-002", "barcode": "7861234500024", "name": "Aceite central 1 l", "price": "3.40",
     "tax_category": "4"},
]


def make_register(tmp_path, n: int, env: dict, monkeypatch) -> tuple[DataDir, dict]:
    """A demo company whose only punto de emisión is 10n (numbering never shared), on a machine
    of its own: its own data folder and its own keyring (the demo certificates differ)."""
    data = DataDir(tmp_path / f"register{n}")
    env = dict(env, MOSTRADOR_TEST_KEYRING_FILE=str(tmp_path / f"keyring-register{n}.json"))
    monkeypatch.setenv("MOSTRADOR_TEST_KEYRING_FILE", env["MOSTRADOR_TEST_KEYRING_FILE"])
    session = create_demo_company(data)
    company = session.company
    estab = company.establishments[0]
    point = dataclasses.replace(estab.points[0], code=f"{100 + n:03d}")
    company = dataclasses.replace(company, establishments=(dataclasses.replace(estab, points=(point,)),))
    with transaction(session.conn):
        settings.save_company(session.conn, company)
        settings.put(session.conn, "sync.max_backoff_seconds", 0.5)
    session.close()
    return data, env


def enrol_and_join(env, central, data: DataDir, name: str, url: str | None = None) -> dict:
    enrol = json.loads(run_app(central.env, "--data-dir", str(central.folder), "central", "enrol", name).stdout)
    assert set(enrol) == {"url", "code"} and enrol["url"].startswith("https://")
    target = url or enrol["url"]
    return json.loads(run_app(env, "--data-dir", str(data.root), "central", "join", target, enrol["code"]).stdout)


def local_documents(data: DataDir) -> dict[str, tuple[str, str]]:
    conn = connect(data.db_path)
    try:
        return {r["key"]: (hashlib.sha256(bytes(r["xml"])).hexdigest(), r["status"])
                for r in conn.execute("SELECT key, xml, status FROM documents")}
    finally:
        conn.close()


def central_count(dsn: str, name: str, table: str = "documents") -> int:
    with psycopg.connect(dsn) as c:
        return c.execute(f"SELECT count(*) FROM {table} t JOIN registers r ON r.id = t.register_id "
                         "WHERE r.name = %s", (name,)).fetchone()[0]


def test_three_registers_offline_kill_and_cut(tmp_path, central, shared_keyring, proxy_factory, monkeypatch):
    machines = {n: make_register(tmp_path, n, shared_keyring, monkeypatch) for n in (1, 2, 3)}
    regs = {n: m[0] for n, m in machines.items()}
    envs = {n: m[1] for n, m in machines.items()}
    env = central.env
    cat = tmp_path / "catalogue.json"
    cat.write_text(json.dumps(CATALOGUE), encoding="utf-8")
    run_app(env, "--data-dir", str(central.folder), "central", "catalogue", str(cat))

    proxy = proxy_factory(central.port)
    for n, data in regs.items():
        url = None
        if n == 2:  # register 2 reaches the central server through a wire the test can cut
            url = central.url.replace(f":{central.port}/", f":{proxy.port}/")
        joined = enrol_and_join(envs[n], central, data, f"Caja {n}", url)
        assert joined["ok"] and joined["register"] == f"Caja {n}"

    # the central server goes down; the three registers sell at once, each in its own process
    central.stop()
    sales = {1: 8, 2: 4, 3: 3}
    procs = {n: subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(regs[n].root), "demo",
                                  "--headless", "--sales", str(sales[n])], env=envs[n], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in regs}
    for n, p in procs.items():
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, (n, out, err)  # sold, signed and authorized without the central server
    for n in regs:
        assert len(local_documents(regs[n])) == sales[n]
        assert central_count(central.dsn, f"Caja {n}") == 0

    # back up, with a new price centrally (central wins)
    central.start()
    CATALOGUE[1]["price"] = "3.55"
    cat.write_text(json.dumps(CATALOGUE), encoding="utf-8")
    run_app(env, "--data-dir", str(central.folder), "central", "catalogue", str(cat))

    # register 1 is killed -9 while it pushes one row per request
    env1 = dict(envs[1], MOSTRADOR_CENTRAL_BATCH="1")
    p1 = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(regs[1].root), "central", "sync"],
                          env=env1, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while central_count(central.dsn, "Caja 1", "sales") == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    p1.send_signal(signal.SIGKILL)
    p1.wait(timeout=30)
    assert central_count(central.dsn, "Caja 1") < sales[1]  # it died part-way

    # register 2's connection is cut in the middle of a transfer
    proxy.cut_after(9000)
    cut = run_app(envs[2], "--data-dir", str(regs[2].root), "central", "sync", "--json", check=False)
    assert cut.returncode == 1 and json.loads(cut.stdout)["ok"] is False, cut.stdout
    assert proxy.cut.is_set()
    assert central_count(central.dsn, "Caja 2") < sales[2]
    proxy.heal()

    # catching up: register 1 through its background worker (`sync --once` runs the replication
    # pass after the authority's work), registers 2 and 3 through `central sync`
    run_app(envs[1], "--data-dir", str(regs[1].root), "sync", "--once")
    for n in (2, 3):
        done = json.loads(run_app(envs[n], "--data-dir", str(regs[n].root), "central", "sync", "--json").stdout)
        assert done["ok"] and not any(done["pending"].values()), done

    listed = json.loads(run_app(env, "--data-dir", str(central.folder), "central", "documents", "--json").stdout)
    keys = [d["key"] for d in listed]
    assert len(keys) == len(set(keys)) == sum(sales.values())  # every document exactly once
    for n, data in regs.items():
        mine = {d["key"]: (d["xml_sha256"], d["status"]) for d in listed if d["register"] == f"Caja {n}"}
        assert mine == local_documents(data)  # same signed bytes, same status
    with psycopg.connect(central.dsn) as c:
        assert c.execute("SELECT count(*) FROM sales").fetchone()[0] == sum(sales.values())

    for n, data in regs.items():
        conn = connect(data.db_path)
        try:
            prices = {r["code"]: Decimal(r["price"]) for r in conn.execute(
                "SELECT code, price FROM products WHERE code LIKE 'CEN-%'")}
        finally:
            conn.close()
        assert prices == {"CEN-001": Decimal("1.25"), "CEN-002": Decimal("3.55")}, n

    report = json.loads(run_app(env, "--data-dir", str(central.folder), "central", "report", "--json").stdout)
    assert sum(r["documents"] for r in report["sales_by_day"]) == sum(sales.values())
    assert {r["register"] for r in report["sales_by_day"]} == {"Caja 1", "Caja 2", "Caja 3"}
    assert report["certificates"] and report["certificates"][0]["cert_not_after"]
