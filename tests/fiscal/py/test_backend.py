"""PyBackend: FacturaSend / DTEpy JSON → Draft → signed rDE (our numbering, the keyring's CSC)."""
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from app.core.errors import ConfigurationError, ValidationError
from app.fiscal import signing
from app.fiscal.py import cdc, dsig, qr, schema, xml_build
from app.fiscal.py.backend import PyBackend, csc_account, detect_dialect
from app.fiscal.py import verify as py_verify

DATA = __import__("pathlib").Path(__file__).resolve().parent / "data"


def load_json(name: str) -> dict:  # not `from conftest import`: several conftest modules exist
    return __import__("json").loads((DATA / name).read_text(encoding="utf-8"))

NOW = datetime.now(timezone.utc)


def fixed_seed() -> dict:
    d = load_json("fs_de_create.json")
    d["condicion"]["entregas"][1]["infoTarjeta"]["ruc"] = "69695654-3"
    del d["condicion"]["credito"]
    d["fecha"] = xml_build.local_naive(NOW).isoformat()
    return d


def snake(o):
    if isinstance(o, dict):
        return {re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), k): snake(v) for k, v in o.items()}
    return [snake(v) for v in o] if isinstance(o, list) else o


@pytest.fixture
def ident(identity):
    return SimpleNamespace(key=identity[0], cert=identity[1])


def test_facturasend_body_is_numbered_by_us_and_signed(company, ident):
    b = PyBackend()
    draft = b.parse(fixed_seed(), "invoices", company, now=NOW)
    assert any("Se ignora el número 5" in w for w in draft.warnings)
    assert draft.series.doc_code == "1" and draft.series.establishment == "001"
    assert draft.buyer_id == "2005001-1" and draft.currency == "PYG"
    doc = b.sign(draft, 42, ident, company, now=NOW)
    assert doc.number == "001-001-0000042" and cdc.parse(doc.key).number == "0000042"
    assert schema.validate(doc.xml) == []
    findings = py_verify.verify(doc.xml, csc=qr.TEST_CSC["0001"])
    assert [f.check for f in findings] == ["schema", "signature", "qr", "certificate", "certificate_ruc", "chain",
                                           "cdc", "totals"]
    assert all(f.ok for f in findings), findings


def test_snake_case_and_dtepy_detected(company, ident):
    b = PyBackend()
    assert b.parse(snake(fixed_seed()), "invoices", company, now=NOW).model.dialect == "facturasend"
    d = load_json("dtepy_documentoset.json")
    d["cliente"]["ruc"] = "1111111-9"
    d["condicion"]["entregas"][1]["tipo"] = 3
    d["condicion"]["entregas"][2]["tipo"] = 2
    del d["condicion"]["credito"], d["dncp"], d["cdc"]
    d["fecha"] = xml_build.local_naive(NOW).isoformat()
    assert detect_dialect(d) == "dtepy"
    draft = b.parse(d, "invoices", company, now=NOW)
    assert draft.model.dialect == "dtepy" and draft.model.security_code == "123456789"
    signed = b.sign(draft, 3, ident, company, now=NOW)
    assert signed.key[34:43] == "123456789"
    # --format forces the dialect: the same body read as FacturaSend keeps working
    assert b.parse(d, "invoices", company, now=NOW, dialect="facturasend").model.dialect == "facturasend"
    with pytest.raises(ValidationError):
        b.parse(d, "invoices", company, now=NOW, dialect="xml")


def test_bad_input_names_fields(company):
    b = PyBackend()
    bad = fixed_seed()
    bad["items"][0]["iva"] = 7
    bad["cliente"]["ruc"] = "2005001-5"
    with pytest.raises(ValidationError) as exc:
        b.parse(bad, "invoices", company, now=NOW)
    assert {"items[0].iva", "cliente.ruc"} <= {e.field for e in exc.value.errors}
    other = fixed_seed()
    other["establecimiento"] = 9
    with pytest.raises(ValidationError, match="establecimiento 009"):
        b.parse(other, "invoices", company, now=NOW)
    old = fixed_seed()
    old["fecha"] = xml_build.local_naive(NOW - timedelta(days=31)).isoformat()
    with pytest.raises(ValidationError, match="1150"):
        b.parse(old, "invoices", company, now=NOW)
    late = fixed_seed()
    late["fecha"] = xml_build.local_naive(NOW - timedelta(hours=80)).isoformat()
    assert any("1005" in w for w in b.parse(late, "invoices", company, now=NOW).warnings)
    with pytest.raises(ValidationError, match="credit-notes"):
        b.parse(fixed_seed(), "credit-notes", company, now=NOW)


