"""Fault injection for the simulated authorities (each country's sandbox, app/fiscal/<cc>/sandbox.py).

A test arms faults (`inject`), each request asks `draw(endpoint)` what to do. Faults fire
either for the next `count` matching requests or with a `probability` drawn from a seeded
`random.Random`, so a failing run can be replayed exactly. The injector knows nothing about
SOAP: the service that owns it decides what each kind means (see `app.sandbox.http` for the
transport-level kinds every service shares).
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

# Kinds every sandbox understands; a service adds its own (SRI: 'processing', 'error50').
TRANSPORT_KINDS = frozenset({"delay", "reset", "http500", "http503", "html", "malformed"})


@dataclass
class Fault:
    kind: str
    count: int | None = 1  # remaining firings; None = unlimited (only with probability)
    probability: float | None = None  # None = always fires while count lasts
    seconds: float = 0.0  # for 'delay'
    endpoint: str | None = None  # None = any endpoint of the service
    fired: int = 0

    def as_dict(self) -> dict:
        return {"kind": self.kind, "count": self.count, "probability": self.probability,
                "seconds": self.seconds, "endpoint": self.endpoint, "fired": self.fired}


@dataclass
class FaultPlan:
    """What to do with one request: sleep `delay` seconds, then apply `fault` (or answer normally)."""

    delay: float = 0.0
    fault: Fault | None = None
    delays: list[Fault] = field(default_factory=list)

    @property
    def kind(self) -> str | None:
        return self.fault.kind if self.fault else None


class FaultInjector:
    def __init__(self, kinds: frozenset[str] | set[str] = TRANSPORT_KINDS,
                 endpoints: frozenset[str] | set[str] | None = None, *, seed: int = 0,
                 scopes: dict[str, set[str]] | None = None):
        """`scopes` limits a service kind to the endpoints where it means something (SRI:
        'error50' only on recepción), so an endpoint-less fault is not wasted elsewhere."""
        self.kinds = frozenset(kinds) | TRANSPORT_KINDS
        self.endpoints = frozenset(endpoints) if endpoints is not None else None
        self.scopes = {k: frozenset(v) for k, v in (scopes or {}).items()}
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._rng = random.Random(seed)

    def inject(self, kind: str, count: int | None = 1, *, probability: float | None = None,
               seconds: float = 0.0, endpoint: str | None = None) -> Fault:
        """Arms a fault. `count=None` with a probability means "forever, at that rate"."""
        if kind not in self.kinds:
            raise ValueError(f"Tipo de falla desconocido: {kind!r}. Tipos: {', '.join(sorted(self.kinds))}")
        if endpoint is not None and self.endpoints is not None and endpoint not in self.endpoints:
            raise ValueError(f"Servicio desconocido: {endpoint!r}. Servicios: {', '.join(sorted(self.endpoints))}")
        if endpoint is not None and kind in self.scopes and endpoint not in self.scopes[kind]:
            raise ValueError(f"La falla {kind!r} solo aplica a: {', '.join(sorted(self.scopes[kind]))}")
        if probability is not None and not 0.0 <= float(probability) <= 1.0:
            raise ValueError("La probabilidad debe estar entre 0 y 1")
        if count is not None and int(count) < 1:
            raise ValueError("La cantidad debe ser al menos 1")
        if count is None and probability is None:
            raise ValueError("Indique una cantidad o una probabilidad")
        if kind == "delay" and float(seconds) <= 0:
            raise ValueError("Una demora necesita 'seconds' > 0")
        fault = Fault(kind, None if count is None else int(count),
                      None if probability is None else float(probability), float(seconds), endpoint)
        with self._lock:
            self._faults.append(fault)
        return fault

    def inject_json(self, payload: dict) -> Fault:
        """The same as `inject`, from the JSON a test in another process posts."""
        if not isinstance(payload, dict) or "kind" not in payload:
            raise ValueError("Se espera un objeto JSON con 'kind'")
        unknown = set(payload) - {"kind", "count", "probability", "seconds", "endpoint"}
        if unknown:
            raise ValueError(f"Campos desconocidos: {', '.join(sorted(unknown))}")
        count = payload.get("count", None if "probability" in payload else 1)
        return self.inject(str(payload["kind"]), count, probability=payload.get("probability"),
                           seconds=payload.get("seconds", 0.0), endpoint=payload.get("endpoint"))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._rng = random.Random(seed)

    def active(self) -> list[dict]:
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def draw(self, endpoint: str) -> FaultPlan:
        """Decides the fate of one request to `endpoint`. Delays add up; the first other fault
        that fires wins. Exhausted faults are dropped."""
        plan = FaultPlan()
        with self._lock:
            for fault in list(self._faults):
                if fault.endpoint is not None and fault.endpoint != endpoint:
                    continue
                if fault.kind in self.scopes and endpoint not in self.scopes[fault.kind]:
                    continue
                if fault.kind != "delay" and plan.fault is not None:
                    continue
                if fault.probability is not None and self._rng.random() >= fault.probability:
                    continue
                fault.fired += 1
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                if fault.kind == "delay":
                    plan.delay += fault.seconds
                    plan.delays.append(fault)
                else:
                    plan.fault = fault
        return plan
