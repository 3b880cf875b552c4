"""`verify` for SIFEN XML, ours or anybody's: an rDE, an rLoteDE, or a SOAP envelope around
them (siRecepDE `rEnviDe` with the rDE inline, siRecepLoteDE `rEnvioLote` with the zipped
lote in base64).

Per DE: schema (siRecepDE_v150.xsd), signature, CDC (check digit and agreement with the
fields it encodes, MT §10.1 / code 1000), QR (its parameters against the XML; its hash when
the CSC is known), totals (group F recomputed from the items, MT §10 F / NT-013).
"""
from __future__ import annotations

import base64
import binascii
import io
import zipfile
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from lxml import etree

from app.core.errors import ValidationError
from app.fiscal.base import Finding
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import documents, dsig, schema
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.totals import ItemInput, compute
from app.xmlsafe import parse_xml

_N = "{%s}" % cat.NS
MAX_ZIP_CONTENT = 16 * 1024 * 1024  # a lote is ≤ 50 DEs; refuse zip bombs


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find_local(el, name: str):
    for c in el.iter():
        if _local(c.tag) == name:
            return c
    return None


def _t(de, path: str) -> str:
    el = de.find(_path(path))
    return (el.text or "").strip() if el is not None and el.text else ""


@lru_cache(maxsize=512)
def _path(path: str) -> str:
    return "/".join(_N + p for p in path.split("/"))


def _dec(text: str) -> Decimal:
    try:
        return Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


# ------------------------------------------------------------------------------- per check

def cdc_findings(rde) -> list[Finding]:
    """CDC check digit and agreement with the fields it encodes (MT §10.1, codes 1000/1003)."""
    de = rde.find(_N + "DE")
    if de is None:
        return [Finding("cdc", False, "Falta el elemento DE")]
    code = de.get("Id") or ""
    problems = cdc_mod.validate(code)
    if problems:
        return [Finding("cdc", False, "; ".join(problems))]
    p = cdc_mod.parse(code)
    fe = _t(de, "gDatGralOpe/dFeEmiDE")[:10].replace("-", "")
    expected = {
        "tipo de documento (iTiDE)": (f"{p.doc_type}", _t(de, "gTimb/iTiDE")),
        "RUC del emisor (dRucEm)": (p.ruc, _t(de, "gDatGralOpe/gEmis/dRucEm").lstrip("0")),
        "DV del RUC (dDVEmi)": (str(p.ruc_dv), _t(de, "gDatGralOpe/gEmis/dDVEmi")),
        "establecimiento (dEst)": (p.establishment, _t(de, "gTimb/dEst")),
        "punto de expedición (dPunExp)": (p.point, _t(de, "gTimb/dPunExp")),
        "número (dNumDoc)": (p.number, _t(de, "gTimb/dNumDoc")),
        "tipo de contribuyente (iTipCont)": (str(p.taxpayer_type), _t(de, "gDatGralOpe/gEmis/iTipCont")),
        "fecha de emisión (dFeEmiDE)": (f"{p.issued_on:%Y%m%d}", fe),
        "tipo de emisión (iTipEmi)": (str(p.emission_type), _t(de, "gOpeDE/iTipEmi")),
        "código de seguridad (dCodSeg)": (p.security_code, _t(de, "gOpeDE/dCodSeg")),
        "dígito verificador (dDVId)": (str(p.dv), _t(de, "dDVId")),
    }
    bad = [f"{name}: CDC {a!r}, XML {b!r}" for name, (a, b) in expected.items() if a != b]
    if bad:
        return [Finding("cdc", False, "El CDC no corresponde a los campos del XML (1000): " + "; ".join(bad))]
    ruc_dv = ruc_mod.check_digit(p.ruc)
    if ruc_dv != p.ruc_dv:
        return [Finding("cdc", False, f"DV del RUC del emisor incorrecto (corresponde {ruc_dv})")]
    return [Finding("cdc", True, f"CDC {code} válido y coincide con el XML")]


def _tolerance(currency: str) -> Decimal:
    # MT §10 F: foreign currency and any decimal calculation accept ±0.50; PYG totals are integers
    # computed from 8-decimal item values (REFERENCE §11.3): allow one guaraní.
    return Decimal(1) if currency == "PYG" else Decimal("0.50")


