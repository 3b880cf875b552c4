from app.fiscal.ec import identity


def test_valid_cedulas():
    for c in ("1710034065", "0912345675", "0102030400"):
        assert identity.check_cedula(c).ok, c


def test_cedula_wrong_check_digit():
    r = identity.check_cedula("1710034066")
    assert r.errors == ["la cédula 1710034066 tiene un dígito verificador incorrecto (se esperaba 5, tiene 6)"]


def test_cedula_structure():
    assert not identity.check_cedula("171003406").ok
    assert "provincia" in identity.check_cedula("9910034065").errors[0]
    assert any("tercer dígito" in e for e in identity.check_cedula("0987654321").errors)


def test_natural_person_ruc_is_hard():
    assert identity.check_ruc("1710034065001").ok
    r = identity.check_ruc("1710034066001")
    assert not r.ok and "dígito verificador" in r.errors[0]
    assert not identity.check_ruc("1710034065000").ok


def test_company_ruc_checksum_is_only_a_warning():
    ok = identity.check_ruc("1790085783001")  # digits 4,3,2,7,6,5,4,3,2 -> dv 3
    assert ok.ok and ok.warnings == []
    soft = identity.check_ruc("1790013213001")
    assert soft.ok and len(soft.warnings) == 1 and "se esperaba 9" in soft.warnings[0]
    assert not identity.check_ruc("1790013213000").ok  # structure still enforced


def test_public_ruc():
    assert identity.check_ruc("1760013210001").ok
    r = identity.check_ruc("1760013220001")
    assert r.ok and r.warnings
    assert not identity.check_ruc("1760013210000").ok


def test_third_digit_7_refused():
    assert "tercer dígito" in identity.check_ruc("1770013210001").errors[0]


def test_check_identification_dispatch():
    assert identity.check_identification("07", "9999999999999").ok
    assert not identity.check_identification("07", "1710034065").ok
    assert identity.check_identification("06", "AB123456").ok
    assert not identity.check_identification("09", "GSM-0123").ok
