"""FacturaSend `evento/<kind>` bodies (seed 002, "Eventos") and DTEpy `/documentoset/<kind>`
bodies (seed 004) -> the event group element of `events.py`, ready for `build_signed`.

Field names in errors are the seeds' own (`cdc`, `motivo`, `desde`…); several problems are
reported at once as one `ValidationError`.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from app.core.company import Company
from app.core.errors import ErrorCollector
from app.fiscal.py import catalog as cat
from app.fiscal.py import documents, events
from app.fiscal.py.facturasend import _Reader, _receiver, normalize
from app.fiscal.py.model import Receiver

KINDS = ("cancelacion", "inutilizacion", "conformidad", "disconformidad", "desconocimiento",
         "notificacion", "nominacion")


def _when(r: _Reader, d: dict, key: str, *, required=True) -> datetime | None:
    v = r.str(d, key, key, required=required)
    if not v:
        return None
    try:
        return datetime.fromisoformat(v)
    except ValueError:
        r.e.add(key, f"Fecha y hora inválida '{v}' (AAAA-MM-DDThh:mm:ss)")
        return None


def _party(r: _Reader, d: dict) -> Receiver:
    """Receptor of desconocimiento / notificación: tipoReceptor 1 contribuyente, 2 no."""
    kind = r.int(d, "tipoReceptor", "tipoReceptor", required=True, choices={1, 2}, default=1)
    rec = Receiver(contribuyente=kind == 1, name=r.str(d, "nombre", "nombre", required=True, min_len=4,
                                                       max_len=255))
    if kind == 1:
        rec.ruc, rec.ruc_dv = r.ruc(d, "ruc", "ruc", required=True)
    else:
        rec.id_type = r.int(d, "documentoTipo", "documentoTipo", required=True, choices={1, 2, 3, 4})
        rec.id_number = r.str(d, "documentoNumero", "documentoNumero", required=True, max_len=20)
    return rec


def parse_event(kind: str, body: dict, company: Company | None = None):
    """-> the gGroupTiEvt child element; `company` is needed for inutilización (timbrado)."""
    errors = ErrorCollector()
    r = _Reader(errors)
    if kind not in KINDS:
        errors.add("", f"Evento '{kind}' no soportado")
        errors.raise_if_any()
    d = normalize(body if isinstance(body, dict) else {})
    if not isinstance(body, dict):
        errors.add("", "Se esperaba un objeto JSON")
    cdc = r.str(d, "cdc", "cdc", required=kind != "inutilizacion")
    reason = r.str(d, "motivo", "motivo", required=kind in ("cancelacion", "inutilizacion", "disconformidad",
                                                          "desconocimiento", "nominacion"))
    group = None
    if kind == "cancelacion":
        errors.raise_if_any()
        group = events.cancellation(cdc, reason)
    elif kind == "inutilizacion":
        t = r.int(d, "tipoDocumento", "tipoDocumento", required=True, choices=set(documents.codes()))
        est = r.int(d, "establecimiento", "establecimiento", required=True)
        point = r.int(d, "punto", "punto", required=True)
        first = r.int(d, "desde", "desde", required=True)
        last = r.int(d, "hasta", "hasta", required=True)
        series = r.str(d, "serie", "serie")
        if company is None or not company.timbrado:
            errors.add("timbrado", "La empresa no tiene timbrado configurado")
        errors.raise_if_any()
        group = events.inutilization(company.timbrado, f"{est:03d}", f"{point:03d}", first, last, t, reason,
                                     series)
    elif kind == "conformidad":
        total = r.int(d, "tipoConformidad", "tipoConformidad", required=True, choices={1, 2})
        received = _when(r, d, "fechaRecepcion", required=total == 2)
        errors.raise_if_any()
        group = events.conformity(cdc, total == 1, received)  # MT: 1 total, 2 parcial
    elif kind == "disconformidad":
        errors.raise_if_any()
        group = events.disconformity(cdc, reason)
    elif kind in ("desconocimiento", "notificacion"):
        issued = _when(r, d, "fechaEmision")
        received = _when(r, d, "fechaRecepcion")
        party = _party(r, d)
        total = r.dec(d, "totalPYG", "totalPYG", required=kind == "notificacion", default=Decimal(0))
        if issued and received and received < issued:
            errors.add("fechaRecepcion", "No puede ser anterior a la fecha de emisión")
        errors.raise_if_any()
        group = (events.unawareness(cdc, issued, received, party, reason) if kind == "desconocimiento"
                 else events.notification(cdc, issued, received, party, total))
    elif kind == "nominacion":
        flat = dict(d)
        if "tipoReceptor" in flat and "tipoContribuyente" not in flat:
            flat["tipoContribuyente"] = flat["tipoReceptor"]  # FacturaSend's name in this event
        rec = _receiver(r, flat, cat.FE, p="")
        errors.raise_if_any()
        group = events.nomination(cdc, reason, rec)
    return group


def _obj(r: _Reader, d: dict, key: str) -> dict:
    v = d.get(key)
    if v is None:
        return {}
    if not isinstance(v, dict):
        r.e.add(key, "Se esperaba un objeto")
        return {}
    return v


def parse_transport_update(body: dict):
    """DTEpy `/documentoset/datostransporte` (seed 004 gives no body; we read FacturaSend's
    transport names): {cdc, motivo 1 entrega | 2 chofer | 3 transportista | 4 vehículo,
    entrega {departamento, ciudad, direccion, numeroCasa}, chofer {nombre, documentoNumero},
    vehiculo {tipo, marca, documentoTipo 1 identificación | 2 matrícula, numeroIdentificacion
    | numeroMatricula}} -> (cdc, the rGeVeTr group)."""
    from app.fiscal.py import geo

    errors = ErrorCollector()
    r = _Reader(errors)
    if not isinstance(body, dict):
        errors.add("", "Se esperaba un objeto JSON")
        errors.raise_if_any()
    d = normalize(body)
    cdc = r.str(d, "cdc", "cdc", required=True)
    reason = r.int(d, "motivo", "motivo", required=True, choices={1, 2, 3, 4})
    if reason == 3:  # needs the transportista group (iNatTrans…, 4313), which events.py does not build
        errors.add("motivo", "El cambio de transportista (motivo 3) no está disponible; use 1 (local de "
                             "entrega), 2 (chofer) o 4 (vehículo)")
    u = events.TransportUpdate(reason=reason or 0)
    if reason == 1:
        e = _obj(r, d, "entrega")
        u.departamento = r.int(e, "departamento", "entrega.departamento", required=True,
                               choices=set(cat.departments()))
        u.ciudad = r.int(e, "ciudad", "entrega.ciudad", required=True)
        u.address = r.str(e, "direccion", "entrega.direccion", required=True, max_len=255) or ""
        u.house_number = r.int(e, "numeroCasa", "entrega.numeroCasa", default=0) or 0
        if u.ciudad is not None:
            u.ciudad_desc = geo.city_name(u.ciudad)
            if not u.ciudad_desc:
                errors.add("entrega.ciudad", f"Ciudad {u.ciudad} inexistente en la tabla de SIFEN")
    elif reason == 2:
        c = _obj(r, d, "chofer")
        u.driver_name = r.str(c, "nombre", "chofer.nombre", required=True, max_len=60) or ""
        u.driver_id = r.str(c, "documentoNumero", "chofer.documentoNumero", required=True, max_len=20) or ""
    elif reason == 4:
        v = _obj(r, d, "vehiculo")
        u.vehicle_kind = r.str(v, "tipo", "vehiculo.tipo", required=True, max_len=10) or ""
        u.vehicle_brand = r.str(v, "marca", "vehiculo.marca", required=True, max_len=10) or ""
        u.vehicle_id_kind = r.int(v, "documentoTipo", "vehiculo.documentoTipo", required=True, choices={1, 2})
        key = "numeroIdentificacion" if u.vehicle_id_kind == 1 else "numeroMatricula"
        u.vehicle_id = r.str(v, key, f"vehiculo.{key}", required=True, max_len=20) or ""
    errors.raise_if_any()
    return cdc, events.transport_update(cdc, u)
