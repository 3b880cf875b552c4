"""FacturaSend's and DTEpy's dialects over real HTTP on loopback (seed 002's curl/axios calls
replayed with `requests`), against a demo Paraguayan company and the SIFEN sandbox."""
from __future__ import annotations

import base64
import random
import time
from contextlib import ExitStack
from datetime import datetime, timezone

import requests

from app.core import status as st
from app.fiscal.py import xml_build
from app.pos.demo import demo_sale
from app.pos.runtime import make_worker
from conftest import load


def fs(api, path):
    return f"{api.url}/facturasend/{api.tenant}{path}"


def bearer(api):
    return {"Authorization": f"Bearer {api.key}", "Content-Type": "application/json; charset=utf-8"}


def sale(api, n=1):
    est = api.session.company.establishments[0]
    body, _ = demo_sale(api.session.company, random.Random(n), n, estab=est.code, point=est.points[0].code)
    return body


def dtepy_body(api):
    """Seed 004's documentoset example with the corrections tests/fiscal/py/test_backend.py makes."""
    d = load("dtepy_documentoset.json")
    d["cliente"]["ruc"] = "1111111-9"
    d["condicion"]["entregas"][1]["tipo"] = 3
    d["condicion"]["entregas"][2]["tipo"] = 2
    del d["condicion"]["credito"], d["dncp"], d["cdc"]
    d["fecha"] = xml_build.local_naive(datetime.now(timezone.utc)).isoformat()
    est = api.session.company.establishments[0]
    d["establecimiento"], d["punto"] = est.code, est.points[0].code
    return d


def test_test_endpoints(py_api):
    assert requests.get(f"{py_api.url}/facturasend/test", timeout=10).json()["success"] is True
    r = requests.get(fs(py_api, "/test"), headers=bearer(py_api), timeout=10)
    assert r.status_code == 200 and r.json()["success"] is True
    r = requests.get(fs(py_api, "/test"), headers={"Authorization": "Bearer api_key_mala"}, timeout=10)
    assert r.status_code == 401 and r.json() == {**r.json(), "success": False} and r.json()["error"]
    r = requests.get(f"{py_api.url}/facturasend/otro-tenant/test", headers=bearer(py_api), timeout=10)
    assert r.status_code == 401 and r.json()["errores"][0]["campo"] == "tenant"


def test_de_create_queries_xml_pdf_and_retries(py_api):
    body = sale(py_api)
    r = requests.post(fs(py_api, "/de/create?xml=true&qr=true&tax=true"), json=body, headers=bearer(py_api), timeout=30)
    assert r.status_code == 200, r.text
    out = r.json()
    de = out["deList"][0]
    assert out["success"] is True and len(de["cdc"]) == 44 and de["estado"] == "Generado" and de["situacion"] == 0
    assert de["xml"].startswith("<") and "dIVA10" in de and "qr" in de
    # a retry after a timeout: the same document
    again = requests.post(fs(py_api, "/de/create"), json=body, headers=bearer(py_api), timeout=30).json()
    assert again["deList"][0]["cdc"] == de["cdc"] and py_api.doc_count() == 1
    by_cdc = requests.get(fs(py_api, f"/de/cdc/{de['cdc']}"), headers=bearer(py_api), timeout=10).json()
    assert by_cdc["result"]["numero"] == de["numero"]
    by_id = requests.get(fs(py_api, f"/de/id/{by_cdc['result']['id']}"), headers=bearer(py_api), timeout=10).json()
    assert by_id["result"]["cdc"] == de["cdc"]
    estado = requests.post(fs(py_api, "/de/estado"), json={"cdcList": [{"cdc": de["cdc"]}, {"cdc": "0" * 44}]},
                           headers=bearer(py_api), timeout=10).json()
    assert [d["situacion"] for d in estado["deList"]] == [0, 98]
    xml = requests.get(fs(py_api, f"/de/xml/{de['cdc']}?json=false"), headers=bearer(py_api), timeout=10)
    assert xml.content == de["xml"].encode("utf-8")
    pdf = requests.post(fs(py_api, "/de/pdf"), json={"cdcList": [{"cdc": de["cdc"]}], "type": "base64", "format": "ticket"},
                        headers=bearer(py_api), timeout=30).json()
    assert base64.b64decode(pdf["result"]).startswith(b"%PDF")
    a4 = requests.post(fs(py_api, "/de/pdf"), json={"cdcList": [{"cdc": de["cdc"]}]}, headers=bearer(py_api), timeout=30)
    assert a4.headers["content-type"] == "application/pdf" and a4.content.startswith(b"%PDF")


