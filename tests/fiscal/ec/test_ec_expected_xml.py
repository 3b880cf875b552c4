"""Expected signed XML for the six SRI types: a fixed body, a fixed clock, one stored file per type.

The bodies come from ec_docs_support with every date rewritten relative to this file's own
fixed clock (NOW), so the output never ages. What is random or per-run is masked before the
comparison: the clave's código numérico and check digit, fechaEmision, the signing time, every
digest, the signature value, the certificate (and its key, issuer, serial) and the random
numeric part of the signature's Id/URI references.

Regenerate after an intended change with:  MOSTRADOR_UPDATE_EXPECTED=1 pytest tests/fiscal/ec/test_expected_xml.py
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

import ec_docs_support as S
from app.fiscal.ec.backend import EcBackend

GYE = ZoneInfo("America/Guayaquil")
NOW = datetime(2025, 2, 14, 11, 5, 30, tzinfo=GYE)  # explicit fixed clock, injected into parse and sign
EXPECTED = Path(__file__).resolve().parent / "expected"
DS = "http://www.w3.org/2000/09/xmldsig#"
ETSI = "http://uri.etsi.org/01903/v1.3.2#"
MASKED_TEXT = {f"{{{DS}}}{n}" for n in ("DigestValue", "SignatureValue", "X509Certificate", "Modulus", "Exponent",
                                        "X509IssuerName", "X509SerialNumber")} | {f"{{{ETSI}}}SigningTime"}
MASKED_ATTRS = ("Id", "URI", "Target", "ObjectReference")
FILES = {"invoices": "factura", "credit-notes": "nota_credito", "debit-notes": "nota_debito",
         "retentions": "retencion", "waybills": "guia_remision", "purchase-settlements": "liquidacion_compra"}


def _day(days: int) -> str:
    return (NOW.date() + timedelta(days=days)).isoformat()


def body_for(kind: str) -> dict:
    """The shared body of `kind` with each date placed relative to NOW."""
    body = S.BODIES[kind]()
    if "fecha_emision" in body:
        body["fecha_emision"] = NOW.replace(hour=9, minute=15, second=0).isoformat()
    if "fecha_emision_documento_modificado" in body:
        body["fecha_emision_documento_modificado"] = _day(-3 if kind == "credit-notes" else -13)
    if kind == "retentions":
        body["periodo_fiscal"] = f"{NOW:%m/%Y}"
        for it in body["items"]:
            it["fecha_emision_documento_sustento"] = _day(-3)
    if kind == "waybills":
        body["fecha_inicio_transporte"], body["fecha_fin_transporte"] = _day(0), _day(1)
        for dst in body["destinatarios"]:
            dst["fecha_emision_documento_sustento"] = _day(0)
    return body


def masked(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    clave = root.find("infoTributaria/claveAcceso")
    # 0-39 date, codDoc, RUC, ambiente, serie, secuencial; 39-47 código numérico; 47 tipoEmision; 48 check digit
    clave.text = clave.text[:39] + "#" * 8 + clave.text[47] + "#"
    for el in root.iter("fechaEmision"):
        el.text = "##/##/####"
    for el in root.iter():
        if el.tag in MASKED_TEXT:
            el.text = "#"
        if isinstance(el.tag, str) and el.tag.startswith(("{" + DS, "{" + ETSI)):
            for attr in MASKED_ATTRS:  # random numeric suffixes of the signature's own ids
                if el.get(attr) is not None:
                    el.set(attr, re.sub(r"\d+", "N", el.get(attr)))
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


@pytest.mark.parametrize("kind", list(FILES))
def test_signed_xml_matches_the_expected_document(kind, generated_identity):
    backend = EcBackend()
    company = S.company()
    draft = backend.parse(body_for(kind), kind, company, now=NOW)
    doc = backend.sign(draft, 42, generated_identity, company, now=NOW)
    assert doc.xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<')
    got = masked(doc.xml)
    path = EXPECTED / f"{FILES[kind]}.xml"
    if os.environ.get("MOSTRADOR_UPDATE_EXPECTED"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(got)
    assert got.decode("utf-8") == path.read_text(encoding="utf-8")
    # signed at the fixed NOW with a certificate generated today: verify rightly says it was not valid then
    failing = [f.message for f in backend.verify(doc.xml) if not f.ok and f.check != "certificate"]
    assert failing == [], failing
