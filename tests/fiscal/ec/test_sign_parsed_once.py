"""The issue path parses the built XML once: the XSD validates that tree and the signer signs
it (`xades.sign(..., tree=xades.parse(xml))`, app/fiscal/ec/backend.py). The signature must be
byte for byte the one made from the bytes alone, after the validation has run on the tree."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.fiscal.ec import schema, xades

SAMPLE_TIME = datetime(2024, 4, 18, 14, 34, 32, 878000, tzinfo=ZoneInfo("America/Guayaquil"))
SAMPLE_UUID = "5bdfc32d-a37f-47c3-90fe-49f5a093b7bf"
DOC_TYPES = ["invoice", "credit-note", "debit-note", "delivery-guide", "withholding-certificate"]


@pytest.mark.parametrize("doc", DOC_TYPES)
def test_signing_the_validated_tree_reproduces_the_samples(signer_samples, bc_identity, doc):
    original = (signer_samples / doc / "original.xml").read_bytes()
    expected = (signer_samples / doc / "signed.xml").read_bytes()
    tree = xades.parse(original)
    assert isinstance(schema.validate(tree), list)  # runs the XSD on the very tree then signed
    signed = xades.sign(original, bc_identity, signing_time=SAMPLE_TIME,
                        ids=xades.XadesIds.from_uuid(SAMPLE_UUID), style="bryancalisto", tree=tree)
    assert signed == expected
    assert [f.ok for f in xades.verify(signed)] == [True]


def test_a_tree_that_is_already_signed_is_refused(signer_samples, bc_identity):
    signed = (signer_samples / "invoice" / "signed.xml").read_bytes()
    with pytest.raises(ValueError, match="already signed"):
        xades.sign(signed, bc_identity, tree=xades.parse(signed))
