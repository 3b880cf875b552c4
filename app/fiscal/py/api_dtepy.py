"""DTEpy's REST dialect (seed 004) on the local API: `documentoset` and its siblings, answers
shaped as SIFEN's own messages turned to JSON (`ns2:rRetEnviDe`, …), the token in
`x-access-token` or in the body's `token`."""
from __future__ import annotations

from typing import Any

from app.core import status as st
from app.core.errors import ValidationError
from app.fiscal.base import ApiRequest, ApiResponse, ApiRoute
from app.fiscal.py import event_requests
from app.fiscal.py.api_facturasend import MAX_LOTE, last_answer

XMLNS = {"xmlns:ns2": "http://ekuatia.set.gov.py/sifen/xsd"}
EST_RES = {st.SIGNED: "Pendiente", st.SENT: "Pendiente", st.AUTHORIZED: "Aprobado", st.REJECTED: "Rechazado",
           st.CANCELLED: "Cancelado"}


def ret_envi_de(doc: dict, request_id: Any) -> dict:
    """`documentoset`'s answer: SIFEN's rRetEnviDe of the document (pending: no verdict yet)."""
    status = st.parse(doc["status"])
    code, message = last_answer(doc)
    if status in st.PENDING and not code:
        code, message = "", "Firmado y en cola para SIFEN; consulte por CDC"
    return {"ns2:rRetEnviDe": {"$": XMLNS, "ns2:rProtDe": {
        "ns2:Id": doc["key"], "ns2:dFecProc": doc.get("updated_at") or "",
        "ns2:dEstRes": EST_RES[status], "ns2:dProtAut": doc.get("authorization_number") or "",
        "ns2:gResProc": {"ns2:dCodRes": code, "ns2:dMsgRes": message}}}, "id": request_id}


def cons_de(doc: dict, request_id: Any) -> dict:
    return {"ns2:rEnviConsDeResponse": {"$": XMLNS, "ns2:dFecProc": doc.get("updated_at") or "",
                                        "ns2:dCodRes": "0422", "ns2:dMsgRes": "CDC encontrado",
                                        "ns2:xContenDE": bytes(doc["xml"]).decode("utf-8"),
                                        "estado": EST_RES[st.parse(doc["status"])]}, "id": request_id}


def error(status: int, message: str, errors: list | None = None) -> ApiResponse:
    return ApiResponse(status, {"error": True, "status": status, "message": message,
                                "errors": [{"field": e.field, "message": e.message, "code": e.code}
                                           for e in (errors or [])]})


def _object(body: Any, field: str = "body") -> dict:
    if not isinstance(body, dict):
        raise ValidationError("Se esperaba un objeto JSON", field=field)
    return {k: v for k, v in body.items() if k != "token"}


def _client_number(body: dict) -> str | None:
    n = body.get("numero")
    if n in (None, "") or isinstance(n, bool):
        return None
    return f"{body.get('tipoDocumento', '')}-{body.get('establecimiento', '')}-{body.get('punto', '')}-{n}"


def _documentoset(ctx, req):
    body = _object(req.body)
    issued = ctx.issue(body, "invoices", dialect="dtepy", client_number=_client_number(body))
    return ApiResponse(200, ret_envi_de(issued.doc, body.get("id")))


def _lotes(ctx, req):
    body = _object(req.body)
    detalle = body.get("detalle")
    if not isinstance(detalle, list) or not detalle:
        raise ValidationError("Indique detalle: un arreglo de 1 a 50 documentos", field="detalle")
    if len(detalle) > MAX_LOTE:
        raise ValidationError(f"Un lote admite hasta {MAX_LOTE} documentos; llegaron {len(detalle)}", field="detalle")
    problems = []
    for i, d in enumerate(detalle):
        try:
            ctx.check(_object(d, f"detalle[{i}]"), "invoices", dialect="dtepy")
        except ValidationError as exc:
            problems += [e.__class__(f"detalle[{i}].{e.field}", e.message, e.code) for e in exc.errors]
    if problems:
        raise ValidationError(problems)
    ids = [ctx.issue(_object(d), "invoices", dialect="dtepy", client_number=_client_number(d), part=i).doc["id"]
           for i, d in enumerate(detalle)]
    return ApiResponse(200, {"ns2:rResEnviLoteDe": {
        "$": XMLNS, "ns2:dFecProc": "", "ns2:dCodRes": "0300", "ns2:dMsgRes": "Lote recibido con éxito",
        "ns2:dProtConsLote": f"{ids[0]}-{ids[-1]}", "ns2:dTpoProces": "0"}, "id": body.get("id")})


def _cdc(body: dict) -> str:
    cdc = body.get("cdc")
    if not isinstance(cdc, str) or not cdc.strip():
        raise ValidationError("Falta el CDC", field="cdc")
    return cdc.strip()


def _consulta(ctx, req):
    body = _object(req.body)
    return ApiResponse(200, cons_de(ctx.by_key(_cdc(body)), body.get("id")))