def totals_findings(rde) -> list[Finding]:
    """Group F recomputed from the items (NT-013 formula) and compared with the XML."""
    de = rde.find(_N + "DE")
    if de is None:
        return [Finding("totals", False, "Falta el elemento DE")]
    dt = documents.by_code(_t(de, "gTimb/iTiDE"))
    if dt is not None and not dt.has_values:
        return [Finding("totals", True, f"{dt.description}: sin totales")]
    ts = de.find(_N + "gTotSub")
    if ts is None:
        return [Finding("totals", False, "Falta el grupo de totales gTotSub")]
    currency = _t(de, "gDatGralOpe/gOpeCom/cMoneOpe") or "PYG"
    tax_type = int(_t(de, "gDatGralOpe/gOpeCom/iTImp") or 1)
    with_iva = dt.with_iva(tax_type) if dt is not None else tax_type in documents.base.IVA_TAX_TYPES
    items, xml_rows = [], []
    for it in de.iterfind(f"{_N}gDtipDE/{_N}gCamItem"):
        def v(path: str) -> str:
            el = it.find(_path(path))
            return (el.text or "").strip() if el is not None and el.text else ""
        rate_it = v("gValorItem/dTiCamIt")
        items.append(ItemInput(_dec(v("gValorItem/dPUniProSer")), _dec(v("dCantProSer")),
                               int(v("gCamIVA/iAfecIVA") or 1), _dec(v("gCamIVA/dPropIVA") or "100"),
                               int(v("gCamIVA/dTasaIVA") or 0), _dec(v("gValorItem/gValorRestaItem/dDescItem")),
                               _dec(v("gValorItem/gValorRestaItem/dAntPreUniIt")),
                               _dec(rate_it) if rate_it else None))
        xml_rows.append((_dec(v("gValorItem/gValorRestaItem/dTotOpeItem")), _dec(v("gCamIVA/dLiqIVAItem"))))
    if not items:
        return [Finding("totals", False, "El documento no tiene ítems")]
    cond = _t(de, "gDatGralOpe/gOpeCom/dCondTiCam")
    rate = _t(de, "gDatGralOpe/gOpeCom/dTiCam")

    def tx(tag: str) -> str:
        el = ts.find(_N + tag)
        return (el.text or "").strip() if el is not None and el.text else ""

    try:
        rows, totals = compute(items, currency=currency, exchange_rate=_dec(rate) if cond == "1" and rate else None,
                               round_to_50=_dec(tx("dRedon")) != 0,
                               global_discount_pct=_dec(tx("dPorcDescTotal")), with_iva=with_iva)
    except (ArithmeticError, ValueError, KeyError) as exc:
        return [Finding("totals", False, f"No se pudieron recalcular los totales: {exc}")]
    tol = _tolerance(currency)
    bad = []
    for n, (row, (xml_total, xml_iva)) in enumerate(zip(rows, xml_rows), start=1):
        if abs(row.total - xml_total) > tol:
            bad.append(f"ítem {n}: dTotOpeItem {xml_total}, corresponde {row.total}")
        if with_iva and abs(row.iva - xml_iva) > tol:
            bad.append(f"ítem {n}: dLiqIVAItem {xml_iva}, corresponde {row.iva}")
    fields = [("dTotOpe", totals.tot_ope), ("dTotGralOpe", totals.tot_gral), ("dTotDesc", totals.tot_desc)]
    if with_iva:
        fields += [("dSubExe", totals.sub_exe), ("dSubExo", totals.sub_exo)]
        if tax_type in (1, 5):
            fields += [("dSub5", totals.sub5), ("dSub10", totals.sub10), ("dIVA5", totals.iva5),
                       ("dIVA10", totals.iva10), ("dTotIVA", totals.tot_iva), ("dBaseGrav5", totals.base5),
                       ("dBaseGrav10", totals.base10)]
    if totals.total_gs is not None and tx("dTotalGs"):
        fields.append(("dTotalGs", totals.total_gs))
    for tag, expected in fields:
        got = tx(tag)
        if not got:
            bad.append(f"falta {tag}")
        elif abs(_dec(got) - expected) > tol:
            bad.append(f"{tag} {got}, corresponde {expected}")
    if bad:
        return [Finding("totals", False, "Los totales no cuadran: " + "; ".join(bad[:8]))]
    return [Finding("totals", True, f"Totales correctos ({currency} {tx('dTotGralOpe')})")]


