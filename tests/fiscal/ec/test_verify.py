"""verify(): every check reports on its own, on the shared samples, tampered documents and
authorization wrappers (bare `autorizacion` file and a whole autorización SOAP response)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.fiscal.ec.verify import access_key_problems, verify
from app.xmlsafe import parse_xml
from sample_paths import EC_SIGNER_SAMPLES  # noqa: E402

SAMPLES = EC_SIGNER_SAMPLES


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def failed(findings, check=None):
    return [f for f in findings if not f.ok and (check is None or f.check == check)]


def checks(findings):
    return [f.check for f in findings]


def by_check(findings):
    out = {}
    for f in findings:
        out.setdefault(f.check, []).append(f)
    return out


# The samples' claves were computed by hand in their source repository: every check digit is
# wrong (recomputed here with the FICHA's módulo 11), the withholding's clave says codDoc 01,
# and the guía's clave has 52 digits. The invoices declare totalDescuento 3.00 over lines
# without discount. Signatures hold everywhere; schema everywhere but the guía.
@pytest.mark.parametrize("name, failing, clave_words", [
    ("credit-note/signed.xml", {"access_key"}, ["se esperaba 6 y tiene 1"]),
    ("debit-note/signed.xml", {"access_key"}, ["se esperaba 2 y tiene 1"]),
    ("invoice/signed.xml", {"access_key", "totals"}, ["se esperaba 2 y tiene 6"]),
    # its certificate was issued in October 2024, its xades:SigningTime says April 2024
    ("invoice/edge-cases/certificate-with-email-address/signed-invoice.xml", {"access_key", "totals", "certificate"},
     ["se esperaba 2 y tiene 6"]),
    ("withholding-certificate/signed.xml", {"access_key"}, ["se esperaba 7 y tiene 5", "codDoc"]),
    ("delivery-guide/signed.xml", {"schema", "access_key"}, ["49 dígitos"]),
])
def test_shared_samples(name, failing, clave_words):
    findings = verify(sample(name))
    assert {f.check for f in failed(findings)} == failing
    for check in ("schema", "signature", "access_key", "totals"):
        assert check in checks(findings), check  # every check reports, pass or fail
    text = " ".join(f.message for f in failed(findings, "access_key"))
    for words in clave_words:
        assert words in text


def test_checks_come_in_order():
    order = []
    for c in checks(verify(sample("credit-note/signed.xml"))):
        if c not in order:
            order.append(c)
    assert order == ["schema", "signature", "certificate", "certificate_ruc", "chain", "access_key", "totals", "rates"]


def test_access_key_names_each_disagreeing_field():
    root = parse_xml(sample("withholding-certificate/signed.xml"))
    problems = access_key_problems(root)
    assert any("codDoc" in p and "01" in p and "07" in p for p in problems)
    assert not any("ruc" in p or "secuencial" in p or "estab" in p for p in problems)


def test_tampered_total_fails_signature_and_totals_independently():
    xml = sample("credit-note/signed.xml").replace(b"<valorModificacion>115.00</valorModificacion>",
                                                  b"<valorModificacion>116.00</valorModificacion>")
    findings = verify(xml)
    assert {f.check for f in failed(findings)} == {"signature", "totals", "access_key"}
    assert by_check(findings)["schema"][0].ok


def test_unsigned_document():
    findings = verify(sample("credit-note/original.xml"))
    assert [f.message for f in failed(findings, "signature")] == ["El documento no está firmado"]
    assert all(f.ok for f in by_check(findings)["schema"])
    assert all(f.ok for f in by_check(findings)["totals"])


def test_malformed_xml_is_one_xml_finding():
    findings = verify(b"<factura><infoTributaria></factura>")
    assert len(findings) == 1 and findings[0].check == "xml" and not findings[0].ok


def test_foreign_xml_is_one_xml_finding():
    findings = verify(b"<pedido><id>1</id></pedido>")
    assert checks(findings) == ["xml"] and not findings[0].ok


def wrapper(inner: bytes, estado="AUTORIZADO", numero=None) -> bytes:
    clave = inner.split(b"<claveAcceso>")[1].split(b"</claveAcceso>")[0].decode()
    num = f"<numeroAutorizacion>{numero or clave}</numeroAutorizacion>" if estado == "AUTORIZADO" else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><autorizacion><estado>{estado}</estado>{num}'
            "<fechaAutorizacion>2024-12-27T10:00:00-05:00</fechaAutorizacion><ambiente>PRUEBAS</ambiente>"
            f"<comprobante><![CDATA[{inner.decode()}]]></comprobante><mensajes/></autorizacion>").encode()


def test_autorizacion_wrapper_checks_the_inner_comprobante():
    inner = sample("credit-note/signed.xml")
    findings = verify(wrapper(inner))
    assert checks(verify(inner)) + ["authorization"] == checks(findings)
    assert {f.check for f in failed(findings)} == {"access_key"}
    assert by_check(findings)["authorization"][0].ok
    assert all(f.ok for f in by_check(findings)["signature"])  # the CDATA copy is exact here


def test_wrapper_that_is_not_autorizado_fails_the_authorization_check():
    findings = verify(wrapper(sample("credit-note/signed.xml"), estado="NO AUTORIZADO"))
    assert [f.message for f in failed(findings, "authorization")] == ["La autorización dice NO AUTORIZADO"]


def test_wrapper_whose_number_is_another_clave():
    findings = verify(wrapper(sample("credit-note/signed.xml"), numero="1" * 49))
    assert failed(findings, "authorization")


def test_wrapper_whose_copy_was_altered_fails_the_signature_but_keeps_its_authorization():
    inner = sample("credit-note/signed.xml").replace(b"ANULACION DE PRUEBA", b"ANULACION DE PRUEBA 2")
    findings = verify(wrapper(inner))
    assert failed(findings, "signature")
    assert by_check(findings)["authorization"][0].ok
    assert all(f.ok for f in by_check(findings)["totals"])


def test_whole_autorizacion_soap_response():
    from app.fiscal.ec.sandbox import Authorization, autorizacion_envelope
    inner = sample("debit-note/signed.xml")
    clave = "2712202405123456789100110010010000000028694560211"
    envelope = autorizacion_envelope(clave, [
        Authorization("NO AUTORIZADO", None, "2024-12-27T10:00:00.000-05:00", "PRUEBAS", (), b"<notaDebito/>"),
        Authorization("AUTORIZADO", clave, "2024-12-27T11:00:00.000-05:00", "PRUEBAS", (), inner),
    ])
    findings = verify(envelope)
    assert by_check(findings)["authorization"][0].ok  # the AUTORIZADO entry was chosen
    assert all(f.ok for f in by_check(findings)["signature"])
    assert {f.check for f in failed(findings)} == {"access_key"}


def test_wrapper_without_comprobante():
    findings = verify(b"<autorizacion><estado>AUTORIZADO</estado></autorizacion>")
    assert checks(findings) == ["xml"] and not findings[0].ok
