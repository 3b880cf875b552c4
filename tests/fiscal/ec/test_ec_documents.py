"""Dátil JSON -> model -> XML -> XSD, for the six kinds, the seed 001 examples and bad input."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from lxml import etree

import ec_docs_support as S
from app.core.errors import ValidationError
from app.fiscal.ec import access_key, arithmetic, datil, documents, schema, xml_build
from app.xmlsafe import parse_xml


def parse(body, kind="invoices", company=None, now=S.NOW):
    return datil.parse(body, kind, company or S.company(), now)


def errors_of(body, kind="invoices", company=None, now=S.NOW) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        parse(body, kind, company, now)
    out: dict[str, list[str]] = {}
    for e in exc.value.errors:
        out.setdefault(e.field, []).append(e.message)
    return out


def build(body, kind, company=None, now=S.NOW, seq=123):
    company = company or S.company()
    draft = datil.parse(body, kind, company, now)
    clave, xml = xml_build.build(draft, company, seq, "12345678")
    return draft, clave, xml


# ------------------------------------------------------------------ six kinds
@pytest.mark.parametrize("kind", list(S.BODIES))
def test_each_kind_builds_schema_valid_xml(kind):
    draft, clave, xml = build(S.BODIES[kind](), kind)
    doc_type = documents.by_kind(kind)
    cod = doc_type.cod_doc
    assert schema.validate(xml) == []
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = parse_xml(xml)
    assert root.tag == doc_type.root
    assert root.get("id") == "comprobante" and root.get("version") == doc_type.version
    assert root.nsmap == {}  # no xmlns on the root
    assert root.findtext("infoTributaria/claveAcceso") == clave
    assert root.findtext("infoTributaria/secuencial") == "000000123"
    assert root.findtext("infoTributaria/tipoEmision") == "1"
    assert access_key.validate(clave) == []
    parts = access_key.parse(clave)
    assert (parts.cod_doc, parts.estab, parts.pto_emi, parts.ambiente) == (cod, "001", "002", "1")
    assert draft.series.doc_code == cod and draft.series.establishment == "001" and draft.series.point == "002"
    assert draft.issued_at.tzinfo is not None and draft.issued_at.utcoffset() == timedelta(hours=-5)
    checks = arithmetic.check(xml)
    assert len(checks) == 1 and checks[0].ok, checks
    # no newline inside any text value
    assert all("\n" not in (el.text or "") for el in root.iter())


def test_invoice_content():
    draft, _clave, xml = build(S.invoice(), "invoices")
    root = parse_xml(xml)
    info = root.find("infoFactura")
    assert info.findtext("fechaEmision") == "23/11/2026"
    assert info.findtext("dirEstablecimiento") == "Av. 10 de Agosto 123, Quito"
    assert info.findtext("obligadoContabilidad") == "SI" and info.findtext("contribuyenteEspecial") == "12345"
    assert info.findtext("importeTotal") == "24.38" and draft.total == Decimal("24.38")
    assert [p.findtext("formaPago") for p in info.iter("pago")] == ["01", "19"]
    det = root.find("detalles/detalle")
    assert det.findtext("cantidad") == "3.00" and det.findtext("precioUnitario") == "4.333333"
    assert det.findtext("precioTotalSinImpuesto") == "12.50"  # 3*4.333333-0.50 = 12.499999
    assert det.findtext("impuestos/impuesto/valor") == "1.88"
    assert det.find("detallesAdicionales/detAdicional").get("nombre") == "Marca"
    extra = {c.get("nombre"): c.text for c in root.iter("campoAdicional")}
    assert extra == {"Vendedor": "Ana", "Email": "juan@example.com", "Teléfono": "046029400"}
    assert draft.buyer_id == S.BUYER_CEDULA and draft.buyer_name == "Juan Pérez"


def test_tax_groups_are_sums_of_line_values():
    body = S.invoice()
    body["items"] = [{"descripcion": f"Item {i}", "cantidad": 1, "precio_unitario": "0.10",
                      "impuestos": [{"codigo": "2", "codigo_porcentaje": "4"}]} for i in range(3)]
    del body["totales"]
    body["totales"] = {"propina": 0}
    body["pagos"] = [{"medio": "efectivo", "total": "0.36"}]
    draft, _, xml = build(body, "invoices")
    # each line 0.10*15% = 0.015 -> 0.02 ; sum 0.06 (not round(0.30*15%) = 0.05)
    assert draft.model.taxes[0].valor == Decimal("0.06")
    assert parse_xml(xml).findtext("infoFactura/importeTotal") == "0.36"
    assert arithmetic.check(xml)[0].ok


def test_ice_goes_into_iva_base_and_irbpnr_per_unit():
    body = S.invoice()
    body["items"] = [{"descripcion": "Cerveza", "cantidad": 10, "precio_unitario": "1.00",
                      "impuestos": [{"codigo": "3", "codigo_porcentaje": "3041", "tarifa": 10, "valor": "1.00"},
                                    {"codigo": "2", "codigo_porcentaje": "4"},
                                    {"codigo": "5", "codigo_porcentaje": "5001"}]}]
    body["totales"] = {"propina": 0}
    body["pagos"] = [{"medio": "efectivo", "total": "12.85"}]
    draft, _, xml = build(body, "invoices")
    taxes = {t.codigo: t for t in draft.model.lines[0].taxes}
    assert taxes["2"].base == Decimal("11.00") and taxes["2"].valor == Decimal("1.65")
    assert taxes["5"].valor == Decimal("0.20")
    assert draft.total == Decimal("12.85")
    assert schema.validate(xml) == [] and arithmetic.check(xml)[0].ok


def test_xml_metacharacters_round_trip():
    body = S.invoice()
    body["comprador"]["razon_social"] = 'Tom & "Jerry" <Cía> \'Ltda\''
    body["items"][0]["descripcion"] = "Tornillo <3/8\"> & tuerca"
    _, _, xml = build(body, "invoices")
    assert b"&amp;" in xml and "&lt;Cía&gt;".encode() in xml
    root = parse_xml(xml)
    assert root.findtext("infoFactura/razonSocialComprador") == 'Tom & "Jerry" <Cía> \'Ltda\''
    assert root.findtext("detalles/detalle/descripcion") == "Tornillo <3/8\"> & tuerca"
    assert root.findtext("infoTributaria/razonSocial") == "Ferretería Ñandú & Hijos S.A."
    assert schema.validate(xml) == []


def test_whitespace_collapsed():
    body = S.invoice()
    body["items"][0]["descripcion"] = "  Martillo\n de\tacero   forjado \r\n"
    _, _, xml = build(body, "invoices")
    assert parse_xml(xml).findtext("detalles/detalle/descripcion") == "Martillo de acero forjado"


def test_consumer_final_under_limit_and_default_name():
    body = S.invoice()
    body["comprador"] = {"tipo_identificacion": "07", "identificacion": "9999999999999"}
    draft, _, xml = build(body, "invoices")
    info = parse_xml(xml).find("infoFactura")
    assert info.findtext("razonSocialComprador") == "CONSUMIDOR FINAL"
    assert info.findtext("identificacionComprador") == "9999999999999"
    assert info.findtext("tipoIdentificacionComprador") == "07"


def test_no_buyer_means_consumer_final():
    body = S.invoice()
    del body["comprador"]
    draft = parse(body)
    assert draft.buyer_id == "9999999999999" and draft.buyer_name == "CONSUMIDOR FINAL"


def test_past_date_warns_and_keeps_the_date():
    body = S.invoice()
    body["fecha_emision"] = "2026-11-20T10:00:00-05:00"
    draft = parse(body)
    assert draft.model.issued.isoformat() == "2026-11-20"
    assert any(w.startswith("fecha_emision:") for w in draft.warnings)
    clave, _ = xml_build.build(draft, S.company(), 1, "00000001")
    assert clave.startswith("20112026")


def test_body_secuencial_is_ignored_with_warning():
    body = S.invoice()
    body["secuencial"] = 148
    draft = parse(body)
    assert any("secuencial" in w and "contador local" in w for w in draft.warnings)
    _, xml = xml_build.build(draft, S.company(), 9, "00000001")
    assert parse_xml(xml).findtext("infoTributaria/secuencial") == "000000009"


def test_company_ruc_soft_warning_reaches_draft():
    body = S.invoice()
    body["comprador"] = {"tipo_identificacion": "04", "identificacion": "1790013213001", "razon_social": "X S.A."}
    draft = parse(body)
    assert any("comprador.identificacion" in w and "se esperaba 9" in w for w in draft.warnings)


def test_rounding_difference_within_tolerance_is_a_warning():
    body = S.invoice()
    body["totales"]["impuestos"][0]["valor"] = "1.87"
    body["totales"]["importe_total"] = "24.37"
    draft = parse(body)
    assert draft.total == Decimal("24.38")
    assert any("totales.impuestos[0].valor" in w for w in draft.warnings)


# ------------------------------------------------------------------ refusals
def test_wrong_types_are_named():
    body = S.invoice()
    body["items"][0]["cantidad"] = "tres"
    body["items"][1]["precio_unitario"] = [1]
    body["comprador"]["razon_social"] = 123.5
    body["items"][0]["impuestos"] = "IVA"
    errs = errors_of(body)
    assert "no es un número" in errs["items[0].cantidad"][0]
    assert errs["items[1].precio_unitario"] == ["se esperaba un número"]
    assert errs["comprador.razon_social"] == ["se esperaba un texto"]
    assert errs["items[0].impuestos"] == ["se esperaba una lista"]


def test_bad_cedula_and_ruc_check_digits():
    body = S.invoice()
    body["comprador"]["identificacion"] = "1710034066"
    errs = errors_of(body)
    assert "dígito verificador incorrecto (se esperaba 5, tiene 6)" in errs["comprador.identificacion"][0]
    body = S.invoice()
    body["comprador"].update(tipo_identificacion="04", identificacion="1710034066001")
    assert "comprador.identificacion" in errors_of(body)


def test_negative_quantity_and_price():
    body = S.invoice()
    body["items"][0]["cantidad"] = -2
    body["items"][1]["precio_unitario"] = "-1.00"
    errs = errors_of(body)
    assert errs["items[0].cantidad"] == ["no puede ser negativo (-2)"]
    assert errs["items[1].precio_unitario"] == ["no puede ser negativo (-1.00)"]


def test_seven_decimal_quantity():
    body = S.invoice()
    body["items"][0]["cantidad"] = "1.1234567"
    body["items"][1]["precio_unitario"] = "0.0000001"
    body["items"][1]["descuento"] = "0.001"
    errs = errors_of(body)
    assert errs["items[0].cantidad"] == ["tiene 7 decimales; el máximo es 6"]
    assert errs["items[1].precio_unitario"] == ["tiene 7 decimales; el máximo es 6"]
    assert errs["items[1].descuento"] == ["tiene 3 decimales; el máximo es 2"]


def test_301_char_texts():
    body = S.invoice()
    body["items"][0]["descripcion"] = "x" * 301
    body["comprador"]["razon_social"] = "y" * 301
    body["items"][0]["codigo_principal"] = "z" * 26
    body["informacion_adicional"] = {"Nota": "n" * 301}
    errs = errors_of(body)
    assert errs["items[0].descripcion"] == ["tiene 301 caracteres; el máximo es 300"]
    assert errs["comprador.razon_social"] == ["tiene 301 caracteres; el máximo es 300"]
    assert errs["items[0].codigo_principal"] == ["tiene 26 caracteres; el máximo es 25"]
    assert errs["informacion_adicional.Nota"] == ["tiene 301 caracteres; el máximo es 300"]
    body = S.invoice()
    body["items"][0]["descripcion"] = "x" * 300
    assert parse(body).model.lines[0].description == "x" * 300


def test_control_characters_refused():
    body = S.invoice()
    body["items"][0]["descripcion"] = "Martillo\x00"
    body["comprador"]["direccion"] = "Calle\x1b[31m roja"
    errs = errors_of(body)
    assert errs["items[0].descripcion"] == ["contiene un carácter de control no permitido (U+0000)"]
    assert "U+001B" in errs["comprador.direccion"][0]


def test_consumer_final_over_50_refused():
    body = S.invoice()
    body["comprador"] = {"tipo_identificacion": "07", "identificacion": "9999999999999",
                         "razon_social": "CONSUMIDOR FINAL"}
    body["items"][1]["precio_unitario"] = "40.00"
    body["totales"] = {"propina": 0}
    body["pagos"] = [{"medio": "efectivo", "total": "54.38"}]
    errs = errors_of(body)
    assert "debe identificarse" in errs["comprador.tipo_identificacion"][0]
    assert "54.38" in errs["comprador.tipo_identificacion"][0]


def test_consumer_final_not_allowed_in_credit_note():
    body = S.credit_note()
    body["comprador"] = {"tipo_identificacion": "07", "identificacion": "9999999999999"}
    errs = errors_of(body, "credit-notes")
    assert "no se admite consumidor final" in errs["comprador.tipo_identificacion"][0]


def test_totals_that_do_not_add_up():
    body = S.invoice()
    body["totales"]["importe_total"] = "30.00"
    body["totales"]["total_sin_impuestos"] = "20.00"
    errs = errors_of(body)
    assert errs["totales.importe_total"] == ["el valor 30.00 no coincide con el calculado 24.38 (diferencia +5.62)"]
    assert "diferencia -2.50" in errs["totales.total_sin_impuestos"][0]


def test_line_total_that_does_not_add_up():
    body = S.invoice()
    body["items"][1]["precio_total_sin_impuestos"] = "11.00"
    errs = errors_of(body)
    assert "calculado 10.00" in errs["items[1].precio_total_sin_impuestos"][0]


def test_payments_must_equal_total():
    body = S.invoice()
    body["pagos"][0]["total"] = "19.00"
    errs = errors_of(body)
    assert "la suma de los pagos 23.38" in errs["pagos"][0]
    body = S.invoice()
    body["pagos"][0]["medio"] = "bitcoin"
    assert "forma de pago desconocida" in errors_of(body)["pagos[0].medio"][0]


def test_unknown_tax_codes():
    body = S.invoice()
    body["items"][0]["impuestos"][0]["codigo_porcentaje"] = "9"
    body["items"][1]["impuestos"][0]["codigo"] = "4"
    errs = errors_of(body)
    assert "código de IVA desconocido '9'" in errs["items[0].impuestos[0].codigo_porcentaje"][0]
    assert "código de impuesto desconocido '4'" in errs["items[1].impuestos[0].codigo"][0]


def test_contingency_ambiente_issuer_and_points():
    body = S.invoice()
    body["tipo_emision"] = 2
    body["ambiente"] = 2
    body["emisor"] = {"ruc": "0990000000001", "establecimiento": {"codigo": "001", "punto_emision": "009"}}
    errs = errors_of(body)
    assert errs["tipo_emision"] == ["La emisión en contingencia (tipo_emision 2) ya no es admitida por el SRI "
                                    "en el esquema offline"]
    assert "ambiente 2" in errs["ambiente"][0]
    assert "0990000000001" in errs["emisor.ruc"][0]
    assert "punto de emisión 009" in errs["emisor.establecimiento.punto_emision"][0]
    body = S.invoice()
    body["emisor"]["establecimiento"]["codigo"] = "007"
    assert "establecimiento 007" in errors_of(body)["emisor.establecimiento.codigo"][0]


def test_dates():
    body = S.invoice()
    body["fecha_emision"] = "2026-11-24T00:10:00-05:00"
    assert "futura" in errors_of(body)["fecha_emision"][0]
    body["fecha_emision"] = "2026-13-01"
    assert "no es una fecha válida" in errors_of(body)["fecha_emision"][0]
    body["fecha_emision"] = "2026-01-01"
    assert "más de 90 días" in errors_of(body)["fecha_emision"][0]
    # 2026-11-24T01:00Z is still 23/11 in Guayaquil: accepted as today
    body["fecha_emision"] = "2026-11-24T01:00:00Z"
    assert parse(body).model.issued.isoformat() == "2026-11-23"


def test_required_fields_all_reported():
    errs = errors_of({"items": [{}]}, "credit-notes")
    for field in ("comprador", "motivo", "tipo_documento_modificado", "numero_documento_modificado",
                  "fecha_emision_documento_modificado", "items[0].descripcion", "items[0].cantidad",
                  "items[0].precio_unitario", "items[0].impuestos"):
        assert field in errs, field


def test_unknown_kind_and_non_object():
    assert "kind" in errors_of({}, "receipts")
    with pytest.raises(ValidationError):
        datil.parse([], "invoices", S.company(), S.NOW)


def test_retention_needs_supporting_document_data():
    body = S.retention()
    del body["documentos_sustento"]
    errs = errors_of(body, "retentions")
    assert "documentos_sustento" in errs["items[0].numero_documento_sustento"][0]


def test_retention_iva_rate_must_match_code():
    body = S.retention()
    body["items"][1]["porcentaje"] = 70
    assert "no corresponde al código 1 (30 %)" in errors_of(body, "retentions")["items[1].porcentaje"][0]


def test_retention_content():
    draft, _, xml = build(S.retention(), "retentions")
    root = parse_xml(xml)
    assert root.findtext("infoCompRetencion/parteRel") == "NO"
    assert root.findtext("docsSustento/docSustento/numDocSustento") == "011007000000251"
    assert [r.findtext("valorRetenido") for r in root.iter("retencion")] == ["1.75", "4.50"]
    assert draft.total == Decimal("6.25")


def test_waybill_dates_rule():
    body = S.waybill()
    body["fecha_inicio_transporte"] = "2026-11-22"
    assert "error 82" in errors_of(body, "waybills")["fecha_inicio_transporte"][0]


def test_purchase_settlement_only_iva():
    body = S.purchase_settlement()
    body["items"][0]["impuestos"].append({"codigo": "3", "codigo_porcentaje": "3041", "tarifa": 1, "valor": 1})
    assert "solo admite IVA" in errors_of(body, "purchase-settlements")["items[0].impuestos[1].codigo"][0]


# ------------------------------------------------------------------ seed 001 examples
SEEDS = {
    "seed001_invoice.json": ("invoices", {
        "comprador.identificacion": "dígito verificador incorrecto",
        "items[0].impuestos[0].base_imponible": "no coincide con el calculado 4360.22",
        "items[0].impuestos[0].valor": "no coincide con el calculado 523.23",
        "exportacion.origen.codigo_pais": "código numérico de 3 dígitos",
        "exportacion.destino.codigo_pais": "código numérico de 3 dígitos",
        "exportacion.codigo_pais_adquisicion": "código numérico de 3 dígitos",
        "compensaciones": "ya no está vigente"}),
    "seed001_credit_note.json": ("credit-notes", {
        "comprador.identificacion": "dígito verificador incorrecto",
        "items[0].impuestos[0].base_imponible": "no coincide con el calculado 4360.22",
        "items[0].impuestos[0].valor": "no coincide con el calculado 523.23"}),
    "seed001_debit_note.json": ("debit-notes", {
        "comprador.identificacion": "dígito verificador incorrecto",
        "totales.total_sin_impuestos": "suma de los motivos 120.89"}),
    "seed001_retention.json": ("retentions", {
        "sujeto.identificacion": "dígito verificador incorrecto",
        "items[0].numero_documento_sustento": "documentos_sustento"}),
    "seed001_waybill.json": ("waybills", {
        "transportista.identificacion": "dígito verificador incorrecto",
        "destinatarios[0].identificacion": "dígito verificador incorrecto"}),
}


@pytest.mark.parametrize("name", list(SEEDS))
def test_seed_examples_are_refused_with_named_reasons(name):
    kind, expected = SEEDS[name]
    body = S.load_seed(name)
    errs = errors_of(body, kind, S.seed_company(), S.seed_now(body))
    for field, fragment in expected.items():
        assert field in errs, (field, errs)
        assert any(fragment in m for m in errs[field]), (field, errs[field])
    assert set(errs) == set(expected), errs  # nothing else is wrong with them


def _fix_ids(body):
    for key in ("comprador", "sujeto", "transportista"):
        if key in body:
            body[key]["identificacion"] = S.BUYER_CEDULA
    for d in body.get("destinatarios", []):
        d["identificacion"] = S.BUYER_CEDULA
    return body


def test_seed_waybill_builds_once_the_ids_are_valid():
    body = _fix_ids(S.load_seed("seed001_waybill.json"))
    company = S.seed_company()
    draft, clave, xml = build(body, "waybills", company, S.seed_now(body))
    assert schema.validate(xml) == []
    assert clave.startswith("28022015060910000000001")
    assert any("secuencial" in w for w in draft.warnings)


def test_seed_debit_note_builds_once_consistent():
    body = _fix_ids(S.load_seed("seed001_debit_note.json"))
    body["totales"] = {"total_sin_impuestos": 120.89, "importe_total": 135.40,
                       "impuestos": [{"base_imponible": 120.89, "valor": 14.51, "codigo": "2",
                                      "codigo_porcentaje": "2", "tarifa": 12.0}]}
    draft, _, xml = build(body, "debit-notes", S.seed_company(), S.seed_now(body))
    assert schema.validate(xml) == [] and arithmetic.check(xml)[0].ok
    assert parse_xml(xml).findtext("motivos/motivo/razon") == "Interés por mora"


def test_seed_invoice_builds_once_consistent():
    body = _fix_ids(S.load_seed("seed001_invoice.json"))
    del body["exportacion"], body["compensaciones"]
    body["items"][0]["impuestos"][0].update(base_imponible=4360.22, valor=523.23)
    body["items"][0]["precio_total_sin_impuestos"] = 4360.22
    body["totales"].update(total_sin_impuestos=4360.22, importe_total=4883.45)
    body["totales"]["impuestos"][1].update(base_imponible=4360.22, valor=523.23)
    body["pagos"][0]["total"] = 4883.45
    draft, _, xml = build(body, "invoices", S.seed_company(), S.seed_now(body))
    assert schema.validate(xml) == [] and arithmetic.check(xml)[0].ok
    root = parse_xml(xml)
    assert root.findtext("infoFactura/pagos/pago/formaPago") == "20"  # Dátil "cheque"
    assert root.findtext("infoFactura/valorRetIva") == "70.40"
    assert root.findtext("detalles/detalle/descripcion") == "Zanahoria granel 50 Kg."  # run collapsed


def test_tip_above_ten_percent_warns():
    body = S.invoice()
    body["totales"] = {"propina": "3.00"}
    body["pagos"] = [{"medio": "efectivo", "total": "27.38"}]
    draft = parse(body)
    assert draft.total == Decimal("27.38")
    assert any(w.startswith("totales.propina") and "10 %" in w for w in draft.warnings)
    body["totales"] = {"propina": "2.00"}
    body["pagos"] = [{"medio": "efectivo", "total": "26.38"}]
    assert not any("propina" in w for w in parse(body).warnings)


def test_consumer_final_without_number_gets_the_nines():
    body = S.invoice()
    body["comprador"] = {"tipo_identificacion": "07"}
    draft = parse(body)
    assert (draft.buyer_id, draft.buyer_name) == ("9999999999999", "CONSUMIDOR FINAL")
    body["comprador"] = {"tipo_identificacion": "07", "identificacion": "1710034065"}
    assert "9999999999999" in errors_of(body)["comprador.identificacion"][0]


def test_placa_id_type_refused():
    body = S.invoice()
    body["comprador"] = {"tipo_identificacion": "09", "identificacion": "GSM-0123", "razon_social": "X"}
    assert "no admitido por el SRI" in errors_of(body)["comprador.tipo_identificacion"][0]


def test_lone_surrogate_refused():
    body = S.invoice()
    body["items"][0]["descripcion"] = "Martillo \ud800"
    assert "U+D800" in errors_of(body)["items[0].descripcion"][0]


def test_credit_note_content():
    _, _, xml = build(S.credit_note(), "credit-notes")
    info = parse_xml(xml).find("infoNotaCredito")
    assert info.findtext("codDocModificado") == "01"
    assert info.findtext("numDocModificado") == "001-002-000000010"
    assert info.findtext("fechaEmisionDocSustento") == "20/11/2026"
    assert info.findtext("valorModificacion") == "4.60" and info.findtext("motivo") == "Devolución de producto"
    assert parse_xml(xml).findtext("detalles/detalle/codigoInterno") == "A1"


def test_waybill_content():
    draft, _, xml = build(S.waybill(), "waybills")
    root = parse_xml(xml)
    info = root.find("infoGuiaRemision")
    assert info.findtext("placa") == "PBA-1234" and info.findtext("rucTransportista") == S.SUPPLIER_CEDULA
    assert info.findtext("fechaIniTransporte") == "23/11/2026"
    dst = root.find("destinatarios/destinatario")
    assert dst.findtext("numAutDocSustento") == "0123456789" and dst.find("docAduaneroUnico") is None
    assert dst.findtext("detalles/detalle/cantidad") == "1.00"
    assert draft.total == 0 and draft.buyer_id == S.BUYER_CEDULA


def test_retention_passport_subject_kind():
    body = S.retention()
    body["sujeto"] = {"tipo_identificacion": "06", "identificacion": "AB123456", "razon_social": "John Doe",
                      "tipo_sujeto": "01"}
    _, _, xml = build(body, "retentions")
    assert parse_xml(xml).findtext("infoCompRetencion/tipoSujetoRetenido") == "01"
    assert schema.validate(xml) == []


def test_retention_rejects_long_special_taxpayer_resolution():
    company = S.company(contribuyente_especial="123456")
    errs = errors_of(S.retention(), "retentions", company)
    assert "5 caracteres" in errs["emisor.contribuyente_especial"][0]


def test_debit_note_accepts_seed_items_key():
    body = S.debit_note()
    body["items"] = body.pop("motivos")
    draft = parse(body, "debit-notes")
    assert draft.model.reasons[0].reason == "Interés por mora" and draft.total == Decimal("139.02")
