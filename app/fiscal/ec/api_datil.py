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


def comprobante(doc: dict, request: dict, company: Any, correos: list[dict] | None = None) -> dict:
    """Dátil's object of a stored document: the request as sent, plus what was assigned and the
    SRI's answer (`id`, `secuencial`, `clave_acceso`, `estado`, `envio_sri`, `autorizacion`) and
    the e-mails sent to the buyer (`correos_enviados`)."""
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
        "correos_enviados": correos or [],
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


def _reissue(kind: str):
    """`POST /<kind>/<id>/reissue`: a corrected body for a comprobante the SRI did not authorize
    (NO AUTORIZADO / DEVUELTO): a new comprobante with the next number; an error otherwise."""
    def handler(ctx, req: ApiRequest) -> ApiResponse:
        from app.core.errors import ValidationError

        old = ctx.document(req.params["id"], kind)
        if st.parse(old["status"]) != st.REJECTED:
            raise ValidationError(f"Solo se reemite un comprobante NO AUTORIZADO o DEVUELTO; este está "
                                  f"{ESTADOS[st.parse(old['status'])]}", field="id")
        body = _object(req.body)
        issued = ctx.issue(body, kind, client_number=_client_number(body), corrects=old)
        return ApiResponse(200, comprobante(issued.doc, issued.request, ctx.company))

    return handler


def _get(kind: str):
    def handler(ctx, req: ApiRequest) -> ApiResponse:
        doc = ctx.document(req.params["id"], kind)
        return ApiResponse(200, comprobante(doc, ctx.request_of(doc), ctx.company, ctx.emails_sent(doc)))

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


def _issue_xml(ctx, req: ApiRequest) -> ApiResponse:
    """`POST /invoices/issue/xml` (seed 001): `{"xml": "<factura>…"}`, an unsigned SRI factura;
    read into the Dátil body, then the normal path (validated, numbered, signed, stored)."""
    from app.core.errors import ValidationError
    from app.fiscal.ec import xml_input

    xml = _object(req.body).get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationError("Envíe el contenido del XML de la factura en el campo xml", field="xml")
    body, number = xml_input.factura_body(xml)
    if body["emisor"]["ruc"] != ctx.company.ruc:
        raise ValidationError(f"El RUC del emisor del XML ({body['emisor']['ruc']}) no es el de esta empresa "
                              f"({ctx.company.ruc})", field="xml.infoTributaria.ruc")
    issued = ctx.issue(body, "invoices", client_number=number and f"xml:{number}")
    return ApiResponse(200, comprobante(issued.doc, issued.request, ctx.company))


def catalogs() -> dict:
    """Dátil's catalog tables (seed 001 "Catálogo") as served by Mostrador, from app/fiscal/ec/catalog."""
    from app.fiscal.ec import catalog as c

    def pct(d) -> str:
        return format(d.normalize(), "f")

    no_rate = {"6", "7"}  # no objeto / exento: no tarifa
    return {
        "impuestos": [{"codigo": k, "impuesto": v} for k, v in c.TAX_NAMES.items()],
        "iva": [{"codigo": k, "porcentaje": c.IVA_LABELS.get(k, pct(v) + " %"),
                 "tarifa": None if k in no_rate else pct(v), "vigente": k not in c.IVA_HISTORICAL}
                for k, v in c.IVA_RATES.items()],
        "tipos_identificacion": [{"codigo": k, "descripcion": v} for k, v in c.ID_TYPES.items()],
        "formas_pago": [{"codigo": k, "codigo_sri": v, "forma_pago_sri": c.FORMAS_PAGO[v]}
                        for k, v in c.DATIL_PAYMENT_METHODS.items()],
        "formas_pago_sri": [{"codigo": k, "descripcion": v} for k, v in c.FORMAS_PAGO.items()],
        "retenciones": {
            "impuestos": [{"codigo": k, "impuesto": v} for k, v in c.RETENTION_TAXES.items()],
            "iva": [{"codigo": k, "porcentaje": pct(v)} for k, v in c.IVA_RETENTION_RATES.items()],
            "isd": [{"codigo": k, "porcentaje": pct(v)} for k, v in c.ISD_RETENTION_RATES.items()],
            "presuntivas_factura": sorted(c.PRESUMPTIVE_RETENTION_CODES, key=int),
        },
    }


def _catalog(ctx, req: ApiRequest) -> ApiResponse:
    return ApiResponse(200, catalogs())


def _catalog_table(ctx, req: ApiRequest) -> ApiResponse:
    from app.core.errors import NotFoundError

    tables = catalogs()
    name = req.params["name"]
    if name not in tables:
        raise NotFoundError(f"Catálogo desconocido: {name}; hay {', '.join(tables)}")
    return ApiResponse(200, {name: tables[name]})


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
            routes.append(ApiRoute("POST", f"/{kind}/{{id}}/reissue", _reissue(kind),
                                   f"Reemite {label} no autorizada, con el cuerpo corregido"))
        routes.append(ApiRoute("POST", "/invoices/issue/xml", _issue_xml,
                               "Emite una factura desde su XML del SRI sin firmar ({\"xml\": …})"))
        routes.append(ApiRoute("GET", "/catalog", _catalog, "Catálogos: impuestos, IVA, identificación, pagos, retenciones"))
        routes.append(ApiRoute("GET", "/catalog/{name}", _catalog_table, "Un catálogo por nombre"))
        routes.append(ApiRoute("POST", "/webhooks", _subscribe, "Suscribe una URL a receipt-issued o issue-error"))
        self.routes = tuple(routes)

    def webhook_body(self, doc: dict, request: dict, company: Any, event: str) -> dict:
        """What a `receipt-issued` / `issue-error` notification carries: the comprobante."""
        return comprobante(doc, request, company)

    def credentials(self, req: ApiRequest) -> tuple[str | None, str | None]:
        return req.headers.get("x-key"), req.headers.get("x-password")

    def error(self, status: int, message: str, errors: list | None = None) -> ApiResponse:
        return error(status, message, errors)
