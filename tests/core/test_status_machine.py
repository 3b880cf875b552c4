"""The document status machine (app/core/status.py) and the store refusing what it forbids."""
from __future__ import annotations

import random

import pytest

from app.config import DataDir
from app.core import status as st
from app.pos import checkout
from app.pos.demo import create_demo_company
from app.store import documents
from app.store.db import transaction


@pytest.mark.parametrize("old,new", [
    ("signed", "sent"), ("signed", "authorized"), ("signed", "rejected"), ("sent", "signed"),
    ("sent", "authorized"), ("sent", "rejected"), ("authorized", "cancelled"), ("sent", "sent"),
    ("rejected", "rejected"),
])
def test_allowed_transitions(old, new):
    assert st.can_move(old, new) and st.check_transition(old, new) == new


@pytest.mark.parametrize("old,new", [
    ("rejected", "authorized"), ("rejected", "signed"), ("authorized", "rejected"), ("authorized", "signed"),
    ("cancelled", "authorized"), ("signed", "cancelled"), ("sent", "cancelled"), ("authorized", "sent"),
])
def test_illegal_transitions_are_refused(old, new):
    assert not st.can_move(old, new)
    with pytest.raises(st.IllegalTransition, match="no puede pasar"):
        st.check_transition(old, new)


def test_an_unknown_status_is_refused():
    with pytest.raises(st.IllegalTransition, match="desconocido"):
        st.check_transition("signed", "approved")


def test_every_status_has_its_words_and_a_place():
    assert set(st.SHORT_ES) == set(st.PHRASE_ES) == set(st.DocumentStatus) == set(st.TRANSITIONS)
    assert st.PENDING | st.FINAL == st.ALL and not st.PENDING & st.FINAL


def test_the_store_refuses_an_illegal_transition_and_keeps_the_document(tmp_path):
    from app.fiscal.ec.demo import demo_invoice

    session = create_demo_company(DataDir(tmp_path / "d"), "EC")
    try:
        doc_id = checkout.issue(session, demo_invoice(session.company, random.Random(1), 1), "invoices").document_id
        with transaction(session.conn):
            documents.set_status(session.conn, doc_id, st.REJECTED, messages=[{"mensaje": "prueba"}])
        with pytest.raises(st.IllegalTransition):
            with transaction(session.conn):
                documents.set_status(session.conn, doc_id, st.AUTHORIZED)
        row = documents.get(session.conn, doc_id)
        assert row["status"] == st.REJECTED and row["authorized_at"] is None
        history = [e["status"] for e in documents.events(session.conn, doc_id)]
        assert history == [st.SIGNED, st.REJECTED]
    finally:
        session.close()
