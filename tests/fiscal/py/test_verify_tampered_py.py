"""Golden tampered SIFEN documents (issues #9 and #15): each tampering fails on the right check."""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from app.core.errors import ValidationError
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import qr
from app.fiscal.py import verify as py_verify

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sandbox"))
from sifen_docs import Signer, identity  # noqa: E402

NS = "http://ekuatia.set.gov.py/sifen/xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
N, D = "{%s}" % NS, "{%s}" % DS


def failing(findings) -> set[str]:
    return {f.check for f in findings if not f.ok}


@pytest.fixture(scope="module")
def doc():
    return Signer(seed=11).sale()


def test_our_document_passes_and_the_test_csc_hash_is_always_checked(doc):
    findings = py_verify.verify(doc.xml)
    assert failing(findings) == set()
    q = next(f for f in findings if f.check == "qr")
    assert "CSC público de pruebas" in q.message and not q.unverified
    assert [f.check for f in findings if f.unverified] == ["chain"]


def test_signature_wrapping_fails(doc):
    """The signed DE moved into ds:Object, a forged DE (its own CDC, other amounts) put first."""
    root = etree.fromstring(doc.xml)
    de = root.find(N + "DE")
    forged = etree.fromstring(etree.tostring(de))
    forged.find(f"{N}gTimb/{N}dNumDoc").text = "0000999"
    forged.set("Id", forged.get("Id")[:-1] + ("0" if forged.get("Id")[-1] != "0" else "1"))
    sig = root.find(D + "Signature")
    obj = etree.SubElement(sig, D + "Object")
    root.remove(de)
    obj.append(de)
    root.insert(1, forged)
    findings = py_verify.verify(etree.tostring(root))
    sig_findings = [f for f in findings if f.check == "signature"]
    assert sig_findings and not any(f.ok for f in sig_findings)
    assert "Estructura de firma" in sig_findings[0].message


def test_a_second_element_with_the_signed_id_fails(doc):
    root = etree.fromstring(doc.xml)
    extra = etree.SubElement(root.find(N + "gCamFuFD"), N + "dInfo")
    extra.set("Id", root.find(N + "DE").get("Id"))
    assert "signature" in failing(py_verify.verify(etree.tostring(root)))


def test_a_certificate_of_another_ruc_fails():
    other = Signer(seed=12).sale(identity_=identity("3456789-5"))
    findings = py_verify.verify(other.xml)
    assert failing(findings) == {"certificate_ruc"}
    assert "3456789-5" in next(f.message for f in findings if f.check == "certificate_ruc")


def test_a_wrong_qr_hash_fails_with_the_public_test_csc(doc):
    root = etree.fromstring(doc.xml)
    el = root.find(f"{N}gCamFuFD/{N}dCarQR")
    el.text = el.text[:-4] + ("0000" if not el.text.endswith("0000") else "1111")
    assert failing(py_verify.verify(etree.tostring(root))) == {"qr"}


def test_the_shops_own_csc_comes_from_the_keyring():
    """A production-like QR (not the test CSC): checked with the shop's CSC when the keyring has
    it, reported as not verified when it does not."""
    from app.fiscal.py import dsig
    own = "Z" * 32
    plain = Signer(seed=13).sale().xml
    root = etree.fromstring(plain)
    root.remove(root.find(N + "gCamFuFD"))
    xml = dsig.add_qr(etree.tostring(root), "0003", own)
    ruc = etree.fromstring(xml).findtext(f"{N}DE/{N}gDatGralOpe/{N}gEmis/{N}dRucEm")
    dv = etree.fromstring(xml).findtext(f"{N}DE/{N}gDatGralOpe/{N}gEmis/{N}dDVEmi")
    secrets = {f"csc:{ruc}-{dv}": own}
    ok = next(f for f in py_verify.verify(xml, load_secret=secrets.get) if f.check == "qr")
    assert ok.ok and not ok.unverified and "CSC del comercio" in ok.message
    bad = next(f for f in py_verify.verify(xml, load_secret={f"csc:{ruc}-{dv}": "Y" * 32}.get) if f.check == "qr")
    assert not bad.ok
    unknown = next(f for f in py_verify.verify(xml) if f.check == "qr")
    assert unknown.ok and unknown.unverified and "NO VERIFICADO" in unknown.message


def test_cdc_fields_are_still_compared_after_a_bad_check_digit(doc):
    root = etree.fromstring(doc.xml)
    de = root.find(N + "DE")
    code = de.get("Id")
    de.set("Id", code[:-1] + str((int(code[-1]) + 1) % 10))
    de.find(f"{N}gTimb/{N}dNumDoc").text = "0000999"
    msg = " ".join(f.message for f in py_verify.cdc_findings(root))
    assert "dígito verificador incorrecto" in msg and "dNumDoc" in msg


def test_amounts_edited_and_resigned_fail_the_totals():
    from app.fiscal.py import dsig
    doc = Signer(seed=14).sale()
    root = etree.fromstring(doc.xml)
    el = root.find(f"{N}DE/{N}gTotSub/{N}dTotGralOpe")
    el.text = str(int(el.text) + 2)
    key, cert = identity().key, identity().cert
    resigned = dsig.sign(etree.tostring(root), key, cert, csc_id="0001", csc=qr.TEST_CSC["0001"])
    findings = py_verify.verify(resigned)
    assert "totals" in failing(findings) and "signature" not in failing(findings)


def test_doctype_is_refused(doc):
    head, _, rest = doc.xml.partition(b"?>")
    findings = py_verify.verify(head + b"?><!DOCTYPE rDE>" + rest)
    assert [(f.check, f.ok) for f in findings] == [("xml", False)] and "DOCTYPE" in findings[0].message


def _lying_zip(real_size: int, declared: int) -> bytes:
    """A zip whose headers understate what its member inflates to."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("lote.xml", b"<rLoteDE>" + b" " * real_size + b"</rLoteDE>")
    data = bytearray(buf.getvalue())
    real = real_size + len(b"<rLoteDE></rLoteDE>")
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size in both headers
        at = data.find(sig)
        assert int.from_bytes(data[at + off:at + off + 4], "little") == real
        data[at + off:at + off + 4] = declared.to_bytes(4, "little")
    return bytes(data)


def test_a_zip_that_understates_its_size_is_refused():
    """64 MB of XML declared as 1 000 bytes: inflating stops at the declared size (then the CRC
    fails); a zip declaring more than the cap is refused before inflating anything."""
    bomb = _lying_zip(64 * 1024 * 1024, 1000)
    assert len(bomb) < 200_000
    with pytest.raises(ValidationError, match="no es un zip válido") as exc:
        py_verify.unzip_lote(bomb, limit=1024 * 1024)
    assert exc.value.errors[0].field == "xDE"
    big = _lying_zip(2 * 1024 * 1024, 2 * 1024 * 1024 + len(b"<rLoteDE></rLoteDE>"))
    with pytest.raises(ValidationError, match="declara"):
        py_verify.unzip_lote(big, limit=1024 * 1024)
    assert py_verify.unzip_lote(big, limit=4 * 1024 * 1024).startswith(b"<rLoteDE>")
