import subprocess
import time
from decimal import Decimal as D

import pytest
from lxml import etree
from signxml import XMLVerifier

from app.core.errors import ValidationError
from app.fiscal.py import cdc, dsig, qr, schema, xml_build
from app.fiscal.py.model import Receiver

from conftest import ISSUED, fe_model

NS = "{http://ekuatia.set.gov.py/sifen/xsd}"
CSC = qr.TEST_CSC["0001"]


def signed_fe(company, identity, n_items=3, **kw):
    code, xml = xml_build.build(fe_model(n_items, **kw), company, 7, cdc.new_security_code(avoid=7), ISSUED)
    return code, dsig.sign(xml, *identity, csc_id="0001", csc=CSC)


def test_fe_is_schema_valid_and_verifies(company, identity):
    code, signed = signed_fe(company, identity)
    assert cdc.validate(code) == []
    assert schema.validate(signed) == []
    root = etree.fromstring(signed)
    assert [c.tag.split("}")[1] for c in root] == ["dVerFor", "DE", "Signature", "gCamFuFD"]
    assert root.find(NS + "DE").get("Id") == code
    assert signed.startswith(b'<?xml version="1.0" encoding="UTF-8"?><rDE')
    assert b"\n" not in signed and b"ds:" not in signed
    assert [f.ok for f in dsig.verify(signed, csc=CSC)] == [True, True]


