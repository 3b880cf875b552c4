"""schema.validate offline behaviour, and dsig.verify on signatures made by another engine."""
from datetime import datetime, timezone
from decimal import Decimal as D

import pytest
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, methods, namespaces

from app.core.errors import ConfigurationError, ValidationError
from app.fiscal.py import cdc, dsig, qr, schema, xml_build
from app.fiscal.py.model import Item

from conftest import ISSUED, fe_model

NS = "{http://ekuatia.set.gov.py/sifen/xsd}"
CSC = qr.TEST_CSC["0002"]


def test_schema_reports_errors_and_malformed_xml(company, identity):
    _, xml = xml_build.build(fe_model(2), company, 3, "000000777", ISSUED)
    unsigned = schema.validate(xml)  # no Signature / gCamFuFD yet
    assert unsigned and any("Signature" in e for e in unsigned)
    assert schema.validate(b"<rDE><unclosed></rDE>")[0].startswith("XML mal formado")
    signed = dsig.sign(xml, *identity, csc_id="0002", csc=CSC)
    assert schema.validate(etree.fromstring(signed)) == []
    assert schema.validate(signed.replace(b"<dDesTiDE>Factura electr\xc3\xb3nica<",
                                          b"<dDesTiDE>Factura<"))


def test_entity_expansion_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<rDE xmlns="http://ekuatia.set.gov.py/sifen/xsd">&b;</rDE>')
    errors = schema.validate(bomb)
    assert errors and not any("aaaaaaaaaa" in e for e in errors)


def test_verify_accepts_signxml_inclusive_c14n_signature(company, identity, cert_pem):
    """A DE signed by another engine with inclusive c14n (as the MT §7.6 example) verifies."""
    _, xml = xml_build.build(fe_model(2), company, 4, "000000888", ISSUED)
    root = etree.fromstring(xml)
    de = root.find(NS + "DE")
    signer = XMLSigner(method=methods.enveloped, signature_algorithm=SignatureMethod.RSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
    signer.namespaces = {None: namespaces.ds}
    de.addnext(etree.Element("{%s}Signature" % namespaces.ds, Id="placeholder", nsmap={None: namespaces.ds}))
    signed = signer.sign(root, key=identity[0], cert=[identity[1]], reference_uri="#" + de.get("Id"))
    data = dsig.add_qr(etree.tostring(signed), "0002", CSC)
    assert schema.validate(data) == []
    assert [f.ok for f in dsig.verify(data, csc=CSC)] == [True, True]


def test_foreign_currency_fe_schema_valid(company, identity):
    model = fe_model(2, currency="USD", exchange_condition=1, exchange_rate=D("7300"))
    model.items[0].price, model.items[1].price = D("10.50"), D("3.25")
    model.payments[0].currency, model.payments[0].amount, model.payments[0].exchange_rate = "USD", D("17.00"), D("7300")
    _, xml = xml_build.build(model, company, 5, "000000999", ISSUED)
    signed = dsig.sign(xml, *identity, csc_id="0002", csc=CSC)
    assert schema.validate(signed) == []
    root = etree.fromstring(signed)
    assert root.findtext(f".//{NS}dTiCam") == "7300"
    assert root.findtext(f".//{NS}dTotalGs") == str(int(D(root.findtext(f".//{NS}dTotGralOpe")) * 7300))


def test_item_discount_and_partial_schema_valid(company, identity):
    model = fe_model(1)
    model.items.append(Item(code="D-1", description="Con descuento", quantity=D(3), price=D(11000),
                            discount=D(1000), iva_type=4, iva_base=D(30), iva_rate=5))
    _, xml = xml_build.build(model, company, 6, "000001000", ISSUED)
    signed = dsig.sign(xml, *identity, csc_id="0002", csc=CSC)
    assert schema.validate(signed) == []
    assert b"<dDescItem>1000</dDescItem><dPorcDesIt>9.09090909</dPorcDesIt>" in signed
    assert b"<dTotDesc>3000</dTotDesc>" in signed


def test_aware_issue_time_is_written_in_paraguay_time(company):
    aware = datetime(2026, 11, 23, 13, 15, tzinfo=timezone.utc)
    code, xml = xml_build.build(fe_model(1), company, 8, "000001001", aware)
    text = etree.fromstring(xml).findtext(f".//{NS}dFeEmiDE")
    assert text == "2026-11-23T10:15:00"  # America/Asuncion is UTC-3
    assert cdc.parse(code).issued_on.isoformat() == "2026-11-23"


def test_configuration_problems(company):
    from dataclasses import replace
    with pytest.raises(ConfigurationError):
        xml_build.build(fe_model(1, point="009"), company, 1, "000000005", ISSUED)
    with pytest.raises(ConfigurationError):
        xml_build.build(fe_model(1), replace(company, timbrado=""), 1, "000000005", ISSUED)
    with pytest.raises(ValidationError) as exc:
        xml_build.build(fe_model(1), company, 1, "000000005", datetime(2023, 12, 31, 10))
    assert exc.value.errors[0].field == "fecha"
