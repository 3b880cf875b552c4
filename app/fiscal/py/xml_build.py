"""Document model + company -> unsigned `rDE` (dVerFor + DE), element order from DE_v150.xsd.

The output has no whitespace between tags (MT §7.2.4) and is what `dsig.sign` signs.
Business rules the XSD cannot express (NT-023/024, AFE in PYG, …) are checked here and
reported as `ValidationError` naming the field. What only one document type has (its group of
gDtipDE, its own rules) is in its module of `documents`; the amounts are the model's own
(`Document.amounts()`), never recomputed here.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from app.core.company import Company, Establishment
from app.core.errors import ConfigurationError, ErrorCollector
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import documents, geo, rules
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.model import Document, Receiver
from app.fiscal.py.schema import serialize
from app.fiscal.py.xml_parts import el, location as _location, num, opt  # noqa: F401  (re-exported)

PY_TZ = ZoneInfo("America/Asuncion")
_N = "{%s}" % cat.NS


def local_naive(moment: datetime) -> datetime:
    """SIFEN dates carry no zone: aware datetimes are converted to Paraguay time first."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(PY_TZ).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _geo(company: Company, est: Establishment, kind: str, code: int | None) -> str:
    if code is None:
        return ""
    extra = company.extra or {}
    per_est = (extra.get("establishments") or {}).get(est.code) or {}
    desc = per_est.get(f"{kind}_desc") or extra.get(f"{kind}_desc")
    if not desc:
        desc = (geo.KNOWN_CITIES if kind == "ciudad" else geo.KNOWN_DISTRICTS).get(code, "")
    if not desc:
        raise ConfigurationError(f"Falta la descripción del {kind} {code} del establecimiento {est.code}")
    return desc


def _is_test(company: Company) -> bool:
    return company.environment != "produccion"


MAX_CHANGE = Decimal("999999.9999")  # gGrupSup/dVuelto is tMontoBase6


def _validate_rules(doc: Document, errors: ErrorCollector, issuer_ruc: str | None = None) -> None:
    r = doc.receiver
    dt = doc.document_type
    if dt is None:
        errors.add("tipoDocumento", f"Tipo de documento {doc.doc_type} no soportado "
                                    f"({', '.join(str(c) for c in documents.codes())})")
        return
    if not doc.items:
        errors.add("items", "El documento debe tener al menos un ítem")
    if len(doc.items) > 999:
        errors.add("items", "Máximo 999 ítems por documento")
    if r.anonymous:
        if not dt.allows_anonymous:
            errors.add("cliente.documentoTipo", "Innominado no permitido en notas de crédito, débito o remisión (1331)")
        elif r.operation != 2:
            errors.add("cliente.tipoOperacion", "Innominado solo se permite en operaciones B2C (1333)")
    if r.contribuyente:
        if not r.ruc:
            errors.add("cliente.ruc", "RUC obligatorio para receptor contribuyente")
        elif ruc_mod.validate(r.ruc, require_dv=False) or (
                r.ruc_dv is not None and r.ruc_dv != ruc_mod.check_digit(r.ruc)):
            errors.add("cliente.ruc", f"RUC del receptor inválido: {r.ruc}-{r.ruc_dv}")
        if r.taxpayer_type not in (1, 2):
            errors.add("cliente.tipoContribuyente", "Tipo de contribuyente del receptor obligatorio (1 o 2)")
    else:
        if r.operation != 4 and not r.id_number:
            errors.add("cliente.documentoNumero", "Número de documento obligatorio para receptor no contribuyente")
        if r.operation != 4 and r.id_type not in (1, 2, 3, 4, 5, 6, 9):
            errors.add("cliente.documentoTipo", "Tipo de documento del receptor inválido")
    if r.location and r.location.address and r.operation != 4:
        if r.location.departamento is None or r.location.ciudad is None:
            errors.add("cliente.departamento", "Con dirección se requieren departamento y ciudad (1330)")
        if r.location.ciudad is not None and not r.location.ciudad_desc:
            errors.add("cliente.ciudadDescripcion", "Descripción de la ciudad obligatoria")
        if r.location.distrito is not None and not r.location.distrito_desc:
            errors.add("cliente.distritoDescripcion", "Descripción del distrito obligatoria")
    dt.check(doc, errors)
    if dt.needs_associated and not doc.associated:
        errors.add("documentoAsociado", "Documento asociado obligatorio para este tipo de documento (2400)")
    if dt.has_payments and doc.condition == 1 and not doc.payments:
        errors.add("condicion.entregas", "Operación contado: informe al menos una forma de pago")
    if dt.has_payments and doc.condition == 2 and doc.credit is None:
        errors.add("condicion.credito", "Operación a crédito: informe el crédito")
    if doc.currency != "PYG" and dt.commercial:
        if doc.exchange_condition == 1 and not doc.exchange_rate:
            errors.add("cambio", "Tipo de cambio obligatorio si la moneda no es PYG")
        if doc.exchange_condition not in (1, 2):
            errors.add("condicionTipoCambio", "Condición del tipo de cambio obligatoria si la moneda no es PYG")
        if doc.exchange_condition == 2 and any(not i.exchange_rate for i in doc.items):
            errors.add("items.cambio", "Tipo de cambio por ítem obligatorio")
    if doc.currency not in cat.currencies():
        errors.add("moneda", f"Moneda '{doc.currency}' no válida")
    if doc.change is not None and doc.change > MAX_CHANGE:
        errors.add("sectorSupermercados.vuelto", f"Vuelto de {num(doc.change)}: SIFEN admite en dVuelto hasta "
                                                 "999999,9999; registre un pago menor o sin vuelto")
    if issuer_ruc is not None:
        for rule in rules.problems(rules.from_model(doc, issuer_ruc)):
            errors.add(rule.field, f"{rule.message} ({rule.code})")


