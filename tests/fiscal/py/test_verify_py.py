"""`verify` on SIFEN XML: rDE, rLoteDE, and the SOAP envelopes that carry them."""
import base64
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sandbox"))

from app.fiscal.py import client as client_mod  # noqa: E402
from app.fiscal.py import qr  # noqa: E402
from app.fiscal.py import verify as py_verify  # noqa: E402
from app.pos.verify import verify_bytes  # noqa: E402

from sifen_docs import Signer  # noqa: E402

CSC = qr.TEST_CSC["0001"]


def checks(findings):
    return {(f.check, f.ok) for f in findings}


def test_our_rde_passes_every_check_through_the_registry():
    doc = Signer(seed=1).sale()
    findings = verify_bytes(doc.xml)
    assert [f.check for f in findings] == ["schema", "signature", "qr", "certificate", "certificate_ruc", "chain",
                                           "cdc", "totals"]
    assert all(f.ok for f in findings)
    assert all(f.ok for f in py_verify.verify(doc.xml, csc=CSC))
    wrong = py_verify.verify(doc.xml, csc=qr.TEST_CSC["0002"])
    assert ("qr", False) in checks(wrong)


def test_cdc_and_totals_disagreement_found_without_the_signature():
    doc = Signer(seed=2).sale()
    from lxml import etree
    root = etree.fromstring(doc.xml)
    ns = "{http://ekuatia.set.gov.py/sifen/xsd}"
    root.find(f"{ns}DE/{ns}gTimb/{ns}dNumDoc").text = "0000999"
    assert not py_verify.cdc_findings(root)[0].ok and "dNumDoc" in py_verify.cdc_findings(root)[0].message
    root = etree.fromstring(doc.xml)
    el = root.find(f"{ns}DE/{ns}gTotSub/{ns}dTotIVA")
    el.text = str(int(el.text) + 500)
    bad = py_verify.totals_findings(root)[0]
    assert not bad.ok and "dTotIVA" in bad.message


def test_lote_and_envelopes():
    docs = Signer(seed=3).many(3)
    lote = py_verify.unzip_lote(client_mod.lote_zip([d.xml for d in docs]))
    findings = verify_bytes(lote)
    assert findings[0].check == "lote" and findings[0].ok and "3 DE" in findings[0].message
    assert len(findings) == 1 + 3 * 8 and all(f.ok for f in findings)
    assert docs[1].key in " ".join(f.message for f in findings)
    sync = client_mod.envelope(b'<rEnviDe xmlns="http://ekuatia.set.gov.py/sifen/xsd"><dId>1</dId><xDE>'
                               + client_mod.strip_declaration(docs[0].xml) + b"</xDE></rEnviDe>")
    assert all(f.ok for f in verify_bytes(sync)) and len(verify_bytes(sync)) == 8
    zipped = base64.b64encode(client_mod.lote_zip([d.xml for d in docs]))
    env = client_mod.envelope(b'<rEnvioLote xmlns="http://ekuatia.set.gov.py/sifen/xsd"><dId>1</dId><xDE>'
                              + zipped + b"</xDE></rEnvioLote>")
    assert all(f.ok for f in verify_bytes(env)) and len(verify_bytes(env)) == 25


def test_mixed_lote_and_garbage_are_reported():
    from sifen_docs import identity
    a = Signer(seed=4).sale()
    from dataclasses import replace
    from sifen_docs import COMPANY
    other = Signer(replace(COMPANY, ruc="3456789-5"), seed=5).sale(identity_=identity("3456789-5"))
    lote = py_verify.unzip_lote(client_mod.lote_zip([a.xml, other.xml]))
    first = verify_bytes(lote)[0]
    assert first.check == "lote" and not first.ok and "RUC" in first.message
    assert not py_verify.verify(b"<rDE><broken")[0].ok
    assert verify_bytes(b"<otro/>")[0].check == "xml"
    assert py_verify.verify(client_mod.envelope(b"<x/>"))[0].check == "xml"
