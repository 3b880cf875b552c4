from datetime import date

import pytest

from app.fiscal.ec import access_key

VALID = [
    "0312202201019007200200120029020004874985766297216",
    "0110201401099126726300120010010002742492823013317",
    "2907202201172229668600120010010000002111234567811",
    "1702201205176001321000110010030001000011234567816",
    "0503201201176001321000110010030009900641234567814",
    "2808201400179210439400110010010000000091234567812",
    "0211202401050306179800120010020000000677300995216",
]


@pytest.mark.parametrize("clave", VALID)
def test_reference_keys_have_valid_check_digit(clave):
    assert access_key.check_digit(clave[:48]) == int(clave[48])
    assert access_key.validate(clave) == []


def test_ficha_example_check_digit():
    # FICHA worked example: 41261533 with weights 3,2,7,6,5,4,3,2 -> 6 (the 8 digits padded to 48).
    assert access_key.check_digit("0" * 40 + "41261533") == 6


def test_wrong_check_digit_reports_expected_and_found():
    problems = access_key.validate("1804202401123456789000110010010000000051234567816")
    assert problems == ["el dígito verificador de la clave de acceso es incorrecto: se esperaba 2 y tiene 6"]
    problems = access_key.validate("0403201301176815353000110015010000000081234567816")
    assert "se esperaba 0 y tiene 6" in problems[0]


def test_52_digit_key_is_refused():
    problems = access_key.validate("2110201106123456789100100110020010000000011234567815")
    assert problems == ["la clave de acceso debe tener 49 dígitos (tiene 52)"]
    with pytest.raises(ValueError):
        access_key.parse("2110201106123456789100100110020010000000011234567815")


def test_non_digits_and_empty():
    assert "solo puede contener dígitos" in access_key.validate("18042024011234567890001100100100000000512345678A")[0]
    assert access_key.validate("") == ["la clave de acceso está vacía"]


def test_build_and_parse_round_trip():
    clave = access_key.build(date(2025, 7, 15), "01", "1790012345001", "1", "001", "002", 6, "04553878")
    assert len(clave) == 49 and access_key.validate(clave) == []
    parts = access_key.parse(clave)
    assert parts.issued == date(2025, 7, 15)
    assert (parts.cod_doc, parts.ruc, parts.ambiente, parts.estab, parts.pto_emi) == ("01", "1790012345001", "1", "001", "002")
    assert parts.secuencial == 6 and parts.codigo_numerico == "04553878" and parts.tipo_emision == "1"
    assert parts.number == "001-002-000000006"
    assert parts.check_digit == access_key.check_digit(clave[:48])


def test_parse_reference_key():
    p = access_key.parse("0312202201019007200200120029020004874985766297216")
    assert p.issued == date(2022, 12, 3) and p.cod_doc == "01" and p.ruc == "0190072002001"
    assert p.ambiente == "2" and p.serie == "002902" and p.secuencial == 487498 and p.check_digit == 6


def test_build_refuses_malformed_parts():
    with pytest.raises(ValueError, match="secuencial"):
        access_key.build(date(2025, 1, 1), "01", "1790012345001", "1", "001", "001", 0, "12345678")
    with pytest.raises(ValueError, match="RUC"):
        access_key.build(date(2025, 1, 1), "01", "179001234500", "1", "001", "001", 1, "12345678")
    with pytest.raises(ValueError, match="código numérico"):
        access_key.build(date(2025, 1, 1), "01", "1790012345001", "1", "001", "001", 1, "1234")


def test_random_codigo_numerico():
    codes = {access_key.random_codigo_numerico() for _ in range(50)}
    assert all(len(c) == 8 and c.isdigit() for c in codes)
    assert len(codes) > 45