def check_rules(doc: Document, issuer_ruc: str) -> None:
    """Raises `ValidationError` naming every field that breaks one of SIFEN's offline rules."""
    errors = ErrorCollector()
    _validate_rules(doc, errors, issuer_ruc)
    errors.raise_if_any()


def _receiver(parent, r: Receiver) -> None:
    g = el(parent, "gDatRec")
    el(g, "iNatRec", "1" if r.contribuyente else "2")
    el(g, "iTiOpe", str(r.operation))
    el(g, "cPaisRec", r.country)
    el(g, "dDesPaisRe", cat.describe(cat.countries(), r.country, "país"))
    if r.contribuyente:
        el(g, "iTiContRec", str(r.taxpayer_type))
        el(g, "dRucRec", r.ruc)
        el(g, "dDVRec", str(ruc_mod.check_digit(r.ruc) if r.ruc_dv is None else r.ruc_dv))
    elif r.id_type is not None:
        el(g, "iTipIDRec", str(r.id_type))
        el(g, "dDTipIDRec", r.id_type_desc if r.id_type == 9 else cat.RECEIVER_ID_TYPES[r.id_type])
        el(g, "dNumIDRec", "0" if r.anonymous else r.id_number)
    el(g, "dNomRec", "Sin Nombre" if r.anonymous and not r.name else r.name)
    opt(g, "dNomFanRec", r.trade_name)
    loc = r.location
    if loc and loc.address:
        el(g, "dDirRec", loc.address)
        el(g, "dNumCasRec", str(int(loc.house_number or 0)))
        if r.operation != 4:
            el(g, "cDepRec", str(loc.departamento))
            el(g, "dDesDepRec", cat.describe(cat.departments(), loc.departamento, "departamento"))
            if loc.distrito is not None:
                el(g, "cDisRec", str(loc.distrito))
                el(g, "dDesDisRec", loc.distrito_desc)
            el(g, "cCiuRec", str(loc.ciudad))
            el(g, "dDesCiuRec", loc.ciudad_desc)
    opt(g, "dTelRec", r.phone)
    opt(g, "dCelRec", r.mobile)
    opt(g, "dEmailRec", r.email.split(",")[0].strip() if r.email else "")
    opt(g, "dCodCliente", r.code)


