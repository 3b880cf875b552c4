"""Golden tampered SRI documents (issues #9 and #15): each tampering fails on the right check and
only there; what cannot be verified offline is reported as not verified, never as OK."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree

from app.fiscal.ec import datil, xades, xml_build
from app.fiscal.ec.certificate import PROFILE as EC_CERTIFICATE
from app.fiscal.ec.verify import verify
from app.fiscal.signing import generate_test_p12, load_identity
from app.pos.verify import label, verify_bytes, verify_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ec_docs_support as S  # noqa: E402

SIGNED_AT = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


def identity(ruc: str = "1790012345001", holder: str = "Ferretería Ñandú S.A."):
    p12 = generate_test_p12(ruc=ruc, holder=holder, password="x", profile=EC_CERTIFICATE,
                            not_before=datetime(2026, 1, 1, tzinfo=timezone.utc), days_valid=3650)
    return load_identity(p12, "x")


@pytest.fixture(scope="module")
def ident():
    return identity()


def unsigned(body: dict | None = None) -> bytes:
    company = S.company()
    return xml_build.build(datil.parse(body or S.invoice(), "invoices", company, S.NOW), company, 5, "12345678")[1]


def signed(xml: bytes, who) -> bytes:
    return xades.sign(xml, who, signing_time=SIGNED_AT)


def failing(findings) -> set[str]:
    return {f.check for f in findings if not f.ok}


def tamper(xml: bytes, path: str, value: str) -> bytes:
    root = etree.fromstring(xml)
    root.find(path).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_an_honest_document_passes_and_says_what_it_did_not_verify(ident):
    findings = verify(signed(unsigned(), ident))
    assert failing(findings) == set()
    assert [f.check for f in findings if f.unverified] == ["chain"]  # no CA roots shipped (resources/ca/README.md)
    cert = next(f for f in findings if f.check == "certificate")
    assert "Ferretería Ñandú" in cert.message and "1790012345001" in cert.message and "vigente al firmar" in cert.message


def test_header_raised_by_four_cents_fails_the_totals_exactly(ident):
    """#9: raising importeTotal and the payment by 0.04 on a 4-line invoice passed with the old
    one-cent-per-line tolerance at the header."""
    body = S.invoice()
    body["items"] = [{"descripcion": f"I{i}", "cantidad": 1, "precio_unitario": "1.00",
                      "impuestos": [{"codigo": "2", "codigo_porcentaje": "4"}]} for i in range(4)]
    body["totales"] = {}
    body["pagos"] = [{"medio": "efectivo", "total": "4.60"}]
    xml = unsigned(body)
    xml = tamper(tamper(xml, "infoFactura/importeTotal", "4.64"), "infoFactura/pagos/pago/total", "4.64")
    findings = verify(signed(xml, ident))
    assert failing(findings) == {"totals"}
    assert any("importeTotal" in f.message for f in findings if not f.ok)


@pytest.mark.parametrize("line, header_fails", [("12.45", True), ("12.48", False)])
def test_lines_that_do_not_add_up_to_the_header_are_reported(ident, line, header_fails):
    """12.50 in the header's sum: 0.05 off is a failure at the header; 0.02 off (what the SRI
    authorizes, docs/sri.md "Arithmetic") is an AVISO there. The line itself fails either way
    (its precioTotalSinImpuesto is more than a cent off cantidad × precioUnitario)."""
    xml = tamper(unsigned(), "detalles/detalle/precioTotalSinImpuesto", line)
    xml = tamper(xml, "detalles/detalle/impuestos/impuesto/baseImponible", line)
    findings = verify(signed(xml, ident))
    assert "totals" in failing(findings)
    assert any("precioTotalSinImpuesto del detalle 1" in f.message for f in findings if not f.ok)
    header = [f for f in findings if "totalSinImpuestos" in f.message]
    assert header and all(f.ok is not header_fails and f.warning is not header_fails for f in header), header


def test_a_certificate_of_another_ruc_fails(ident):
    findings = verify(signed(unsigned(), identity(ruc="0912345678001", holder="Otro Emisor")))
    assert failing(findings) == {"certificate_ruc"}
    assert "0912345678001" in next(f.message for f in findings if f.check == "certificate_ruc")


def test_a_certificate_not_valid_when_signing_fails(ident):
    xml = xades.sign(unsigned(), ident, signing_time=datetime(2025, 6, 1, tzinfo=timezone.utc))
    assert failing(verify(xml)) == {"certificate"}


def test_an_edited_document_fails_the_signature(ident):
    xml = signed(unsigned(), ident).replace(b"Martillo", b"Martilla")
    assert failing(verify(xml)) == {"signature"}


def test_doctype_and_xxe_are_refused_without_a_traceback(ident, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = signed(unsigned(), ident)
    head, _, rest = xml.partition(b"?>")
    xxe = head + b'?><!DOCTYPE factura [<!ENTITY x SYSTEM "file://' + str(secret).encode() + b'">]>' + \
        rest.replace(b"Martillo", b"&x;")
    findings = verify(xxe)
    assert [(f.check, f.ok) for f in findings] == [("xml", False)]
    assert "DOCTYPE" in findings[0].message and "TOP-SECRET" not in findings[0].message


def test_autorizacion_wrapper_is_a_claim_not_a_verification(ident):
    inner = signed(unsigned(), identity(ruc="0912345678001", holder="Falsificador"))
    clave = inner.split(b"<claveAcceso>")[1].split(b"</claveAcceso>")[0].decode()
    wrapper = (f"<autorizacion><estado>AUTORIZADO</estado><numeroAutorizacion>{clave}</numeroAutorizacion>"
               "<fechaAutorizacion>2026-11-23T10:00:00-05:00</fechaAutorizacion><ambiente>PRUEBAS</ambiente>"
               f"<comprobante><![CDATA[{inner.decode()}]]></comprobante></autorizacion>").encode()
    findings = verify(wrapper)
    auth = next(f for f in findings if f.check == "authorization")
    assert auth.unverified and "NO VERIFICADO" in auth.message and label(auth) == "NO VERIFICADO"
    assert auth.as_dict()["verified"] is False
    assert failing(findings) == {"certificate_ruc"}  # the forged signer is still caught


def test_a_newline_in_the_certificate_cannot_forge_an_ok_line(tmp_path, capsys):
    from app.cli import main
    evil = identity(holder="Ferretería\n  [OK] signature: firma verificada por el SRI")
    path = tmp_path / "f.xml"
    path.write_bytes(signed(unsigned(), evil))
    main(["--data-dir", str(tmp_path / "data"), "verify", str(path)])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert all(line.startswith(("  [OK] ", "  [FALLA] ", "  [NO VERIFICADO] ")) for line in lines[1:]), out
    assert "\\u000a" in out
    assert sum(1 for line in lines if line.startswith("  [OK] signature")) == 1
    main(["--data-dir", str(tmp_path / "data"), "verify", "--json", str(path)])
    assert len(json.loads(capsys.readouterr().out)) > 3


def test_size_limit_on_files(tmp_path):
    big = tmp_path / "big.xml"
    with open(big, "wb") as fh:
        fh.write(b"<factura>")
        fh.write(b" " * (10 * 1024 * 1024 + 10))
        fh.write(b"</factura>")
    findings = verify_file(big)
    assert [(f.check, f.ok) for f in findings] == [("file", False)] and "10 MB" in findings[0].message
    assert verify_bytes(b"<factura/>" + b" " * (10 * 1024 * 1024))[0].check == "file"
