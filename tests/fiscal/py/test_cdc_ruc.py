import datetime as dt

import pytest

from app.fiscal.py import cdc, ruc

REAL_CDCS = [
    "01444444017001001001452822017012515873260988",  # MT §10.1
    "01800138848001001123456412018121817819792239",  # SET FE 2019
    "04800044649001001900018722019090117200146404",  # AFE
    "05009290230001001000005212019040910000000345",  # NC
    "06009290230001001000002612019040917819792232",  # ND
    "07800044649001001900018322019031217200146403",  # NRE
]


@pytest.mark.parametrize("code", REAL_CDCS)
def test_real_cdcs_validate_and_rebuild(code):
    assert cdc.validate(code) == []
    p = cdc.parse(code)
    rebuilt = cdc.build(p.doc_type, p.ruc, p.ruc_dv, p.establishment, p.point, p.number,
                        p.taxpayer_type, p.issued_on, p.security_code, p.emission_type)
    assert rebuilt == code


def test_mt_example_fields():
    p = cdc.parse(REAL_CDCS[0])
    assert (p.doc_type, p.ruc, p.ruc_dv, p.number, p.issued_on, p.security_code, p.dv) == (
        1, "44444401", 7, "0014528", dt.date(2017, 1, 25), "587326098", 8)
    assert cdc.grouped(REAL_CDCS[0]) == "0144 4444 0170 0100 1001 4528 2201 7012 5158 7326 0988"


def test_wrong_dv_and_shape_reported():
    bad = REAL_CDCS[0][:-1] + "9"
    assert any("dígito verificador incorrecto" in e for e in cdc.validate(bad))
    assert cdc.validate("123") and cdc.validate("0144444401700100100145282201713515873260988")


def test_security_code_random_nine_digits_never_number():
    codes = {cdc.new_security_code(avoid=5) for _ in range(200)}
    assert len(codes) > 190
    assert all(len(c) == 9 and c.isdigit() and int(c) > 0 for c in codes)
    with pytest.raises(ValueError):
        cdc.build(1, "80089752", None, "001", "001", 1, 2, dt.date(2026, 1, 1), "000000000")


@pytest.mark.parametrize("text,dv", [("80089752", 8), ("44444401", 7), ("80013884", 8), ("929023", 0),
                                     ("80004464", 9), ("2005001", 1)])
def test_ruc_check_digit(text, dv):
    assert ruc.check_digit(text) == dv
    assert ruc.validate(f"{text}-{dv}") == []


def test_ruc_errors():
    assert "corresponde 3" in ruc.validate("69695654-1")[0]
    assert ruc.validate("80089752") and ruc.validate("80089752", require_dv=False) == []
    assert ruc.validate("0-1") and ruc.validate("ABC-1")
    assert ruc.split("080089752-8") == ("80089752", 8)
