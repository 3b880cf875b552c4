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
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo
from decimal import Decimal, InvalidOperation

from lxml import etree

from app.core.errors import ValidationError
from app.fiscal import signer_report
from app.fiscal.base import Finding
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import documents, dsig, qr, schema
from app.fiscal.py.certificate import FACET as CERTIFICATES
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.totals import ItemInput, compute
from app.xmlsafe import parse_xml

_N = "{%s}" % cat.NS
MAX_ZIP_CONTENT = 16 * 1024 * 1024  # a lote is ≤ 50 DEs; refuse zip bombs
_DS = "{http://www.w3.org/2000/09/xmldsig#}"
_ASUNCION = ZoneInfo("America/Asuncion")


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
    """CDC check digits and agreement with the fields it encodes (MT §10.1, codes 1000/1003).
    A wrong check digit does not stop the comparison: every disagreement is reported."""
    de = rde.find(_N + "DE")
    if de is None:
        return [Finding("cdc", False, "Falta el elemento DE")]
    code = de.get("Id") or ""
    problems = cdc_mod.validate(code)
    try:
        p = cdc_mod.parse(code)
    except ValueError:
        return [Finding("cdc", False, "; ".join(problems) or "CDC inválido")]
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
        problems.append("El CDC no corresponde a los campos del XML (1000): " + "; ".join(bad))
    if problems:
        return [Finding("cdc", False, "; ".join(problems))]
    return [Finding("cdc", True, f"CDC {code} válido y coincide con el XML")]


def _tolerance(currency: str) -> Decimal:
    # MT v150 §10 F (after F013 dRedon): "Para monedas extranjeras o cualquier otro cálculo que
    # contenga decimales, las reglas de validación aceptarán redondeos de 50 céntimos (por encima o
    # por debajo)". PYG totals are computed from 8-decimal item values, so the same ±0.50 applies,
    # at item and at header level (docs/sifen.md, "`verify`: … at which tolerance").
    return Decimal("0.50")


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


def structure_problem(rde) -> str | None:
    """The signed content must be exactly the DE that is a child of the rDE root (MT §7.6): one
    DE, one Signature right under rDE whose only Reference names that DE's Id, and no other
    element anywhere carrying that Id (signature wrapping)."""
    des = [c for c in rde if _local(c.tag) == "DE"]
    if len(des) != 1 or des[0].tag != _N + "DE":
        return f"el rDE debe contener exactamente un DE como hijo directo (tiene {len(des)})"
    de_id = des[0].get("Id") or ""
    sigs = list(rde.iter(_DS + "Signature"))
    if len(sigs) != 1:
        return f"se espera exactamente una firma (hay {len(sigs)})"
    if sigs[0].getparent() is not rde:
        return "la firma debe ser hija directa de rDE"
    uris = [r.get("URI") for r in sigs[0].iter(_DS + "Reference")]
    if uris != [f"#{de_id}"]:
        return f"la firma debe referenciar solo al DE del rDE (#{de_id}); referencia {uris}"
    same_id = [e for e in rde.iter() if isinstance(e.tag, str) and e.get("Id") == de_id]
    if len(same_id) != 1:
        return f"el Id {de_id} aparece {len(same_id)} veces en el documento"
    if any(True for _ in sigs[0].iter(_DS + "Object")) or any(_local(e.tag) == "DE" for e in des[0].iterdescendants()):
        return "la firma contiene elementos no admitidos (ds:Object o un DE anidado)"
    return None


def _signer(rde):
    text = rde.findtext(f"{_DS}Signature/{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate")
    if not text:
        return None
    try:
        from cryptography import x509
        return x509.load_der_x509_certificate(base64.b64decode("".join(text.split())))
    except (ValueError, binascii.Error):
        return None


def certificate_findings(rde) -> list[Finding]:
    """Who signed (holder, RUC, issuer, validity at dFecFirma), whether the RUC is the
    issuer's (0142), and the chain (0141) when the PSC roots are shipped."""
    cert = _signer(rde)
    de = rde.find(_N + "DE")
    if cert is None or de is None:
        return []
    ruc = f"{_t(de, 'gDatGralOpe/gEmis/dRucEm')}-{_t(de, 'gDatGralOpe/gEmis/dDVEmi')}"
    signed_at = None
    try:
        signed_at = datetime.fromisoformat(_t(de, "dFecFirma")).replace(tzinfo=_ASUNCION)
    except ValueError:
        pass
    return signer_report.certificate_findings(cert, [], country="py", cert_ruc=CERTIFICATES.ruc_of(cert),
                                              issuer_ruc=ruc, same_ruc=CERTIFICATES.ruc_matches,
                                              signed_at=signed_at)


