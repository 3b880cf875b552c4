"""The registry of SRI document types: one module per type and its lookups."""
from __future__ import annotations

import pytest

from app.fiscal.ec import catalog, documents, model
from app.fiscal.ec.country import COUNTRY
from app.resources import resource

EXPECTED = {  # kind: (codDoc, root, emitted version)
    "invoices": ("01", "factura", "1.1.0"),
    "purchase-settlements": ("03", "liquidacionCompra", "1.1.0"),
    "credit-notes": ("04", "notaCredito", "1.1.0"),
    "debit-notes": ("05", "notaDebito", "1.0.0"),
    "waybills": ("06", "guiaRemision", "1.1.0"),
    "retentions": ("07", "comprobanteRetencion", "2.0.0"),
}


def test_six_types_one_module_each():
    assert documents.kinds() == tuple(EXPECTED)
    assert len({t.model for t in documents.TYPES}) == 6
    for t in documents.TYPES:
        assert (t.cod_doc, t.root, t.version) == EXPECTED[t.kind]
        assert documents.by_code(t.cod_doc) is documents.by_root(t.root) is documents.by_kind(t.kind) is t
        assert t.version in t.schemas
        assert issubclass(t.model, model.Document)


def test_every_schema_file_is_shipped():
    for (_root, _version), name in documents.schema_files().items():
        assert resource("xsd", "ec", name).is_file(), name


def test_unknown_lookups_answer_none():
    assert documents.by_kind("receipts") is None and documents.by_code("99") is None
    assert documents.by_root("rDE") is None and documents.by_model(object()) is None


def test_registry_answers_what_the_catalog_tables_did():
    assert {t.kind: t.cod_doc for t in documents.TYPES} == {k: v[0] for k, v in EXPECTED.items()}
    assert documents.by_code("07").kind == "retentions" and documents.by_root("guiaRemision").cod_doc == "06"
    assert documents.by_code("05").version == "1.0.0" and documents.by_code("03").root == "liquidacionCompra"
    assert documents.by_code("06").name == "guía de remisión"
    assert not hasattr(catalog, "DOC_CODES")


@pytest.mark.parametrize("root", [v[1] for v in EXPECTED.values()])
def test_the_country_recognises_each_root(root):
    assert COUNTRY.owns_xml(f'<?xml version="1.0"?><{root} id="comprobante">'.encode())
    assert not COUNTRY.owns_xml(b'<?xml version="1.0"?><rDE xmlns="http://ekuatia.set.gov.py/sifen/xsd">')
