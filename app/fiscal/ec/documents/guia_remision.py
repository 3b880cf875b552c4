"""Guía de remisión (codDoc 06): goods in transit; no amounts, and no fechaEmision (its dates
are the transport's)."""
from __future__ import annotations

import re

from app.core.company import Company
from app.fiscal.ec import identity, model
from app.fiscal.ec.documents.base import DocumentType
from app.fiscal.ec.documents.common import (
    Reader, ZERO, check_additional_count, read_details, read_doc_number, read_party)
from app.fiscal.ec.documents.xml_parts import date_text, details, issuer_block, opt, qty, sub


def parse(r: Reader, body: dict, header: dict, company: Company) -> model.Waybill:
    origin = r.text(body, "direccion_partida", "direccion_partida")
    carrier_obj = r.obj(body, "transportista", "transportista")
    carrier = read_party(r, carrier_obj, "transportista", allow_final=False, who="el transportista")
    plate = r.text(carrier_obj or {}, "placa", "transportista.placa", max_len=20) if carrier_obj else ""
    start = r.day(body, "fecha_inicio_transporte", "fecha_inicio_transporte")
    end = r.day(body, "fecha_fin_transporte", "fecha_fin_transporte")
    if start and start < header["issued"]:
        r.err("fecha_inicio_transporte", f"la fecha de inicio del transporte {start:%d/%m/%Y} es anterior a la "
              f"emisión de la guía {header['issued']:%d/%m/%Y} (error 82 del SRI)", "dates")
    if start and end and end < start:
        r.err("fecha_fin_transporte", "la fecha de fin del transporte es anterior a la de inicio", "dates")
    recipients = []
    for i, dst in enumerate(r.items(body, "destinatarios", "destinatarios")):
        p = f"destinatarios[{i}]"
        if not isinstance(dst, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        party = model.Party(
            id_type=r.code(dst, "tipo_identificacion", f"{p}.tipo_identificacion", 2, required=False),
            id=r.text(dst, "identificacion", f"{p}.identificacion", max_len=20),
            name=r.text(dst, "razon_social", f"{p}.razon_social"),
            address=r.text(dst, "direccion", f"{p}.direccion"),
            email=r.text(dst, "email", f"{p}.email", required=False),
            phone=r.text(dst, "telefono", f"{p}.telefono", required=False))
        if party.id_type and party.id:
            chk = identity.check_identification(party.id_type, party.id)
            for e in chk.errors:
                r.err(f"{p}.identificacion", e, "identification")
            r.warnings.extend(f"{p}.identificacion: {w}" for w in chk.warnings)
        doc_cod = r.code(dst, "tipo_documento_sustento", f"{p}.tipo_documento_sustento", 2, required=False)
        doc_num = read_doc_number(r, dst, "numero_documento_sustento", f"{p}.numero_documento_sustento", required=False)
        doc_auth = r.text(dst, "numero_autorizacion_documento_sustento",
                          f"{p}.numero_autorizacion_documento_sustento", max_len=49, required=False)
        if doc_auth and not re.fullmatch(r"\d{10,49}", doc_auth):
            r.err(f"{p}.numero_autorizacion_documento_sustento", "debe tener entre 10 y 49 dígitos")
        dest = r.code(dst, "codigo_establecimiento_destino", f"{p}.codigo_establecimiento_destino", 3, required=False)
        items = []
        for k, it in enumerate(r.items(dst, "items", f"{p}.items")):
            ip = f"{p}.items[{k}]"
            if not isinstance(it, dict):
                r.err(ip, "se esperaba un objeto", "type")
                continue
            desc = r.text(it, "descripcion", f"{ip}.descripcion")
            qty = r.number(it, "cantidad", f"{ip}.cantidad", places=6, positive=True)
            main = r.text(it, "codigo_principal", f"{ip}.codigo_principal", max_len=25, required=False)
            aux = r.text(it, "codigo_auxiliar", f"{ip}.codigo_auxiliar", max_len=25, required=False)
            det = read_details(r, it, f"{ip}.detalles_adicionales")
            if desc and qty is not None:
                items.append(model.WaybillItem(desc, qty, main, aux, det))
        recipients.append(model.Recipient(
            party=party, reason=r.text(dst, "motivo_traslado", f"{p}.motivo_traslado"), items=items,
            customs_doc=r.text(dst, "documento_aduanero_unico", f"{p}.documento_aduanero_unico", max_len=20,
                               required=False),
            dest_estab=dest, route=r.text(dst, "ruta", f"{p}.ruta", required=False), doc_cod=doc_cod,
            doc_number=doc_num, doc_authorization=doc_auth,
            doc_issued=r.day(dst, "fecha_emision_documento_sustento", f"{p}.fecha_emision_documento_sustento",
                             required=False)))
    check_additional_count(r, header["additional"])
    return model.Waybill(**header, carrier=carrier, plate=plate, origin=origin, start=start, end=end,
                         recipients=recipients)


def build(root, doc: model.Waybill, company: Company) -> None:
    info = sub(root, "infoGuiaRemision")
    issuer_block(info, company, doc, date_first=False)
    sub(info, "dirPartida", doc.origin)
    sub(info, "razonSocialTransportista", doc.carrier.name)
    sub(info, "tipoIdentificacionTransportista", doc.carrier.id_type)
    sub(info, "rucTransportista", doc.carrier.id)
    sub(info, "obligadoContabilidad", "SI" if company.obligado_contabilidad else "NO")
    opt(info, "contribuyenteEspecial", company.contribuyente_especial)
    sub(info, "fechaIniTransporte", date_text(doc.start))
    sub(info, "fechaFinTransporte", date_text(doc.end))
    sub(info, "placa", doc.plate)
    dsts = sub(root, "destinatarios")
    for rc in doc.recipients:
        de = sub(dsts, "destinatario")
        sub(de, "identificacionDestinatario", rc.party.id)
        sub(de, "razonSocialDestinatario", rc.party.name)
        sub(de, "dirDestinatario", rc.party.address)
        sub(de, "motivoTraslado", rc.reason)
        opt(de, "docAduaneroUnico", rc.customs_doc)
        opt(de, "codEstabDestino", rc.dest_estab)
        opt(de, "ruta", rc.route)
        opt(de, "codDocSustento", rc.doc_cod)
        opt(de, "numDocSustento", rc.doc_number)
        opt(de, "numAutDocSustento", rc.doc_authorization)
        if rc.doc_issued:
            sub(de, "fechaEmisionDocSustento", date_text(rc.doc_issued))
        dets = sub(de, "detalles")
        for it in rc.items:
            d = sub(dets, "detalle")
            opt(d, "codigoInterno", it.main_code)
            opt(d, "codigoAdicional", it.aux_code)
            sub(d, "descripcion", it.description)
            sub(d, "cantidad", qty(it.quantity))
            details(d, it.details)


def _party(doc: model.Waybill) -> model.Party | None:
    return doc.recipients[0].party if doc.recipients else doc.carrier


TYPE = DocumentType(
    kind="waybills", cod_doc="06", root="guiaRemision", info="infoGuiaRemision", version="1.1.0",
    schemas={"1.0.0": "GuiaRemision_V1.0.0.xsd", "1.1.0": "GuiaRemision_V1.1.0.xsd"},
    name="guía de remisión", title="GUÍA DE REMISIÓN", model=model.Waybill,
    parse=parse, build=build, check=None,
    party=_party,
    total=lambda doc: ZERO,
    dated=False,
)
