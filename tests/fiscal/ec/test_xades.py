"""XAdES-BES signer and verifier: byte-exact against bryancalisto/ec-sri-invoice-signer's
samples, cross-checked with xmlsec1 and signxml, and negative cases."""
from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier

from app.fiscal.ec import xades
from app.resources import resource

SAMPLE_TIME = datetime(2024, 4, 18, 14, 34, 32, 878000, tzinfo=ZoneInfo("America/Guayaquil"))
SAMPLE_UUID = "5bdfc32d-a37f-47c3-90fe-49f5a093b7bf"
DOC_TYPES = ["invoice", "credit-note", "debit-note", "delivery-guide", "withholding-certificate"]
ROOTS = {"invoice": "factura", "credit-note": "notaCredito", "debit-note": "notaDebito",
         "delivery-guide": "guiaRemision", "withholding-certificate": "comprobanteRetencion"}
DS = "{http://www.w3.org/2000/09/xmldsig#}"
ETSI = "{http://uri.etsi.org/01903/v1.3.2#}"


def _problems(findings):
    return [f.message for f in findings if not f.ok]


def _assert_ok(findings):
    assert len(findings) == 1 and findings[0].ok and findings[0].check == "signature", _problems(findings)


# --------------------------------------------------------------------------- byte-exact oracle

@pytest.mark.parametrize("doc", DOC_TYPES)
def test_reproduces_bryancalisto_samples_byte_for_byte(signer_samples, bc_identity, doc):
    original = (signer_samples / doc / "original.xml").read_bytes()
    expected = (signer_samples / doc / "signed.xml").read_bytes()
    signed = xades.sign(original, bc_identity, signing_time=SAMPLE_TIME,
                        ids=xades.XadesIds.from_uuid(SAMPLE_UUID), style="bryancalisto")
    assert signed == expected


def test_reproduces_the_email_issuer_edge_case(signer_samples, bc_email_identity):
    original = (signer_samples / "invoice" / "original.xml").read_bytes()
    expected = (signer_samples / "invoice" / "edge-cases" / "certificate-with-email-address" / "signed-invoice.xml").read_bytes()
    signed = xades.sign(original, bc_email_identity, signing_time=SAMPLE_TIME,
                        ids=xades.XadesIds.from_uuid(SAMPLE_UUID), style="bryancalisto")
    assert b"<ds:X509IssuerName>EMAILADDRESS=info@mycompany.com,CN=my company name," in signed
    assert signed == expected


@pytest.mark.parametrize("doc", DOC_TYPES)
def test_samples_verify(signer_samples, doc):
    _assert_ok(xades.verify((signer_samples / doc / "signed.xml").read_bytes()))


# --------------------------------------------------------------------------- our default layout

@pytest.fixture(scope="module")
def invoice(signer_samples) -> bytes:
    return (signer_samples / "invoice" / "original.xml").read_bytes()


@pytest.fixture(scope="module", params=["sha1", "sha256"])
def signed_pair(request, invoice, generated_identity):
    return request.param, xades.sign(invoice, generated_identity, algorithm=request.param)


