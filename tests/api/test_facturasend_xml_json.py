"""FacturaSend's `GET /de/xml/<cdc>?json=true` (seed 002): the stored XML as a JSON object, in the
shape FacturaSend's answers show (xml2js, no arrays for single children), over real HTTP."""
from __future__ import annotations

import requests

from app.xmlsafe import parse_xml
from test_paraguay import bearer, fs, sale

NS = "{http://ekuatia.set.gov.py/sifen/xsd}"


def test_xml_as_json_object_matches_the_stored_xml(py_api):
    r = requests.post(fs(py_api, "/de/create"), json=sale(py_api, 3), headers=bearer(py_api), timeout=30)
    de = r.json()["deList"][0]
    cdc = de["cdc"]
    stored = requests.get(fs(py_api, f"/de/xml/{cdc}"), headers=bearer(py_api), timeout=10)
    assert stored.headers["content-type"].startswith("application/xml")
    r = requests.get(fs(py_api, f"/de/xml/{cdc}?json=true"), headers=bearer(py_api), timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    out = r.json()
    root = parse_xml(stored.content)
    assert list(out) == ["rDE"]
    rde = out["rDE"]
    assert rde["$"]["xmlns"] == "http://ekuatia.set.gov.py/sifen/xsd"
    assert rde["dVerFor"] == root.findtext(f"{NS}dVerFor")
    assert rde["DE"]["$"]["Id"] == cdc
    timb = rde["DE"]["gTimb"]
    assert timb["dNumTim"] == root.findtext(f".//{NS}dNumTim") and timb["dNumDoc"] == root.findtext(f".//{NS}dNumDoc")
    # one item is an object, several an array: as many as the XML has
    items = rde["DE"]["gDtipDE"]["gCamItem"]
    n = len(root.findall(f".//{NS}gCamItem"))
    assert (len(items) if isinstance(items, list) else 1) == n
    assert rde["Signature"]["$"]["xmlns"] == "http://www.w3.org/2000/09/xmldsig#"
    assert rde["Signature"]["SignatureValue"] == root.findtext(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    assert rde["gCamFuFD"]["dCarQR"] == root.findtext(f".//{NS}dCarQR")
    # json=false (the seed's own example) is the XML itself
    plain = requests.get(fs(py_api, f"/de/xml/{cdc}?json=false"), headers=bearer(py_api), timeout=10)
    assert plain.content == stored.content


def test_xml_json_of_an_unknown_cdc_is_the_dialects_404(py_api):
    r = requests.get(fs(py_api, f"/de/xml/{'0' * 44}?json=true"), headers=bearer(py_api), timeout=10)
    assert r.status_code == 404 and r.json()["success"] is False and r.json()["error"]
