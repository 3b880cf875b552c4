"""The SIFEN document types behind one registry, and the totals computed once per document."""
import json
from datetime import datetime, timezone
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.fiscal.py import cdc, documents, events, model, xml_build
from app.fiscal.py.backend import KIND_BY_TYPE, PyBackend
from conftest import ISSUED, fe_model  # this folder's conftest, read at collection

EXPECTED = Path(__file__).resolve().parent / "expected"


def test_registry_answers_by_code_kind_and_name():
    assert documents.codes() == (1, 4, 5, 6, 7)
    assert [t.short for t in documents.TYPES] == ["FE", "AFE", "NCE", "NDE", "NRE"]
    for t in documents.TYPES:
        assert documents.by_code(t.code) is t and documents.by_code(str(t.code)) is t
        assert documents.by_kind(t.kind) is t and documents.lookup(t.kind) is t
        assert documents.lookup(t.short.lower()) is t and documents.lookup(f"{t.code:02d}") is t
        assert KIND_BY_TYPE[t.code] == t.kind
    assert documents.by_code(2) is None and documents.lookup("receipts") is None and documents.by_code("x") is None
    assert documents.descriptions() == {1: "Factura electrónica", 4: "Autofactura electrónica",
                                        5: "Nota de crédito electrónica", 6: "Nota de débito electrónica",
                                        7: "Nota de remisión electrónica"}


def test_type_facts_used_elsewhere():
    signed = datetime(2026, 11, 23, 10, 0)
    assert events.cancel_deadline(1, signed) == datetime(2026, 11, 25, 10, 0)
    assert events.cancel_deadline(5, signed) == datetime(2026, 11, 30, 10, 0)
    nre = documents.by_code(7)
    assert not nre.has_values and not nre.commercial and nre.fiscal_legend.endswith("RG 41/2014")
    assert not documents.by_code(4).with_iva(1) and documents.by_code(1).with_iva(5)
    assert not documents.by_code(1).with_iva(2)
    code = cdc.build(3, "80089752", 8, "001", "001", 1, 2, signed, "123456789")
    assert any("tipo de documento 03" in p for p in cdc.validate(code))


def test_totals_are_computed_once_from_body_to_signed_xml(company, identity, monkeypatch):
    calls = []
    real = model.compute

    def counting(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(model, "compute", counting)
    body = json.loads((EXPECTED / "fe.input.json").read_text(encoding="utf-8"))
    now = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
    backend = PyBackend()
    draft = backend.parse(body, "invoices", company, now=now)  # change (vuelto) + Draft total
    backend.sign(draft, 1, SimpleNamespace(key=identity[0], cert=identity[1]), company, now=now)
    assert len(calls) == 1
    assert draft.total == D(248950) and draft.model.document.change == D(151050)


def test_changing_an_item_recomputes(company):

    doc = fe_model(1)
    first = doc.total()
    doc.items[0].quantity += 1
    assert doc.total() == first * 2
    assert doc.amounts() is doc.amounts()
    xml_build.build(doc, company, 1, "123456789", ISSUED)


def test_unknown_type_is_refused_by_field(company):

    from app.core.errors import ValidationError

    with pytest.raises(ValidationError) as exc:
        xml_build.build(fe_model(1, doc_type=2), company, 1, "123456789", ISSUED)
    assert [e.field for e in exc.value.errors] == ["tipoDocumento"]
