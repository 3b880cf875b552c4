"""XAdES-BES enveloped signature for SRI comprobantes, and its verifier.

Recipe (shared/specs/ec/REFERENCE.md §3.2-3.3): inclusive C14N 1.0 everywhere; three
references (SignedProperties with its Type, the KeyInfo, the comprobante with the enveloped
transform); KeyInfo with X509Certificate and RSAKeyValue; SigningCertificate v1 with the
issuer in Java RFC 2253 form and a decimal serial; SigningTime in Ecuador's local time.
Every digest is taken on the element in its final place in the tree, so the in-scope
namespace declarations that inclusive C14N renders are the ones a validator will see.

The signed bytes are the input bytes with the signature inserted before the root's end tag:
what the caller built is kept byte for byte (invariant 2), only the signature is added.
"""
from __future__ import annotations

import base64
import codecs
import copy
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from app.fiscal.base import Finding
from app.fiscal.signing import SigningIdentity

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
EC_TZ = ZoneInfo("America/Guayaquil")

# name -> (hashlib name, DigestMethod URI, SignatureMethod URI, cryptography hash)
ALGORITHMS = {
    "sha1": ("sha1", "http://www.w3.org/2000/09/xmldsig#sha1",
             "http://www.w3.org/2000/09/xmldsig#rsa-sha1", hashes.SHA1),
    "sha256": ("sha256", "http://www.w3.org/2001/04/xmlenc#sha256",
               "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", hashes.SHA256),
}
STYLES = ("sri", "bryancalisto")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           remove_blank_text=False, load_dtd=False)


@dataclass(frozen=True)
class XadesIds:
    """The Id attributes of one signature. Any unique XML ids work for the SRI."""

    signature: str
    signed_info: str
    signed_properties: str
    signed_properties_ref: str
    key_info: str
    key_info_ref: str | None
    document_ref: str
    signature_value: str
    object: str

    @classmethod
    def random(cls) -> "XadesIds":
        """Numbered like the SRI's own signer (FICHA Anexo 14): Signature620397, ..."""
        n = lambda: secrets.randbelow(900000) + 100000  # noqa: E731 - six random digits
        sig = f"Signature{n()}"
        return cls(signature=sig, signed_info=f"Signature-SignedInfo{n()}",
                   signed_properties=f"{sig}-SignedProperties{n()}",
                   signed_properties_ref=f"SignedPropertiesID{n()}", key_info=f"Certificate{n()}",
                   key_info_ref=None, document_ref=f"Reference-ID-{n()}",
                   signature_value=f"SignatureValue{n()}", object=f"{sig}-Object{n()}")

    @classmethod
    def from_uuid(cls, uuid: str) -> "XadesIds":
        """bryancalisto/ec-sri-invoice-signer naming (Signature-<uuid>, ...)."""
        return cls(signature=f"Signature-{uuid}", signed_info=f"SignedInfo-{uuid}",
                   signed_properties=f"SignedProperties-{uuid}",
                   signed_properties_ref=f"SignedPropertiesRef-{uuid}", key_info=f"Certificate-{uuid}",
                   key_info_ref=f"CertificateRef-{uuid}", document_ref=f"DocumentRef-{uuid}",
                   signature_value=f"SignatureValue-{uuid}", object=f"SignatureObject-{uuid}")


def signing_time_text(when: datetime) -> str:
    """'2024-04-18T14:34:32.878-05:00': Ecuador local time, milliseconds, offset."""
    if when.tzinfo is None:
        raise ValueError("signing_time must be timezone-aware")
    local = when.astimezone(EC_TZ)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{offset[:3]}:{offset[3:]}"


def _c14n(element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=False, with_comments=False)


def _digest(hash_name: str, data: bytes) -> str:
    return base64.b64encode(hashlib.new(hash_name, data).digest()).decode("ascii")


def _attr(name: str, value: str | None) -> str:
    return f" {name}={quoteattr(value)}" if value is not None else ""


