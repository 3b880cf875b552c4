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


def test_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'.encode()
    root = parse_xml(xxe)
    assert "TOP-SECRET" not in (root.text or "") and b"TOP-SECRET" not in __import__("lxml.etree").etree.tostring(root)


def test_billion_laughs_does_not_expand():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>')
    root = parse_xml(bomb)
    assert "aaaaaaaaaa" * 100 not in "".join(root.itertext())