def test_default_layout_follows_the_reference(signed_pair, generated_identity):
    algorithm, signed = signed_pair
    root = etree.fromstring(signed)
    sig = root[-1]
    assert sig.tag == DS + "Signature" and sig.nsmap == {"ds": DS[1:-1], "etsi": ETSI[1:-1]}
    si = sig.find(DS + "SignedInfo")
    assert si.find(DS + "CanonicalizationMethod").get("Algorithm") == xades.C14N
    method = si.find(DS + "SignatureMethod").get("Algorithm")
    digest_methods = {e.get("Algorithm") for e in sig.iter(DS + "DigestMethod")}
    if algorithm == "sha1":
        assert method.endswith("#rsa-sha1") and digest_methods == {"http://www.w3.org/2000/09/xmldsig#sha1"}
    else:
        assert method.endswith("#rsa-sha256") and digest_methods == {"http://www.w3.org/2001/04/xmlenc#sha256"}
    refs = si.findall(DS + "Reference")
    key_info = sig.find(DS + "KeyInfo")
    props = sig.find(f"{DS}Object/{ETSI}QualifyingProperties/{ETSI}SignedProperties")
    assert [r.get("URI") for r in refs] == ["#" + props.get("Id"), "#" + key_info.get("Id"), "#comprobante"]
    assert refs[0].get("Type") == "http://uri.etsi.org/01903#SignedProperties"
    assert [t.get("Algorithm") for t in refs[2].iter(DS + "Transform")] == [xades.ENVELOPED]
    modulus, exponent = generated_identity.rsa_key_value_b64
    assert key_info.findtext(f"{DS}KeyValue/{DS}RSAKeyValue/{DS}Modulus") == modulus
    assert key_info.findtext(f"{DS}KeyValue/{DS}RSAKeyValue/{DS}Exponent") == "AQAB" == exponent
    assert key_info.findtext(f"{DS}X509Data/{DS}X509Certificate") == generated_identity.cert_b64
    assert props.findtext(f".//{ETSI}IssuerSerial/{DS}X509SerialNumber") == str(generated_identity.serial)
    assert props.findtext(f".//{ETSI}IssuerSerial/{DS}X509IssuerName") == generated_identity.issuer_rfc4514
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-05:00", props.findtext(f".//{ETSI}SigningTime"))
    fmt = props.find(f".//{ETSI}DataObjectFormat")
    assert fmt.get("ObjectReference") == "#" + refs[2].get("Id")
    assert fmt.findtext(ETSI + "Description") == "contenido comprobante"
    assert fmt.findtext(ETSI + "MimeType") == "text/xml"


def test_signed_output_keeps_the_input_bytes(invoice, generated_identity):
    signed = xades.sign(invoice, generated_identity)
    start, end = signed.index(b"<ds:Signature"), signed.index(b"</ds:Signature>") + len(b"</ds:Signature>")
    assert signed[:start] + signed[end:] == invoice  # CRLF and &#013; untouched
    assert b"\n" not in signed[start:end]  # nothing re-indented inside the signature


def test_xml_declaration_is_added_when_missing(generated_identity):
    signed = xades.sign(b'<factura id="comprobante" version="1.1.0"><a>\xc3\x91</a></factura>', generated_identity)
    assert signed.startswith(b'<?xml version="1.0" encoding="UTF-8"?><factura id="comprobante"')
    assert "Ñ".encode() in signed
    _assert_ok(xades.verify(signed))


def test_our_verify_accepts_our_signatures(signed_pair):
    _assert_ok(xades.verify(signed_pair[1]))


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 not installed")
def test_xmlsec1_accepts_our_signatures(signed_pair, tmp_path):
    path = tmp_path / "signed.xml"
    path.write_bytes(signed_pair[1])
    run = _xmlsec1(path, "factura")
    assert run.returncode == 0, run.stderr
    assert "SignedInfo References (ok/all): 3/3" in run.stdout + run.stderr


def _xmlsec1(path, root_name):
    # --enabled-key-data x509: the key must come from X509Certificate, not from KeyValue;
    # --insecure: the test certificate is self-signed (no trust chain to check)
    return subprocess.run(
        ["xmlsec1", "--verify", "--enabled-reference-uris", "same-doc", "--enabled-key-data", "x509",
         "--insecure", "--id-attr:id", root_name,
         "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties", str(path)],
        capture_output=True, text=True, timeout=60)


def test_signxml_accepts_our_signatures(signed_pair, generated_identity):
    config = SignatureConfiguration(signature_methods=frozenset(SignatureMethod),
                                    digest_algorithms=frozenset(DigestAlgorithm), expect_references=3)
    results = XMLVerifier().verify(
        signed_pair[1], x509_cert=generated_identity.cert.public_bytes(serialization.Encoding.PEM),
        expect_config=config)
    assert len(results) == 3
    assert {etree.QName(r.signed_xml).localname for r in results} == {"factura", "SignedProperties", "KeyInfo"}


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 not installed")
@pytest.mark.parametrize("doc", DOC_TYPES)
def test_xmlsec1_accepts_every_document_type(signer_samples, generated_identity, doc, tmp_path):
    path = tmp_path / "signed.xml"
    path.write_bytes(xades.sign((signer_samples / doc / "original.xml").read_bytes(), generated_identity))
    run = _xmlsec1(path, ROOTS[doc])
    assert run.returncode == 0, run.stderr