def _template(*, style: str, ids: XadesIds, doc_uri: str, doc_digest: str, algorithm: str,
              identity: SigningIdentity, signing_time: str) -> str:
    """The signature with empty SignedProperties/KeyInfo digests and SignatureValue."""
    hash_name, digest_uri, sig_uri, _ = ALGORITHMS[algorithm]
    xp = "xades" if style == "bryancalisto" else "etsi"
    xmlns_x = f' xmlns:{xp}="{XADES}"'
    dm = f'<ds:DigestMethod Algorithm="{digest_uri}"/>'
    ref_doc = (f'<ds:Reference{_attr("Id", ids.document_ref)} URI={quoteattr(doc_uri)}><ds:Transforms>'
               f'<ds:Transform Algorithm="{ENVELOPED}"/></ds:Transforms>{dm}'
               f'<ds:DigestValue>{doc_digest}</ds:DigestValue></ds:Reference>')
    ref_props = (f'<ds:Reference{_attr("Id", ids.signed_properties_ref)} Type="{SIGNED_PROPERTIES_TYPE}"'
                 f' URI="#{ids.signed_properties}">{dm}<ds:DigestValue></ds:DigestValue></ds:Reference>')
    ref_key = (f'<ds:Reference{_attr("Id", ids.key_info_ref)} URI="#{ids.key_info}">{dm}'
               f'<ds:DigestValue></ds:DigestValue></ds:Reference>')
    refs = ref_doc + ref_props + ref_key if style == "bryancalisto" else ref_props + ref_key + ref_doc
    modulus, exponent = identity.rsa_key_value_b64
    if style == "bryancalisto":
        data_format = ("<xades:Description>Firma digital</xades:Description><xades:MimeType>text/xml"
                       "</xades:MimeType><xades:Encoding>UTF-8</xades:Encoding>")
    else:
        data_format = ("<etsi:Description>contenido comprobante</etsi:Description>"
                       "<etsi:MimeType>text/xml</etsi:MimeType>")
    return (
        f'<ds:Signature xmlns:ds="{DS}"{"" if style == "bryancalisto" else xmlns_x} Id="{ids.signature}">'
        f'<ds:SignedInfo Id="{ids.signed_info}"><ds:CanonicalizationMethod Algorithm="{C14N}"/>'
        f'<ds:SignatureMethod Algorithm="{sig_uri}"/>{refs}</ds:SignedInfo>'
        f'<ds:SignatureValue Id="{ids.signature_value}"></ds:SignatureValue>'
        f'<ds:KeyInfo Id="{ids.key_info}"><ds:X509Data><ds:X509Certificate>{identity.cert_b64}'
        f'</ds:X509Certificate></ds:X509Data><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>{modulus}</ds:Modulus>'
        f'<ds:Exponent>{exponent}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>'
        f'<ds:Object Id="{ids.object}"><{xp}:QualifyingProperties'
        f'{xmlns_x if style == "bryancalisto" else ""} Target="#{ids.signature}">'
        f'<{xp}:SignedProperties Id="{ids.signed_properties}"><{xp}:SignedSignatureProperties>'
        f'<{xp}:SigningTime>{signing_time}</{xp}:SigningTime><{xp}:SigningCertificate><{xp}:Cert>'
        f'<{xp}:CertDigest>{dm}<ds:DigestValue>{identity.cert_digest_b64(hash_name)}</ds:DigestValue>'
        f'</{xp}:CertDigest><{xp}:IssuerSerial><ds:X509IssuerName>{escape(identity.issuer_rfc4514)}'
        f'</ds:X509IssuerName><ds:X509SerialNumber>{identity.serial}</ds:X509SerialNumber>'
        f'</{xp}:IssuerSerial></{xp}:Cert></{xp}:SigningCertificate></{xp}:SignedSignatureProperties>'
        f'<{xp}:SignedDataObjectProperties><{xp}:DataObjectFormat ObjectReference="#{ids.document_ref}">'
        f'{data_format}</{xp}:DataObjectFormat></{xp}:SignedDataObjectProperties></{xp}:SignedProperties>'
        f'</{xp}:QualifyingProperties></ds:Object></ds:Signature>')


def parse(xml: bytes):
    """The tree `sign` reads `xml` as (the signer's parser). A caller that must also inspect
    the document before signing (the XSD validation of app/fiscal/ec/backend.py) parses it once
    with this and hands the tree to `sign(..., tree=)`: what was validated is what is signed."""
    if xml.startswith(codecs.BOM_UTF8):
        xml = xml[len(codecs.BOM_UTF8):]
    return etree.ElementTree(etree.fromstring(xml, _parser()))


