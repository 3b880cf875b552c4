"""Seed event bodies (FacturaSend evento/*, DTEpy documentoset/cancelacion) -> signed,
schema-valid rEnviEventoDe, or a refusal naming the field."""
from datetime import datetime

import pytest

from app.core.errors import ValidationError
from app.fiscal.py import dsig, events, schema
from app.fiscal.py.facturasend_events import parse_event

from conftest import load_json

AT = datetime(2026, 11, 23, 12, 0)
BUILT = {"inutilizacion": "rGeVeInu", "conformidad": "rGeVeConf", "desconocimiento": "rGeVeDescon",
         "notificacion": "rGeVeNotRec", "nominacion": "rGEveNom"}
REFUSED = {"cancelacion": {"cdc"}, "disconformidad": {"cdc"}}  # the seed's CDC has a wrong check digit


@pytest.mark.parametrize("kind", sorted(BUILT))
def test_seed_event_builds_signed_and_valid(kind, company, identity):
    group = parse_event(kind, load_json(f"fs_evento_{kind}.json"), company)
    assert group.tag.endswith(BUILT[kind])
    xml = events.build_signed([(7, group)], *identity, AT)
    assert schema.validate_event(xml) == []
    assert [f.ok for f in dsig.verify(xml)] == [True]
    if kind == "nominacion":
        assert b"<dRucRec>2005001</dRucRec><dDVRec>1</dDVRec>" in xml and b"<dDesCiuRec>PASO ITA (INDIGENA)" in xml
    if kind == "inutilizacion":
        assert b"<dNumTim>12345678</dNumTim>" in xml and b"<dNumIn>0000010</dNumIn><dNumFin>0000012</dNumFin>" in xml


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_seed_event_refused_by_field(kind, company):
    with pytest.raises(ValidationError) as exc:
        parse_event(kind, load_json(f"fs_evento_{kind}.json"), company)
    assert {e.field for e in exc.value.errors} == REFUSED[kind]


def test_dtepy_cancel_body(company, identity):
    body = load_json("dtepy_cancelacion.json")
    with pytest.raises(ValidationError) as exc:
        parse_event("cancelacion", body, company)
    assert {e.field for e in exc.value.errors} == {"cdc"}
    body["cdc"] = "01800695631001001000000812021112910953738413"
    xml = events.build_signed([(body["id"], parse_event("cancelacion", body, company))], *identity, AT)
    assert schema.validate_event(xml) == []


def test_event_problems_reported_together(company):
    with pytest.raises(ValidationError) as exc:
        parse_event("inutilizacion", {"tipoDocumento": 3, "punto": "x", "desde": 5}, company)
    assert {"tipoDocumento", "establecimiento", "punto", "hasta", "motivo"} <= {e.field for e in exc.value.errors}
