"""What every screen shares: the open session, the logged-in user, this till, the worker."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QObject, Signal

from app.fiscal import registry


class WorkerBridge(QObject):
    """Carries the sync worker's `on_change(doc_id)` (worker thread) to the Qt main thread."""

    changed = Signal(int)

    def attach(self, worker) -> None:
        worker.on_change = self.changed.emit  # emitting from another thread queues the call


class SettingsBridge(QObject):
    """Tells the open screens that Configuración saved new settings (no restart needed)."""

    changed = Signal()


@dataclass
class AppContext:
    session: object  # app.pos.session.Session
    user: object  # app.pos.users.User
    establishment: str
    point: str
    bridge: WorkerBridge
    worker: object | None = None  # app.sync.worker.Worker, None when transmission is unavailable
    worker_error: str | None = None
    demo: bool = False
    # called with checkout's IssueResult after each committed sale (ticket printing hooks here)
    on_sale_committed: list[Callable] = field(default_factory=list)
    # called with the Cart when the cashier asks for a pre-bill (F7); printing hooks here
    on_prebill: list[Callable] = field(default_factory=list)
    # emits `changed` after Configuración saved: screens re-read what they show from the settings
    settings: SettingsBridge = field(default_factory=SettingsBridge)

    def settings_saved(self) -> None:
        """Re-reads the company and this till's establishment/point from the database and tells
        every open screen (`settings.changed`)."""
        from app.pos import setup

        for cached in ("company", "identity"):  # cached per run by Session: a new certificate too
            self.session.__dict__.pop(cached, None)
        self.establishment, self.point = setup.till(self.conn, self.session.company)
        self.settings.changed.emit()

    @property
    def conn(self):
        return self.session.conn

    @property
    def country(self):
        """The company's `app.fiscal.base.Country` (authority, currency, facets)."""
        return registry.country(self.session.company.country)

    @property
    def till(self):
        """The country's till rules (`app.fiscal.base.TillRules`): what the screens offer and how
        amounts look."""
        return self.country.till()

    def wake_worker(self) -> None:
        if self.worker is not None:
            self.worker.wake()