def _issuer(parent, company: Company, est: Establishment, base: str, dv: int) -> None:
    g = el(parent, "gEmis")
    el(g, "dRucEm", base)
    el(g, "dDVEmi", str(dv))
    el(g, "iTipCont", str(company.tipo_contribuyente))
    if company.tipo_regimen:
        el(g, "cTipReg", str(company.tipo_regimen))
    el(g, "dNomEmi", cat.TEST_ISSUER_NAME if _is_test(company) else company.razon_social)
    opt(g, "dNomFanEmi", company.nombre_comercial)
    el(g, "dDirEmi", est.address or company.address)
    el(g, "dNumCas", str(int(est.house_number or 0)))
    if est.departamento is None or est.ciudad is None:
        raise ConfigurationError(f"El establecimiento {est.code} no tiene departamento y ciudad configurados")
    el(g, "cDepEmi", str(est.departamento))
    el(g, "dDesDepEmi", cat.describe(cat.departments(), est.departamento, "departamento"))
    if est.distrito is not None:
        el(g, "cDisEmi", str(est.distrito))
        el(g, "dDesDisEmi", _geo(company, est, "distrito", est.distrito))
    el(g, "cCiuEmi", str(est.ciudad))
    el(g, "dDesCiuEmi", _geo(company, est, "ciudad", est.ciudad))
    phone, email = est.phone or company.phone, est.email or company.email
    if not (6 <= len(phone) <= 15) or "@" not in email:
        raise ConfigurationError(f"El establecimiento {est.code} necesita teléfono (6 a 15 caracteres) y correo")
    el(g, "dTelEmi", phone)
    el(g, "dEmailE", email)
    opt(g, "dDenSuc", est.name[:30] if est.name else "")
    if not company.actividades:
        raise ConfigurationError("La empresa no tiene actividades económicas configuradas (gActEco)")
    for code, desc in company.actividades[:9]:
        a = el(g, "gActEco")
        el(a, "cActEco", code)
        el(a, "dDesActEco", desc)


def _responsible(parent, resp: dict) -> None:
    g = el(parent, "gRespDE")
    el(g, "iTipIDRespDE", str(resp["id_type"]))
    el(g, "dDTipIDRespDE", resp.get("id_type_desc") or cat.PERSON_ID_TYPES[int(resp["id_type"])])
    el(g, "dNumIDRespDE", resp["id_number"])
    el(g, "dNomRespDE", resp["name"])
    el(g, "dCarRespDE", resp["role"])


def _payments(parent, doc: Document) -> None:
    g = el(parent, "gCamCond")
    el(g, "iCondOpe", str(doc.condition))
    el(g, "dDCondOpe", cat.CONDITIONS[doc.condition])
    for p in doc.payments:
        pg = el(g, "gPaConEIni")
        el(pg, "iTiPago", str(p.kind))
        el(pg, "dDesTiPag", p.kind_desc if p.kind == 99 else cat.PAYMENT_TYPES[p.kind])
        el(pg, "dMonTiPag", num(p.amount))
        el(pg, "cMoneTiPag", p.currency)
        el(pg, "dDMoneTiPag", cat.currencies()[p.currency])
        if p.currency != "PYG" and p.exchange_rate:
            el(pg, "dTiCamTiPag", num(p.exchange_rate))
        if p.card and p.kind in (3, 4):
            c = el(pg, "gPagTarCD")
            el(c, "iDenTarj", str(p.card.brand))
            el(c, "dDesDenTarj", p.card.brand_desc if p.card.brand == 99 else cat.CARD_BRANDS[p.card.brand])
            opt(c, "dRSProTar", p.card.processor_name)
            if p.card.processor_ruc:
                el(c, "dRUCProTar", p.card.processor_ruc)
                el(c, "dDVProTar", str(ruc_mod.check_digit(p.card.processor_ruc)
                                       if p.card.processor_dv is None else p.card.processor_dv))
            el(c, "iForProPa", str(p.card.processing))
            if p.card.auth_code:
                el(c, "dCodAuOpe", str(p.card.auth_code))
            opt(c, "dNomTit", p.card.holder)
            # xs:positiveInteger: a card ending in 0000 cannot be written (backend warns)
            opt(c, "dNumTarj", p.card.last4 if p.card.last4 and p.card.last4.strip("0") else None)
        if p.kind == 2 and p.cheque_number:
            c = el(pg, "gPagCheq")
            el(c, "dNumCheq", p.cheque_number.rjust(8, "0"))
            el(c, "dBcoEmi", p.cheque_bank)
    if doc.credit is not None:
        c = doc.credit
        cg = el(g, "gPagCred")
        el(cg, "iCondCred", str(c.kind))
        el(cg, "dDCondCred", cat.CREDIT_CONDITIONS[c.kind])
        if c.kind == 1:
            el(cg, "dPlazoCre", c.term)
        if c.kind == 2:
            el(cg, "dCuotas", str(c.installments_count or len(c.installments)))
        if c.down_payment:
            el(cg, "dMonEnt", num(c.down_payment))
        for inst in c.installments:
            q = el(cg, "gCuotas")
            el(q, "cMoneCuo", inst.currency)
            el(q, "dDMoneCuo", cat.currencies()[inst.currency])
            el(q, "dMonCuota", num(inst.amount))
            if inst.due:
                el(q, "dVencCuo", inst.due.isoformat())


