import subprocess
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest
from lxml import etree
from signxml import XMLVerifier

from app.core.errors import ValidationError
from app.fiscal.py import dsig, events as ev, schema
from app.fiscal.py.model import Receiver

CDC = "01800897528001001000000122026112314601512650"
AT = datetime(2026, 11, 23, 12, 0, 0)
NS = "{http://ekuatia.set.gov.py/sifen/xsd}"
COMPANY_RECEIVER = Receiver(True, "CLIENTE S.A.", 1, taxpayer_type=2, ruc="80013884", ruc_dv=8)
PERSON = Receiver(False, "JUAN PEREZ", 2, id_type=1, id_number="1234567")

GROUPS = {
    "rGeVeCan": lambda: ev.cancellation(CDC, "Error en el precio"),
    "rGeVeInu": lambda: ev.inutilization("12345678", "001", "001", 5, 1004, 1, "Numeración saltada"),
    "rGEveNom": lambda: ev.nomination(CDC, "El cliente pidió factura", COMPANY_RECEIVER),
    "rGeVeConf": lambda: ev.conformity(CDC, True, AT),
    "rGeVeDisconf": lambda: ev.disconformity(CDC, "Mercadería dañada"),
    "rGeVeDescon": lambda: ev.unawareness(CDC, AT - timedelta(hours=2), AT, PERSON, "No reconozco esta compra"),
    "rGeVeNotRec": lambda: ev.notification(CDC, AT - timedelta(hours=2), AT, COMPANY_RECEIVER, D(176900)),
    "rGeVeTr": lambda: ev.transport_update(CDC, ev.TransportUpdate(1, departamento=1, ciudad=1,
                                                                   ciudad_desc="ASUNCION (DISTRITO)",
                                                                   address="Nueva entrega", house_number=12)),
}


@pytest.mark.parametrize("tag", sorted(GROUPS))
def test_event_signed_and_schema_valid(tag, identity, cert_pem, tmp_path):
    xml = ev.build_signed([(42, GROUPS[tag]())], *identity, AT)
    assert schema.validate_event(xml) == []
    root = etree.fromstring(xml)
    ges = root.find(f"{NS}dEvReg/{NS}gGroupGesEve/{NS}rGesEve")
    assert [c.tag.split("}")[1] for c in ges] == ["rEve", "Signature"]
    assert ges.find(NS + "rEve").get("Id") == "42"
    assert ges.find(f"{NS}rEve/{NS}gGroupTiEvt/{NS}{tag}") is not None
    assert [f.ok for f in dsig.verify(xml)] == [True]
    path = tmp_path / "ev.xml"
    path.write_bytes(xml)
    res = subprocess.run(["xmlsec1", "--verify", "--id-attr:Id", "rEve", "--trusted-pem", str(cert_pem), str(path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert XMLVerifier().verify(xml, x509_cert=cert_pem.read_text(), id_attribute="Id").signed_xml.get("Id") == "42"


def test_several_events_in_one_request(identity):
    xml = ev.build_signed([(1, GROUPS["rGeVeCan"]()), (2, GROUPS["rGeVeInu"]())], *identity, AT)
    assert schema.validate_event(xml) == []
    assert [f.ok for f in dsig.verify(xml)] == [True, True]
    tampered = xml.replace(b"Error en el precio", b"Error en el precia")
    assert [f.ok for f in dsig.verify(tampered)] == [False, True]


def test_inutilization_limits():
    with pytest.raises(ValidationError) as exc:
        ev.inutilization("12345678", "001", "001", 1, 1001, 1, "Rango grande")
    assert exc.value.errors[0].field == "rango"
    with pytest.raises(ValidationError):
        ev.inutilization("12345678", "001", "001", 10, 5, 1, "Rango invertido")
    groups = ev.inutilization_groups("12345678", "001", "001", list(range(1, 2501)) + [3000], 1, "Saltos")
    ranges = [(g.findtext(NS + "dNumIn"), g.findtext(NS + "dNumFin")) for g in groups]
    assert ranges == [("0000001", "0001000"), ("0001001", "0002000"), ("0002001", "0002500"), ("0003000", "0003000")]


def test_reason_length_and_cdc_checked():
    with pytest.raises(ValidationError) as exc:
        ev.cancellation(CDC[:-1] + "1", "mal")
    assert {e.field for e in exc.value.errors} == {"cdc", "motivo"}


def test_cancel_deadline():
    signed = datetime(2026, 11, 23, 10, 0)
    assert ev.cancel_deadline(1, signed) == signed + timedelta(hours=48)
    for t in (4, 5, 6, 7):
        assert ev.cancel_deadline(t, signed) == signed + timedelta(hours=168)
    assert ev.can_cancel(1, signed, signed + timedelta(hours=47, minutes=59))
    assert not ev.can_cancel(1, signed, signed + timedelta(hours=48, seconds=1))
