"""Dátil: issuing a factura from its unsigned SRI XML (`POST /invoices/issue/xml`, seed 001)
and the catalog tables, over real HTTP on loopback."""
from __future__ import annotations

from decimal import Decimal

import requests
from lxml import etree

from app.fiscal.ec import datil, xml_build
from app.store import documents
from test_datil import body_of, headers


def unsigned_factura(company, sequential: int = 77) -> bytes:
    """An unsigned SRI factura of the demo company, as an ERP's own generator writes it."""
    draft = datil.parse(body_of("invoices", company), "invoices", company)
    return xml_build.build(draft, company, sequential, "12345678")[1]


def test_factura_xml_is_numbered_signed_and_stored(ec_api):
    company = ec_api.session.company
    xml = unsigned_factura(company)
    source = etree.fromstring(xml)
    r = requests.post(f"{ec_api.url}/datil/invoices/issue/xml", json={"xml": xml.decode("utf-8")},
                      headers=headers(ec_api), timeout=30)
    assert r.status_code == 200, r.text
    obj = r.json()
    assert obj["estado"] == "RECIBIDO" and len(obj["clave_acceso"]) == 49
    assert obj["comprador"]["identificacion"] == source.findtext("infoFactura/identificacionComprador")
    assert Decimal(obj["totales"]["importe_total"]) == Decimal(source.findtext("infoFactura/importeTotal"))
    doc = documents.get(ec_api.session.conn, int(obj["id"]))
    assert doc["sequential"] == int(obj["secuencial"]) != 77  # Mostrador numbers it, not the XML
    stored = etree.fromstring(bytes(doc["xml"]))
    assert stored.find(".//{http://www.w3.org/2000/09/xmldsig#}Signature") is not None
    assert stored.findtext("infoFactura/importeTotal") == source.findtext("infoFactura/importeTotal")
    assert [d.findtext("descripcion") for d in stored.findall("detalles/detalle")] == \
        [d.findtext("descripcion") for d in source.findall("detalles/detalle")]
    # a retry with another Idempotency-Key but the same XML number: the same document
    again = requests.post(f"{ec_api.url}/datil/invoices/issue/xml", json={"xml": xml.decode("utf-8")},
                          headers=headers(ec_api, **{"Idempotency-Key": "otro"}), timeout=30)
    assert again.status_code == 200 and again.json()["id"] == obj["id"]
    got = requests.get(f"{ec_api.url}/datil/invoices/{obj['id']}", headers=headers(ec_api), timeout=10)
    assert got.json()["clave_acceso"] == obj["clave_acceso"]


def test_bad_xml_is_refused_naming_the_field(ec_api):
    company = ec_api.session.company
    before = ec_api.doc_count()
    good = unsigned_factura(company, 5).decode("utf-8")
    cases = {
        "no_xml": {},
        "malformed": {"xml": "<factura><infoTributaria>"},
        "doctype": {"xml": '<!DOCTYPE x [<!ENTITY e "x">]><factura/>'},
        "not_factura": {"xml": good.replace("<factura", "<notaCredito").replace("</factura>", "</notaCredito>")},
        "wrong_total": {"xml": good.replace("<importeTotal>", "<importeTotal>9")},
        "other_ruc": {"xml": good.replace(f"<ruc>{company.ruc}</ruc>", "<ruc>0992339411001</ruc>")},
    }
    for name, body in cases.items():
        r = requests.post(f"{ec_api.url}/datil/invoices/issue/xml", json=body, headers=headers(ec_api), timeout=30)
        assert r.status_code == 400, (name, r.status_code, r.text)
        err = r.json()
        assert err["status"] == 400 and err["errores"] and err["errores"][0]["mensaje"], (name, err)
        if name in ("no_xml", "malformed", "doctype", "not_factura"):
            assert err["errores"][0]["campo"] == "xml", (name, err)
    assert ec_api.doc_count() == before


def test_catalogs(ec_api):
    r = requests.get(f"{ec_api.url}/datil/catalog", headers=headers(ec_api), timeout=10)
    assert r.status_code == 200
    cat = r.json()
    iva = {row["codigo"]: row for row in cat["iva"]}
    assert iva["4"]["tarifa"] == "15" and iva["0"]["tarifa"] == "0" and iva["7"]["tarifa"] is None
    assert iva["2"]["vigente"] is False and iva["4"]["vigente"] is True
    pagos = {row["codigo"]: row["codigo_sri"] for row in cat["formas_pago"]}
    assert pagos["efectivo"] == "01" and pagos["tarjeta_credito"] == "19" and pagos["cheque"] == "20"
    assert {row["codigo"] for row in cat["tipos_identificacion"]} >= {"04", "05", "06", "07", "08"}
    assert {row["codigo"]: row["porcentaje"] for row in cat["retenciones"]["iva"]}["9"] == "10"
    assert {row["codigo"] for row in cat["impuestos"]} == {"2", "3", "5"}
    one = requests.get(f"{ec_api.url}/datil/catalog/formas_pago", headers=headers(ec_api), timeout=10)
    assert one.status_code == 200 and one.json() == {"formas_pago": cat["formas_pago"]}
    missing = requests.get(f"{ec_api.url}/datil/catalog/nada", headers=headers(ec_api), timeout=10)
    assert missing.status_code == 404 and "Catálogo desconocido" in missing.json()["error"]
    unauth = requests.get(f"{ec_api.url}/datil/catalog", timeout=10)
    assert unauth.status_code == 401