def test_seed_de_create_is_refused_naming_fields(py_api):
    r = requests.post(fs(py_api, "/de/create"), json=load("fs_de_create.json"), headers=bearer(py_api), timeout=10)
    assert r.status_code == 400 and r.json()["success"] is False
    fields = {e["campo"] for e in r.json()["errores"]}  # e.g. its 2021 `fecha`, its card RUC
    assert fields and all(fields) and all(e["error"] for e in r.json()["errores"])
    r = requests.post(fs(py_api, "/de/create?draft=true"), json=load("fs_de_create.json"), headers=bearer(py_api),
                      timeout=10)  # a draft is validated like an issue: refused, nothing kept
    assert r.status_code == 400 and r.json()["errores"]
    assert py_api.doc_count() == 0
    assert py_api.session.conn.execute("SELECT COUNT(*) FROM api_drafts").fetchone()[0] == 0


def test_lote_is_all_or_nothing_and_at_most_50(py_api):
    bad = [sale(py_api, 1), load("fs_de_create.json")]
    r = requests.post(fs(py_api, "/lote/create"), json=bad, headers=bearer(py_api), timeout=30)
    assert r.status_code == 400 and {e["index"] for e in r.json()["errores"]} == {1}
    assert py_api.doc_count() == 0
    r = requests.post(fs(py_api, "/lote/create"), json=[sale(py_api, 1)] * 51, headers=bearer(py_api), timeout=30)
    assert r.status_code == 400 and py_api.doc_count() == 0
    good = [sale(py_api, n) for n in range(1, 4)]
    r = requests.post(fs(py_api, "/lote/create"), json=good, headers=bearer(py_api), timeout=60)
    assert r.status_code == 200 and len({d["cdc"] for d in r.json()["deList"]}) == 3
    assert py_api.doc_count() == 3


def test_catalogs(py_api):
    deps = requests.get(fs(py_api, "/departamentos"), headers=bearer(py_api), timeout=10).json()["result"]
    assert {"codigo": 11, "descripcion": "ALTO PARANA"} in deps
    dis = requests.get(fs(py_api, "/distritos/11?nombre=hernandarias"), headers=bearer(py_api), timeout=10).json()
    assert dis["success"] and all(d["departamento"]["codigo"] == 11 for d in dis["result"]) and dis["result"]
    r = requests.get(fs(py_api, "/distritos/once"), headers=bearer(py_api), timeout=10)
    assert r.status_code == 400 and r.json()["errores"][0]["campo"] == "departamentoId"


def _authorize(api, timeout=60):
    with ExitStack() as stack:
        worker = make_worker(api.session, stack)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            worker.run_once()
            rows = api.session.conn.execute("SELECT status FROM documents").fetchall()
            if all(r[0] in st.FINAL for r in rows):
                return
            time.sleep(0.05)