def test_email_issuer_certificate_signs_and_verifies(invoice, bc_email_identity):
    signed = xades.sign(invoice, bc_email_identity)
    assert b"<ds:X509IssuerName>EMAILADDRESS=info@mycompany.com," in signed
    _assert_ok(xades.verify(signed))


# --------------------------------------------------------------------------- negative cases

def test_tampered_total_fails_on_the_comprobante_digest(invoice, generated_identity, tmp_path):
    signed = xades.sign(invoice, generated_identity)
    tampered = signed.replace(b"<importeTotal>44.56</importeTotal>", b"<importeTotal>4.56</importeTotal>")
    assert tampered != signed
    problems = _problems(xades.verify(tampered))
    assert problems == ["El digest de la referencia #comprobante no coincide: el documento fue modificado "
                        "después de firmarse"]
    if shutil.which("xmlsec1"):
        path = tmp_path / "tampered.xml"
        path.write_bytes(tampered)
        assert _xmlsec1(path, "factura").returncode != 0


def test_tampered_signing_time_fails_on_signed_properties(invoice, generated_identity):
    signed = xades.sign(invoice, generated_identity, signing_time=datetime(2026, 1, 2, 15, 0, tzinfo=timezone.utc))
    assert b"<etsi:SigningTime>2026-01-02T10:00:00.000-05:00</etsi:SigningTime>" in signed
    tampered = signed.replace(b"2026-01-02T10:00:00.000", b"2026-01-01T10:00:00.000")
    problems = _problems(xades.verify(tampered))
    assert len(problems) == 1 and "propiedades firmadas XAdES" in problems[0] and "no coincide" in problems[0]


def test_wrong_key_fails(invoice, generated_identity, unrelated_identity):
    # key of one identity, certificate of another: what a mismatched .p12 would produce
    mixed = dataclasses.replace(generated_identity, cert=unrelated_identity.cert, serial=unrelated_identity.serial,
                                issuer_rfc4514=unrelated_identity.issuer_rfc4514, _cache={})
    problems = _problems(xades.verify(xades.sign(invoice, mixed)))
    assert "La clave pública de KeyValue no coincide con el certificado de KeyInfo" in problems
    assert any(p.startswith("El valor de la firma (SignatureValue) no es válido") for p in problems)


def test_swapped_certificate_fails(invoice, generated_identity, unrelated_identity):
    signed = xades.sign(invoice, generated_identity)
    swapped = signed.replace(generated_identity.cert_b64.encode(), unrelated_identity.cert_b64.encode())
    problems = _problems(xades.verify(swapped))
    assert any("KeyInfo, el certificado" in p for p in problems)
    assert any("SignatureValue" in p for p in problems)
    assert any("CertDigest" in p for p in problems)


def test_unsigned_and_malformed_documents(invoice):
    assert _problems(xades.verify(invoice)) == ["El documento no tiene firma electrónica (ds:Signature)"]
    assert _problems(xades.verify(b"<factura"))[0].startswith("El documento no es XML bien formado")


def test_signed_comprobante_wrapped_in_another_document_is_flagged(invoice, generated_identity):
    signed = xades.sign(invoice, generated_identity)
    body = signed[signed.index(b"<factura"):]
    wrapped = b'<?xml version="1.0" encoding="UTF-8"?><lote><total>1.00</total>' + body + b"</lote>"
    assert _problems(xades.verify(wrapped)) == [
        "La firma no cubre el comprobante: ninguna referencia apunta al elemento raíz"]