def check_rde(rde, *, csc: str | None = None, csc_id: str | None = None) -> list[Finding]:
    """Every check on one rDE element (detached from any container)."""
    xml = schema.serialize(rde)
    problems = schema.validate(rde)
    out = [Finding("schema", not problems, "Cumple el esquema siRecepDE_v150.xsd" if not problems
                   else "No cumple el esquema: " + "; ".join(problems[:3]))]
    out += dsig.verify(xml, csc=csc, csc_id=csc_id)
    out += cdc_findings(rde)
    out += totals_findings(rde)
    return out


# ------------------------------------------------------------------------------ containers

def unzip_lote(data: bytes) -> bytes:
    """The rLoteDE XML inside a base64-decoded lote zip; ValidationError when it is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if len(names) != 1:
                raise ValidationError("El zip del lote debe contener un solo archivo XML")
            info = zf.getinfo(names[0])
            if info.file_size > MAX_ZIP_CONTENT:
                raise ValidationError("El archivo del lote es demasiado grande")
            return zf.read(names[0])
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise ValidationError(f"El contenido del lote no es un zip válido: {exc}") from None


def lote_rdes(root) -> list:
    """The rDE children of an rLoteDE (namespaced or not, as SIFEN accepts both)."""
    return [c for c in root if _local(c.tag) == "rDE"]


def _from_envelope(root):
    """-> (kind, element or bytes) for what a SOAP envelope carries."""
    body = next((c for c in root if _local(c.tag) == "Body"), None)
    payload = body[0] if body is not None and len(body) else None
    if payload is None:
        raise ValidationError("El sobre SOAP está vacío")
    name = _local(payload.tag)
    xde = next((c for c in payload if _local(c.tag) == "xDE"), None)
    if name == "rEnviDe" and xde is not None and len(xde):
        return "rDE", xde[0]
    if name == "rEnvioLote" and xde is not None:
        try:
            data = base64.b64decode("".join((xde.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("xDE del lote no es base64 válido") from None
        return "rLoteDE", parse_xml(unzip_lote(data))
    raise ValidationError(f"El sobre SOAP contiene {name}, que no es un envío de DE (rEnviDe o rEnvioLote)")


def verify(xml: bytes, *, csc: str | None = None, csc_id: str | None = None) -> list[Finding]:
    try:
        root = parse_xml(xml)
        if root.getroottree().docinfo.doctype:
            return [Finding("xml", False, "DOCTYPE no permitido en un documento SIFEN")]
        kind, el = ("rDE", root) if _local(root.tag) == "rDE" else (
            ("rLoteDE", root) if _local(root.tag) == "rLoteDE" else
            _from_envelope(root) if _local(root.tag) == "Envelope" else (None, None))
    except ValidationError as exc:
        return [Finding("xml", False, str(exc))]
    if kind is None:
        return [Finding("xml", False, f"Elemento raíz {_local(root.tag)} no es un documento SIFEN (rDE, rLoteDE)")]
    if kind == "rDE":
        return check_rde(_detach(el), csc=csc, csc_id=csc_id)
    rdes = lote_rdes(el)
    out = []
    types = {(_t(r.find(_N + "DE"), "gTimb/iTiDE") if r.find(_N + "DE") is not None else "") for r in rdes}
    rucs = {(_t(r.find(_N + "DE"), "gDatGralOpe/gEmis/dRucEm") if r.find(_N + "DE") is not None else "")
            for r in rdes}
    problems = []
    if not 1 <= len(rdes) <= 50:
        problems.append(f"el lote tiene {len(rdes)} DE (1 a 50)")
    if len(types) > 1:
        problems.append("el lote mezcla tipos de documento (0363)")
    if len(rucs) > 1:
        problems.append("el lote mezcla RUC emisores (0301)")
    out.append(Finding("lote", not problems, "; ".join(problems) if problems else f"Lote de {len(rdes)} DE"))
    for n, rde in enumerate(rdes, start=1):
        de = rde.find(_N + "DE")
        label = f"DE {n} ({de.get('Id') if de is not None else '?'})"
        for f in check_rde(_detach(rde), csc=csc, csc_id=csc_id):
            out.append(Finding(f.check, f.ok, f"{label}: {f.message}"))
    return out


def _detach(rde):
    """A stand-alone copy of an rDE element (keeps its in-scope namespaces)."""
    return etree.fromstring(etree.tostring(rde), schema.safe_parser())