def _transport(parent, doc: Document) -> None:
    tr = doc.transport
    g = el(parent, "gTransp")
    if tr.kind:
        el(g, "iTipTrans", str(tr.kind))
        el(g, "dDesTipTrans", cat.TRANSPORT_TYPES[tr.kind])
    el(g, "iModTrans", str(tr.mode))
    el(g, "dDesModTrans", cat.TRANSPORT_MODES[tr.mode])
    el(g, "iRespFlete", str(tr.freight_responsible))
    if tr.start:
        el(g, "dIniTras", tr.start.isoformat())
    if tr.end:
        el(g, "dFinTras", tr.end.isoformat())
    if tr.departure:
        s = el(g, "gCamSal")
        _location(s, tr.departure, ("dDirLocSal", "dNumCasSal", "dComp1Sal", "dComp2Sal", "cDepSal",
                                    "dDesDepSal", "cDisSal", "dDesDisSal", "cCiuSal", "dDesCiuSal", "dTelSal"))
    if tr.delivery:
        s = el(g, "gCamEnt")
        _location(s, tr.delivery, ("dDirLocEnt", "dNumCasEnt", "dComp1Ent", "dComp2Ent", "cDepEnt",
                                   "dDesDepEnt", "cDisEnt", "dDesDisEnt", "cCiuEnt", "dDesCiuEnt", "dTelEnt"))
    for v in tr.vehicles[:4]:
        s = el(g, "gVehTras")
        el(s, "dTiVehTras", v.kind)
        el(s, "dMarVeh", v.brand)
        el(s, "dTipIdenVeh", str(v.id_kind))
        if v.id_kind == 1:
            el(s, "dNroIDVeh", v.id_number)
        if v.id_kind == 2:
            el(s, "dNroMatVeh", v.plate)
    if tr.carrier:
        c = tr.carrier
        s = el(g, "gCamTrans")
        el(s, "iNatTrans", "1" if c.contribuyente else "2")
        el(s, "dNomTrans", c.name)
        if c.contribuyente:
            el(s, "dRucTrans", c.ruc)
            el(s, "dDVTrans", str(ruc_mod.check_digit(c.ruc) if c.ruc_dv is None else c.ruc_dv))
        else:
            el(s, "iTipIDTrans", str(c.id_type))
            el(s, "dDTipIDTrans", cat.PERSON_ID_TYPES[c.id_type])
            el(s, "dNumIDTrans", c.id_number)
        el(s, "dNumIDChof", c.driver_id)
        el(s, "dNomChof", c.driver_name)
        el(s, "dDomFisc", c.address)
        el(s, "dDirChof", c.driver_address)


def _associated(parent, doc: Document) -> None:
    for a in doc.associated:
        g = el(parent, "gCamDEAsoc")
        el(g, "iTipDocAso", str(a.kind))
        el(g, "dDesTipDocAso", cat.ASSOCIATED_DOC_TYPES[a.kind])
        if a.kind == 1:
            el(g, "dCdCDERef", a.cdc)
        elif a.kind == 2:
            el(g, "dNTimDI", a.timbrado.rjust(8, "0"))
            el(g, "dEstDocAso", a.establishment.rjust(3, "0"))
            el(g, "dPExpDocAso", a.point.rjust(3, "0"))
            el(g, "dNumDocAso", a.number.rjust(7, "0"))
            el(g, "iTipoDocAso", str(a.printed_type))
            el(g, "dDTipoDocAso", cat.PRINTED_DOC_TYPES[a.printed_type])
            el(g, "dFecEmiDI", a.issued_on.isoformat())
        elif a.kind == 3:
            el(g, "iTipCons", str(a.constancia_type))
            el(g, "dDesTipCons", cat.CONSTANCIA_TYPES[a.constancia_type])
            opt(g, "dNumCons", a.constancia_number)
            opt(g, "dNumControl", a.constancia_control)


