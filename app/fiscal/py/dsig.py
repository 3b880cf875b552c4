"""XMLDSig for SIFEN (MT §7.6, NT-016): enveloped, RSA-SHA256, SHA-256, exclusive c14n,
Reference to '#<Id>', only X509Certificate in KeyInfo, default (unprefixed) namespace.

Hand-rolled on lxml + cryptography: the SignedInfo is a fixed template whose exclusive
canonical form we write directly, so a signature costs one c14n, one digest, one RSA op.
Checked against xmlsec1 and signxml in tests. `Signature` goes right after the signed
element (DE in rDE, rEve in rGesEve); for a DE the QR (`gCamFuFD`) follows it.
"""
from __future__ import annotations

import base64
import hashlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from app.fiscal.base import Finding
from app.fiscal.py import qr as qr_mod
from app.fiscal.py.catalog import DS, NS
from app.fiscal.py.schema import safe_parser, serialize

_N = "{%s}" % NS
_D = "{%s}" % DS
C14N_EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

# SignedInfo's children in exclusive-c14n form; in the document SignedInfo inherits the
# default namespace from <Signature>, so its canonical form adds exactly that xmlns.
_SIGNED_INFO_BODY = (
    '<CanonicalizationMethod Algorithm="' + C14N_EXC + '">'
    '</CanonicalizationMethod><SignatureMethod Algorithm="' + RSA_SHA256 + '"></SignatureMethod>'
    '<Reference URI="#{uri}"><Transforms><Transform Algorithm="' + ENVELOPED + '"></Transform>'
    '<Transform Algorithm="' + C14N_EXC + '"></Transform></Transforms><DigestMethod Algorithm="'
    + SHA256 + '"></DigestMethod><DigestValue>{digest}</DigestValue></Reference>')


C14N_INC = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


def _c14n(element, exclusive: bool = True) -> bytes:
    """Canonical form of `element` as a document subset. The subtree is first re-rooted
    (serialize + parse keeps every in-scope namespace) because libxml2's in-place c14n of a
    sub-element can emit spurious xmlns="" on descendants (seen with inclusive c14n)."""
    detached = etree.fromstring(etree.tostring(element), safe_parser())
    return etree.tostring(detached, method="c14n", exclusive=exclusive, with_comments=False)


