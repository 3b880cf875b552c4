"""SIFEN's offline rules (app/fiscal/py/rules.py): refused before signing naming the field and
SIFEN's code, and applied the same way by the sandbox to a received rDE. Also what SIFEN accepts
but is probably a mistake: accepted with a warning (the FacturaSend seed example)."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from lxml import etree

from app.core.errors import ValidationError
from app.fiscal.py import dsig, facturasend, qr, rules, xml_build
from app.fiscal.py.backend import PyBackend
from app.fiscal.py.sandbox import SifenSandbox
from app.xmlsafe import parse_xml

from conftest import load_json
from test_facturasend import CASES, OWN

NS = "{http://ekuatia.set.gov.py/sifen/xsd}"


def refusal(body, company, kind) -> dict[str, str]:
    """field -> message of a refused body (through the backend, as every path issues)."""
    now = datetime.fromisoformat(body["fecha"]).replace(tzinfo=timezone(timedelta(hours=-3))) + timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        PyBackend().parse(body, kind, company, now=now)
    return {e.field: e.message for e in exc.value.errors}


AFE, NRE = CASES[4], CASES[7]


@pytest.mark.parametrize("change, field, code", [
    ({"cliente": {**OWN, "ruc": "80013884-8", "tipoOperacion": 1}}, "cliente.ruc", "1317"),
    ({"cliente": {**OWN, "ruc": "80013884-8", "tipoOperacion": 1}}, "cliente.tipoOperacion", "1316"),
    ({"condicion": {"tipo": 2, "credito": {"tipo": 1, "plazo": "30 días"}}}, "condicion.tipo", "1503"),
])
def test_afe_rules(change, field, code, company):
    msgs = refusal({**copy.deepcopy(AFE), **change}, company, "purchase-settlements")
    assert field in msgs and f"({code})" in msgs[field]


@pytest.mark.parametrize("change, field, code", [
    ({"cliente": {**NRE["cliente"], "ruc": "80013884-8", "razonSocial": "CLIENTE EJEMPLO S.A."}}, "cliente.ruc", "2606"),
    ({"transporte": {k: v for k, v in NRE["transporte"].items() if k != "finEstimadoTranslado"}},
     "transporte.finEstimadoTranslado", "2109"),
    ({"remision": {"motivo": 1, "tipoResponsable": 1, "kms": 25}}, "remision.fechaFactura", "2605"),
    ({"transporte": {**NRE["transporte"], "finEstimadoTranslado": "2026-11-20"}},
     "transporte.finEstimadoTranslado", "2110"),
])
def test_nre_rules(change, field, code, company):
    msgs = refusal({**copy.deepcopy(NRE), **change}, company, "waybills")
    assert field in msgs and f"({code})" in msgs[field]


def test_nre_motivo_1_with_invoice_date_or_associated_is_accepted(company):
    body = {**copy.deepcopy(NRE), "remision": {"motivo": 1, "tipoResponsable": 1, "kms": 25,
                                               "fechaFactura": "2026-11-23"}}
    draft = PyBackend().parse(body, "waybills", company, now=datetime(2026, 11, 23, 14, tzinfo=timezone.utc))
    assert draft.model.document.remission.reason == 1


def test_b2f_receiver_must_be_abroad(company):
    body = copy.deepcopy(CASES[1])
    body["cliente"] = {"contribuyente": False, "razonSocial": "Foreign Buyer Inc", "tipoOperacion": 4, "pais": "PRY",
                       "documentoTipo": 3, "documentoNumero": "X123"}
    msgs = refusal(body, company, "invoices")
    assert "(1320)" in msgs["cliente.pais"]


def test_change_above_dvuelto_limit_names_the_field(company):
    body = copy.deepcopy(CASES[1])
    body["condicion"] = {"tipo": 1, "entregas": [{"tipo": 1, "monto": 1_200_000, "moneda": "PYG"}]}
    msgs = refusal(body, company, "invoices")  # total 120 500: 1 079 500 of change
    assert "dVuelto" in msgs["sectorSupermercados.vuelto"]


# --- the sandbox applies the same rules to what it receives ----------------------------------

def _signed_then_tampered(company, identity, body, edit) -> bytes:
    """A valid DE dated now, edited before signing (as a client that skips the rules would)."""
    now = datetime.now(timezone.utc)
    body = {**copy.deepcopy(body), "fecha": xml_build.local_naive(now).isoformat()}
    parsed = facturasend.parse(body)
    _, unsigned = xml_build.build(parsed.model, company, 7, parsed.security_code, now, signed_at=now)
    root = parse_xml(unsigned)
    edit(root)
    return dsig.sign(etree.tostring(root), *identity, csc_id="0001", csc=qr.TEST_CSC["0001"])


@pytest.mark.parametrize("body, path, value, code", [
    (AFE, "gDatGralOpe/gDatRec/dRucRec", "80013884", "1317"),
    (AFE, "gDtipDE/gCamCond/iCondOpe", None, "1503"),
    (NRE, "gDatGralOpe/gDatRec/dRucRec", "80013884", "2606"),
])
def test_sandbox_applies_the_same_rules(body, path, value, code, company, identity, tmp_path):
    def edit(root):
        de = root.find(NS + "DE")
        if value is None:  # AFE on crédito: iCondOpe 2, its description
            cond = de.find(f"{NS}gDtipDE/{NS}gCamCond")
            cond.find(NS + "iCondOpe").text = "2"
        else:
            de.find("/".join(NS + p for p in path.split("/"))).text = value
        if code == "2606":  # the receiver's DV follows its RUC (1309 is not what is tested)
            from app.fiscal.py import ruc
            de.find(f"{NS}gDatGralOpe/{NS}gDatRec/{NS}dDVRec").text = str(ruc.check_digit(value))
    xml = _signed_then_tampered(company, identity, body, edit)
    sandbox = SifenSandbox(accepted_rucs=None, db_path=str(tmp_path / "s.db"))
    try:
        verdict = sandbox.judge(parse_xml(xml))
    finally:
        sandbox.store.close()
    assert verdict.messages[0][0] == code, verdict


def test_rules_read_the_same_facts_from_model_and_xml(company, identity):
    parsed = facturasend.parse(copy.deepcopy(NRE))
    _, unsigned = xml_build.build(parsed.model, company, 7, parsed.security_code, parsed.model.issued_at)
    from_xml = rules.from_xml(parse_xml(unsigned).find(NS + "DE"), NS)
    assert from_xml == rules.from_model(parsed.model, company.ruc)


# --- as strict as SIFEN, no stricter: the FacturaSend seed example ----------------------------

def test_facturasend_seed_is_accepted_with_warnings_and_facturasend_totals(company, identity):
    body = load_json("fs_de_create.json")
    body["fecha"] = "2026-11-23T10:00:00"
    draft = PyBackend().parse(body, "invoices", company, now=datetime(2026, 11, 23, 14, tzinfo=timezone.utc))
    text = " ".join(draft.warnings)
    assert "condicion.credito" in text and "infoTarjeta.ruc" in text and "dígito verificador" in text
    doc = draft.model.document
    assert doc.credit is None and doc.payments[1].card.processor_dv == 1  # sent as given
    # FacturaSend's generator (facturacionelectronicapy-xmlgen): 10.5 × 10 800 at IVA 5 %, base 100 %
    rows, totals = doc.amounts()
    assert draft.total == D(113400)
    assert (totals.sub5, totals.iva5, totals.base5, totals.tot_iva, totals.tot_gral) == (
        D(113400), D(5400), D(108000), D(5400), D(113400))
