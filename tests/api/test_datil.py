"""Dátil's dialect over real HTTP on loopback, with the seed's own client code (`requests`)."""
from __future__ import annotations

import requests

import ec_docs_support as S
from conftest import load, today_ec

KINDS = ["invoices", "credit-notes", "debit-notes", "retentions", "waybills", "purchase-settlements"]


def headers(api, **extra):
    # as seed 001 shows: cabeceras = {'x-key': ..., 'x-password': ..., 'content-type': ...}
    return {"x-key": api.key, "x-password": "no se comprueba en la demo", "content-type": "application/json", **extra}


def body_of(kind, company=None):
    body = S.moved_to(S.BODIES[kind](), today_ec())
    est = company.establishments[0]
    body["emisor"] = {"ruc": company.ruc, "establecimiento": {"codigo": est.code, "punto_emision": est.points[0].code}}
    return body


def test_every_type_is_issued_and_read_back_by_id(ec_api):
    for kind in KINDS:
        r = requests.post(f"{ec_api.url}/datil/{kind}/issue", json=body_of(kind, ec_api.session.company), headers=headers(ec_api), timeout=30)
        assert r.status_code == 200, (kind, r.text)
        obj = r.json()
        assert obj["id"] and len(obj["clave_acceso"]) == 49 and obj["estado"] == "RECIBIDO"
        assert obj["emisor"]["ruc"] == ec_api.session.company.ruc
        got = requests.get(f"{ec_api.url}/datil/{kind}/{obj['id']}", headers=headers(ec_api), timeout=10)
        assert got.status_code == 200 and got.json()["clave_acceso"] == obj["clave_acceso"]
    assert ec_api.doc_count() == len(KINDS)
    # an id of another type is not found there
    r = requests.get(f"{ec_api.url}/datil/waybills/1", headers=headers(ec_api), timeout=10)
    assert r.status_code == 404 and r.json()["error"]


def test_seed_example_is_refused_naming_the_field(ec_api):
    r = requests.post(f"{ec_api.url}/datil/invoices/issue", json=load("seed001_invoice.json"),
                      headers=headers(ec_api), timeout=10)
    assert r.status_code == 400
    fields = {e["campo"] for e in r.json()["errores"]}
    assert "comprador.identificacion" in fields
    assert ec_api.doc_count() == 0


def test_wrong_missing_or_revoked_key_gets_401(ec_api):
    url = f"{ec_api.url}/datil/invoices/issue"
    for h in ({}, {"x-key": "api_key_falsa"}):
        r = requests.post(url, json=body_of("invoices", ec_api.session.company), headers=h, timeout=10)
        assert r.status_code == 401 and r.json()["status"] == 401
    from app.api import keys

    keys.revoke(ec_api.session.conn, "erp")
    r = requests.post(url, json=body_of("invoices", ec_api.session.company), headers=headers(ec_api), timeout=10)
    assert r.status_code == 401
    assert ec_api.doc_count() == 0


def test_key_limited_to_another_dialect_is_refused(ec_api):
    from app.api import keys

    other = keys.create(ec_api.session.conn, "solo-fs", ec_api.session.company.ruc, "facturasend")
    r = requests.post(f"{ec_api.url}/datil/invoices/issue", json=body_of("invoices", ec_api.session.company),
                      headers={"x-key": other["key"]}, timeout=10)
    assert r.status_code == 401 and "facturasend" in r.json()["error"]


