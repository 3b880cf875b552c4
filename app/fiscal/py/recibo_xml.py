"""The XML of FacturaSend's recibo (not a SIFEN DE): `<rDE><dVerFor/><recibo Id="<CDC 55…>">`
with gOpeDE, gTimb (iTiDE 55 "Recibo"), gDatGralOpe (emisor, responsable, receptor, concepto),
gDtipDE/gCamCond, gTotSub, gCamDEAsoc and one `item` per associated document, in the element
order FacturaSend's generator writes (no namespace, as its output), signed by XMLDSig
RSA-SHA256 like a DE (app/fiscal/py/dsig.py) with the Signature right after `recibo`."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from lxml import etree

from app.fiscal.py import catalog, dsig, geo
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.recibo_model import DOC_TYPE, RESPONSIBLE_ID_TYPES, Recibo
from app.fiscal.py.schema import safe_parser, serialize


def _num(d: Decimal | int) -> str:
    d = Decimal(d)
    return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")


def _sub(parent, tag: str, text=None):
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text if isinstance(text, str) else _num(text) if isinstance(text, Decimal) else str(text)
    return el


def build(r: Recibo, company, *, cdc: str, number: int, signed_at: datetime) -> bytes:
    """The unsigned recibo XML."""
    base, dv = ruc_mod.split(company.ruc)
    rde = etree.Element("rDE")
    _sub(rde, "dVerFor", catalog.VERSION)
    rec = _sub(rde, "recibo")
    rec.set("Id", cdc)
    _sub(rec, "dDVId", cdc[-1])
    _sub(rec, "dFecFirma", signed_at.isoformat(timespec="seconds"))
    _sub(rec, "dSisFact", "1")
    ope = _sub(rec, "gOpeDE")
    _sub(ope, "dCodSeg", cdc[34:43])
    if r.observation:
        _sub(ope, "dInfoEmi", r.observation)
    if r.description:
        _sub(ope, "dInfoFisc", r.description)
    timb = _sub(rec, "gTimb")
    for tag, value in (("iTiDE", DOC_TYPE), ("dDesTiDE", "Recibo"), ("dNumTim", company.timbrado),
                       ("dEst", r.establishment), ("dPunExp", r.point), ("dNumDoc", f"{number:07d}")):
        _sub(timb, tag, value)
    if r.series:
        _sub(timb, "dSerieNum", r.series)
    if company.timbrado_start:
        _sub(timb, "dFeIniT", company.timbrado_start.isoformat())
    gral = _sub(rec, "gDatGralOpe")
    _sub(gral, "dFeEmiDE", r.fecha.isoformat(timespec="seconds"))
    com = _sub(gral, "gOpeCom")
    _sub(com, "cMoneOpe", r.currency)
    _sub(com, "dDesMoneOpe", catalog.currencies()[r.currency])
    if r.currency != "PYG":
        _sub(com, "dCondTiCam", r.exchange_condition)
        if r.exchange_rate is not None:
            _sub(com, "dTiCam", r.exchange_rate)
    _emisor(gral, r, company, base, dv)
    _receptor(gral, r.client)
    if r.concept:
        _sub(gral, "concepto", r.concept)
    tip = _sub(rec, "gDtipDE")
    if r.condition and r.condition["tipo"]:
        _condition(tip, r.condition)
    tot = _sub(rec, "gTotSub")
    _sub(tot, "dTotOpe", r.total)
    _sub(tot, "dRedon", "0")
    _sub(tot, "dTotGralOpe", r.total)
    if r.currency != "PYG" and r.exchange_condition == 1 and r.exchange_rate is not None:
        _sub(tot, "dTotalGs", (r.total * r.exchange_rate).quantize(Decimal(1)))
    for doc in r.associated:
        _associated(rec, doc)
    for i in range(max(1, len(r.associated))):
        _sub(rec, "item", i + 1)
    return serialize(rde)


def _emisor(gral, r: Recibo, company, base: str, dv) -> None:
    est = next(e for e in company.establishments if e.code == r.establishment)
    em = _sub(gral, "gEmis")
    _sub(em, "dRucEm", base)
    _sub(em, "dDVEmi", dv if dv is not None else ruc_mod.check_digit(base))
    _sub(em, "iTipCont", company.tipo_contribuyente)
    if company.tipo_regimen is not None:
        _sub(em, "cTipReg", company.tipo_regimen)
    _sub(em, "dNomEmi", company.razon_social)
    if company.nombre_comercial:
        _sub(em, "dNomFanEmi", company.nombre_comercial)
    _sub(em, "dDirEmi", est.address or company.address)
    _sub(em, "dNumCas", est.house_number or "0")
    if est.departamento is not None:
        deps = {d["codigo"]: d["descripcion"] for d in geo.departamentos()}
        _sub(em, "cDepEmi", est.departamento)
        _sub(em, "dDesDepEmi", deps.get(est.departamento, ""))
    if est.distrito is not None:
        _sub(em, "cDisEmi", est.distrito)
        _sub(em, "dDesDisEmi", geo.district_name(est.distrito))
    if est.ciudad is not None:
        _sub(em, "cCiuEmi", est.ciudad)
        _sub(em, "dDesCiuEmi", geo.city_name(est.ciudad))
    _sub(em, "dTelEmi", est.phone or company.phone)
    _sub(em, "dEmailE", est.email or company.email)
    if est.name:
        _sub(em, "dDenSuc", est.name)
    for code, desc in company.actividades:
        act = _sub(em, "gActEco")
        _sub(act, "cActEco", code)
        _sub(act, "dDesActEco", desc)
    if r.user:
        u = r.user
        resp = _sub(em, "gRespDE")
        _sub(resp, "iTipIDRespDE", u["documentoTipo"])
        _sub(resp, "dDTipIDRespDE", RESPONSIBLE_ID_TYPES[u["documentoTipo"]])
        _sub(resp, "dNumIDRespDE", u["documentoNumero"])
        _sub(resp, "dNomRespDE", u["nombre"])
        _sub(resp, "dCarRespDE", u["cargo"])


def _receptor(gral, cl: dict) -> None:
    rec = _sub(gral, "gDatRec")
    _sub(rec, "iNatRec", 1 if cl["contribuyente"] else 2)
    _sub(rec, "cPaisRec", cl["pais"])
    _sub(rec, "dDesPaisRe", catalog.countries()[cl["pais"]])
    if cl["contribuyente"]:
        _sub(rec, "iTiContRec", cl["tipoContribuyente"])
        _sub(rec, "dRucRec", cl["ruc"][0])
        _sub(rec, "dDVRec", cl["ruc"][1])
    else:
        _sub(rec, "iTipIDRec", cl["documentoTipo"])
        _sub(rec, "dDTipIDRec", catalog.RECEIVER_ID_TYPES[cl["documentoTipo"]])
        _sub(rec, "dNumIDRec", cl["documentoNumero"])
    _sub(rec, "dNomRec", cl["razonSocial"])
    if cl.get("nombreFantasia"):
        _sub(rec, "dNomFanRec", cl["nombreFantasia"])
    if cl.get("direccion"):
        _sub(rec, "dDirRec", cl["direccion"])
        _sub(rec, "dNumCasRec", cl["numeroCasa"])
        city = cl["ciudad"]
        dis = geo._index("ciudades")[city]["distrito"]  # the city's district and department
        dep = geo._index("distritos")[dis]["departamento"]
        deps = {d["codigo"]: d["descripcion"] for d in geo.departamentos()}
        for tag, value in (("cDepRec", dep), ("dDesDepRec", deps.get(dep, "")), ("cDisRec", dis),
                           ("dDesDisRec", geo.district_name(dis)), ("cCiuRec", city), ("dDesCiuRec", geo.city_name(city))):
            _sub(rec, tag, value)
    for tag, key in (("dTelRec", "telefono"), ("dCelRec", "celular"), ("dEmailRec", "email"), ("dCodCliente", "codigo")):
        if cl.get(key):
            _sub(rec, tag, cl[key])


def _condition(tip, cond: dict) -> None:
    g = _sub(tip, "gCamCond")
    _sub(g, "iCondOpe", cond["tipo"])
    _sub(g, "dDCondOpe", catalog.CONDITIONS[cond["tipo"]])
    for e in cond["entregas"]:
        p = _sub(g, "gPaConEIni")
        _sub(p, "iTiPago", e["tipo"])
        _sub(p, "dDesTiPag", catalog.PAYMENT_TYPES[e["tipo"]])
        _sub(p, "dMonTiPag", e["monto"])
        _sub(p, "cMoneTiPag", e["moneda"])
        _sub(p, "dDMoneTiPag", catalog.currencies()[e["moneda"]])
        if e["moneda"] != "PYG" and e.get("cambio"):
            _sub(p, "dTiCamTiPag", e["cambio"])
        card = e.get("tarjeta")
        if card:
            t = _sub(p, "gPagTarCD")
            _sub(t, "iDenTarj", card["tipo"])
            _sub(t, "dDesDenTarj", card["descripcion"])
            _sub(t, "iForProPa", card["medioPago"])
            for tag, key in (("dCodAuOpe", "codigoAutorizacion"), ("dNomTit", "titular"), ("dNumTarj", "numero")):
                if card.get(key):
                    _sub(t, tag, card[key])
        cheque = e.get("cheque")
        if cheque:
            ch = _sub(p, "gPagCheq")
            _sub(ch, "dNumCheq", cheque["numero"].rjust(8, "0"))
            _sub(ch, "dBcoEmi", cheque["banco"])
    credit = cond.get("credito")
    if credit and credit.get("tipo"):
        c = _sub(g, "gPagCred")
        _sub(c, "iCondCred", credit["tipo"])
        _sub(c, "dDCondCred", catalog.CREDIT_CONDITIONS[credit["tipo"]])
        if credit.get("plazo"):
            _sub(c, "dPlazoCre", credit["plazo"])
        if credit.get("cuotas"):
            _sub(c, "dCuotas", credit["cuotas"])
        paid = [e["monto"] for e in cond["entregas"]]
        if paid:
            _sub(c, "dMonEnt", sum(paid, Decimal(0)))


def _associated(rec, doc: dict) -> None:
    a = _sub(rec, "gCamDEAsoc")
    _sub(a, "iTipDocAso", doc["formato"])
    _sub(a, "dDesTipDocAso", catalog.ASSOCIATED_DOC_TYPES[doc["formato"]])
    if doc["formato"] == 1 and doc.get("cdc"):
        _sub(a, "dCdCDERef", doc["cdc"])
    if doc["formato"] == 2:
        for tag, key in (("dNTimDI", "timbrado"), ("dEstDocAso", "establecimiento"), ("dPExpDocAso", "punto"),
                         ("dNumDocAso", "numero"), ("dSerDocAso", "serie")):
            if doc.get(key):
                _sub(a, tag, doc[key])
        _sub(a, "iTipoDocAso", doc["tipoDocumentoImpreso"])
        _sub(a, "dDTipoDocAso", catalog.PRINTED_DOC_TYPES[doc["tipoDocumentoImpreso"]])
        _sub(a, "dFecEmiDI", doc["fecha"])
    for key in ("monto", "montoRetencionIva", "montoRetencionRenta", "montoRetencionLey2051"):
        _sub(a, key, doc[key])


def sign(xml: bytes, key, cert) -> bytes:
    """Signs `recibo` (XMLDSig enveloped, RSA-SHA256, exclusive c14n); Signature follows it."""
    root = etree.fromstring(xml, safe_parser())
    rec = root.find("recibo")
    rec.addnext(dsig.signature_element(rec, key, cert))
    return serialize(root)
