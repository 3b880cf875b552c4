"""The worker's side of the toy DGT: one POST per boleta, the verdict recorded at once."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import requests

from app.core.errors import TransportError
from app.core.status import AUTHORIZED, REJECTED, SIGNED
from app.fiscal.base import Outcome
from app.store import documents


class ToyProtocol:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False

    def handle(self, conn, job) -> Outcome:
        row = documents.get(conn, job.document_id)
        if row["status"] != SIGNED:
            return Outcome(done=True)
        try:
            answer = self.http.post(f"{self.url}/boletas", data=bytes(row["xml"]), timeout=(2, 10))
            verdict = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise TransportError(f"La DGT no respondió: {exc}") from None
        raw = answer.content
        messages = [{"mensaje": verdict.get("motivo") or verdict.get("estado", "")}]
        doc_id = job.document_id
        if verdict.get("estado") == "APROBADA":
            at = datetime.now(timezone.utc).isoformat()
            return Outcome(done=True, apply=lambda c: documents.set_status(
                c, doc_id, AUTHORIZED, messages=messages, raw=raw, detail="APROBADA",
                authorization_number=verdict["autorizacion"], authorized_at=at))
        return Outcome(done=True, apply=lambda c: documents.set_status(
            c, doc_id, REJECTED, messages=messages, raw=raw, detail=json.dumps(verdict, ensure_ascii=False)))
