"""FacturaSend's REST dialect (seed 002) on the local API: its paths below `/<tenantId>/`, its
`{"success", "error", "errores"}` envelope and `deList`/`result` objects, from stored rows."""
from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from app.core import status as st
from app.core.errors import FieldError, NotFoundError, ValidationError
from app.fiscal.base import ApiRequest, ApiResponse, ApiRoute
from app.fiscal.py import event_requests, geo
from app.xmlsafe import parse_xml

NS = "{http://ekuatia.set.gov.py/sifen/xsd}"
MAX_LOTE = 50
# FacturaSend's `situacion` and `estado` of each of our statuses (seed 002, "situacion")
SITUACION = {st.SIGNED: 0, st.SENT: 1, st.AUTHORIZED: 2, st.REJECTED: 4, st.CANCELLED: 99}
ESTADO = {st.SIGNED: "Generado", st.SENT: "Enviado", st.AUTHORIZED: "Aprobado", st.REJECTED: "Rechazado",
          st.CANCELLED: "Cancelado"}


def last_answer(doc: dict) -> tuple[str, str]:
    """SIFEN's last (code, message) about the document, verbatim, or ('', '')."""
    try:
        msgs = json.loads(doc.get("last_messages") or "[]")
    except ValueError:
        return "", str(doc.get("last_messages"))
    if not msgs or not isinstance(msgs, list) or not isinstance(msgs[-1], dict):
        return "", ""
    m = msgs[-1]
    return str(m.get("code", m.get("dCodRes", ""))), str(m.get("message", m.get("dMsgRes", "")))


def de_item(doc: dict, *, xml: bool = False, qr: bool = False, tax: bool = False) -> dict:
    """One element of `deList`."""
    status = st.parse(doc["status"])
    code, message = last_answer(doc)
    item = {"cdc": doc["key"], "numero": doc["number"], "estado": ESTADO[status], "situacion": SITUACION[status],
            "fecha": doc.get("updated_at") or "", "respuesta_codigo": code, "respuesta_mensaje": message}
    if xml:
        item["xml"] = bytes(doc["xml"]).decode("utf-8")
    if qr or tax:
        root = parse_xml(bytes(doc["xml"]))
        if qr:
            item["qr"] = root.findtext(f".//{NS}dCarQR") or ""
        if tax:
            for tag in ("dIVA5", "dIVA10"):
                item[tag] = _number(root.findtext(f".//{NS}{tag}"))
    return item


def de_result(doc: dict) -> dict:
    """The `result` of a query by id or CDC."""
    status = st.parse(doc["status"])
    code, message = last_answer(doc)
    return {"id": doc["id"], "cdc": doc["key"], "numero": doc["number"], "fecha": doc["issued_at"],
            "situacion": SITUACION[status], "estado": ESTADO[status], "is_conectado": 1, "is_borrado": 0,
            "info_codigo": code, "info_descripcion": message,
            "protocolo": doc.get("authorization_number") or ""}


def _number(text: str | None) -> Any:
    if not text:
        return 0
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else float(d)


def error(status: int, message: str, errors: list | None = None) -> ApiResponse:
    return ApiResponse(status, {"success": False, "error": message,
                                "errores": [{"campo": e.field, "error": e.message, "codigo": e.code}
                                            for e in (errors or [])]})


def _ok(**fields) -> ApiResponse:
    return ApiResponse(200, {"success": True, **fields})


def _flag(req: ApiRequest, name: str) -> bool:
    return str(req.query.get(name, "")).lower() in ("true", "1", "si", "sí")


def _object(body: Any, field: str = "body") -> dict:
    if not isinstance(body, dict):
        raise ValidationError("Se esperaba un objeto JSON", field=field)
    return body


def _client_number(body: dict) -> str | None:
    n = body.get("numero")
    if n in (None, "") or isinstance(n, bool):
        return None
    return f"{body.get('tipoDocumento', '')}-{body.get('establecimiento', '')}-{body.get('punto', '')}-{n}"


# -------------------------------------------------------------------------------------- handlers

def _test(ctx, req):
    return _ok(message="API de FacturaSend (Mostrador local) en funcionamiento")


def _draft_answer(draft_id: int, count: int) -> ApiResponse:
    """A draft is kept as sent: no number and no CDC until it is confirmed (numbering stays gap-free)."""
    return _ok(loteId=draft_id, borrador=True,
               deList=[{"index": i, "cdc": "", "numero": "", "estado": "Borrador", "situacion": 0}
                       for i in range(count)])