def _cert_b64(cert) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def signature_element(target, key, cert) -> etree._Element:
    """Builds the <Signature> for `target` (an element with an Id); does not insert it."""
    ref_id = target.get("Id")
    if not ref_id:
        raise ValueError("El elemento a firmar no tiene atributo Id")
    digest = base64.b64encode(hashlib.sha256(_c14n(target)).digest()).decode("ascii")
    body = _SIGNED_INFO_BODY.format(uri=ref_id, digest=digest)
    canonical = '<SignedInfo xmlns="' + DS + '">' + body + "</SignedInfo>"
    sig_value = base64.b64encode(
        key.sign(canonical.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode("ascii")
    xml = ('<Signature xmlns="' + DS + '"><SignedInfo>' + body + "</SignedInfo><SignatureValue>" + sig_value + "</SignatureValue><KeyInfo><X509Data><X509Certificate>"
           + _cert_b64(cert) + "</X509Certificate></X509Data></KeyInfo></Signature>")
    return etree.fromstring(xml, safe_parser())


def _strip(rde) -> None:
    for tag in (_D + "Signature", _N + "gCamFuFD"):
        for old in rde.findall(tag):
            rde.remove(old)


def sign(rde_xml: bytes, key, cert, *, csc_id: str | None = None, csc: str | None = None,
         production: bool = False) -> bytes:
    """Signs the DE of an unsigned rDE; with a CSC also appends gCamFuFD/dCarQR (without it
    the result lacks the mandatory QR group: call `add_qr` before storing)."""
    root = etree.fromstring(rde_xml, safe_parser())
    _strip(root)
    de = root.find(_N + "DE")
    if de is None:
        raise ValueError("No se encontró el elemento DE")
    de.addnext(signature_element(de, key, cert))
    if csc is not None:
        _append_qr(root, csc_id, csc, production)
    return serialize(root)


def _append_qr(root, csc_id: str, csc: str, production: bool) -> str:
    for old in root.findall(_N + "gCamFuFD"):
        root.remove(old)
    url = qr_mod.qr_url(qr_mod.params_from_rde(root, csc_id), csc, production=production)
    g = etree.SubElement(root, _N + "gCamFuFD")
    etree.SubElement(g, _N + "dCarQR").text = url
    return url


def add_qr(signed_xml: bytes, csc_id: str, csc: str, *, production: bool = False) -> bytes:
    root = etree.fromstring(signed_xml, safe_parser())
    _append_qr(root, csc_id, csc, production)
    return serialize(root)


def qr_of(xml: bytes) -> str:
    root = etree.fromstring(xml, safe_parser())
    el = root.find(f"{_N}gCamFuFD/{_N}dCarQR")
    return el.text if el is not None else ""


def sign_event(event_xml: bytes, key, cert) -> bytes:
    """Signs every rEve of an rEnviEventoDe; Signature goes after rEve inside rGesEve."""
    root = etree.fromstring(event_xml, safe_parser())
    for eve in root.iter(_N + "rEve"):
        parent = eve.getparent()
        for old in parent.findall(_D + "Signature"):
            parent.remove(old)
        eve.addnext(signature_element(eve, key, cert))
    return serialize(root)


def _verify_signature(sig, doc_root) -> tuple[bool, str]:
    si = sig.find(_D + "SignedInfo")
    if si is None:
        return False, "Falta SignedInfo"
    algs = {
        "c14n": si.find(_D + "CanonicalizationMethod"),
        "method": si.find(_D + "SignatureMethod"),
    }
    if algs["c14n"] is None or algs["c14n"].get("Algorithm") not in (C14N_EXC, C14N_INC):
        return False, "Método de canonicalización no admitido"
    if algs["method"] is None or algs["method"].get("Algorithm") != RSA_SHA256:
        return False, "Método de firma no admitido (se espera RSA-SHA256)"
    refs = si.findall(_D + "Reference")
    if len(refs) != 1:
        return False, "Se espera exactamente una referencia"
    ref = refs[0]
    uri = ref.get("URI", "")
    if not uri.startswith("#"):
        return False, "La referencia no apunta a un Id"
    targets = [e for e in doc_root.iter() if isinstance(e.tag, str) and e.get("Id") == uri[1:]]
    if len(targets) != 1:
        return False, f"Id referenciado {uri} no encontrado o repetido"
    target = targets[0]
    transforms = [t.get("Algorithm") for t in ref.findall(f"{_D}Transforms/{_D}Transform")]
    if ENVELOPED not in transforms:
        return False, "Falta la transformación enveloped-signature"
    if target.find(".//" + _D + "Signature") is not None:  # enveloped: drop our signature
        target = etree.fromstring(etree.tostring(target), safe_parser())
        for s in target.iter(_D + "Signature"):
            s.getparent().remove(s)
    if (ref.find(_D + "DigestMethod").get("Algorithm")) != SHA256:
        return False, "Método de resumen no admitido (se espera SHA-256)"
    # NT-016 admits inclusive or exclusive c14n; honour what the signer declared.
    digest = base64.b64encode(hashlib.sha256(_c14n(target, C14N_INC not in transforms)).digest()).decode("ascii")
    if digest != (ref.findtext(_D + "DigestValue") or "").strip():
        return False, "El DigestValue no corresponde al contenido: el documento fue modificado"
    cert_text = sig.findtext(f"{_D}KeyInfo/{_D}X509Data/{_D}X509Certificate")
    if not cert_text:
        return False, "Falta el certificado X509 en KeyInfo"
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode("".join(cert_text.split())))
        value = base64.b64decode("".join((sig.findtext(_D + "SignatureValue") or "").split()))
        si_exclusive = algs["c14n"].get("Algorithm") == C14N_EXC
        cert.public_key().verify(value, _c14n(si, si_exclusive), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False, "SignatureValue inválido"
    except ValueError as exc:
        return False, f"Certificado o firma ilegible: {exc}"
    return True, "Firma válida"


def verify(xml: bytes, *, csc: str | None = None, csc_id: str | None = None) -> list[Finding]:
    """Checks every XMLDSig signature in an rDE or event (check='signature'), and the QR of an
    rDE (check='qr'): its parameters must match the XML; its hash is checked when `csc` is given."""
    try:
        root = etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as exc:
        return [Finding("signature", False, f"XML mal formado: {exc}")]
    if root.getroottree().docinfo.doctype:
        return [Finding("signature", False, "DOCTYPE no permitido en un documento SIFEN")]
    findings = []
    sigs = list(root.iter(_D + "Signature"))
    if not sigs:
        findings.append(Finding("signature", False, "El documento no está firmado"))
    for sig in sigs:
        ok, msg = _verify_signature(sig, root)
        findings.append(Finding("signature", ok, msg))
    if root.tag == _N + "rDE":
        url = root.findtext(f"{_N}gCamFuFD/{_N}dCarQR")
        if not url:
            findings.append(Finding("qr", False, "Falta el código QR (gCamFuFD/dCarQR)"))
        else:
            _, params, hash_ = qr_mod.split_url(url)
            id_csc = params.rpartition("IdCSC=")[2]
            expected = qr_mod.params_from_rde(root, csc_id or id_csc)
            if params != expected:
                findings.append(Finding("qr", False, "Los datos del QR no coinciden con el XML"))
            elif csc is not None and qr_mod.c_hash_qr(params, csc) != hash_:
                findings.append(Finding("qr", False, "cHashQR no corresponde al CSC"))
            else:
                findings.append(Finding("qr", True, "QR coincide con el XML" +
                                        (" y el CSC" if csc is not None else "")))
    return findings