def test_unreferenced_signed_properties_are_flagged(invoice, generated_identity):
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    root = etree.fromstring(xades.sign(invoice, generated_identity))
    signed_info = root.find(f"{DS}Signature/{DS}SignedInfo")
    signed_info.remove(next(r for r in signed_info if r.get("Type")))  # drop the SignedProperties reference
    value = generated_identity.key.sign(etree.tostring(signed_info, method="c14n"), padding.PKCS1v15(),
                                        hashes.SHA1())
    root.find(f"{DS}Signature/{DS}SignatureValue").text = base64.b64encode(value).decode()
    problems = _problems(xades.verify(etree.tostring(root, encoding="UTF-8", xml_declaration=True)))
    assert problems == ["Las propiedades firmadas XAdES (SignedProperties) no están cubiertas por ninguna "
                        "referencia de la firma"]


def test_bom_is_dropped_and_the_signature_still_verifies(invoice, generated_identity):
    signed = xades.sign(b"\xef\xbb\xbf" + invoice, generated_identity)
    assert signed.startswith(b"<?xml") and signed.count(b"<?xml") == 1
    _assert_ok(xades.verify(signed))


def test_sign_refuses_namespaced_or_unidentified_roots(generated_identity, invoice):
    with pytest.raises(ValueError, match="no xmlns"):
        xades.sign(b'<factura xmlns:x="urn:x" id="comprobante"><a/></factura>', generated_identity)
    with pytest.raises(ValueError, match="no xmlns"):
        xades.sign(b'<factura xmlns="urn:x" id="comprobante"><a/></factura>', generated_identity)
    with pytest.raises(ValueError, match="id attribute"):
        xades.sign(b"<factura><a/></factura>", generated_identity)
    with pytest.raises(ValueError, match="already signed"):
        xades.sign(xades.sign(invoice, generated_identity), generated_identity)
    with pytest.raises(ValueError, match="algorithm"):
        xades.sign(invoice, generated_identity, algorithm="md5")


def test_signing_time_is_ecuador_local_with_milliseconds():
    utc = datetime(2024, 4, 18, 19, 34, 32, 878999, tzinfo=timezone.utc)
    assert xades.signing_time_text(utc) == "2024-04-18T14:34:32.878-05:00"
    with pytest.raises(ValueError):
        xades.signing_time_text(datetime(2024, 4, 18, 19, 34))


# --------------------------------------------------------------------------- other producers

def test_verify_accepts_signxml_xades_with_other_order_and_prefixes(invoice, generated_identity):
    from signxml import CanonicalizationMethod
    from signxml.xades import XAdESSigner

    signer = XAdESSigner(signature_algorithm=SignatureMethod.RSA_SHA256, digest_algorithm=DigestAlgorithm.SHA256,
                         c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
    root = etree.fromstring(invoice)
    signed_root = signer.sign(root, key=generated_identity.key, cert=[generated_identity.cert], reference_uri="#comprobante")
    data = etree.tostring(signed_root, xml_declaration=True, encoding="UTF-8")
    assert b"SigningCertificateV2" in data and b"xades:" in data
    _assert_ok(xades.verify(data))
    tampered = data.replace(b"<importeTotal>44.56<", b"<importeTotal>44.57<")
    assert "#comprobante no coincide" in _problems(xades.verify(tampered))[0]


# --------------------------------------------------------------------------- schema helper

@pytest.mark.parametrize("doc,xsd", [("invoice", "factura_V1.1.0.xsd"), ("credit-note", "NotaCredito_V1.1.0.xsd"),
                                     ("withholding-certificate", "ComprobanteRetencion_V1.0.0.xsd")])
def test_strip_signature_gives_a_schema_valid_document(signer_samples, doc, xsd):
    schema = etree.XMLSchema(etree.parse(str(resource("xsd", "ec", xsd))))
    root = etree.fromstring((signer_samples / doc / "signed.xml").read_bytes())
    assert not schema.validate(root)  # the OCA XSD copies do not allow ds:Signature
    stripped = xades.strip_signature(root)
    assert schema.validate(stripped), schema.error_log
    assert root.find(DS + "Signature") is not None  # the original is untouched
    assert etree.tostring(stripped, method="c14n") == etree.tostring(
        etree.fromstring((signer_samples / doc / "original.xml").read_bytes()), method="c14n")
