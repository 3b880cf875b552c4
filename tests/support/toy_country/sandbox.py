"""The toy DGT on loopback: POST /boletas with a signed boleta → JSON verdict. It checks what
the DGT would (signature, key, totals), refuses a key it has already approved with the first
verdict again (idempotent), and counts every boleta it received."""
from __future__ import annotations

import json
import threading
from collections import Counter

from app.sandbox.faults import FaultInjector
from app.sandbox.http import LoopbackService, Request, Response, json_response
from toy_country import boleta


class ToyDgt(LoopbackService):
    def __init__(self, port: int = 0, *, accepted_ruc: str | None = None):
        super().__init__(port=port, faults=FaultInjector(endpoints={"boletas"}))
        self.accepted_ruc = accepted_ruc
        self.received: Counter[str] = Counter()  # key -> how many times it arrived
        self.verdicts: dict[str, dict] = {}
        self._lock = threading.Lock()

    def route(self, request: Request) -> Response:
        if request.path.startswith("/_sandbox/"):
            return self.control(request)
        if request.path != "/boletas" or request.method != "POST":
            return json_response({"error": "ruta desconocida"}, 404)
        self.apply_plan_delay("boletas")
        try:
            root = boleta.read(request.body)
        except ValueError as exc:
            return json_response({"estado": "RECHAZADA", "motivo": str(exc)}, 400)
        key = root.get("id", "")
        with self._lock:
            self.received[key] += 1
            if key in self.verdicts:
                return json_response(self.verdicts[key])
            problems = [m for ok, m in ((boleta.signature_ok(root), "firma inválida"),
                                        (boleta.key_ok(root), "clave inválida"),
                                        (boleta.totals_ok(root), "los ítems no suman el total"),
                                        (self.accepted_ruc in (None, root.findtext(boleta.Q + "emisor")),
                                         "emisor desconocido")) if not ok]
            verdict = ({"estado": "RECHAZADA", "motivo": "; ".join(problems)} if problems else
                       {"estado": "APROBADA", "autorizacion": f"DGT-{len(self.verdicts) + 1:06d}"})
            self.verdicts[key] = verdict
        return Response(200, json.dumps(verdict).encode(), "application/json")
