"""FacturaSend's recibos (seed 002 "Creación de recibo", "Cancelación del Recibo") over real HTTP
on loopback: the seed's own example replayed with `requests`, gapless numbering per punto,
idempotent retries, bad inputs named by field, the signature checked by xmlsec1 and by our
verifier, the query by CDC and the cancellation."""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
from datetime import datetime, timezone

import pytest
import requests

from app.fiscal.py import dsig, xml_build
from app.xmlsafe import parse_xml
from test_paraguay import bearer, fs

# seed 002's recibo/create example, verbatim but for `fecha` (set to now in each test)
SEED_BODY = json.loads("""{
"fecha": "2023-10-26T15:59:43",
"establecimiento": 1,
"punto": 1017,
"numero": 3,
"concepto" : "Pago de Cuota XYZ - Manzana MANDUVIRA(100.000GS), Lote 10. - Pago de Interes XYZ - Manzana MANDUVIRA, Lote 10.(50.000GS)",
"total": 150000,
"cliente": {
"codigo": "00001",
"contribuyente": false,
"documentoNumero": "0",
"documentoTipo": 5,
"email": "",
"pais": "PRY",
"razonSocial": "CONSUMIDOR FINAL",
"tipoOperacion": 2,
"celular": "595973527155"
},
"condicion": {
"entregas": [
{
"cambio": 0,
"moneda": "PYG",
"monto": 45000,
"tipo": 1
}
],
"tipo": 1
},
"usuario": {
"cargo": "Vendedor",
"documentoNumero": "0",
"documentoTipo": 9,
"nombre": "admin"
},
"documentoAsociado": [{
"formato": 1,
"cdc": "55800695631001001000000112023102610001111110",
"monto": 185000,
"montoRetencionIva" : 10000,
"montoRetencionRenta" : 5000
}, {
"formato": 2,
"tipoDocumentoImpreso": 1,
"timbrado": "12345678",
"establecimiento": "002",
"punto": "002",
"numero": "0000003",
"serie": null,
"fecha": "2024-09-01",
"monto": 186000
}]
}""")


def now_py() -> str:
    """Today in Paraguay (the recibo's `fecha` has no zone), whatever the machine's zone."""
    return xml_build.local_naive(datetime.now(timezone.utc)).isoformat()


def seed_body(punto: int = 1) -> dict:
    body = copy.deepcopy(SEED_BODY)
    body["fecha"] = now_py()
    body["punto"] = punto  # the seed's 1017 does not fit the CDC's 3 digits (see the next test)
    return body


def simple(total=50000, **extra) -> dict:
    body = {"fecha": now_py(), "establecimiento": 1, "punto": 2, "concepto": "Pago de cuota 4 de 12",
            "total": total, "cliente": {"contribuyente": True, "ruc": "80012345-0", "tipoContribuyente": 2,
                                        "razonSocial": "CLIENTE S.A.", "pais": "PRY"},
            "condicion": {"tipo": 1, "entregas": [{"tipo": 1, "moneda": "PYG", "monto": total}]}}
    body.update(extra)
    return body


def create(api, body, headers=None, query=""):
    return requests.post(fs(api, f"/recibo/create{query}"), json=body, headers={**bearer(api), **(headers or {})},
                         timeout=30)


def recibo_count(api) -> int:
    return api.session.conn.execute("SELECT COUNT(*) FROM py_recibos").fetchone()[0]


