"""The crashes and silent acceptances the fuzz campaign of issue #15 reproduced, one by one: each
is now a refusal naming the field (or, for deep JSON / huge integers, the body)."""
from __future__ import annotations

import copy

import pytest

from app.core.errors import ValidationError
from harness import PY_NOW
from mutations import HugeInt, _deep

import ec_docs_support as S  # noqa: E402


def refused_fields(backend, body, kind, company, now, **options) -> set[str]:
    with pytest.raises(ValidationError) as exc:
        backend.parse(body, kind, company, now=now, **options)
    assert all(e.field for e in exc.value.errors), exc.value.errors
    return {e.field for e in exc.value.errors}


def fs_with(py, dialect, path, value):
    body = copy.deepcopy(py[3][dialect])
    node = body
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return body


@pytest.mark.parametrize("dialect", ["facturasend", "dtepy"])
@pytest.mark.parametrize("value", [1e30, "1e30", "1_000", "١٢٣", "१२", HugeInt(10 ** 5000), float("nan"), "NaN",
                                   "12.123456789", True, [1], {"a": 1}])
def test_py_quantity_outside_the_schema_is_refused(py, dialect, value):
    backend, company, _ident, _ = py
    body = fs_with(py, dialect, ("items", 0, "cantidad"), value)
    assert "items[0].cantidad" in refused_fields(backend, body, "invoices", company, PY_NOW, dialect=dialect)


@pytest.mark.parametrize("dialect", ["facturasend", "dtepy"])
@pytest.mark.parametrize("text", ["Aceite\x00", "a\x01b", "\x1b[31mrojo", "x\ufffe"])
def test_py_control_characters_in_text_are_refused(py, dialect, text):
    backend, company, _ident, _ = py
    body = fs_with(py, dialect, ("items", 0, "descripcion"), text)
    assert "items[0].descripcion" in refused_fields(backend, body, "invoices", company, PY_NOW, dialect=dialect)


@pytest.mark.parametrize("value", [False, 0, [], "mañana"])
def test_py_fecha_that_is_not_a_date_is_refused_not_taken_as_now(py, value):
    backend, company, _ident, _ = py
    body = fs_with(py, "facturasend", ("fecha",), value)
    assert "fecha" in refused_fields(backend, body, "invoices", company, PY_NOW, dialect="facturasend")


@pytest.mark.parametrize("dialect", ["facturasend", "dtepy"])
@pytest.mark.parametrize("entry", [5, "x", None, [1, 2], True])
def test_py_wrong_types_inside_entregas(py, dialect, entry):
    backend, company, _ident, _ = py
    body = fs_with(py, dialect, ("condicion", "entregas", 0), entry)
    fields = refused_fields(backend, body, "invoices", company, PY_NOW, dialect=dialect)
    assert any(f.startswith("condicion.entregas") for f in fields), fields


@pytest.mark.parametrize("entry", [5, "x", [1], True])
def test_dtepy_wrong_types_inside_obligaciones(py, entry):
    backend, company, _ident, bodies = py
    body = copy.deepcopy(bodies["dtepy"])
    body.setdefault("obligaciones", [{"codigo": 211, "descripcion": "IVA"}])
    body["obligaciones"] = [entry]
    fields = refused_fields(backend, body, "invoices", company, PY_NOW, dialect="dtepy")
    assert any(f.startswith("obligaciones") for f in fields), fields


def test_py_very_deep_json_is_refused(py):
    backend, company, _ident, _ = py
    body = fs_with(py, "facturasend", ("items", 0, "descripcion"), _deep(5000))
    assert refused_fields(backend, body, "invoices", company, PY_NOW, dialect="facturasend")


@pytest.mark.parametrize("value", [float("nan"), "x" * 1_000_000, 7, "1_000", {"codigo": "2"}])
def test_ec_totales_impuestos_is_read_not_ignored(ec, value):
    backend, company, _ident = ec
    body = S.invoice()
    body["totales"]["impuestos"] = value
    fields = refused_fields(backend, body, "invoices", company, S.NOW)
    assert any(f.startswith("totales.impuestos") for f in fields), fields


@pytest.mark.parametrize("value", [1e30, "1e30", "1_000", "١٢٣", HugeInt(10 ** 5000), float("inf"), "NaN"])
def test_ec_quantity_outside_the_schema_is_refused(ec, value):
    backend, company, _ident = ec
    body = S.invoice()
    body["items"][0]["cantidad"] = value
    assert "items[0].cantidad" in refused_fields(backend, body, "invoices", company, S.NOW)


def test_ec_non_ascii_digits_in_a_code_are_refused(ec):
    backend, company, _ident = ec
    body = S.invoice()
    body["items"][0]["impuestos"][0]["codigo_porcentaje"] = "٤"
    assert "items[0].impuestos[0].codigo_porcentaje" in refused_fields(backend, body, "invoices", company, S.NOW)
