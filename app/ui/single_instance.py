"""One cashier's window per data folder: a second launch asks the first (over a local socket —
a named pipe on Windows, a user-only Unix socket elsewhere) to bring its window forward, and exits.
Two different data folders are two independent instances."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

RAISE = b"raise\n"


def server_name(data_root: Path | str) -> str:
    """A name unique to the data folder (and the user, whose folders differ)."""
    key = os.path.normcase(str(Path(data_root).expanduser().resolve()))
    return "mostrador-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


class SingleInstance(QObject):
    """`acquire()` → True: we are the first (now listening; `activated` fires when another
    launch knocks). False: another instance answered and was asked to show its window."""

    activated = Signal()

    def __init__(self, data_root: Path | str, parent=None, *, timeout_ms: int = 1000):
        super().__init__(parent)
        self.name = server_name(data_root)
        self.timeout_ms = timeout_ms
        self.server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []

    def _knock(self) -> bool:
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(self.timeout_ms):
            return False
        sock.write(RAISE)
        sock.flush()
        sock.waitForBytesWritten(self.timeout_ms)
        sock.disconnectFromServer()
        return True

    def acquire(self) -> bool:
        if self._knock():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # a socket file left by a crashed instance (Unix): nobody answered above, so remove it
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                return not self._knock()  # lost a race with a launch at the same instant: it wins
        server.newConnection.connect(self._on_connection)
        self.server = server
        return True

    def _on_connection(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            self._clients.append(sock)
            sock.readyRead.connect(self._read)
        self._read()

    def _read(self) -> None:
        for sock in list(self._clients):
            if sock.bytesAvailable() and bytes(sock.readAll().data()).startswith(RAISE.strip()):
                self._clients.remove(sock)
                sock.abort()
                self.activated.emit()

    def release(self) -> None:
        for sock in self._clients:
            sock.abort()
        self._clients.clear()
        if self.server is not None:
            self.server.close()


def bring_forward(window) -> None:
    """Shows `window` (hidden in the tray or minimised) in front of the others."""
    from PySide6.QtCore import Qt

    window.show()
    window.setWindowState((window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
    window.raise_()
    window.activateWindow()
