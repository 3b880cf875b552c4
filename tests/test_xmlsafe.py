import pytest

from app.core.errors import ValidationError
from app.xmlsafe import parse_xml


def test_parses_and_keeps_whitespace():
    root = parse_xml(b"<a>\n  <b> x </b>\n</a>")
    assert root.tag == "a" and root.text == "\n  " and root[0].text == " x "


def test_malformed_raises_spanish_validation_error():
    with pytest.raises(ValidationError) as exc:
        parse_xml(b"<a><b></a>")
    assert "XML mal formado" in str(exc.value) and exc.value.errors[0].field == "xml"
    with pytest.raises(ValidationError, match="vacío"):
        parse_xml(b"   ")


def test_doctype_is_refused_so_no_entity_is_ever_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'.encode()
    with pytest.raises(ValidationError, match="DOCTYPE") as exc:
        parse_xml(xxe)
    assert "TOP-SECRET" not in str(exc.value) and exc.value.errors[0].field == "xml"
    with pytest.raises(ValidationError, match="DOCTYPE"):  # also in UTF-16
        parse_xml('<?xml version="1.0" encoding="UTF-16"?><!doctype a><a/>'.encode("utf-16"))


def test_billion_laughs_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>')
    with pytest.raises(ValidationError, match="DOCTYPE"):
        parse_xml(bomb)


def test_size_limit():
    with pytest.raises(ValidationError, match="máximo de 1 MB"):
        parse_xml(b"<a>" + b"x" * (1024 * 1024) + b"</a>", max_bytes=1024 * 1024)
    assert parse_xml(b"<a>" + b"x" * 1000 + b"</a>", max_bytes=1024 * 1024).tag == "a"