def test_csc_comes_from_the_keyring(company, ident):
    secret = "ZXCV" + "1" * 28
    signing.store_secret(csc_account(company.ruc), secret)
    b = PyBackend()
    doc = b.sign(b.parse(fixed_seed(), "invoices", company, now=NOW), 1, ident, company, now=NOW)
    assert secret.encode() not in doc.xml
    assert all(f.ok for f in dsig.verify(doc.xml, csc=secret))
    assert not [f for f in dsig.verify(doc.xml, csc=qr.TEST_CSC["0001"]) if f.check == "qr"][0].ok


def test_production_without_csc_is_refused(company, ident):
    prod = replace(company, environment="produccion")
    b = PyBackend()
    draft = b.parse(fixed_seed(), "invoices", prod, now=NOW)
    with pytest.raises(ConfigurationError, match="CSC"):
        b.sign(draft, 1, ident, prod, now=NOW)


def test_verify_reports_tampering(company, ident):
    b = PyBackend()
    doc = b.sign(b.parse(fixed_seed(), "invoices", company, now=NOW), 7, ident, company, now=NOW)
    bad = doc.xml.replace(b"<dTotGralOpe>", b"<dTotGralOpe>1", 1)
    checks = {f.check: f.ok for f in py_verify.verify(bad)}
    assert checks["signature"] is False and checks["totals"] is False


def test_geographic_catalogs_like_facturasend():
    from app.fiscal.py import geo
    assert len(geo.departamentos()) == 20 and {"codigo": 11, "descripcion": "ALTO PARANA"} in geo.departamentos()
    assert geo.distritos(17, "bahia") == [{"codigo": 196, "descripcion": "BAHIA NEGRA",
                                           "departamento": {"codigo": 17, "descripcion": "ALTO PARAGUAY"}}]
    nueva = [c for c in geo.ciudades(234, "asuncion") if c["codigo"] == 5678][0]
    assert nueva["distrito"]["departamento"] == {"codigo": 16, "descripcion": "BOQUERON"}
    assert geo.KNOWN_CITIES.get(3344) == "PASO ITA (INDIGENA)"
    assert geo.KNOWN_DISTRICTS.get(143) == "DOMINGO MARTINEZ DE IRALA"
    assert geo.consistent(11, 143, 3344) and not geo.consistent(1, 143, 3344)
    assert {"codigo": 77, "descripcion": "UNI"} in geo.unidades()
    assert {"codigo": "PYG", "descripcion": "Guarani"} in geo.monedas()
    assert any(p["codigo"] == "PRY" for p in geo.paises())


def test_receiver_geography_must_agree(company):
    b = PyBackend()
    body = fixed_seed()  # departamento 11, distrito 143, ciudad 3344: consistent
    assert b.parse(body, "invoices", company, now=NOW).model.document.receiver.location.ciudad_desc == \
        "PASO ITA (INDIGENA)"
    body["cliente"]["departamento"] = 1
    with pytest.raises(ValidationError, match="1326"):
        b.parse(body, "invoices", company, now=NOW)


def test_card_ending_in_0000_is_left_out_with_a_warning():
    """dNumTarj is xs:positiveInteger: '0000' cannot be written; the sale still goes through."""
    import copy
    import random

    from app.fiscal.py import schema
    from app.fiscal.py.certificate import PROFILE
    from app.fiscal.signing import generate_test_p12, load_identity
    from app.fiscal.py.demo import DEMO_PY, demo_py_sale

    from app.fiscal.py.backend import PyBackend

    body = None
    rng = random.Random(5)
    for n in range(1, 200):  # a demo sale paid by card
        b = demo_py_sale(DEMO_PY, rng, n)
        cards = [e for e in b.get("condicion", {}).get("entregas", []) if e.get("infoTarjeta")]
        if cards:
            body = copy.deepcopy(b)
            cards = [e for e in body["condicion"]["entregas"] if e.get("infoTarjeta")]
            cards[0]["infoTarjeta"]["numero"] = "0000"
            break
    assert body is not None
    backend = PyBackend()
    draft = backend.parse(body, "invoices", DEMO_PY)
    assert any("0000" in w for w in draft.warnings)
    identity = load_identity(generate_test_p12(ruc=DEMO_PY.ruc, holder="X", password="pw", profile=PROFILE), "pw")
    signed = backend.sign(draft, 1, identity, DEMO_PY)
    assert schema.validate(signed.xml) == [] and b"dNumTarj" not in signed.xml
