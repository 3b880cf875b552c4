"""Dátil's REST dialect (seeds 001, 003) on the local API: pure functions from stored rows to
Dátil's comprobante object, its error envelope, and the request handlers of its paths."""
from __future__ import annotations

import json
from typing import Any

from app.core import status as st
from app.core.documents import KINDS
from app.fiscal.base import ApiRequest, ApiResponse, ApiRoute

# Dátil's `estado` of a comprobante for each of our statuses
ESTADOS = {st.SIGNED: "RECIBIDO", st.SENT: "ENVIADO", st.AUTHORIZED: "AUTORIZADO",
           st.REJECTED: "NO AUTORIZADO", st.CANCELLED: "ANULADO"}
# what the SRI did with the reception (`envio_sri.estado`)
ENVIO = {st.SIGNED: "PENDIENTE", st.SENT: "RECIBIDA", st.AUTHORIZED: "RECIBIDA",
         st.REJECTED: "DEVUELTA", st.CANCELLED: "RECIBIDA"}


def _messages(doc: dict) -> list[dict]:
    raw = doc.get("last_messages")
    if not raw:
        return []
    try:
        msgs = json.loads(raw)
    except (TypeError, ValueError):
        return [{"mensaje": str(raw)}]
    return [_message(m) for m in msgs] if isinstance(msgs, list) else []


def _message(m: Any) -> dict:
    if not isinstance(m, dict):
        return {"mensaje": str(m)}
    return {"identificador": m.get("identificador", ""), "mensaje": m.get("mensaje", ""),
            "tipo": m.get("tipo", ""),
            "informacion_adicional": m.get("informacion_adicional", m.get("informacionAdicional", "")) or ""}


def comprobante(doc: dict, request: dict, company: Any) -> dict:
    """Dátil's object of a stored document: the request as sent, plus what was assigned and the
    SRI's answer (`id`, `secuencial`, `clave_acceso`, `estado`, `envio_sri`, `autorizacion`)."""
    status = st.parse(doc["status"])
    msgs = _messages(doc)
    out = dict(request)
    emisor = dict(out.get("emisor") or {})
    emisor.update(ruc=company.ruc, razon_social=company.razon_social,
                  establecimiento={**(emisor.get("establecimiento") or {}), "codigo": doc["establishment"],
                                   "punto_emision": doc["point"]})
    out.update({
        "id": str(doc["id"]),
        "secuencial": str(doc["sequential"]),
        "numero": doc["number"],
        "fecha_emision": doc["issued_at"],
        "clave_acceso": doc["key"],
        "ambiente": int(doc["ambiente"]) if str(doc["ambiente"]).isdigit() else doc["ambiente"],
        "tipo_emision": 1,
        "version": out.get("version", "1.0.0"),
        "moneda": doc["currency"],
        "emisor": emisor,
        "estado": ESTADOS[status],
        "envio_sri": {"estado": ENVIO[status], "mensajes": [] if status == st.AUTHORIZED else msgs,
                      "fecha": doc.get("updated_at") or ""},
        "autorizacion": {"estado": ESTADOS[status] if status in st.FINAL else "",
                         "mensajes": msgs if status in st.FINAL else [],
                         "numero": doc.get("authorization_number") or "",
                         "fecha": doc.get("authorized_at") or ""},
    })
    return out


def error(status: int, message: str, errors: list | None = None) -> ApiResponse:
    """Dátil's error answer: the HTTP code of its table and `{"error", "status", "errores"}`."""
    return ApiResponse(status, {"error": message, "status": status,
                                "errores": [{"campo": e.field, "mensaje": e.message, "codigo": e.code}
                                            for e in (errors or [])]})


# -------------------------------------------------------------------------------------- handlers

def _issue(kind: str):
    def handler(ctx, req: ApiRequest) -> ApiResponse:
        body = _object(req.body)
        issued = ctx.issue(body, kind, client_number=_client_number(body))
        return ApiResponse(200, comprobante(issued.doc, issued.request, ctx.company))

    return handler


def _get(kind: str):
    def handler(ctx, req: ApiRequest) -> ApiResponse:
        doc = ctx.document(req.params["id"], kind)
        return ApiResponse(200, comprobante(doc, ctx.request_of(doc), ctx.company))

    return handler


def _object(body: Any) -> dict:
    from app.core.errors import ValidationError

    if not isinstance(body, dict):
        raise ValidationError("El cuerpo debe ser un objeto JSON con los campos del comprobante", field="body")
    return body


def _client_number(body: dict) -> str | None:
    """The ERP's own number of the comprobante (`secuencial`), when it sends one: a retry that
    repeats it never gets a second document."""
    value = body.get("secuencial")
    return str(value) if isinstance(value, (int, str)) and str(value).strip() else None


def _subscribe(ctx, req: ApiRequest) -> ApiResponse:
    body = _object(req.body)
    return ApiResponse(200, ctx.subscribe(body.get("event_name"), body.get("webhook_url")))


class DatilDialect:
    name = "datil"
    title = "Dátil"
    checks_password = True

    def __init__(self) -> None:
        routes = []
        for kind, label in KINDS.items():
            routes.append(ApiRoute("POST", f"/{kind}/issue", _issue(kind), f"Emite {label} (cuerpo de Dátil)"))
            routes.append(ApiRoute("GET", f"/{kind}/{{id}}", _get(kind), f"Consulta {label} por id"))
        routes.append(ApiRoute("POST", "/webhooks", _subscribe, "Suscribe una URL a receipt-issued o issue-error"))
        self.routes = tuple(routes)

    def webhook_body(self, doc: dict, request: dict, company: Any, event: str) -> dict:
        """What a `receipt-issued` / `issue-error` notification carries: the comprobante."""
        return comprobante(doc, request, company)

    def credentials(self, req: ApiRequest) -> tuple[str | None, str | None]:
        return req.headers.get("x-key"), req.headers.get("x-password")

    def error(self, status: int, message: str, errors: list | None = None) -> ApiResponse:
        return error(status, message, errors)
