"""FacturaSend's drafts (`?draft=true`, seed 002 "Lote en Borrador"): kept unsigned and without a
number; confirmed → numbered and signed through the normal path; rejected → gone."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import requests

from app.core import status as st
from app.store import documents
from test_paraguay import bearer, fs, sale


def drafts(api) -> int:
    return api.session.conn.execute("SELECT COUNT(*) FROM api_drafts").fetchone()[0]


def test_draft_is_not_numbered_until_confirmed(py_api):
    r = requests.post(fs(py_api, "/de/create?draft=true"), json=sale(py_api, 1), headers=bearer(py_api), timeout=30)
    assert r.status_code == 200, r.text
    draft = r.json()
    assert draft["success"] and draft["borrador"] is True
    assert draft["deList"] == [{"index": 0, "cdc": "", "numero": "", "estado": "Borrador", "situacion": 0}]
    assert py_api.doc_count() == 0 and drafts(py_api) == 1
    # a document issued meanwhile takes the next number: the draft reserved none
    now = requests.post(fs(py_api, "/de/create"), json=sale(py_api, 2), headers=bearer(py_api), timeout=30).json()
    assert now["deList"][0]["numero"].endswith("0000001")

    ok = requests.post(fs(py_api, f"/lote/draft-confirm/{draft['loteId']}"), headers=bearer(py_api), timeout=30)
    assert ok.status_code == 200, ok.text
    (de,) = ok.json()["deList"]
    assert len(de["cdc"]) == 44 and de["numero"].endswith("0000002") and de["situacion"] == 0
    doc = documents.by_key(py_api.session.conn, de["cdc"])
    assert doc["status"] == st.SIGNED and b"Signature" in bytes(doc["xml"])
    again = requests.post(fs(py_api, f"/lote/draft-confirm/{draft['loteId']}"), headers=bearer(py_api), timeout=30)
    assert again.json()["deList"][0]["cdc"] == de["cdc"] and py_api.doc_count() == 2  # a retry: the same DE
    late = requests.post(fs(py_api, f"/lote/draft-reject/{draft['loteId']}"), headers=bearer(py_api), timeout=30)
    assert late.status_code == 400 and late.json()["errores"][0]["campo"] == "loteId"


def test_lote_draft_confirmed_in_order_and_another_rejected(py_api):
    bodies = [sale(py_api, 3), sale(py_api, 4)]
    lote = requests.post(fs(py_api, "/lote/create?draft=true"), json=bodies, headers=bearer(py_api), timeout=30).json()
    other = requests.post(fs(py_api, "/de/create?draft=true"), json=sale(py_api, 5), headers=bearer(py_api),
                          timeout=30).json()
    assert len(lote["deList"]) == 2 and lote["loteId"] != other["loteId"] and drafts(py_api) == 2
    gone = requests.post(fs(py_api, f"/lote/draft-reject/{other['loteId']}"), headers=bearer(py_api), timeout=30)
    assert gone.status_code == 200 and gone.json() == {"success": True} and drafts(py_api) == 1
    missing = requests.post(fs(py_api, f"/lote/draft-confirm/{other['loteId']}"), headers=bearer(py_api), timeout=30)
    assert missing.status_code == 404 and missing.json()["success"] is False
    ok = requests.post(fs(py_api, f"/lote/draft-confirm/{lote['loteId']}"), headers=bearer(py_api), timeout=30).json()
    assert [d["numero"][-7:] for d in ok["deList"]] == ["0000001", "0000002"]
    assert py_api.doc_count() == 2


def test_stale_draft_cannot_be_confirmed(py_api):
    r = requests.post(fs(py_api, "/de/create?draft=true"), json=sale(py_api, 6), headers=bearer(py_api), timeout=30)
    draft_id = r.json()["loteId"]
    old = (datetime.now(timezone.utc) - timedelta(hours=73)).isoformat()
    with py_api.session.conn:
        py_api.session.conn.execute("UPDATE api_drafts SET created_at=? WHERE id=?", (old, draft_id))
    late = requests.post(fs(py_api, f"/lote/draft-confirm/{draft_id}"), headers=bearer(py_api), timeout=30)
    assert late.status_code == 400 and "72 horas" in late.json()["error"] + str(late.json()["errores"])
    assert py_api.doc_count() == 0
    assert requests.post(fs(py_api, f"/lote/draft-reject/{draft_id}"), headers=bearer(py_api),
                         timeout=30).status_code == 200


def test_issuer_params_are_the_company_in_facturasend_shape(py_api):
    company = py_api.session.company
    r = requests.get(fs(py_api, "/system/backend/params"), headers=bearer(py_api), timeout=10)
    assert r.status_code == 200 and r.json()["success"] is True
    params = r.json()["result"]["params"]
    assert params["ruc"] == company.ruc and params["razonSocial"] == company.razon_social
    assert params["timbradoNumero"] == company.timbrado
    assert params["timbradoFecha"].startswith(company.timbrado_start.isoformat())
    est = company.establishments[0]
    (first, *_) = params["establecimientos"]
    assert first["codigo"] == est.code and first["departamento"] == est.departamento
    assert first["departamentoDescripcion"] and first["ciudadDescripcion"]  # names from the SIFEN catalogs
    assert [a["codigo"] for a in params["actividadesEconomicas"]] == [c for c, _ in company.actividades]
    assert params["version"] == 150 and r.json()["result"]["configSetApi"]["pygDecimals"] == 0
    assert requests.get(fs(py_api, "/system/backend/params"), timeout=10).status_code == 401
