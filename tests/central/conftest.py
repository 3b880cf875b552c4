"""A real PostgreSQL server for the central tests (see pg_cluster.py), a `mostrador central serve`
process on it, and a TCP proxy whose connection the tests cut."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import keyring
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pg_cluster import Cluster, bin_dir, free_port  # noqa: E402

from central_helpers import ROOT, run_app  # noqa: E402,F401  (the tests import them from there)


@pytest.fixture(scope="module")
def pg():
    if bin_dir() is None:
        pytest.fail("PostgreSQL (initdb) no está instalado: `bash scripts/test.sh` lo instala")
    cluster = Cluster().init()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture
def shared_keyring(subprocess_env, monkeypatch):
    """The test and its `python -m app` children share one file keyring (outside every data dir)."""
    monkeypatch.setenv("MOSTRADOR_TEST_KEYRING_FILE", subprocess_env["MOSTRADOR_TEST_KEYRING_FILE"])
    from file_keyring import FileKeyring

    keyring.set_keyring(FileKeyring())
    return subprocess_env


class CentralProcess:
    """`mostrador central serve` in its own process, on a fixed port so it can come back."""

    def __init__(self, env: dict, folder: Path, dsn: str):
        self.env, self.folder, self.dsn = env, folder, dsn
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> str:
        state = self.folder / "central" / "server.json"
        state.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "--data-dir", str(self.folder), "central", "serve", "--db", self.dsn,
             "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not state.exists():
            if self.proc.poll() is not None:
                raise AssertionError(f"central serve terminó: {self.proc.stderr.read().decode()}")
            if time.monotonic() > deadline:
                raise AssertionError("central serve no arrancó")
            time.sleep(0.05)
        return json.loads(state.read_text())["url"]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None


@pytest.fixture
def central(pg, shared_keyring, tmp_path):
    # a fresh database per test, on the module's server
    import psycopg

    name = f"central_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(pg.dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    dsn = pg.dsn.rsplit("/", 1)[0] + f"/{name}"
    proc = CentralProcess(shared_keyring, tmp_path / "central-machine", dsn)
    proc.url = proc.start()
    yield proc
    proc.stop()


class CuttingProxy:
    """Forwards loopback TCP to `target`. `cut_after(n)`: once n bytes went towards the server,
    every connection is dropped (RST) and new ones are refused until `heal()`."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.limit: int | None = None
        self.sent = 0
        self.cut = threading.Event()
        self.lock = threading.Lock()
        self.socks: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_after(self, n: int) -> None:
        with self.lock:
            self.limit, self.sent = n, 0
            self.cut.clear()

    def heal(self) -> None:
        with self.lock:
            self.limit = None
            self.cut.clear()

    def _drop_all(self) -> None:
        for s in self.socks:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.close()
            except OSError:
                pass
        self.socks.clear()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.socks += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, towards_server: bool) -> None:
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                if towards_server:
                    with self.lock:
                        if self.limit is not None:
                            room = self.limit - self.sent
                            if room <= 0 or self.cut.is_set():
                                self.cut.set()
                                self._drop_all()
                                return
                            if len(data) > room:  # forward part of it, then the wire is cut
                                dst.sendall(data[:room])
                                self.sent += room
                                self.cut.set()
                                self._drop_all()
                                return
                            self.sent += len(data)
                dst.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        with self.lock:
            self._drop_all()


@pytest.fixture
def proxy_factory():
    made = []

    def make(port: int) -> CuttingProxy:
        p = CuttingProxy(port)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()
