"""FaultInjector: counts, probabilities (seeded), endpoints, delays, validation."""
from __future__ import annotations

import pytest

from app.sandbox.faults import FaultInjector

KINDS = {"processing", "error50"}
ENDPOINTS = {"recepcion", "autorizacion"}


def test_count_fires_exactly_that_many_times_then_disappears():
    inj = FaultInjector(KINDS, ENDPOINTS)
    inj.inject("http500", count=2)
    kinds = [inj.draw("recepcion").kind for _ in range(4)]
    assert kinds == ["http500", "http500", None, None]
    assert inj.active() == []


def test_endpoint_filter_only_hits_that_endpoint():
    inj = FaultInjector(KINDS, ENDPOINTS)
    inj.inject("processing", count=1, endpoint="autorizacion")
    assert inj.draw("recepcion").kind is None
    assert inj.draw("autorizacion").kind == "processing"
    assert inj.draw("autorizacion").kind is None


def test_delays_add_up_and_combine_with_one_terminal_fault():
    inj = FaultInjector(KINDS, ENDPOINTS)
    inj.inject("delay", seconds=0.25)
    inj.inject("delay", seconds=0.5)
    inj.inject("reset")
    inj.inject("html")
    plan = inj.draw("recepcion")
    assert plan.delay == pytest.approx(0.75)
    assert plan.kind == "reset"  # first armed terminal fault wins, the other waits
    assert inj.draw("recepcion").kind == "html"


def test_probability_is_reproducible_with_the_same_seed():
    def run(seed):
        inj = FaultInjector(KINDS, ENDPOINTS, seed=seed)
        inj.inject("http503", count=None, probability=0.3)
        return [inj.draw("recepcion").kind for _ in range(200)]
    a, b, c = run(7), run(7), run(8)
    assert a == b
    assert a != c
    fired = a.count("http503")
    assert 35 <= fired <= 85  # ~60 expected at p=0.3


def test_probability_with_count_stops_after_count_firings():
    inj = FaultInjector(KINDS, ENDPOINTS, seed=1)
    inj.inject("malformed", count=3, probability=0.5)
    kinds = [inj.draw("autorizacion").kind for _ in range(100)]
    assert kinds.count("malformed") == 3


@pytest.mark.parametrize("args, kwargs", [
    (("teleport",), {}),
    (("http500",), {"count": 0}),
    (("http500",), {"count": None}),
    (("http500",), {"probability": 1.5}),
    (("delay",), {}),
    (("http500",), {"endpoint": "consulta"}),
])
def test_invalid_injections_are_refused_in_spanish(args, kwargs):
    inj = FaultInjector(KINDS, ENDPOINTS)
    with pytest.raises(ValueError) as err:
        inj.inject(*args, **kwargs)
    assert any(w in str(err.value) for w in ("desconocido", "debe", "Indique", "necesita"))
    assert inj.active() == []


def test_inject_json_defaults_and_rejects_unknown_fields():
    inj = FaultInjector(KINDS, ENDPOINTS)
    f = inj.inject_json({"kind": "error50"})
    assert (f.count, f.probability) == (1, None)
    f = inj.inject_json({"kind": "reset", "probability": 0.5})
    assert (f.count, f.probability) == (None, 0.5)
    with pytest.raises(ValueError):
        inj.inject_json({"kind": "reset", "bogus": 1})
    inj.clear()
    assert inj.active() == []


def test_scoped_kinds_wait_for_an_endpoint_where_they_mean_something():
    inj = FaultInjector(KINDS, ENDPOINTS | {"wsdl"}, scopes={"error50": {"recepcion"}})
    inj.inject("error50")
    assert inj.draw("wsdl").kind is None
    assert inj.draw("autorizacion").kind is None
    assert inj.draw("recepcion").kind == "error50"
    with pytest.raises(ValueError):
        inj.inject("error50", endpoint="autorizacion")