def _create(ctx, req):
    body = _object(req.body)
    if _flag(req, "draft"):
        return _draft_answer(ctx.save_draft([body], "invoices", dialect="facturasend"), 1)
    issued = ctx.issue(body, "invoices", dialect="facturasend", client_number=_client_number(body))
    item = de_item(issued.doc, xml=_flag(req, "xml"), qr=_flag(req, "qr"), tax=_flag(req, "tax"))
    return _ok(deList=[item], loteId=issued.doc["id"], advertencias=issued.warnings)


def _lote(ctx, req):
    if not isinstance(req.body, list) or not req.body:
        raise ValidationError("Se esperaba un arreglo JSON de 1 a 50 documentos", field="body")
    if len(req.body) > MAX_LOTE:
        raise ValidationError(f"Un lote admite hasta {MAX_LOTE} documentos; llegaron {len(req.body)}", field="body")
    errores = []
    for i, body in enumerate(req.body):
        try:
            ctx.check(_object(body, f"[{i}]"), "invoices", dialect="facturasend")
        except ValidationError as exc:
            errores += [{"index": i, "campo": e.field, "error": e.message} for e in exc.errors]
    if errores:
        return ApiResponse(400, {"success": False, "error": "El lote tiene documentos con errores; no se emitió ninguno",
                                 "errores": errores})
    if _flag(req, "draft"):
        return _draft_answer(ctx.save_draft(req.body, "invoices", dialect="facturasend"), len(req.body))
    items, first = [], None
    for i, body in enumerate(req.body):
        issued = ctx.issue(body, "invoices", dialect="facturasend", client_number=_client_number(body), part=i)
        first = first or issued.doc["id"]
        items.append(de_item(issued.doc, xml=_flag(req, "xml"), qr=_flag(req, "qr"), tax=_flag(req, "tax")))
    return _ok(deList=items, loteId=first)


def issuer_params(company: Any) -> dict:
    """`GET /system/backend/params` (seed 002 "Consultar parametros del Contribuyente"): the
    issuer's data Mostrador signs with, in FacturaSend's shape."""
    from app.fiscal.py import catalog

    def name(lookup, code) -> str:
        return lookup(code) if code is not None else ""

    deps = {d["codigo"]: d["descripcion"] for d in geo.departamentos()}
    start = company.timbrado_start
    return {
        "params": {
            "ruc": company.ruc, "razonSocial": company.razon_social, "nombreFantasia": company.nombre_comercial,
            "timbradoNumero": company.timbrado,
            "timbradoFecha": f"{start.isoformat()}T00:00:00.000Z" if start else None,
            "tipoContribuyente": company.tipo_contribuyente, "tipoRegimen": company.tipo_regimen,
            "establecimientos": [{
                "codigo": e.code, "direccion": e.address or company.address, "numeroCasa": e.house_number,
                "departamento": e.departamento, "departamentoDescripcion": deps.get(e.departamento, ""),
                "distrito": e.distrito, "distritoDescripcion": name(geo.district_name, e.distrito),
                "ciudad": e.ciudad, "ciudadDescripcion": name(geo.city_name, e.ciudad),
                "telefono": e.phone or company.phone, "email": e.email or company.email,
                "denominacion": e.name, "puntos": [p.code for p in e.points]}
                for e in company.establishments],
            "actividadesEconomicas": [{"codigo": c, "descripcion": d} for c, d in company.actividades],
            "version": int(catalog.VERSION),  # the SIFEN schema version Mostrador writes
        },
        "configSetApi": {"decimals": 2, "taxDecimals": 2, "pygDecimals": 0, "pygTaxDecimals": 2,
                         "redondeoSedeco": False, "test": company.environment != "produccion"},
    }


def _params(ctx, req):
    return _ok(result=issuer_params(ctx.company))


def _draft_confirm(ctx, req):
    """`POST /lote/draft-confirm/<loteId>`: the draft's DE numbered, signed and queued for SIFEN."""
    issued = ctx.confirm_draft(req.params["id"], dialect="facturasend")
    return _ok(deList=[de_item(i.doc) for i in issued])


