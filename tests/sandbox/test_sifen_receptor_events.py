"""The simulated SIFEN's rules for receptor events (MT §11.6.3–11.6.6) and the transport update
(§11.6.7), on DEs it approved, over real SOAP on loopback."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from app.fiscal.py import events
from app.fiscal.py.client import SifenClient
from app.fiscal.py.model import Receiver
from app.fiscal.py.sandbox import SifenSandbox

from sifen_docs import ACCEPTED, Signer, identity

NOW = datetime.now(timezone.utc)
BUYER = Receiver(contribuyente=True, name="CLIENTE RECEPTOR S.A.", ruc="80013884", ruc_dv=8)


@pytest.fixture
def sifen(tmp_path):
    with SifenSandbox(accepted_rucs=ACCEPTED, db_path=str(tmp_path / "s.db")) as s:
        yield s
        assert s.errors == []


@pytest.fixture
def send(sifen):
    client = SifenClient(sifen.url, timeout=(2, 10))
    key, cert = identity().key, identity().cert
    counter = iter(range(1, 1000))

    def send_one(group) -> list[str]:
        eid = next(counter)
        return client.send_event(events.build_signed([(eid, group)], key, cert, NOW)).results[0].codes
    send_one.client = client
    yield send_one
    client.close()


def approved(send, signer) -> str:
    doc = signer.sale()
    assert send.client.send_de(doc.xml).result.approved
    return doc.key


def test_receptor_event_order(send):
    signer = Signer(seed=91)
    a, b, c = approved(send, signer), approved(send, signer), approved(send, signer)
    never = signer.sale().key
    later = NOW + timedelta(hours=1)
    assert send(events.notification(a, NOW, later, BUYER, 1000)) == ["0600"]
    assert send(events.notification(a, NOW, later, BUYER, 1000)) == ["4101"]
    assert send(events.notification(b, later, NOW, BUYER, 1000)) == ["4104"]  # received before issued
    assert send(events.conformity(never)) == ["4152"]
    assert send(events.conformity(a, total=False)) == ["4154"]  # parcial needs dFecRecep
    assert send(events.conformity(a, total=False, received_at=later)) == ["0600"]
    assert send(events.conformity(a, total=True)) == ["0600"]  # parcial, then total
    assert send(events.conformity(a, total=True)) == ["4150"]  # at most two
    assert send(events.disconformity(never, "No coincide")) == ["4202"]
    assert send(events.disconformity(a, "Faltan piezas")) == ["0600"]
    assert send(events.disconformity(a, "Faltan piezas")) == ["4200"]
    assert send(events.unawareness(b, NOW, later, BUYER, "No es nuestro")) == ["0600"]
    assert send(events.unawareness(b, NOW, later, BUYER, "No es nuestro")) == ["4251"]
    assert send(events.conformity(b)) == ["4156"]
    assert send(events.disconformity(b, "Otra cosa")) == ["4205"]
    assert send(events.notification(b, NOW, later, BUYER, 1000)) == ["4113"]
    assert send(events.cancellation(c, "Anulada por error")) == ["0600"]
    assert send(events.conformity(c)) == ["4155"]
    assert send(events.disconformity(c, "Anulada igual")) == ["4204"]


def test_conformity_after_45_days(sifen, send):
    from app.fiscal.py import cdc as cdc_mod

    old = cdc_mod.build(1, "80012345", None, "001", "001", 9, 2, NOW - timedelta(days=46), "123456789")
    with sifen.store.transaction() as db:  # a DTE SIFEN approved 46 days ago
        db.execute("INSERT INTO des(cdc, doc_type, state, approved_at, reveal_at) VALUES (?,1,'approved',?,0)",
                   (old, time.time() - 46 * 86400))
    assert send(events.conformity(old)) == ["4152"]
    assert send(events.disconformity(old, "Muy tarde")) == ["4202"]
    assert send(events.notification(old, NOW - timedelta(days=46), NOW, BUYER, 1000)) == ["0600"]


def test_transport_update_rules(send):
    signer = Signer(seed=92)
    key = approved(send, signer)
    tu = events.TransportUpdate
    assert send(events.transport_update(signer.sale().key, tu(reason=2, driver_name="Pedro Otro",
                                                              driver_id="123"))) == ["4002"]
    assert send(events.transport_update(key, tu(reason=2, driver_name="Pedro Otro", driver_id="123"))) == ["0600"]
    assert send(events.transport_update(key, tu(reason=1, departamento=1, ciudad=1, ciudad_desc="ASUNCION (DISTRITO)",
                                                address="Depósito sur"))) == ["0600"]
    assert send(events.transport_update(key, tu(reason=1, departamento=1, ciudad=1, ciudad_desc="LUQUE",
                                                address="Depósito sur"))) == ["4308"]
    assert send(events.transport_update(key, tu(reason=3))) == ["4313"]  # transportista data missing
    assert send(events.cancellation(key, "Anulada por error")) == ["0600"]
    assert send(events.transport_update(key, tu(reason=2, driver_name="Pedro Otro", driver_id="123"))) == ["4003"]