def test_seed_example_replayed_gives_an_approved_signed_recibo(py_api, tmp_path):
    # the seed's literal punto 1017 is refused, named by field (a CDC holds 3 digits of punto)
    literal = copy.deepcopy(SEED_BODY)
    literal["fecha"] = now_py()
    r = create(py_api, literal)
    assert r.status_code == 400 and r.json()["success"] is False
    assert [e["campo"] for e in r.json()["errores"]] == ["punto"]
    # the seed's request, as its axios/curl example sends it (headers included)
    url = f"{py_api.url}/facturasend/{py_api.tenant}/recibo/create?xml=true"
    headers = {"Authorization": f"Bearer {py_api.key}", "Content-Type": "application/json; charset=utf-8"}
    r = requests.post(url, data=json.dumps(seed_body()).encode("utf-8"), headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["success"] is True and len(out["reciboList"]) == 1
    item = out["reciboList"][0]
    assert item["estado"] == "Aprobado" and item["respuesta_codigo"] == "0260" and item["respuesta_mensaje"] == "Aprobado"
    assert item["numero"] == "001-001-0000001"
    assert len(item["cdc"]) == 44 and item["cdc"].startswith("55")
    # total recalculated from the associated documents (185 000 + 186 000), with a warning
    root = parse_xml(item["xml"].encode("utf-8"))
    assert root.tag == "rDE" and root.find("recibo").get("Id") == item["cdc"]
    assert root.findtext("recibo/gTimb/iTiDE") == "55" and root.findtext("recibo/gTimb/dDesTiDE") == "Recibo"
    assert root.findtext("recibo/gTotSub/dTotGralOpe") == "371000"
    assert [a.findtext("monto") for a in root.findall("recibo/gCamDEAsoc")] == ["185000", "186000"]
    assert root.findtext("recibo/gCamDEAsoc/dCdCDERef") == SEED_BODY["documentoAsociado"][0]["cdc"]
    assert [i.text for i in root.findall("recibo/item")] == ["1", "2"]
    assert root.findtext("recibo/gDatGralOpe/gEmis/gRespDE/dNomRespDE") == "admin"
    assert any("371000" in w for w in out["advertencias"])
    # the signature: our verifier and xmlsec1
    xml = item["xml"].encode("utf-8")
    assert [f.ok for f in dsig.verify(xml)] == [True]
    if shutil.which("xmlsec1"):
        path = tmp_path / "recibo.xml"
        path.write_bytes(xml)
        done = subprocess.run(["xmlsec1", "--verify", "--id-attr:Id", "recibo", "--enabled-key-data", "x509",
                               "--insecure", str(path)], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
    tampered = xml.replace(b"<dTotGralOpe>371000<", b"<dTotGralOpe>371001<")
    assert [f.ok for f in dsig.verify(tampered)] == [False]
    # never a SIFEN document: nothing in documents nor in the outbox
    assert py_api.doc_count() == 0
    assert py_api.session.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_numbering_is_gapless_per_establecimiento_and_punto(py_api):
    numbers = []
    for total in (1000, 2000, 3000):
        r = create(py_api, simple(total))
        assert r.status_code == 200, r.text
        numbers.append(r.json()["reciboList"][0]["numero"])
    bad = create(py_api, {**simple(4000), "total": "mucho"})  # refused: takes no number
    assert bad.status_code == 400
    r = create(py_api, simple(5000))
    numbers.append(r.json()["reciboList"][0]["numero"])
    assert numbers == ["001-002-0000001", "001-002-0000002", "001-002-0000003", "001-002-0000004"]
    other = create(py_api, {**simple(6000), "establecimiento": 2, "punto": 1})
    assert other.json()["reciboList"][0]["numero"] == "002-001-0000001"


def test_retries_get_the_same_recibo(py_api):
    body = simple(7000)
    first = create(py_api, body).json()["reciboList"][0]
    again = create(py_api, body).json()["reciboList"][0]
    assert again == first and recibo_count(py_api) == 1
    # the same Idempotency-Key with a body that differs (a retry after a timeout, rebuilt)
    body2 = simple(8000)
    a = create(py_api, body2, {"Idempotency-Key": "cobro-42"}).json()["reciboList"][0]
    b = create(py_api, {**body2, "fecha": now_py(), "observacion": "reintento"},
               {"Idempotency-Key": "cobro-42"}).json()["reciboList"][0]
    assert a == b and recibo_count(py_api) == 2
    # the client's own `numero` for this punto
    c = create(py_api, simple(9000, numero=77)).json()["reciboList"][0]
    d = create(py_api, simple(9100, numero=77)).json()["reciboList"][0]
    assert c == d and recibo_count(py_api) == 3


@pytest.mark.parametrize("change, fields", [
    (lambda b: b.pop("total"), ["total"]),
    (lambda b: b.update(total="mucho"), ["total"]),
    (lambda b: b.update(total=True), ["total"]),
    (lambda b: b.update(total=50000.5), ["total"]),
    (lambda b: b.update(total=60000), ["total"]),  # entregas sum 50 000
    (lambda b: b.update(establecimiento="uno"), ["establecimiento"]),
    (lambda b: b.update(establecimiento=9), ["establecimiento"]),
    (lambda b: b.update(fecha="26/10/2023"), ["fecha"]),
    (lambda b: b.pop("concepto"), ["concepto"]),
    (lambda b: b["cliente"].update(contribuyente="si"), ["cliente.contribuyente"]),
    (lambda b: b["cliente"].update(ruc="80012345-9"), ["cliente.ruc"]),
    (lambda b: b["condicion"]["entregas"][0].update(tipo=77), ["condicion.entregas[0].tipo"]),
    (lambda b: b.update(documentoAsociado=[{"formato": 2, "monto": "x"}]),
     ["documentoAsociado[0].monto", "documentoAsociado[0].tipoDocumentoImpreso", "documentoAsociado[0].timbrado",
      "documentoAsociado[0].establecimiento", "documentoAsociado[0].punto", "documentoAsociado[0].numero",
      "documentoAsociado[0].fecha"]),
])
def test_bad_input_is_named_by_field_and_stores_nothing(py_api, change, fields):
    body = simple(50000)
    change(body)
    r = create(py_api, body)
    assert r.status_code == 400, r.text
    out = r.json()
    assert out["success"] is False and out["error"]
    assert sorted(e["campo"] for e in out["errores"]) == sorted(fields)
    assert all(e["error"] for e in out["errores"])
    assert recibo_count(py_api) == 0


def test_not_an_object_wrong_key_and_malformed_json(py_api):
    r = create(py_api, [simple()])
    assert r.status_code == 400 and r.json()["errores"][0]["campo"] == "body"
    r = requests.post(fs(py_api, "/recibo/create"), json=simple(), headers={"Authorization": "Bearer api_key_mala"},
                      timeout=10)
    assert r.status_code == 401 and r.json()["success"] is False
    r = requests.post(fs(py_api, "/recibo/create"), data=b'{"total": ', headers=bearer(py_api), timeout=10)
    assert r.status_code == 400 and r.json()["errores"][0]["campo"] == "body"
    assert recibo_count(py_api) == 0


def test_query_xml_and_cancellation(py_api):
    item = create(py_api, simple(12000)).json()["reciboList"][0]
    cdc = item["cdc"]
    r = requests.get(fs(py_api, f"/de/cdc/{cdc}"), headers=bearer(py_api), timeout=10)
    assert r.status_code == 200 and r.json()["result"]["estado"] == "Aprobado"
    assert r.json()["result"]["numero"] == item["numero"] and r.json()["result"]["total"] == 12000
    xml = requests.get(fs(py_api, f"/de/xml/{cdc}"), headers=bearer(py_api), timeout=10)
    assert xml.headers["content-type"].startswith("application/xml")
    assert parse_xml(xml.content).find("recibo").get("Id") == cdc
    as_json = requests.get(fs(py_api, f"/de/xml/{cdc}?json=true"), headers=bearer(py_api), timeout=10).json()
    assert as_json["rDE"]["recibo"]["$"]["Id"] == cdc
    # seed 002's cancellation call
    url = f"{py_api.url}/facturasend/{py_api.tenant}/recibo/evento/cancelacion"
    r = requests.post(url, json={"cdc": cdc, "motivo": "Se digito erroneamente la dirección del cliente"},
                      headers=bearer(py_api), timeout=10)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["success"] is True and out["cdc"] == cdc
    assert out["result"]["ns2:rRetEnviEventoDe"]["ns2:gResProcEVe"]["ns2:dEstRes"] == "Aprobado"
    r = requests.get(fs(py_api, f"/de/cdc/{cdc}"), headers=bearer(py_api), timeout=10)
    assert r.json()["result"]["estado"] == "Cancelado"
    again = requests.post(url, json={"cdc": cdc, "motivo": "otra vez por error"}, headers=bearer(py_api), timeout=10)
    assert again.status_code == 400 and again.json()["errores"][0]["campo"] == "cdc"
    bad = requests.post(url, json={"cdc": cdc}, headers=bearer(py_api), timeout=10)
    assert bad.status_code == 400 and [e["campo"] for e in bad.json()["errores"]] == ["motivo"]
    unknown = requests.post(url, json={"cdc": "55" + "0" * 42, "motivo": "no existe este"}, headers=bearer(py_api),
                            timeout=10)
    assert unknown.status_code == 404 and unknown.json()["success"] is False
