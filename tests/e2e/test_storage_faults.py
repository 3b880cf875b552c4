"""Storage faults as `mostrador` users meet them, on real files: a corrupt database (signing
stops until `mostrador restore`), a database locked by another process (readers go on), a full
disk and a read-only folder (tmpfs mounts; skipped where mounting is not allowed), and output
paths (`--out`, `--pdf`). Every case: the Spanish message, the exit code, nothing stored lost."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from app.cli import EXIT_CORRUPT, EXIT_INVALID, EXIT_STORAGE, main
from app.store import health, packing

EC_DATA = Path(__file__).resolve().parent.parent / "fiscal" / "ec"
sys.path.insert(0, str(EC_DATA))
import ec_docs_support as docs  # noqa: E402

DEMO_RUC = "1790011674001"


def run(capsys, data, *argv) -> tuple[int, str, str]:
    rc = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def invoice(tmp_path) -> str:
    body = docs.moved_to(docs.BODIES["invoices"](), datetime.now(docs.GYE).date())
    body["emisor"]["ruc"] = DEMO_RUC
    body.pop("fecha_emision", None)
    p = tmp_path / "factura.json"
    p.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return str(p)


def stored(capsys, data) -> dict[str, bytes]:
    """Every stored document: clave -> signed XML bytes (read through the CLI)."""
    rc, out, err = run(capsys, data, "documents", "--json")
    assert rc == 0, err
    result = {}
    for d in json.loads(out):
        assert run(capsys, data, "export", d["clave"])[0] == 0
    c = sqlite3.connect(Path(data) / "mostrador.db")
    for key, xml in c.execute("SELECT key, xml FROM documents"):
        result[key] = bytes(packing.unpack(c, xml))  # stored packed (migration 0013)
    c.close()
    return result


def checkpoint(db: Path) -> None:
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()


@pytest.fixture
def shop(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "demo", "--headless", "--sales", "2"]) == 0
    capsys.readouterr()
    return data


def test_corruption_stops_issue_and_sync_until_restore_and_loses_nothing(shop, tmp_path, capsys):
    before = stored(capsys, shop)
    rc, out, _ = run(capsys, shop, "backup")
    assert rc == 0 and "Copia de seguridad escrita en" in out
    rc, out, _ = run(capsys, shop, "issue", invoice(tmp_path), "--json")  # signed after the backup
    assert rc == 0
    after_backup = json.loads(out)["clave_acceso"]
    db = shop / "mostrador.db"
    checkpoint(db)
    c = sqlite3.connect(db)
    root = c.execute("SELECT rootpage FROM sqlite_master WHERE name='audit_log'").fetchone()[0]
    c.close()
    with open(db, "r+b") as f:  # a page in the middle of the file, far from the documents
        f.seek((root - 1) * 4096)
        f.write(os.urandom(4096))
    health._checked.clear()
    for argv in (["issue", invoice(tmp_path)], ["sync", "--once"]):
        rc, _, err = run(capsys, shop, *argv)
        assert rc == EXIT_CORRUPT, (argv, err)
        assert "está dañada" in err and "No se firmará ningún documento" in err and "mostrador restore" in err
        assert "Traceback" not in err
    rc, out, err = run(capsys, shop, "restore")
    assert rc == 0, err
    assert "Restaurada la copia" in out and "posteriores a la copia" in out
    now = stored(capsys, shop)
    assert set(now) == set(before) | {after_backup}
    assert all(now[k] == xml for k, xml in before.items())  # byte for byte
    rc, out, _ = run(capsys, shop, "documents", "--json")
    used = {d["numero"] for d in json.loads(out)}
    rc, out, err = run(capsys, shop, "issue", invoice(tmp_path), "--json")  # signing again
    assert rc == 0, err
    assert json.loads(out)["numero"] not in used  # the numbering did not go back
    assert len(stored(capsys, shop)) == len(now) + 1


def test_a_truncated_database_exits_5(shop, tmp_path, capsys):
    db = shop / "mostrador.db"
    checkpoint(db)
    with open(db, "r+b") as f:
        f.truncate(db.stat().st_size // 3)
    health._checked.clear()
    rc, _, err = run(capsys, shop, "issue", invoice(tmp_path))
    assert rc == EXIT_CORRUPT and "está dañada" in err and "Traceback" not in err


HOLD = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO settings(key, value) VALUES ('held', '1')")
print("locked", flush=True)
time.sleep(30)
"""


