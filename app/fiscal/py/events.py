"""SIFEN events (MT §11, Evento_v150.xsd): rEnviEventoDe / dEvReg / gGroupGesEve /
rGesEve (≤ 15) / rEve @Id + Signature. Each group builder returns the gGroupTiEvt child;
`build_request` wraps them and `dsig.sign_event` signs each rEve (Reference '#<rEve Id>')."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from lxml import etree

from app.core.errors import ErrorCollector
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import documents, dsig
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.model import Receiver
from app.fiscal.py.schema import serialize
from app.fiscal.py.xml_build import local_naive, num

_N = "{%s}" % cat.NS
INUTILIZATION_MAX = 1000
# rEve Id of a receptor event (conformidad…) = base + its py_receptor_events row id, so it
# never equals an emitter event's id (py_events.id, far below)
RECEPTOR_ID_BASE = 9_000_000_000


def cancel_deadline(doc_type: int, signed_at: datetime) -> datetime:
    """Last moment a cancelación is accepted: 48 h for FE, 168 h for AFE/NCE/NDE/NRE
    (MT §6.2.1, 4009/4010; SIFEN counts from approval, which is never before signing)."""
    t = documents.by_code(doc_type)
    return signed_at + timedelta(hours=t.cancel_hours if t is not None else 168)


def can_cancel(doc_type: int, signed_at: datetime, now: datetime) -> bool:
    return now <= cancel_deadline(doc_type, signed_at)


def _el(parent, tag, text=None):
    e = etree.SubElement(parent, _N + tag) if parent is not None else etree.Element(_N + tag, nsmap={None: cat.NS})
    if text is not None:
        e.text = str(text)
    return e


def _check_reason(reason: str, errors: ErrorCollector, field: str = "motivo") -> str:
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= 500:
        errors.add(field, "El motivo debe tener entre 5 y 500 caracteres")
    return reason


def _check_cdc(value: str, errors: ErrorCollector, field: str = "cdc") -> None:
    problems = cdc_mod.validate(value)
    if problems:
        errors.add(field, problems[0])


def cancellation(cdc: str, reason: str):
    e = ErrorCollector()
    _check_cdc(cdc, e)
    reason = _check_reason(reason, e)
    e.raise_if_any()
    g = _el(None, "rGeVeCan")
    _el(g, "Id", cdc)
    _el(g, "mOtEve", reason)
    return g


def inutilization(timbrado: str, establishment: str, point: str, first: int, last: int,
                  doc_type: int, reason: str, series: str = ""):
    """A range of never-approved numbers of ONE type/establishment/point, at most 1000."""
    e = ErrorCollector()
    if documents.by_code(doc_type) is None:
        e.add("tipoDocumento", "Tipo de documento no válido")
    if not (1 <= first <= last <= 9_999_999):
        e.add("rango", "El rango debe ir de un número menor o igual a uno mayor (1 a 9999999)")
    elif last - first + 1 > INUTILIZATION_MAX:
        e.add("rango", f"Máximo {INUTILIZATION_MAX} números por evento (4067)")
    reason = _check_reason(reason, e)
    e.raise_if_any()
    g = _el(None, "rGeVeInu")
    _el(g, "dNumTim", timbrado.rjust(8, "0"))
    _el(g, "dEst", establishment)
    _el(g, "dPunExp", point)
    _el(g, "dNumIn", f"{first:07d}")
    _el(g, "dNumFin", f"{last:07d}")
    _el(g, "iTiDE", doc_type)
    _el(g, "mOtEve", reason)
    if series:
        _el(g, "dSerieNum", series)
    return g


def inutilization_groups(timbrado: str, establishment: str, point: str, numbers: list[int],
                         doc_type: int, reason: str) -> list:
    """Splits any set of numbers into contiguous ranges of ≤ 1000 (one event each)."""
    groups, ordered = [], sorted(set(numbers))
    start = prev = None
    for n in ordered + [None]:
        if start is not None and (n is None or n != prev + 1 or n - start >= INUTILIZATION_MAX):
            groups.append(inutilization(timbrado, establishment, point, start, prev, doc_type, reason))
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return groups


def _receiver_id(g, r: Receiver, tags=("dRucRec", "dDVRec", "dTipIDRec", "dNumID")):
    if r.contribuyente:
        _el(g, tags[0], r.ruc)
        _el(g, tags[1], ruc_mod.check_digit(r.ruc) if r.ruc_dv is None else r.ruc_dv)
    else:
        _el(g, tags[2], r.id_type)
        _el(g, tags[3], r.id_number)


def notification(cdc: str, issued_at: datetime, received_at: datetime, receiver: Receiver, total_gs: Decimal):
    """Notificación de recepción (receptor event)."""
    e = ErrorCollector()
    _check_cdc(cdc, e)
    e.raise_if_any()
    g = _el(None, "rGeVeNotRec")
    _el(g, "Id", cdc)
    _el(g, "dFecEmi", local_naive(issued_at).isoformat())
    _el(g, "dFecRecep", local_naive(received_at).isoformat())
    _el(g, "iTipRec", 1 if receiver.contribuyente else 2)
    _el(g, "dNomRec", receiver.name)
    _receiver_id(g, receiver)
    _el(g, "dTotalGs", num(total_gs))
    return g


def conformity(cdc: str, total: bool = True, received_at: datetime | None = None):
    """Conformidad: iTipConf 1 = total, 2 = parcial."""
    e = ErrorCollector()
    _check_cdc(cdc, e)
    e.raise_if_any()
    g = _el(None, "rGeVeConf")
    _el(g, "Id", cdc)
    _el(g, "iTipConf", 1 if total else 2)
    if received_at:
        _el(g, "dFecRecep", local_naive(received_at).isoformat())
    return g


def disconformity(cdc: str, reason: str):
    e = ErrorCollector()
    _check_cdc(cdc, e)
    reason = _check_reason(reason, e)
    e.raise_if_any()
    g = _el(None, "rGeVeDisconf")
    _el(g, "Id", cdc)
    _el(g, "mOtEve", reason)
    return g


def unawareness(cdc: str, issued_at: datetime, received_at: datetime, receiver: Receiver, reason: str):
    """Desconocimiento del DE (receptor)."""
    e = ErrorCollector()
    _check_cdc(cdc, e)
    reason = _check_reason(reason, e)
    if not receiver.contribuyente and receiver.id_type not in (1, 2, 3, 4):
        e.add("documentoTipo", "Tipo de documento 1 a 4 para no contribuyente")
    e.raise_if_any()
    g = _el(None, "rGeVeDescon")
    _el(g, "Id", cdc)
    _el(g, "dFecEmi", local_naive(issued_at).isoformat())
    _el(g, "dFecRecep", local_naive(received_at).isoformat())
    _el(g, "iTipRec", 1 if receiver.contribuyente else 2)
    _el(g, "dNomRec", receiver.name)
    _receiver_id(g, receiver)
    _el(g, "mOtEve", reason)
    return g


def nomination(cdc: str, reason: str, receiver: Receiver):
    """Nominación (NT-014/027): names the receiver of an innominado FE."""
    e = ErrorCollector()
    _check_cdc(cdc, e)
    reason = _check_reason(reason, e)
    if receiver.anonymous:
        e.add("cliente", "El receptor nominado no puede ser innominado")
    if receiver.operation not in (1, 2, 4):
        e.add("cliente.tipoOperacion", "Tipo de operación 1, 2 o 4")
    e.raise_if_any()
    g = _el(None, "rGEveNom")
    _el(g, "Id", cdc)
    _el(g, "mOtEve", reason)
    _el(g, "iNatRec", 1 if receiver.contribuyente else 2)
    _el(g, "iTiOpe", receiver.operation)
    _el(g, "cPaisRec", receiver.country)
    _el(g, "dDesPaisRe", cat.countries()[receiver.country])
    if receiver.contribuyente:
        _el(g, "iTiContRec", receiver.taxpayer_type)
        _el(g, "dRucRec", receiver.ruc)
        _el(g, "dDVRec", ruc_mod.check_digit(receiver.ruc) if receiver.ruc_dv is None else receiver.ruc_dv)
    else:
        _el(g, "iTipIDRec", receiver.id_type)
        _el(g, "dDTipIDRec", receiver.id_type_desc or cat.RECEIVER_ID_TYPES[receiver.id_type])
        _el(g, "dNumIDRec", receiver.id_number)
    _el(g, "dNomRec", receiver.name)
    if receiver.trade_name:
        _el(g, "dNomFanRec", receiver.trade_name)
    loc = receiver.location
    if loc and loc.address:
        _el(g, "dDirRec", loc.address)
        _el(g, "dNumCasRec", int(loc.house_number or 0))
        if receiver.operation != 4:
            _el(g, "cDepRec", loc.departamento)
            _el(g, "dDesDepRec", cat.departments()[loc.departamento])
            if loc.distrito is not None:
                _el(g, "cDisRec", loc.distrito)
                _el(g, "dDesDisRec", loc.distrito_desc)
            _el(g, "cCiuRec", loc.ciudad)
            _el(g, "dDesCiuRec", loc.ciudad_desc)
    for tag, value in (("dTelRec", receiver.phone), ("dCelRec", receiver.mobile),
                       ("dEmailRec", receiver.email), ("dCodCliente", receiver.code)):
        if value:
            _el(g, tag, value)
    return g


@dataclass
class TransportUpdate:
    reason: int  # dMotEv 1 cambio de local de entrega, 2 cambio de chofer, 3 cambio de transportista, 4 cambio de vehículo
    departamento: int | None = None
    ciudad: int | None = None
    ciudad_desc: str = ""
    address: str = ""
    house_number: int = 0
    driver_name: str = ""
    driver_id: str = ""
    vehicle_kind: str = ""
    vehicle_brand: str = ""
    vehicle_id_kind: int | None = None
    vehicle_id: str = ""


def transport_update(cdc: str, u: TransportUpdate):
    """Actualización de datos del transporte (rGeVeTr) of a NRE."""
    e = ErrorCollector()
    _check_cdc(cdc, e)
    if u.reason not in (1, 2, 3, 4):
        e.add("motivo", "Motivo 1 a 4")
    if u.reason == 1 and not (u.address and u.departamento and u.ciudad and u.ciudad_desc):
        e.add("entrega", "Cambio de local de entrega: dirección, departamento y ciudad obligatorios")
    if u.reason == 2 and not (u.driver_name and u.driver_id):
        e.add("chofer", "Cambio de chofer: nombre y documento obligatorios")
    if u.reason == 4 and not (u.vehicle_kind and u.vehicle_brand and u.vehicle_id_kind and u.vehicle_id):
        e.add("vehiculo", "Cambio de vehículo: tipo, marca e identificación obligatorios")
    e.raise_if_any()
    g = _el(None, "rGeVeTr")
    _el(g, "Id", cdc)
    _el(g, "dMotEv", u.reason)
    if u.reason == 1:
        _el(g, "cDepEnt", u.departamento)
        _el(g, "dDesDepEnt", cat.departments()[u.departamento])
        _el(g, "cCiuEnt", u.ciudad)
        _el(g, "dDesCiuEnt", u.ciudad_desc)
        _el(g, "dDirEnt", u.address)
        _el(g, "dNumCas", u.house_number)
    if u.reason == 2:
        _el(g, "dNomChof", u.driver_name)
        _el(g, "dNumIDChof", u.driver_id)
    if u.reason == 4:
        _el(g, "dTiVehTras", u.vehicle_kind)
        _el(g, "dMarVeh", u.vehicle_brand)
        _el(g, "dTipIdenVeh", u.vehicle_id_kind)
        _el(g, "dNroIDVeh" if u.vehicle_id_kind == 1 else "dNroMatVeh", u.vehicle_id)
    return g


def build_request(events: list[tuple[int, object]], signed_at: datetime, d_id: int = 1) -> bytes:
    """Unsigned rEnviEventoDe with one rGesEve per (rEve Id, group) pair (1..15)."""
    if not 1 <= len(events) <= 15:
        raise ValueError("Entre 1 y 15 eventos por envío")
    root = _el(None, "rEnviEventoDe")
    _el(root, "dId", d_id)
    reg = _el(root, "dEvReg")
    grp = etree.SubElement(reg, _N + "gGroupGesEve", nsmap={"xsi": cat.XSI})
    grp.set("{%s}schemaLocation" % cat.XSI, cat.EVENT_SCHEMA_LOCATION)
    for event_id, group in events:
        if not 1 <= int(event_id) <= 9_999_999_999:
            raise ValueError("El Id del evento debe estar entre 1 y 9999999999")
        ges = _el(grp, "rGesEve")
        eve = _el(ges, "rEve")
        eve.set("Id", str(int(event_id)))
        _el(eve, "dFecFirma", local_naive(signed_at).isoformat())
        _el(eve, "dVerFor", cat.VERSION)
        tievt = _el(eve, "gGroupTiEvt")
        tievt.append(group)
    return serialize(root)


def build_signed(events: list[tuple[int, object]], key, cert, signed_at: datetime, d_id: int = 1) -> bytes:
    return dsig.sign_event(build_request(events, signed_at, d_id), key, cert)