def test_retries_never_make_a_second_document(ec_api):
    url = f"{ec_api.url}/datil/invoices/issue"
    body = body_of("invoices", ec_api.session.company)
    first = requests.post(url, json=body, headers=headers(ec_api), timeout=30).json()
    again = requests.post(url, json=body, headers=headers(ec_api), timeout=30).json()
    assert again["id"] == first["id"] and again["clave_acceso"] == first["clave_acceso"]
    # the same Idempotency-Key with a body that differs (a re-serialised retry)
    h = headers(ec_api, **{"Idempotency-Key": "pedido-77"})
    a = requests.post(url, json=body, headers=h, timeout=30).json()
    b = requests.post(url, json={**body, "informacion_adicional": {"Vendedor": "Ana", "x": "y"}}, headers=h,
                      timeout=30).json()
    assert a["id"] == b["id"] != first["id"]
    # the client's own number
    numbered = {**body, "secuencial": 501}
    c = requests.post(url, json=numbered, headers=headers(ec_api, **{"Idempotency-Key": "c1"}), timeout=30).json()
    d = requests.post(url, json=numbered, headers=headers(ec_api, **{"Idempotency-Key": "c2"}), timeout=30).json()
    assert c["id"] == d["id"]
    assert ec_api.doc_count() == 3


def test_bad_input_gets_datils_envelope(ec_api):
    url = f"{ec_api.url}/datil/invoices/issue"
    r = requests.post(url, data=b'{"items": [', headers=headers(ec_api), timeout=10)
    assert r.status_code == 400 and r.json()["errores"][0]["campo"] == "body"
    r = requests.post(url, json=[1, 2], headers=headers(ec_api), timeout=10)
    assert r.status_code == 400 and r.json()["errores"][0]["campo"] == "body"
    body = body_of("invoices", ec_api.session.company)
    body["items"][0]["cantidad"] = "tres"
    r = requests.post(url, json=body, headers=headers(ec_api), timeout=10)
    assert r.status_code == 400 and any(e["campo"].startswith("items[0]") for e in r.json()["errores"]), r.text
    big = b'{"x": "' + b"a" * (50 * 1024 * 1024) + b'"}'
    r = requests.post(url, data=big, headers=headers(ec_api), timeout=60)
    assert r.status_code == 413 and r.json()["errores"][0]["campo"] == "body"
    r = requests.get(f"{ec_api.url}/datil/no-existe", headers=headers(ec_api), timeout=10)
    assert r.status_code == 404 and r.json()["status"] == 404
    assert ec_api.doc_count() == 0


def test_openapi_and_docs_page_are_served(ec_api):
    spec = requests.get(f"{ec_api.url}/openapi.json", timeout=10).json()
    assert "/datil/invoices/issue" in spec["paths"] and "/datil/retentions/{id}" in spec["paths"]
    page = requests.get(f"{ec_api.url}/docs", timeout=10)
    assert page.status_code == 200 and "/datil/invoices/issue" in page.text


def test_reissue_only_what_the_sri_did_not_authorize(ec_api):
    from app.core import status as st
    from app.store import documents
    from app.store.db import transaction

    url = f"{ec_api.url}/datil/invoices"
    body = body_of("invoices", ec_api.session.company)
    first = requests.post(url + "/issue", json=body, headers=headers(ec_api), timeout=30).json()
    r = requests.post(f"{url}/{first['id']}/reissue", json=body, headers=headers(ec_api), timeout=30)
    assert r.status_code == 400 and "RECIBIDO" in r.json()["error"]  # not refused by the SRI yet
    with transaction(ec_api.session.conn):  # the SRI's verdict, as the worker records it
        documents.set_status(ec_api.session.conn, int(first["id"]), st.REJECTED,
                             messages=[{"identificador": "56", "mensaje": "ERROR EN DIFERENCIAS", "tipo": "ERROR"}])
    got = requests.get(f"{url}/{first['id']}", headers=headers(ec_api), timeout=10).json()
    assert got["estado"] == "NO AUTORIZADO" and got["autorizacion"]["mensajes"][0]["identificador"] == "56"
    fixed = {**body, "informacion_adicional": {"Vendedor": "Ana", "Nota": "corregida"}}
    again = requests.post(f"{url}/{first['id']}/reissue", json=fixed, headers=headers(ec_api), timeout=30)
    assert again.status_code == 200, again.text
    new = again.json()
    assert new["id"] != first["id"] and new["secuencial"] != first["secuencial"]
    history = [e["detail"] for e in documents.events(ec_api.session.conn, int(first["id"]))]
    assert any(new["clave_acceso"] in d for d in history)
