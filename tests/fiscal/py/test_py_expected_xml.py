"""Expected XML, one per document type: a fixed FacturaSend body (expected/<name>.input.json)
goes through `PyBackend.parse` and `PyBackend.sign` with an injected clock and a fixed number;
the signed rDE, with what varies by key or by clock masked (the Signature, the QR, dFecFirma,
dCodSeg and the CDC's last ten digits), must equal expected/<name>.xml byte for byte.

After an intended change of the output, regenerate with
`MOSTRADOR_UPDATE_EXPECTED=1 python3 -m pytest tests/fiscal/py/test_expected_xml.py` and review
the diff.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree

from app.fiscal.py import qr, schema
from app.fiscal.py import verify as py_verify
from app.fiscal.py.backend import PyBackend

EXPECTED = Path(__file__).resolve().parent / "expected"
NS = "{http://ekuatia.set.gov.py/sifen/xsd}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
# The injected clock: two hours after the bodies' `fecha` (10:00 in Asunción, UTC-3).
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
SEQUENTIAL = 4321
CASES = {"fe": "invoices", "fe_usd": "invoices", "afe": "purchase-settlements",
         "nce": "credit-notes", "nde": "debit-notes", "nre": "waybills"}
MASK = "*"


def masked(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    de = root.find(NS + "DE")
    de.set("Id", de.get("Id")[:34] + MASK)  # dCodSeg + check digit
    for path in ("dDVId", "dFecFirma", "gOpeDE/dCodSeg"):
        de.find("/".join(NS + p for p in path.split("/"))).text = MASK
    sig = root.find(DS + "Signature")
    for child in list(sig):
        sig.remove(child)
    sig.text = MASK
    root.find(f"{NS}gCamFuFD/{NS}dCarQR").text = MASK
    etree.indent(root, space=" ")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def signed(name: str, company, identity) -> bytes:
    body = json.loads((EXPECTED / f"{name}.input.json").read_text(encoding="utf-8"))
    backend = PyBackend()
    draft = backend.parse(body, CASES[name], company, now=NOW)
    doc = backend.sign(draft, SEQUENTIAL, SimpleNamespace(key=identity[0], cert=identity[1]), company, now=NOW)
    assert schema.validate(doc.xml) == []
    findings = py_verify.verify(doc.xml, csc=qr.TEST_CSC["0001"])
    # the test certificate is made today, after the fixed clock: its validity is not what is tested here
    bad = [f for f in findings if not f.ok and f.check != "certificate"]
    assert not bad, bad
    return doc.xml


@pytest.mark.parametrize("name", sorted(CASES))
def test_document_equals_expected_xml(name, company, identity):
    got = masked(signed(name, company, identity))
    path = EXPECTED / f"{name}.xml"
    if os.environ.get("MOSTRADOR_UPDATE_EXPECTED"):
        path.write_bytes(got)
    assert got.decode("utf-8") == path.read_text(encoding="utf-8")
