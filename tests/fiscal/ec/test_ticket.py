"""EC ticket content comes from the signed XML: every mandatory field is on the ticket."""
from __future__ import annotations

import pytest
from printing_helpers import LIQUIDACION, ec_sample, sale_xml  # noqa: F401  (ec_sample: a fixture)

from app.devices.layout import layout
from app.devices.ticket import Code
from app.fiscal.ec.printables import FACET as PRINTABLES


def text_of(ticket, columns=48) -> str:
    return "\n".join(r.text for r in layout(ticket, columns) if r.code is None)


def flat(s: str) -> str:
    return " ".join(s.split())


def test_every_sample_has_header_number_key_and_party(ec_sample):
    name, xml = ec_sample
    t = PRINTABLES.ticket(xml, {})
    text = text_of(t)
    clave = t.key
    assert len(clave) >= 49 and clave in text.replace("\n", "").replace(" ", "")
    assert "RUC:" in text and "Matriz:" in text
    assert f"No. {t.number}" in text
    assert "AMBIENTE:" in text and "EMISIÓN:" in text and "NORMAL" in text
    codes = [e for e in t.elements if isinstance(e, Code)]
    assert [c.data for c in codes] == [clave] and codes[0].symbology == "code128" and codes[0].fallback == "qr"


def test_factura_content_totals_payments_and_legends():
    t = PRINTABLES.ticket(sale_xml(lines=2, cash=True, ice=True), {"tendered": "20", "change": "11.83", "environment": "pruebas"})
    text = flat(text_of(t))
    for expected in [
        "Ferretería Muñoz S.A.",
        "El Tornillo Feliz",
        "RUC: 1790011674001",
        "Matriz: Av. 10 de Agosto y Colón, Quito",
        "Sucursal: Calle Ñandú 5, Guayaquil",
        "Contribuyente Especial Nro: 5368",
        "OBLIGADO A LLEVAR CONTABILIDAD: SI",
        "Agente de Retención Resolución No. 1",
        "CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE",
        "FACTURA",
        "No. 001-001-000000123",
        "Fecha emisión: 23/11/2026",
        "Cliente: CONSUMIDOR FINAL",
        "RUC/CI: 9999999999999",
        "SUBTOTAL 15% 6.00",
        "SUBTOTAL 0% 0.00",
        "SUBTOTAL SIN IMPUESTOS 6.00",
        "TOTAL DESCUENTO 0.00",
        "ICE 0.75",
        "IVA 15% 0.90",
        "IRBPNR 0.02",
        "PROPINA 0.50",
        "VALOR TOTAL 8.17",
        "SIN UTILIZACIÓN DEL SISTEMA FINANCIERO 8.17",
        "RECIBIDO 20.00",
        "CAMBIO 11.83",
        "AMBIENTE: PRUEBAS",
        "INFORMACIÓN ADICIONAL",
        "Email: cliente@correo.ec",
        "2.00 x 1.50 PVP 1.73 3.00",
    ]:
        assert expected in text, expected
    assert t.cash_payment is True
    assert "REIMPRESIÓN" not in text


def test_card_payment_does_not_open_drawer_and_copy_is_marked():
    t = PRINTABLES.ticket(sale_xml(cash=False), {"copy": True})
    assert t.cash_payment is False
    assert text_of(t).count("REIMPRESIÓN - COPIA") == 2


def test_credit_note_shows_modified_document_and_reason():
    from printing_helpers import EC_SAMPLES

    xml = EC_SAMPLES["notaCredito"].read_bytes()
    text = flat(text_of(PRINTABLES.ticket(xml, {})))
    assert "NOTA DE CRÉDITO" in text
    assert "Comprobante modificado: FACTURA 001-001-000000012" in text
    assert "Motivo: ANULACION" in text and "VALOR TOTAL 115.00" in text


def test_retention_and_guide_specific_content():
    from printing_helpers import EC_SAMPLES

    ret = flat(text_of(PRINTABLES.ticket(EC_SAMPLES["comprobanteRetencion"].read_bytes(), {})))
    assert "COMPROBANTE DE RETENCIÓN" in ret and "RENTA cód. 1" in ret and "TOTAL RETENIDO 10.00" in ret
    guide = flat(text_of(PRINTABLES.ticket(EC_SAMPLES["guiaRemision"].read_bytes(), {})))
    assert "GUÍA DE REMISIÓN" in guide and "Placa: MCL0827" in guide and "Destinatario: Tonato Henry" in guide
    assert "CAMIONETA 4X4 DIESEL 3.7 10.00" in guide


def test_liquidacion_by_hand():
    t = PRINTABLES.ticket(LIQUIDACION, {})
    text = flat(text_of(t))
    assert "LIQUIDACIÓN DE COMPRA" in text and "Proveedor: José Núñez Güemes" in text
    assert "AMBIENTE: PRODUCCIÓN" in text and "SUBTOTAL 15% 100.00" in text and "SUBTOTAL 0% 20.00" in text
    assert "VALOR TOTAL 135.00" in text and t.cash_payment


def test_unknown_root_is_a_spanish_error():
    with pytest.raises(ValueError, match="No se reconoce"):
        PRINTABLES.ticket(b"<pedido/>", {})


def test_entities_are_not_expanded():
    evil = b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]><factura><infoTributaria><razonSocial>&x;</razonSocial></infoTributaria></factura>'
    try:
        t = PRINTABLES.ticket(evil, {})
    except Exception:
        return  # refusing the document is fine too
    assert "root:" not in text_of(t)


def test_lines_show_the_unit_price_with_taxes_next_to_the_legal_one():
    """The law's quantity × unit price without taxes stays; a taxed line adds its PVP (what the
    buyer saw on the shelf)."""
    text = text_of(PRINTABLES.ticket(sale_xml(lines=2, cash=True, ice=True), {}))
    lines = [" ".join(ln.split()) for ln in text.splitlines() if " x " in ln]
    assert lines == ["2.00 x 1.50 PVP 1.73 3.00"] * 2  # (3.00 + IVA 0.45) / 2, half up