def sign(xml: bytes, identity: SigningIdentity, *, algorithm: str = "sha1",
         signing_time: datetime | None = None, ids: XadesIds | None = None, style: str = "sri",
         tree=None) -> bytes:
    """Signs a comprobante (root with id="comprobante", no namespace declarations) and
    returns UTF-8 bytes: the input as given plus the ds:Signature as the root's last child.
    style='sri' is the FICHA/Odoo layout; 'bryancalisto' reproduces that library byte for byte.
    `tree`: `parse(xml)` already made by the caller and not modified since (it is consumed: the
    signature is appended to it); saves parsing the same bytes twice."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unsupported algorithm {algorithm!r}")
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    if xml.startswith(codecs.BOM_UTF8):
        xml = xml[len(codecs.BOM_UTF8):]
    if tree is None:
        tree = parse(xml)
    root = tree.getroot()
    encoding = (tree.docinfo.encoding or "UTF-8").upper()
    if encoding not in ("UTF-8", "UTF8"):
        raise ValueError(f"the comprobante must be UTF-8, not {encoding}")
    if tree.docinfo.doctype:
        raise ValueError("the comprobante must not carry a DOCTYPE")
    if root.nsmap or root.prefix:
        # inclusive C14N would copy these declarations into every signed subtree
        raise ValueError("the comprobante root must carry no xmlns declarations")
    if root.find(f"{{{DS}}}Signature") is not None:
        raise ValueError("the comprobante is already signed")
    doc_id = root.get("id")
    if not doc_id:
        raise ValueError('the comprobante root needs an id attribute (id="comprobante")')
    hash_name, _, _, hash_cls = ALGORITHMS[algorithm]
    ids = ids or XadesIds.random()
    when = signing_time_text(signing_time or datetime.now(timezone.utc))

    doc_digest = _digest(hash_name, _c14n(root))
    signature = etree.fromstring(_template(style=style, ids=ids, doc_uri=f"#{doc_id}", doc_digest=doc_digest,
                                           algorithm=algorithm, identity=identity, signing_time=when), _parser())
    root.append(signature)  # digests below are taken in the final position
    signed_info = signature[0]
    key_info = signature[2]
    props = signature[3][0][0]
    for ref in signed_info.iterfind(f"{{{DS}}}Reference"):
        uri = ref.get("URI")
        target = props if uri == f"#{ids.signed_properties}" else key_info if uri == f"#{ids.key_info}" else None
        if target is not None:
            ref[-1].text = _digest(hash_name, _c14n(target))
    value = identity.key.sign(_c14n(signed_info), padding.PKCS1v15(), hash_cls())
    signature[1].text = base64.b64encode(value).decode("ascii")
    return _with_signature(xml, tree, signature)


_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>")


def _with_signature(xml: bytes, tree, signature) -> bytes:
    """Inserts the serialized signature before the root end tag of the original bytes."""
    sig_bytes = etree.tostring(signature, encoding="UTF-8", xml_declaration=False)
    root = tree.getroot()
    end = re.search(rb"</" + re.escape(root.tag.encode("utf-8")) + rb"\s*>\s*$", xml)
    if end is None:  # trailing comments/PIs or a self-closed root: let lxml write it all
        return etree.tostring(tree, encoding="UTF-8", xml_declaration=True)
    body = xml[:end.start()] + sig_bytes + xml[end.start():]
    if not _DECL.match(body):
        body = b'<?xml version="1.0" encoding="UTF-8"?>' + body
    return body


# --------------------------------------------------------------------------- verification

_C14N_METHODS = {  # URI -> (exclusive, with_comments)
    C14N: (False, False),
    C14N + "#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}
_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
_SIGNATURE_METHODS = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}
_XADES_NS = (XADES, "http://uri.etsi.org/01903/v1.4.1#")


def _fail(message: str) -> Finding:
    return Finding("signature", False, message)


def _index_path(element) -> list[int]:
    path = []
    while element.getparent() is not None:
        parent = element.getparent()
        path.append(parent.index(element))
        element = parent
    return path[::-1]


def _follow(root, path: list[int]):
    for i in path:
        root = root[i]
    return root


def _without(root, signature):
    """A copy of the whole tree with `signature` removed as the enveloped transform says:
    the element goes, the text around it stays."""
    clone = copy.deepcopy(root.getroottree()).getroot()
    _drop(_follow(clone, _index_path(signature)))
    return clone


def _drop(element) -> None:
    parent = element.getparent()
    if element.tail:
        prev = element.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def strip_signature(root):
    """A copy of `root` (element or tree) without any ds:Signature, for schema validation."""
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    clone = copy.deepcopy(root)
    for sig in list(clone.iter(f"{{{DS}}}Signature")):
        _drop(sig)
    return clone


_ID_XPATH = etree.XPath("//*[@Id=$v or @id=$v or @ID=$v]")  # compiled once: verify runs it per reference


def _by_id(root, value: str):
    found = _ID_XPATH(root, v=value)
    return found[0] if len(found) == 1 else None


def _local(node) -> str:
    """Local name of an element; '' for comments and processing instructions."""
    tag = node.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _ref_label(root, target, uri: str) -> str:
    if target is root:
        return f"la referencia {uri or '(documento)'}"
    if _local(target) == "SignedProperties":
        return f"la referencia {uri} (propiedades firmadas XAdES)"
    if _local(target) == "KeyInfo":
        return f"la referencia {uri} (KeyInfo, el certificado)"
    return f"la referencia {uri}"


def _reference_findings(root, signature, signed_info) -> tuple[list[Finding], int, list]:
    """(failures, number of references, the elements the references point to)."""
    findings, count, targets = [], 0, []
    for ref in signed_info.iterfind(f"{{{DS}}}Reference"):
        count += 1
        uri = ref.get("URI", "")
        if uri == "":
            target = root
        elif uri.startswith("#") and "(" not in uri:
            target = _by_id(root, uri[1:])
        else:
            findings.append(_fail(f"La referencia {uri} usa un URI no soportado"))
            continue
        if target is None:
            findings.append(_fail(f"La referencia {uri} no apunta a un único elemento del documento"))
            continue
        transforms = [t.get("Algorithm") for t in ref.iterfind(f"{{{DS}}}Transforms/{{{DS}}}Transform")]
        exclusive = enveloped = False
        unsupported = None
        for t in transforms:
            if t == ENVELOPED:
                enveloped = True
            elif t in _C14N_METHODS:
                exclusive = _C14N_METHODS[t][0]
            else:
                unsupported = t
        if unsupported:
            findings.append(_fail(f"La referencia {uri} usa una transformación no soportada: {unsupported}"))
            continue
        method = ref.find(f"{{{DS}}}DigestMethod")
        hash_name = _DIGESTS.get(method.get("Algorithm") if method is not None else "")
        if hash_name is None:
            findings.append(_fail(f"La referencia {uri} usa un algoritmo de digest no soportado"))
            continue
        targets.append(target)
        node = target
        if enveloped and target in signature.iterancestors():
            node = _follow(_without(root, signature), _index_path(target))
        # a same-document URI ("" or "#id") drops comments before any transform (XMLDSig 4.4.3.3)
        data = etree.tostring(node, method="c14n", exclusive=exclusive, with_comments=False)
        expected = "".join((ref.findtext(f"{{{DS}}}DigestValue") or "").split())
        if _digest(hash_name, data) != expected:
            label = _ref_label(root, target, uri)
            if target is root:
                findings.append(_fail(f"El digest de {label} no coincide: el documento fue modificado "
                                      "después de firmarse"))
            else:
                findings.append(_fail(f"El digest de {label} no coincide: la firma fue alterada"))
    return findings, count, targets


def _numbers(public_key):
    return public_key.public_numbers() if isinstance(public_key, rsa.RSAPublicKey) else None


def _key_info(signature) -> tuple[x509.Certificate | None, rsa.RSAPublicKey | None, list[Finding]]:
    findings: list[Finding] = []
    certs = []
    for text in signature.xpath("ds:KeyInfo/ds:X509Data/ds:X509Certificate/text()", namespaces={"ds": DS}):
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode("".join(text.split()))))
        except ValueError:
            findings.append(_fail("El certificado de KeyInfo (X509Certificate) no se puede leer"))
    key_value = None
    mod = signature.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}KeyValue/{{{DS}}}RSAKeyValue/{{{DS}}}Modulus")
    exp = signature.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}KeyValue/{{{DS}}}RSAKeyValue/{{{DS}}}Exponent")
    if mod and exp:
        try:
            n = int.from_bytes(base64.b64decode("".join(mod.split())), "big")
            e = int.from_bytes(base64.b64decode("".join(exp.split())), "big")
            key_value = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError:
            findings.append(_fail("El RSAKeyValue de KeyInfo no es una clave RSA válida"))
    cert = certs[0] if certs else None
    if key_value is not None:  # with a chain in X509Data, the signer is the one KeyValue names
        cert = next((c for c in certs if _numbers(c.public_key()) == key_value.public_numbers()), cert)
    if cert is not None and key_value is not None:
        if _numbers(cert.public_key()) != key_value.public_numbers():
            findings.append(_fail("La clave pública de KeyValue no coincide con el certificado de KeyInfo"))
    key = cert.public_key() if cert is not None else key_value
    return cert, key, findings


def _signing_certificate_findings(signature, cert: x509.Certificate | None, targets: list) -> list[Finding]:
    props = [e for ns in _XADES_NS for e in signature.iter(f"{{{ns}}}SignedProperties")]
    if not props:
        return [_fail("La firma no es XAdES-BES: falta xades:SignedProperties")]
    if not any(p is t for p in props for t in targets):
        return [_fail("Las propiedades firmadas XAdES (SignedProperties) no están cubiertas por ninguna "
                      "referencia de la firma")]
    certs = [e for ns in _XADES_NS for tag in ("SigningCertificate", "SigningCertificateV2")
             for e in props[0].iter(f"{{{ns}}}{tag}")]
    if not certs:
        return [_fail("La firma no es XAdES-BES: falta SigningCertificate en las propiedades firmadas")]
    if cert is None:
        return []
    der = cert.public_bytes(serialization.Encoding.DER)
    findings = []
    entries = [c for c in certs[0] if _local(c) == "Cert"]
    matched = False
    for entry in entries:
        digest = next((d for d in entry.iter() if _local(d) == "CertDigest"), None)
        if digest is None:
            continue
        method = digest.find(f"{{{DS}}}DigestMethod")
        hash_name = _DIGESTS.get(method.get("Algorithm") if method is not None else "")
        value = "".join((digest.findtext(f"{{{DS}}}DigestValue") or "").split())
        if hash_name and _digest(hash_name, der) == value:
            matched = True
            serial = entry.findtext(f".//{{{DS}}}X509SerialNumber")
            if serial is not None and serial.strip() != str(cert.serial_number):
                findings.append(_fail("El número de serie de IssuerSerial no coincide con el certificado "
                                      "de KeyInfo"))
    if not matched:
        findings.append(_fail("El digest del certificado en SigningCertificate (CertDigest) no coincide con "
                              "el certificado de KeyInfo"))
    return findings


def verify(xml: bytes) -> list[Finding]:
    """Checks the document's XMLDSig/XAdES-BES signature: every reference digest, the
    SignatureValue against the KeyInfo certificate (or KeyValue), KeyValue against the
    certificate, and SigningCertificate. One Finding per failure, or a single ok Finding."""
    try:
        root = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        return [_fail(f"El documento no es XML bien formado: {exc}")]
    signature = root if root.tag == f"{{{DS}}}Signature" else next(root.iter(f"{{{DS}}}Signature"), None)
    if signature is None:
        return [_fail("El documento no tiene firma electrónica (ds:Signature)")]
    signed_info = signature.find(f"{{{DS}}}SignedInfo")
    if signed_info is None:
        return [_fail("La firma no tiene SignedInfo")]
    findings, count, targets = _reference_findings(root, signature, signed_info)
    if count == 0:
        findings.append(_fail("La firma no tiene ninguna referencia (ds:Reference)"))
    elif not any(t is root for t in targets):  # e.g. a signed copy of the comprobante wrapped in another document
        findings.append(_fail("La firma no cubre el comprobante: ninguna referencia apunta al elemento raíz"))
    cert, key, key_findings = _key_info(signature)
    findings += key_findings
    c14n_uri = signed_info.find(f"{{{DS}}}CanonicalizationMethod")
    c14n_uri = c14n_uri.get("Algorithm") if c14n_uri is not None else None
    sig_uri = signed_info.find(f"{{{DS}}}SignatureMethod")
    sig_uri = sig_uri.get("Algorithm") if sig_uri is not None else None
    if key is None:
        findings.append(_fail("La firma no incluye el certificado ni la clave pública (KeyInfo)"))
    elif c14n_uri not in _C14N_METHODS:
        findings.append(_fail(f"Método de canonicalización no soportado: {c14n_uri}"))
    elif sig_uri not in _SIGNATURE_METHODS:
        findings.append(_fail(f"Algoritmo de firma no soportado: {sig_uri}"))
    elif not isinstance(key, rsa.RSAPublicKey):
        findings.append(_fail("El certificado no tiene una clave RSA"))
    else:
        exclusive, with_comments = _C14N_METHODS[c14n_uri]
        data = etree.tostring(signed_info, method="c14n", exclusive=exclusive, with_comments=with_comments)
        try:
            value = base64.b64decode("".join((signature.findtext(f"{{{DS}}}SignatureValue") or "").split()))
            key.verify(value, data, padding.PKCS1v15(), _SIGNATURE_METHODS[sig_uri]())
        except (InvalidSignature, ValueError):
            findings.append(_fail("El valor de la firma (SignatureValue) no es válido: SignedInfo fue "
                                  "alterado o la firma no corresponde a la clave del certificado"))
    findings += _signing_certificate_findings(signature, cert, targets)
    if findings:
        return findings
    algo = {hashes.SHA1: "RSA-SHA1", hashes.SHA256: "RSA-SHA256"}.get(_SIGNATURE_METHODS[sig_uri], sig_uri)
    who = cert.subject.rfc4514_string() if cert is not None else "clave de KeyValue"
    return [Finding("signature", True, f"Firma XAdES-BES válida ({algo}, {count} referencias; "
                                       f"certificado: {who})")]
