"""Products and customers: validation, search, barcode lookup, deactivation, CSV round trip
with a preview that reports every bad row."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.core.errors import ValidationError
from app.pos import catalog
from app.store.db import connect


@pytest.fixture
def conn(tmp_path):
    c = connect(tmp_path / "m.db")
    yield c
    c.close()


def test_products_save_search_find_deactivate(conn):
    p = catalog.save_product(conn, catalog.Product(" LECHE1 ", "Leche entera 1 L", D("1.05"), "0", True,
                                                   "7861001234585"))
    assert p.id and p.code == "LECHE1"
    assert catalog.find_product(conn, "7861001234585").code == "LECHE1"
    assert catalog.find_product(conn, "LECHE1").name == "Leche entera 1 L"
    assert [x.code for x in catalog.search_products(conn, "entera leche")] == ["LECHE1"]
    assert catalog.search_products(conn, "100%") == []  # LIKE wildcards are literal
    p.price = D("1.10")
    catalog.save_product(conn, p)
    assert catalog.get_product(conn, p.id).price == D("1.10")
    catalog.set_product_active(conn, p.id, False)
    assert catalog.find_product(conn, "LECHE1") is None
    assert catalog.search_products(conn, "", include_inactive=True)[0].active is False


def test_product_validation(conn):
    with pytest.raises(ValidationError) as e:
        catalog.save_product(conn, catalog.Product("", "", D("-1"), "99"))
    fields = {x.field for x in e.value.errors}
    assert fields == {"code", "name", "price", "tax_category"}
    catalog.save_product(conn, catalog.Product("A", "A", D(1), "4", True, "123"))
    with pytest.raises(ValidationError, match="ya es del producto A"):
        catalog.save_product(conn, catalog.Product("B", "B", D(1), "4", True, "123"))


def test_customers(conn):
    c = catalog.save_customer(conn, catalog.Customer("1710034065", "María Andrade", email="m@x.ec"))
    assert c.id_type == "05"
    assert catalog.find_customer(conn, "1710034065").name == "María Andrade"
    with pytest.raises(ValidationError, match="verificador"):
        catalog.save_customer(conn, catalog.Customer("1710034066", "Mal"))
    with pytest.raises(ValidationError, match="Correo"):
        catalog.save_customer(conn, catalog.Customer("AB12345", "Pasaporte", "06", email="no-es-correo"))
    assert [x.name for x in catalog.search_customers(conn, "andrade")] == ["María Andrade"]


PRODUCTS_CSV = """codigo;codigo_barras;nombre;precio;precio_incluye_iva;categoria_iva;activo
ARROZ;786100;Arroz 1 kg;1,35;si;0;si
ACEITE;786101;Aceite 1 L;3.15;sí;4;
MALO;;;abc;quizas;99;si
ARROZ;;Repetido;1;si;0;si
CEM;786102;Cemento;8.48;no;5;no
"""


def test_products_csv_preview_and_import(conn):
    prev = catalog.preview_products_csv(PRODUCTS_CSV)
    assert [r.line for r in prev.rows] == [2, 3, 4, 5, 6]
    assert [p.code for p in prev.good] == ["ARROZ", "ACEITE", "CEM"]
    bad = {r.line: r.errors for r in prev.bad}
    assert any("no es un número" in e for e in bad[4]) and any("sí o no" in e for e in bad[4])
    assert any("Categoría de IVA" in e for e in bad[4]) and any("nombre" in e.lower() for e in bad[4])
    assert any("repetido" in e for e in bad[5])
    assert prev.good[0].price == D("1.35")  # decimal comma accepted
    assert catalog.apply_products(conn, prev.good) == 3
    cem = catalog.search_products(conn, "Cemento", include_inactive=True)[0]
    assert cem.price_includes_tax is False and cem.active is False
    exported = catalog.export_products_csv(conn)
    again = catalog.preview_products_csv(exported)
    assert not again.bad and {p.code: p.price for p in again.good} == {"ARROZ": D("1.35"), "ACEITE": D("3.15"),
                                                                       "CEM": D("8.48")}


def test_csv_missing_columns(conn):
    with pytest.raises(ValidationError, match="Faltan columnas"):
        catalog.preview_products_csv("codigo,precio\nA,1\n")


def test_customers_csv(conn):
    text = "identificacion,nombre,email\n1710034065,María,m@x.ec\n1710034066,Mal,\n1790011674001,Andina SA,\n"
    prev = catalog.preview_customers_csv(text)
    assert [c.identification for c in prev.good] == ["1710034065", "1790011674001"]
    assert "verificador" in prev.bad[0].errors[0] and prev.bad[0].line == 3
    catalog.apply_customers(conn, prev.good)
    assert catalog.find_customer(conn, "1790011674001").id_type == "04"
    assert "1710034065" in catalog.export_customers_csv(conn)
