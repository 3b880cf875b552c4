"""Lazy, quiet access to python-escpos.

Importing python-escpos has side effects we must not let leak into the app: its
`capabilities` module calls `logging.basicConfig()` (adding a root handler), prints to
stdout, and re-parses a YAML database into a fresh temp dir per process (~190 ms) unless
ESCPOS_CAPABILITIES_PICKLE_DIR points at a stable folder. We import it on first use only,
with stdout captured and the root logger restored afterwards.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
from pathlib import Path

_lock = threading.Lock()
_modules: dict | None = None


def _cache_dir() -> Path:
    try:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("Mostrador", appauthor=False))
    except Exception:  # platformdirs missing or no home: a temp folder still works
        import tempfile

        base = Path(tempfile.gettempdir()) / "mostrador-cache"
    path = base / "escpos"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def quiet():
    """Swallows what python-escpos prints to stdout (e.g. 'Using hardware barcode renderer')."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def escpos() -> dict:
    """Returns python-escpos' pieces we use: {'Dummy', 'Network', 'File', 'Usb', 'Serial',
    'Win32Raw', 'get_profile', 'exceptions'}; imported once, without side effects."""
    global _modules
    if _modules is not None:
        return _modules
    with _lock:
        if _modules is not None:
            return _modules
        os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(_cache_dir()))
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            with quiet():
                from escpos import exceptions
                from escpos.capabilities import get_profile
                from escpos.printer import Dummy, File, Network, Serial, Usb, Win32Raw
        finally:
            # Undo logging.basicConfig() done at import time.
            for h in list(root.handlers):
                if h not in handlers:
                    root.removeHandler(h)
            root.setLevel(level)
        _modules = {
            "Dummy": Dummy,
            "File": File,
            "Network": Network,
            "Serial": Serial,
            "Usb": Usb,
            "Win32Raw": Win32Raw,
            "get_profile": get_profile,
            "exceptions": exceptions,
        }
        return _modules