def _draft_reject(ctx, req):
    """`POST /lote/draft-reject/<loteId>`: the draft discarded; nothing was numbered."""
    ctx.reject_draft(req.params["id"])
    return _ok()


def _by_id(ctx, req):
    return _ok(result=de_result(ctx.document(req.params["id"])))


def _by_cdc(ctx, req):
    recibo = _recibo_row(ctx, req.params["cdc"])
    if recibo is not None:
        return _ok(result=_recibo_result(recibo))
    return _ok(result=de_result(ctx.by_key(req.params["cdc"])))


def _cdcs(body: Any) -> list[str]:
    body = _object(body)
    items = body.get("cdcList")
    if not isinstance(items, list) or not items:
        raise ValidationError("Indique cdcList: [{\"cdc\": …}]", field="cdcList")
    out = []
    for i, it in enumerate(items):
        cdc = it.get("cdc") if isinstance(it, dict) else None
        if not isinstance(cdc, str) or not cdc.strip():
            raise ValidationError("Falta el CDC", field=f"cdcList[{i}].cdc")
        out.append(cdc.strip())
    return out


def _estado(ctx, req):
    items = []
    for cdc in _cdcs(req.body):
        try:
            items.append(de_item(ctx.by_key(cdc)))
        except NotFoundError:
            items.append({"cdc": cdc, "estado": "Inexistente", "situacion": 98})
    return _ok(deList=items)


def _xml(ctx, req):
    """`GET /de/xml/<cdc>`: the signed XML as stored; `?json=true` (seed 002): the same content
    as a JSON object (`xml_as_json`). A recibo's CDC (55…) answers the recibo's signed XML."""
    recibo = _recibo_row(ctx, req.params["cdc"])
    if recibo is not None:
        xml = bytes(recibo["xml"])
        if _flag(req, "json"):
            return ApiResponse(200, xml_as_json(parse_xml(xml)))
        return ApiResponse(200, content=xml, media_type="application/xml")
    doc = ctx.by_key(req.params["cdc"])
    if _flag(req, "json"):
        return ApiResponse(200, xml_as_json(parse_xml(ctx.xml(doc))))
    return ApiResponse(200, content=ctx.xml(doc), media_type="application/xml")


def _qualified(name: str, nsmap: dict) -> str:
    """`{uri}local` as written in the document: `prefix:local`, or `local` in the default namespace."""
    if not name.startswith("{"):
        return name
    uri, local = name[1:].split("}", 1)
    prefix = next((p for p, u in nsmap.items() if u == uri and p is not None), None)
    if prefix is None or nsmap.get(None) == uri:
        return local
    return f"{prefix}:{local}"


def xml_as_json(el, parent_nsmap: dict | None = None, *, root: bool = True) -> Any:
    """An XML element as FacturaSend's Node back end turns XML into JSON (xml2js with
    `explicitArray: false`, as its answers in seed 002 show: `{"ns2:rRetEnviEventoDe":
    {"ns2:gResProcEVe": …}}`): the root's name as the only key; names as written (with their
    prefix); attributes, namespace declarations included, under `$`; an element with only text
    is its text (a string, numbers too); text beside attributes or children is under `_`; a
    repeated child is an array; an empty element is ""."""
    nsmap = dict(el.nsmap)
    attrs = {}
    for prefix, uri in nsmap.items():  # the declarations made on this element
        if (parent_nsmap or {}).get(prefix) != uri:
            attrs["xmlns" if prefix is None else f"xmlns:{prefix}"] = uri
    for name, value in el.attrib.items():
        attrs[_qualified(name, nsmap)] = value
    children: dict[str, Any] = {}
    for child in el:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        key = _qualified(child.tag, child.nsmap)
        value = xml_as_json(child, nsmap, root=False)
        if key in children:
            if not isinstance(children[key], list):
                children[key] = [children[key]]
            children[key].append(value)
        else:
            children[key] = value
    text = "".join(t for t in el.xpath("text()") if t.strip())
    if not attrs and not children:
        out: Any = text
    else:
        out = {}
        if attrs:
            out["$"] = attrs
        if text:
            out["_"] = text
        out.update(children)
    return {_qualified(el.tag, nsmap): out} if root else out


