"""Actualización de datos del transporte (rGeVeTr) from a JSON body: schema-valid, signed, and
refused field by field."""
from datetime import datetime

import pytest

from app.core.errors import ValidationError
from app.fiscal.py import dsig, events, schema
from app.fiscal.py.facturasend_events import parse_transport_update

AT = datetime(2026, 11, 23, 12, 0)
CDC = "01800695631001001000000112022081010000000017"
BODIES = {
    1: {"cdc": CDC, "motivo": 1, "entrega": {"departamento": 1, "ciudad": 1, "direccion": "Depósito sur",
                                             "numeroCasa": 12}},
    2: {"cdc": CDC, "motivo": 2, "chofer": {"nombre": "Pedro Otro", "documentoNumero": "7654321"}},
    4: {"cdc": CDC, "motivo": 4, "vehiculo": {"tipo": "Camion", "marca": "Scania", "documentoTipo": 1,
                                              "numeroIdentificacion": "CHASIS123"}},
}


@pytest.mark.parametrize("motive", sorted(BODIES))
def test_body_builds_signed_and_schema_valid(motive, identity):
    cdc, group = parse_transport_update(BODIES[motive])
    assert cdc == CDC and group.tag.endswith("rGeVeTr")
    xml = events.build_signed([(9, group)], *identity, AT)
    assert schema.validate_event(xml) == []
    assert [f.ok for f in dsig.verify(xml)] == [True]
    assert f"<dMotEv>{motive}</dMotEv>".encode() in xml
    if motive == 1:
        assert b"<dDesDepEnt>CAPITAL</dDesDepEnt>" in xml and b"<dDesCiuEnt>ASUNCION (DISTRITO)</dDesCiuEnt>" in xml
    if motive == 4:
        assert b"<dNroIDVeh>CHASIS123</dNroIDVeh>" in xml


@pytest.mark.parametrize("body, fields", [
    ({"cdc": CDC, "motivo": 1, "entrega": {"departamento": 1, "ciudad": 99999, "direccion": "X"}}, {"entrega.ciudad"}),
    ({"cdc": CDC, "motivo": 2, "chofer": {}}, {"chofer.nombre", "chofer.documentoNumero"}),
    ({"cdc": CDC, "motivo": 3}, {"motivo"}),
    ({"cdc": CDC, "motivo": 4, "vehiculo": {"tipo": "Camion", "marca": "Scania", "documentoTipo": 2}},
     {"vehiculo.numeroMatricula"}),
    ({"motivo": 2, "chofer": {"nombre": "Pedro Otro", "documentoNumero": "1"}}, {"cdc"}),
])
def test_body_refused_by_field(body, fields):
    with pytest.raises(ValidationError) as exc:
        parse_transport_update(body)
    assert {e.field for e in exc.value.errors} == fields