def _consultalote(ctx, req):
    body = _object(req.body)
    lote = str(body.get("lote", body.get("numeroLote", "")))
    first, sep, last = lote.partition("-")
    if not (first.isdigit() and last.isdigit() and sep):
        raise ValidationError("Número de lote desconocido (use el dProtConsLote recibido)", field="lote")
    docs = [ctx.document(i) for i in range(int(first), int(last) + 1)]
    return ApiResponse(200, {"ns2:rResEnviConsLoteDe": {
        "$": XMLNS, "ns2:dCodResLot": "0362", "ns2:dMsgResLot": "Procesamiento de lote concluido",
        "ns2:gResProcLote": [ret_envi_de(d, None)["ns2:rRetEnviDe"]["ns2:rProtDe"] for d in docs]},
        "id": body.get("id")})


def _prot(doc: dict) -> dict:
    return ret_envi_de(doc, None)["ns2:rRetEnviDe"]["ns2:rProtDe"]


def _consultadocs(ctx, req):
    """Several documents by CDC (seed 004 leaves the body undocumented: `cdcList`, of CDC
    strings or `{"cdc": …}` objects, like FacturaSend's)."""
    from app.core.errors import NotFoundError

    body = _object(req.body)
    items = body.get("cdcList")
    if not isinstance(items, list) or not items or len(items) > MAX_LOTE:
        raise ValidationError(f"Indique cdcList con 1 a {MAX_LOTE} CDC", field="cdcList")
    out = []
    for i, it in enumerate(items):
        cdc = it.get("cdc") if isinstance(it, dict) else it
        if not isinstance(cdc, str) or not cdc.strip():
            raise ValidationError("Falta el CDC", field=f"cdcList[{i}]")
        try:
            out.append(_prot(ctx.by_key(cdc.strip())))
        except NotFoundError:
            out.append({"ns2:Id": cdc.strip(), "ns2:dEstRes": "Inexistente",
                        "ns2:gResProc": {"ns2:dCodRes": "0420", "ns2:dMsgRes": "CDC inexistente"}})
    return ApiResponse(200, {"documentos": out, "id": body.get("id")})


def _ultimosdocs(ctx, req):
    """The last documents issued (newest first); `cantidad` 1..100, 10 by default."""
    body = _object(req.body if req.body is not None else {})
    n = body.get("cantidad", 10)
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 100:
        raise ValidationError("cantidad debe ser un entero de 1 a 100", field="cantidad")
    return ApiResponse(200, {"documentos": [_prot(d) for d in ctx.recent(n)], "id": body.get("id")})


def _ruc(ctx, req):
    body = _object(req.body)
    ruc = body.get("ruc")
    if not isinstance(ruc, str) or not ruc.strip():
        raise ValidationError("Falta el RUC", field="ruc")
    return ApiResponse(200, ctx.online("ruc", ruc.strip()))


def _event(kind: str):
    def handler(ctx, req):
        body = _object(req.body)
        event_id = ctx.locked(event_requests.request_event, kind, body)
        return ApiResponse(200, {"ns2:rRetEnviEventoDe": {"$": XMLNS, "ns2:gResProcEVe": {
            "ns2:dEstRes": "Pendiente", "ns2:id": event_id,
            "ns2:gResProc": {"ns2:dCodRes": "", "ns2:dMsgRes": "Evento firmado; se envía a SIFEN en segundo plano"}}},
            "id": body.get("id")})

    return handler


def _expiration(ctx, req):
    ident = ctx.locked(lambda s: s.identity)
    return ApiResponse(200, {"expiration": ident.not_after.isoformat(), "dias": ident.days_to_expiry()})


class DtepyDialect:
    name = "dtepy"
    title = "DTEpy"
    checks_password = False

    def __init__(self) -> None:
        self.routes = (
            ApiRoute("POST", "/documentoset", _documentoset, "Emite un documento (síncrono)"),
            ApiRoute("POST", "/documentoset/lotes", _lotes, "Emite hasta 50 documentos"),
            ApiRoute("POST", "/documentoset/consulta", _consulta, "Consulta un documento por CDC"),
            ApiRoute("POST", "/documentoset/consultalote", _consultalote, "Consulta un lote"),
            ApiRoute("POST", "/documentoset/cancelacion", _event("cancelacion"), "Cancela un documento"),
            ApiRoute("POST", "/documentoset/inutilizacion", _event("inutilizacion"), "Inutiliza números"),
            ApiRoute("POST", "/documentoset/nominacion", _event("nominacion"), "Nomina una factura innominada"),
            ApiRoute("POST", "/documentoset/datostransporte", _event("datostransporte"), "Datos de transporte"),
            ApiRoute("POST", "/documentoset/consultadocs", _consultadocs, "Consulta varios documentos por CDC"),
            ApiRoute("POST", "/documentoset/ultimosdocs", _ultimosdocs, "Los últimos documentos emitidos"),
            ApiRoute("POST", "/ruc", _ruc, "Consulta un RUC en SIFEN (en línea)"),
            ApiRoute("GET", "/documentoset/getexpiration", _expiration, "Vencimiento del certificado"),
        )

    def credentials(self, req: ApiRequest) -> tuple[str | None, str | None]:
        token = req.headers.get("x-access-token")
        if not token and isinstance(req.body, dict) and isinstance(req.body.get("token"), str):
            token = req.body["token"]
        return token, None

    def error(self, status: int, message: str, errors: list | None = None) -> ApiResponse:
        return error(status, message, errors)