def _pdf(ctx, req):
    body = _object(req.body)
    cdcs = _cdcs(body)
    fmt = body.get("format", "a4")
    if fmt not in ("a4", "ticket"):
        raise ValidationError("format debe ser a4 o ticket", field="format")
    if len(cdcs) != 1:
        raise ValidationError("Mostrador entrega el PDF de un CDC por llamada", field="cdcList")
    pdf = ctx.pdf(ctx.by_key(cdcs[0]), a4=fmt == "a4")
    if body.get("type") == "base64":
        return _ok(result=base64.b64encode(pdf).decode("ascii"))
    return ApiResponse(200, content=pdf, media_type="application/pdf")


def _email(ctx, req):
    body = _object(req.body)
    cdcs = _cdcs(body)
    to = body.get("email")
    if to is not None and not isinstance(to, str):
        raise ValidationError("Debe ser un texto con las direcciones separadas por comas", field="email")
    if to and len(cdcs) != 1:
        raise ValidationError("Para cambiar el destino envíe un único CDC", field="email")
    for cdc in cdcs:
        ctx.send_email(cdc, to or None)
    return _ok()


def _ruc(ctx, req):
    answer = ctx.online("ruc", req.params["ruc"])
    return ApiResponse(200, {"success": bool(answer.get("ok")), "result": answer})


def _dte_cdc(ctx, req):
    answer = ctx.online("consulta", req.params["cdc"])
    return ApiResponse(200, {"success": bool(answer.get("ok")), **answer})


def _event(kind: str):
    def handler(ctx, req):
        body = _object(req.body)
        event_id = ctx.locked(event_requests.request_event, kind, body)
        return _ok(result={"evento": kind, "id": event_id, "estado": "Pendiente",
                           "mensaje": "Evento firmado; se envía a SIFEN en segundo plano"}, cdc=body.get("cdc", ""))

    return handler


