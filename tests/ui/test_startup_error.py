"""The windowed program's start-up failures (issue #12): a Spanish message box and a log
entry, never a silent death. Offscreen, a real QMessageBox closed by a timer."""
from __future__ import annotations

import logging

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.ui.main import make_app, run


def _close_the_box(seen: list[str]) -> None:
    QApplication.processEvents()  # a quit another test left posted would end the box's loop at once
    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "startupError":
            seen.append(box.text())
            box.done(0)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_an_unexpected_failure_before_the_window_is_shown_and_logged(tmp_path, caplog):
    make_app()
    blocker = tmp_path / "archivo"
    blocker.write_text("un archivo, no una carpeta")
    seen: list[str] = []
    _close_the_box(seen)
    with caplog.at_level(logging.ERROR, logger="mostrador.ui"):
        assert run(blocker / "datos") == 1  # the data folder cannot be created under a file
    assert len(seen) == 1 and seen[0].startswith("Mostrador no pudo iniciar.")
    assert "NotADirectoryError" in seen[0] or "FileExistsError" in seen[0], seen[0]
    assert any(r.exc_info and "no pudo iniciar" in r.getMessage() for r in caplog.records)


def test_the_detail_goes_to_the_data_folders_log(tmp_path):
    make_app()
    data = tmp_path / "datos"
    data.mkdir()
    (data / "mostrador.db").write_bytes(b"esto no es una base SQLite " * 100)
    seen: list[str] = []
    _close_the_box(seen)
    assert run(data) == 1
    log_file = data / "logs" / "inicio.log"
    assert len(seen) == 1 and str(log_file) in seen[0], seen
    assert "Traceback" in log_file.read_text(encoding="utf-8")