def test_dtepy_documentoset_consulta_and_cancelacion(py_api):
    h = {"x-access-token": py_api.key, "Content-Type": "application/json"}
    body = dtepy_body(py_api)
    r = requests.post(f"{py_api.url}/dtepy/documentoset", json=body, headers=h, timeout=30)
    assert r.status_code == 200, r.text
    prot = r.json()["ns2:rRetEnviDe"]["ns2:rProtDe"]
    assert len(prot["ns2:Id"]) == 44 and prot["ns2:dEstRes"] == "Pendiente" and r.json()["id"] == body["id"]
    # the token in the body instead of the header
    r2 = requests.post(f"{py_api.url}/dtepy/documentoset", json={**body, "token": py_api.key}, timeout=30)
    assert r2.status_code == 200 and r2.json()["ns2:rRetEnviDe"]["ns2:rProtDe"]["ns2:Id"] == prot["ns2:Id"]
    assert requests.post(f"{py_api.url}/dtepy/documentoset", json=body, timeout=10).status_code == 401
    _authorize(py_api)
    c = requests.post(f"{py_api.url}/dtepy/documentoset/consulta", json={"id": 1, "cdc": prot["ns2:Id"]},
                      headers=h, timeout=10).json()["ns2:rEnviConsDeResponse"]
    assert c["ns2:dCodRes"] == "0422" and c["estado"] == "Aprobado" and "<rDE" in c["ns2:xContenDE"]
    r = requests.post(f"{py_api.url}/dtepy/documentoset/cancelacion",
                      json={"cdc": prot["ns2:Id"], "motivo": "Error en el precio del producto"}, headers=h, timeout=30)
    assert r.status_code == 200, r.text
    ev_id = r.json()["ns2:rRetEnviEventoDe"]["ns2:gResProcEVe"]["ns2:id"]
    assert py_api.session.conn.execute("SELECT kind FROM py_events WHERE id=?", (ev_id,)).fetchone()[0] == "cancelacion"
    # cancelling again is refused with DTEpy's envelope naming the field
    r = requests.post(f"{py_api.url}/dtepy/documentoset/cancelacion",
                      json={"cdc": prot["ns2:Id"], "motivo": "Error en el precio del producto"}, headers=h, timeout=30)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "cdc"
    exp = requests.get(f"{py_api.url}/dtepy/documentoset/getexpiration", headers=h, timeout=10).json()
    assert exp["dias"] > 0


def test_email_resend_says_when_mail_is_not_configured(py_api):
    de = requests.post(fs(py_api, "/de/create"), json=sale(py_api), headers=bearer(py_api), timeout=30).json()
    cdc = de["deList"][0]["cdc"]
    r = requests.post(fs(py_api, "/de/email"), json={"email": "a@example.com", "cdcList": [{"cdc": cdc}]},
                      headers=bearer(py_api), timeout=10)
    assert r.status_code == 422 and r.json()["success"] is False and "correo no está configurado" in r.json()["error"]
    r = requests.post(fs(py_api, "/de/email"), json={"email": "a@example.com", "cdcList": [{"cdc": cdc}, {"cdc": cdc}]},
                      headers=bearer(py_api), timeout=10)
    assert r.status_code == 400 and r.json()["errores"][0]["campo"] == "email"


def test_dtepy_lotes_and_document_listings(py_api):
    h = {"x-access-token": py_api.key}
    lote = {"tipoDocumento": 1, "id": 9, "detalle": [sale(py_api, n) for n in (1, 2)]}
    r = requests.post(f"{py_api.url}/dtepy/documentoset/lotes", json=lote, headers=h, timeout=60)
    assert r.status_code == 200, r.text
    prot = r.json()["ns2:rResEnviLoteDe"]["ns2:dProtConsLote"]
    c = requests.post(f"{py_api.url}/dtepy/documentoset/consultalote", json={"lote": prot}, headers=h, timeout=10)
    lot = c.json()["ns2:rResEnviConsLoteDe"]["ns2:gResProcLote"]
    assert len(lot) == 2 and py_api.doc_count() == 2
    last = requests.post(f"{py_api.url}/dtepy/documentoset/ultimosdocs", json={"cantidad": 1}, headers=h, timeout=10)
    assert [d["ns2:Id"] for d in last.json()["documentos"]] == [lot[1]["ns2:Id"]]
    docs = requests.post(f"{py_api.url}/dtepy/documentoset/consultadocs",
                         json={"cdcList": [lot[0]["ns2:Id"], "1" * 44]}, headers=h, timeout=10).json()["documentos"]
    assert docs[0]["ns2:Id"] == lot[0]["ns2:Id"] and docs[1]["ns2:gResProc"]["ns2:dCodRes"] == "0420"
    bad = requests.post(f"{py_api.url}/dtepy/documentoset/ultimosdocs", json={"cantidad": "diez"}, headers=h, timeout=10)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "cantidad"
    bad = requests.post(f"{py_api.url}/dtepy/documentoset/lotes", json={"detalle": [sale(py_api)] * 51}, headers=h,
                        timeout=30)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "detalle" and py_api.doc_count() == 2