def build(model: Document, company: Company, sequential: int, cod_seg: str,
          issued_at: datetime | None = None, *, signed_at: datetime | None = None
          ) -> tuple[str, bytes]:
    """-> (CDC, unsigned rDE bytes). `issued_at` (dFeEmiDE, default model.issued_at) also
    dates the CDC; `signed_at` is dFecFirma (default: issued_at). iTipEmi is always 1."""
    doc = model
    t = doc.doc_type
    issued = local_naive(issued_at or doc.issued_at)
    signed = local_naive(signed_at) if signed_at else issued
    if not company.timbrado or company.timbrado_start is None:
        raise ConfigurationError("La empresa no tiene timbrado configurado (número y fecha de inicio)")
    try:
        est = company.establishment(doc.establishment)
    except KeyError:
        raise ConfigurationError(f"Establecimiento {doc.establishment} no configurado") from None
    if doc.point not in {p.code for p in est.points}:
        raise ConfigurationError(f"Punto de expedición {doc.point} no configurado en el establecimiento {est.code}")
    base, dv = ruc_mod.split(company.ruc)
    if dv is None or dv < 0:
        dv = ruc_mod.check_digit(base)
    if not 1 <= sequential <= 9_999_999:
        raise ConfigurationError("Número de documento fuera de rango (1 a 9999999)")
    if str(cod_seg).lstrip("0") == str(sequential):
        raise ConfigurationError("dCodSeg no puede ser igual al número del documento")

    dt = doc.document_type
    with_iva = doc.with_iva()
    amounts = doc.amounts() if dt is not None else None
    rows, totals = amounts if amounts is not None else (None, None)
    errors = ErrorCollector()
    if issued.date() < company.timbrado_start:
        errors.add("fecha", f"La fecha de emisión es anterior al inicio del timbrado ({company.timbrado_start:%d/%m/%Y}) (1103)")
    if signed < issued - timedelta(days=5) or signed > issued + timedelta(days=30):
        errors.add("fecha", "La fecha de emisión está fuera del rango que SIFEN acepta respecto de la firma (1150/1151)")
    _validate_rules(doc, errors, company.ruc)
    errors.raise_if_any()

    code = cdc_mod.build(t, base, dv, doc.establishment, doc.point, sequential,
                         company.tipo_contribuyente, issued, cod_seg, 1)

    rde = etree.Element(_N + "rDE", nsmap={None: cat.NS, "xsi": cat.XSI})
    rde.set("{%s}schemaLocation" % cat.XSI, cat.SCHEMA_LOCATION)
    el(rde, "dVerFor", cat.VERSION)
    de = el(rde, "DE")
    de.set("Id", code)
    el(de, "dDVId", code[-1])
    el(de, "dFecFirma", signed.isoformat())
    el(de, "dSisFact", "1")
    g = el(de, "gOpeDE")
    el(g, "iTipEmi", "1")
    el(g, "dDesTipEmi", "Normal")
    el(g, "dCodSeg", cod_seg)
    opt(g, "dInfoEmi", doc.info_issuer)
    opt(g, "dInfoFisc", doc.info_fiscal or dt.fiscal_legend)
    g = el(de, "gTimb")
    el(g, "iTiDE", str(t))
    el(g, "dDesTiDE", dt.description)
    el(g, "dNumTim", company.timbrado.rjust(8, "0"))
    el(g, "dEst", doc.establishment)
    el(g, "dPunExp", doc.point)
    el(g, "dNumDoc", f"{sequential:07d}")
    opt(g, "dSerieNum", doc.series)
    el(g, "dFeIniT", company.timbrado_start.isoformat())

    g = el(de, "gDatGralOpe")
    el(g, "dFeEmiDE", issued.isoformat())
    if dt.commercial:
        oc = el(g, "gOpeCom")
        if dt.has_transaction_type:
            el(oc, "iTipTra", str(doc.transaction_type))
            el(oc, "dDesTipTra", cat.TRANSACTION_TYPES[doc.transaction_type])
        el(oc, "iTImp", str(doc.tax_type))
        el(oc, "dDesTImp", cat.TAX_TYPES[doc.tax_type])
        el(oc, "cMoneOpe", doc.currency)
        el(oc, "dDesMoneOpe", cat.currencies()[doc.currency])
        if doc.currency != "PYG":
            el(oc, "dCondTiCam", str(doc.exchange_condition))
            if doc.exchange_condition == 1:
                el(oc, "dTiCam", num(doc.exchange_rate))
        for ob in doc.obligations[:12]:
            o = el(oc, "gOblAfe")
            el(o, "cOblAfe", str(ob))
            el(o, "dDesOblAfe", cat.OBLIGATIONS[ob])
    _issuer(g, company, est, base, dv)
    if doc.responsible:
        _responsible(g.find(_N + "gEmis"), doc.responsible)
    _receiver(g, doc.receiver)

    g = el(de, "gDtipDE")
    dt.build(g, doc)
    if dt.has_payments:
        _payments(g, doc)

    units = cat.units()
    for idx, item in enumerate(doc.items):
        it = el(g, "gCamItem")
        el(it, "dCodInt", item.code)
        opt(it, "dNCM", item.ncm)
        el(it, "dDesProSer", item.description)
        el(it, "cUniMed", str(item.unit))
        el(it, "dDesUniMed", units[item.unit])
        el(it, "dCantProSer", num(item.quantity))
        if item.origin_country:
            el(it, "cPaisOrig", item.origin_country)
            el(it, "dDesPaisOrig", cat.countries()[item.origin_country])
        opt(it, "dInfItem", item.info)
        if rows is not None:
            row = rows[idx]
            v = el(it, "gValorItem")
            el(v, "dPUniProSer", num(item.price))
            if doc.exchange_condition == 2 and item.exchange_rate:
                el(v, "dTiCamIt", num(item.exchange_rate))
            el(v, "dTotBruOpeItem", num(row.gross))
            r = el(v, "gValorRestaItem")
            if row.discount:
                el(r, "dDescItem", num(row.discount))
                el(r, "dPorcDesIt", num(row.discount_pct))
            if row.global_discount:
                el(r, "dDescGloItem", num(row.global_discount))
            if row.advance:
                el(r, "dAntPreUniIt", num(row.advance))
            el(r, "dTotOpeItem", num(row.total))
            if row.total_gs is not None:
                el(r, "dTotOpeGs", num(row.total_gs))
            if with_iva:
                iv = el(it, "gCamIVA")
                el(iv, "iAfecIVA", str(row.iva_type))
                el(iv, "dDesAfecIVA", cat.IVA_AFFECTATION[row.iva_type])
                el(iv, "dPropIVA", num(row.proportion))
                el(iv, "dTasaIVA", str(row.rate))
                el(iv, "dBasGravIVA", num(row.base))
                el(iv, "dLiqIVAItem", num(row.iva))
                el(iv, "dBasExe", num(row.exempt_base))
        if item.lot or item.expiry or item.serial or item.order_number or item.tracking:
            rm = el(it, "gRasMerc")
            opt(rm, "dNumLote", item.lot)
            if item.expiry:
                el(rm, "dVencMerc", item.expiry.isoformat())
            opt(rm, "dNSerie", item.serial)
            opt(rm, "dNumPedi", item.order_number)
            opt(rm, "dNumSegui", item.tracking)
    if doc.cashier or doc.cash_received is not None or doc.change is not None:
        esp = el(g, "gCamEsp")
        sup = el(esp, "gGrupSup")
        opt(sup, "dNomCaj", doc.cashier[:20])
        if doc.cash_received is not None:
            el(sup, "dEfectivo", num(doc.cash_received))
        if doc.change is not None:
            el(sup, "dVuelto", num(doc.change))
    if doc.transport is not None:
        _transport(g, doc)

    if totals is not None:
        ts = el(de, "gTotSub")
        if with_iva:
            el(ts, "dSubExe", num(totals.sub_exe))
            el(ts, "dSubExo", num(totals.sub_exo))
            if doc.tax_type in (1, 5):
                el(ts, "dSub5", num(totals.sub5))
                el(ts, "dSub10", num(totals.sub10))
        for tag, val in (("dTotOpe", totals.tot_ope), ("dTotDesc", totals.tot_desc),
                         ("dTotDescGlotem", totals.tot_desc_glo), ("dTotAntItem", totals.tot_ant_item),
                         ("dTotAnt", totals.tot_ant), ("dPorcDescTotal", totals.porc_desc_total),
                         ("dDescTotal", totals.desc_total), ("dAnticipo", totals.anticipo),
                         ("dRedon", totals.redon)):
            el(ts, tag, num(val))
        el(ts, "dTotGralOpe", num(totals.tot_gral))
        if with_iva and doc.tax_type in (1, 5):
            for tag, val in (("dIVA5", totals.iva5), ("dIVA10", totals.iva10),
                             ("dLiqTotIVA5", totals.liq_iva5), ("dLiqTotIVA10", totals.liq_iva10),
                             ("dTotIVA", totals.tot_iva), ("dBaseGrav5", totals.base5),
                             ("dBaseGrav10", totals.base10), ("dTBasGraIVA", totals.tbase)):
                el(ts, tag, num(val))
        if totals.total_gs is not None:
            el(ts, "dTotalGs", num(totals.total_gs))
    _associated(de, doc)
    return code, serialize(rde)