def _known_csc(rde, csc: str | None, csc_id: str | None, shop_csc) -> tuple[str | None, str | None, str]:
    """(csc, csc_id, where it came from): the caller's, the shop's (keyring), or the public test CSC
    for a document of the test environment; (None, None, '') when unknown."""
    if csc is not None:
        return csc, csc_id, "el CSC indicado"
    url = rde.findtext(f"{_N}gCamFuFD/{_N}dCarQR") or ""
    _, params, _ = qr.split_url(url) if url else ("", "", "")
    id_csc = params.rpartition("IdCSC=")[2][:4]
    de = rde.find(_N + "DE")
    if shop_csc is not None and de is not None:
        found = shop_csc(f"{_t(de, 'gDatGralOpe/gEmis/dRucEm')}-{_t(de, 'gDatGralOpe/gEmis/dDVEmi')}")
        if found:
            return found, id_csc, "el CSC del comercio"
    if url.startswith(qr.BASE_TEST) and id_csc in qr.TEST_CSC:
        return qr.TEST_CSC[id_csc], id_csc, "el CSC público de pruebas"
    return None, None, ""


def check_rde(rde, *, csc: str | None = None, csc_id: str | None = None, shop_csc=None) -> list[Finding]:
    """Every check on one rDE element (detached from any container)."""
    xml = schema.serialize(rde)
    problems = schema.validate(rde)
    out = [Finding("schema", not problems, "Cumple el esquema siRecepDE_v150.xsd" if not problems
                   else "No cumple el esquema: " + "; ".join(problems[:3]))]
    wrapped = structure_problem(rde)
    if wrapped:
        out.append(Finding("signature", False, f"Estructura de firma no válida: {wrapped}"))
    else:
        csc, csc_id, source = _known_csc(rde, csc, csc_id, shop_csc)
        for f in dsig.verify(xml, csc=csc, csc_id=csc_id):
            if f.check == "qr" and f.ok:
                f = (Finding("qr", True, f"{f.message} (cHashQR verificado con {source})") if csc else
                     Finding("qr", True, f"{f.message}; cHashQR NO VERIFICADO: no se conoce el CSC", unverified=True))
            out.append(f)
        out += certificate_findings(rde)
    out += cdc_findings(rde)
    out += totals_findings(rde)
    return out


# ------------------------------------------------------------------------------ containers

def unzip_lote(data: bytes, *, limit: int = MAX_ZIP_CONTENT) -> bytes:
    """The rLoteDE XML inside a base64-decoded lote zip; ValidationError when it is not one.
    The declared size is checked first, then the content is inflated in chunks and refused as
    soon as it passes `limit`, whatever the header says (a zip may understate its size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if len(names) != 1:
                raise ValidationError("El zip del lote debe contener un solo archivo XML", field="xDE")
            info = zf.getinfo(names[0])
            if info.file_size > limit:
                raise ValidationError(f"El archivo del lote declara {info.file_size} bytes: supera el máximo de "
                                      f"{limit // (1024 * 1024)} MB", field="xDE")
            out = bytearray()
            with zf.open(info) as fh:
                while chunk := fh.read(64 * 1024):
                    out += chunk
                    if len(out) > limit:
                        raise ValidationError(f"El archivo del lote supera el máximo de {limit // (1024 * 1024)} MB "
                                              "al descomprimirlo", field="xDE")
            return bytes(out)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, EOFError, ValueError,
            NotImplementedError) as exc:
        raise ValidationError(f"El contenido del lote no es un zip válido: {exc}", field="xDE") from None


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


def verify(xml: bytes, *, csc: str | None = None, csc_id: str | None = None, shop_csc=None,
           load_secret=None) -> list[Finding]:
    """`shop_csc(ruc) -> csc | None` looks up a shop's own CSC; `load_secret(account)` is the
    keyring lookup the generic `verify` passes inside a data folder (account `csc:<RUC>`)."""
    if shop_csc is None and load_secret is not None:
        def shop_csc(ruc: str) -> str | None:
            try:
                return load_secret(f"csc:{ruc}")  # backend.csc_account (not imported: no cycle)
            except Exception:  # a locked or missing keyring: the hash is then reported as not checked
                return None
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
        return check_rde(_detach(el), csc=csc, csc_id=csc_id, shop_csc=shop_csc)
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
        for f in check_rde(_detach(rde), csc=csc, csc_id=csc_id, shop_csc=shop_csc):
            out.append(Finding(f.check, f.ok, f"{label}: {f.message}", f.unverified))
    return out


def _detach(rde):
    """A stand-alone copy of an rDE element (keeps its in-scope namespaces)."""
    return etree.fromstring(etree.tostring(rde), schema.safe_parser())