def test_a_writer_holding_the_lock_does_not_stop_readers(shop, tmp_path, capsys, monkeypatch):
    before = stored(capsys, shop)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(shop / "mostrador.db")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        rc, out, _ = run(capsys, shop, "documents", "--json")
        assert rc == 0 and {d["clave"] for d in json.loads(out)} == set(before)
        key = next(iter(before))
        rc, out, _ = run(capsys, shop, "export", key)
        assert rc == 0 and out.encode() == before[key]
        assert time.monotonic() - t0 < 5  # not the 30 s busy timeout
        monkeypatch.setenv("MOSTRADOR_BUSY_TIMEOUT", "0.5")
        rc, _, err = run(capsys, shop, "issue", invoice(tmp_path))
        assert rc == EXIT_STORAGE and "bloqueada por otro proceso" in err and "Traceback" not in err
    finally:
        holder.kill()
        holder.wait()
    assert stored(capsys, shop) == before


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def _move_to(shop: Path, mnt: Path) -> Path:
    checkpoint(shop / "mostrador.db")
    data = mnt / "data"
    shutil.copytree(shop, data, ignore=shutil.ignore_patterns("backups", "sandbox*.db"))
    return data


def test_disk_full_exits_4_and_keeps_what_was_stored(shop, small_disk, tmp_path, capsys):
    data = _move_to(shop, small_disk)
    before = stored(capsys, data)
    checkpoint(data / "mostrador.db")
    filler = small_disk / "relleno"
    with open(filler, "wb", buffering=0) as f:
        for size in (65536, 4096, 512, 1):  # to the last byte
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass
    rc, _, err = run(capsys, data, "issue", invoice(tmp_path))
    assert rc == EXIT_STORAGE, err
    assert "El disco está lleno" in err and "Traceback" not in err
    filler.unlink()
    assert stored(capsys, data) == before
    assert run(capsys, data, "issue", invoice(tmp_path))[0] == 0  # space back: it works again


def test_read_only_folder_exits_4_and_still_lists(shop, small_disk, tmp_path, capsys):
    _move_to(shop, small_disk)
    view = tmp_path / "solo-lectura"  # a read-only view of the same folder (a bind mount)
    view.mkdir()
    assert subprocess.run(["mount", "--bind", str(small_disk), str(view)]).returncode == 0
    try:
        assert subprocess.run(["mount", "-o", "remount,bind,ro", str(view)]).returncode == 0
        data = view / "data"
        before = stored(capsys, small_disk / "data")
        rc, _, err = run(capsys, data, "issue", invoice(tmp_path))
        assert rc == EXIT_STORAGE, err
        assert "solo lectura" in err and "Traceback" not in err
        rc, out, err = run(capsys, data, "documents", "--json")
        assert rc == 0, err
        assert {d["clave"] for d in json.loads(out)} == set(before)
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)
    assert stored(capsys, small_disk / "data") == before


def test_output_paths(shop, tmp_path, capsys):
    key = next(iter(stored(capsys, shop)))
    folder = tmp_path / "salida"
    folder.mkdir()
    rc, _, err = run(capsys, shop, "export", key, "--out", str(folder))
    assert rc == 0 and (folder / f"{key}.xml").exists(), err
    rc, _, err = run(capsys, shop, "export", key, "--out", str(folder))
    assert rc == EXIT_INVALID and "ya existe: use --force" in err
    assert run(capsys, shop, "export", key, "--out", str(folder), "--force")[0] == 0
    nested = tmp_path / "nueva" / "carpeta" / "doc.xml"
    assert run(capsys, shop, "export", key, "--out", str(nested))[0] == 0 and nested.exists()
    rc, out, err = run(capsys, shop, "print", key, "--pdf", str(folder))
    assert rc == 0 and (folder / f"{key}.pdf").read_bytes().startswith(b"%PDF"), err
    rc, _, err = run(capsys, shop, "print", key, "--pdf", str(folder / f"{key}.pdf"))
    assert rc == EXIT_INVALID and "ya existe" in err
    a_file = folder / f"{key}.xml"
    rc, _, err = run(capsys, shop, "screenshots", "--out", str(a_file))
    assert rc == EXIT_INVALID and "es un archivo, no una carpeta" in err


def test_demo_checks_its_output_folder_before_selling(tmp_path, capsys):
    a_file = tmp_path / "ocupado"
    a_file.write_text("x")
    t0 = time.monotonic()
    rc, _, err = run(capsys, tmp_path / "data", "demo", "--headless", "--sales", "3", "--out", str(a_file))
    assert rc == EXIT_INVALID and "es un archivo, no una carpeta" in err and "Traceback" not in err
    assert time.monotonic() - t0 < 2 and not (tmp_path / "data" / "mostrador.db").exists()