def test_xmlsec1_and_signxml_accept_signature(company, identity, cert_pem, tmp_path):
    _, signed = signed_fe(company, identity)
    path = tmp_path / "de.xml"
    path.write_bytes(signed)
    res = subprocess.run(["xmlsec1", "--verify", "--id-attr:Id", "DE", "--trusted-pem", str(cert_pem), str(path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "OK" in res.stdout + res.stderr
    result = XMLVerifier().verify(signed, x509_cert=cert_pem.read_text(), id_attribute="Id")
    assert result.signed_xml.tag == NS + "DE"


def test_tampering_breaks_signature_and_qr(company, identity, cert_pem, tmp_path):
    _, signed = signed_fe(company, identity)
    tampered = signed.replace(b"<dNomRec>Sin Nombre</dNomRec>", b"<dNomRec>Otro Nombre</dNomRec>")
    assert tampered != signed
    assert not dsig.verify(tampered)[0].ok
    path = tmp_path / "bad.xml"
    path.write_bytes(tampered)
    res = subprocess.run(["xmlsec1", "--verify", "--id-attr:Id", "DE", "--trusted-pem", str(cert_pem), str(path)],
                         capture_output=True, text=True)
    assert res.returncode != 0
    wrong_csc = dsig.verify(signed, csc=qr.TEST_CSC["0002"])
    assert wrong_csc[1].check == "qr" and not wrong_csc[1].ok


def test_qr_manual_example_hash():
    params = qr.qr_params(cdc="01444444017001001001452822017012515873260988", issued_at="2017-01-25T09:35:17",
                          receiver_ruc="88899990", total="300000", total_iva="27272", items=2,
                          digest_value="yzGYhUx1/XYYzksWB+fPR3Qc50c=", csc_id="0001")
    assert "dFeEmiDE=323031372d30312d32355430393a33353a3137" in params
    assert qr.c_hash_qr(params, CSC) == "97ddbb3c1e7d65af03a70ffe21f2b34846ab1c89e0566c35222086766b7374ed"
    url = qr.qr_url(params, CSC, production=False)
    assert url.startswith("https://ekuatia.set.gov.py/consultas-test/qr?nVersion=150&Id=") and CSC not in url


def test_qr_in_signed_fe_uses_digest_and_totals(company, identity):
    _, signed = signed_fe(company, identity)
    root = etree.fromstring(signed)
    url = root.findtext(f"{NS}gCamFuFD/{NS}dCarQR")
    digest = root.findtext(".//{http://www.w3.org/2000/09/xmldsig#}DigestValue")
    assert f"DigestValue={digest.encode().hex()}" in url
    assert f"dTotGralOpe={root.findtext(f'.//{NS}dTotGralOpe')}&dTotIVA={root.findtext(f'.//{NS}dTotIVA')}&cItems=3" in url
    assert "dNumIDRec=0" in url
    _, params, h = qr.split_url(url)
    assert qr.c_hash_qr(params, CSC) == h


def test_anonymous_limit_nt024(company):
    big = fe_model(1)
    big.items[0].price, big.items[0].quantity = D(7_000_000), D(1)
    with pytest.raises(ValidationError) as exc:
        xml_build.build(big, company, 1, "123456789", ISSUED)
    assert exc.value.errors[0].field == "cliente"
    big.items[0].price = D(6_999_999)
    xml_build.build(big, company, 1, "123456789", ISSUED)  # below the limit: allowed
    big.items[0].price = D(9_000_000)
    big.receiver = Receiver(contribuyente=True, name="CLIENTE S.A.", operation=1, taxpayer_type=2,
                            ruc="80013884", ruc_dv=8)
    _, xml = xml_build.build(big, company, 1, "123456789", ISSUED)
    assert b"<dRucRec>80013884</dRucRec><dDVRec>8</dDVRec>" in xml


def test_timbrado_and_issuer_from_company(company, identity):
    _, signed = signed_fe(company, identity)
    root = etree.fromstring(signed)
    assert root.findtext(f".//{NS}dNumTim") == "12345678"
    assert root.findtext(f".//{NS}dFeIniT") == "2024-01-01"
    assert root.findtext(f".//{NS}iTipEmi") == "1"
    assert root.findtext(f".//{NS}dNomEmi").startswith("DE generado en ambiente de prueba")


def test_sign_speed_is_reasonable(company, identity):
    model = fe_model(10)
    t0 = time.perf_counter()
    for i in range(20):
        _, xml = xml_build.build(model, company, i + 1, cdc.new_security_code(avoid=i + 1), ISSUED)
        dsig.sign(xml, *identity, csc_id="0001", csc=CSC)
    assert (time.perf_counter() - t0) / 20 < 0.05


def test_random_invoices_are_schema_valid_and_consistent(company, identity):
    """50 pseudo-random FEs (fixed seed): every one validates, verifies, and its totals add up."""
    import random
    from app.fiscal.py.model import Item
    rnd = random.Random(150)
    for n in range(50):
        items = []
        for i in range(rnd.randint(1, 12)):
            t = rnd.choice([1, 1, 1, 2, 3, 4])
            items.append(Item(code=f"R{i}", description=f"Ítem ñandutí {i}", unit=rnd.choice([77, 83, 2366]),
                              quantity=D(rnd.randint(1, 5000)) / D(rnd.choice([1, 10, 1000])),
                              price=D(rnd.randint(100, 3_000_000)), iva_type=t,
                              iva_base=D(100) if t == 1 else (D(rnd.randint(1, 99)) if t == 4 else D(0)),
                              iva_rate=rnd.choice([5, 10]) if t in (1, 4) else 0,
                              discount=D(rnd.choice([0, 0, 50, 100]))))
        model = fe_model(1, items=items, round_to_50=rnd.random() < 0.5,
                         receiver=Receiver(contribuyente=True, name="CLIENTE S.A.", operation=1,
                                           taxpayer_type=2, ruc="80013884", ruc_dv=8))
        _, xml = xml_build.build(model, company, n + 1, cdc.new_security_code(avoid=n + 1), ISSUED)
        signed = dsig.sign(xml, *identity, csc_id="0001", csc=CSC)
        assert schema.validate(signed) == [], n
        root = etree.fromstring(signed)
        val = lambda tag: D(root.findtext(f".//{NS}{tag}"))  # noqa: E731
        assert val("dTotOpe") == val("dSubExe") + val("dSubExo") + val("dSub5") + val("dSub10")
        assert val("dTotGralOpe") == val("dTotOpe") - val("dRedon")
        assert val("dTotIVA") == val("dIVA5") + val("dIVA10")
        assert val("dTBasGraIVA") == val("dBaseGrav5") + val("dBaseGrav10")
        items_total = sum(D(e.text) for e in root.iter(NS + "dTotOpeItem"))
        assert abs(items_total - val("dTotOpe")) <= 2  # four subtotals, each rounded once