def _int_param(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError("Debe ser un número", field=field) from None


def _departamentos(ctx, req):
    return _ok(result=geo.departamentos())


def _distritos(ctx, req):
    return _ok(result=geo.distritos(_int_param(req.params.get("dep"), "departamentoId"), req.query.get("nombre", "")))


def _ciudades(ctx, req):
    return _ok(result=geo.ciudades(_int_param(req.params.get("dis"), "distritoId"), req.query.get("nombre", "")))


def _recibo_create(ctx, req):
    """`POST /recibo/create` (seed 002): FacturaSend's own recibo, approved when issued, never sent
    to SIFEN (app/fiscal/py/recibos.py); `?xml=true` adds the signed XML."""
    from app.fiscal.py import recibos

    issued = ctx.locked(recibos.issue, _object(req.body), scope=req.params["tenant"],
                        idem_key=req.headers.get("idempotency-key"))
    item = recibo_item(issued.row)
    if _flag(req, "xml"):
        item["xml"] = bytes(issued.row["xml"]).decode("utf-8")
    return _ok(reciboList=[item], advertencias=issued.warnings)


def recibo_item(row: dict) -> dict:
    """One element of `reciboList` (codes "0260"/"Aprobado" kept for compatibility, as FacturaSend does)."""
    from app.fiscal.py import recibos

    cancelled = row["cancelled_at"] is not None
    return {"cdc": row["cdc"], "numero": recibos.number_text(row), "estado": "Cancelado" if cancelled else "Aprobado",
            "respuesta_codigo": "0260", "respuesta_mensaje": "Cancelado" if cancelled else "Aprobado"}


def _recibo_result(row: dict) -> dict:
    """A recibo as `de/cdc/<cdc>` answers a DE (`result`)."""
    from app.fiscal.py import recibos

    cancelled = row["cancelled_at"] is not None
    return {"id": row["id"], "cdc": row["cdc"], "numero": recibos.number_text(row), "fecha": row["issued_at"],
            "tipoDocumento": 55, "total": _number(row["total"]), "moneda": row["currency"],
            "situacion": SITUACION[st.CANCELLED] if cancelled else SITUACION[st.AUTHORIZED],
            "estado": "Cancelado" if cancelled else "Aprobado", "is_conectado": 1, "is_borrado": 0,
            "info_codigo": "0260", "info_descripcion": row["cancel_reason"] or "Aprobado", "protocolo": ""}


def _recibo_cancel(ctx, req):
    """`POST /recibo/evento/cancelacion` (seed 002): answered in SIFEN's event shape, as FacturaSend does."""
    from app.fiscal.py import recibos

    row = ctx.locked(recibos.cancel, req.body)
    result = {"ns2:rRetEnviEventoDe": {"ns2:dFecProc": row["cancelled_at"][:19], "ns2:gResProcEVe": {
        "ns2:dEstRes": "Aprobado", "ns2:dProtAut": str(row["id"]),
        "ns2:gResProc": {"ns2:dCodRes": "0600", "ns2:dMsgRes": "Evento registrado correctamente"}}}}
    return _ok(result=result, cdc=row["cdc"])


def _recibo_row(ctx, cdc: str) -> dict | None:
    """The recibo with this CDC when it is one (55…), else None (a DE: the caller reads documents)."""
    from app.fiscal.py import recibos

    if not recibos.is_recibo_cdc(cdc):
        return None
    return ctx.locked(lambda session: recibos.by_cdc(session.conn, cdc))


EVENTS = ("cancelacion", "inutilizacion", "nominacion", "conformidad", "disconformidad", "desconocimiento",
          "notificacion")


class FacturaSendDialect:
    name = "facturasend"
    title = "FacturaSend"
    checks_password = False

    def __init__(self) -> None:
        t = "/{tenant}"
        self.routes = (
            ApiRoute("GET", "/test", _test, "Prueba de conexión", public=True),
            ApiRoute("GET", f"{t}/test", _test, "Prueba de conexión con la clave"),
            ApiRoute("POST", f"{t}/de/create", _create, "Crea un DE (?xml ?qr ?tax; ?draft=true: borrador)"),
            ApiRoute("POST", f"{t}/lote/create", _lote, "Crea hasta 50 DE (?draft=true: borrador)"),
            ApiRoute("POST", f"{t}/lote/draft-confirm/{{id}}", _draft_confirm,
                     "Confirma un borrador (?draft=true): numera, firma y envía sus DE"),
            ApiRoute("POST", f"{t}/lote/draft-reject/{{id}}", _draft_reject, "Descarta un borrador"),
            ApiRoute("GET", f"{t}/de/id/{{id}}", _by_id, "Consulta un DE por id"),
            ApiRoute("GET", f"{t}/de/cdc/{{cdc}}", _by_cdc, "Consulta un DE por CDC"),
            ApiRoute("POST", f"{t}/de/estado", _estado, "Estado de varios DE por CDC"),
            ApiRoute("GET", f"{t}/de/xml/{{cdc}}", _xml, "XML firmado del DE (?json=true: como objeto JSON)"),
            ApiRoute("POST", f"{t}/de/pdf", _pdf, "KuDE en PDF (a4 o ticket; type=base64)"),
            ApiRoute("POST", f"{t}/de/email", _email, "Reenvía el correo del DE (cola de correo)"),
            ApiRoute("POST", f"{t}/ruc/{{ruc}}", _ruc, "Consulta un RUC en SIFEN (en línea)"),
            ApiRoute("POST", f"{t}/dte/cdc/{{cdc}}", _dte_cdc, "Consulta un CDC en SIFEN (en línea)"),
            *(ApiRoute("POST", f"{t}/evento/{k}", _event(k), f"Evento de {k}") for k in EVENTS),
            ApiRoute("POST", f"{t}/recibo/create", _recibo_create, "Crea un recibo de FacturaSend (?xml=true)"),
            ApiRoute("POST", f"{t}/recibo/evento/cancelacion", _recibo_cancel, "Cancela un recibo"),
            ApiRoute("GET", f"{t}/system/backend/params", _params, "Parámetros del emisor"),
            ApiRoute("GET", f"{t}/departamentos", _departamentos, "Departamentos"),
            ApiRoute("GET", f"{t}/distritos", _distritos, "Distritos"),
            ApiRoute("GET", f"{t}/distritos/{{dep}}", _distritos, "Distritos de un departamento"),
            ApiRoute("GET", f"{t}/ciudades", _ciudades, "Ciudades"),
            ApiRoute("GET", f"{t}/ciudades/{{dis}}", _ciudades, "Ciudades de un distrito"),
        )

    def credentials(self, req: ApiRequest) -> tuple[str | None, str | None]:
        auth = req.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        return (token.strip() if scheme.lower() == "bearer" else None), None

    def error(self, status: int, message: str, errors: list | None = None) -> ApiResponse:
        return error(status, message, errors)


__all__ = ["FacturaSendDialect", "FieldError"]
