"""Ecuador's `reports` facet: what generic integrations (e-mail, the mall report, exports) need
from an authorized SRI document.

- `authorized_form(xml, authorization_number, authorized_at) -> bytes`: the SRI's `autorizacion`
  document (estado, numeroAutorizacion, fechaAutorizacion, ambiente, the signed comprobante as
  CDATA, byte for byte, and an empty `mensajes`), what the SRI's portal hands out, accountants
  import and the mall of seed 000 expects by SFTP.
- `authorized_name(key) -> str`: its file name.
- `mall_fields(xml, authorization_number, authorized_at) -> dict`: the mall REST portal's
  `invoices/register` body, extracted from the signed XML exactly as seed 000 describes
  (totalTaxIVA / ICE / IRBPNR: the sum of `valor` of `totalConImpuestos` with codigo 2 / 3 / 5).
- `is_mall_document(xml)`: whether the document is reported to the mall (facturas, codDoc 01).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from app.xmlsafe import parse_xml

AMBIENTES = {"1": "PRUEBAS", "2": "PRODUCCIÓN"}
_TAX_FIELDS = {"2": "totalTaxIVA", "3": "totalTaxICE", "5": "totalTaxIRBPNR"}


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(root, path: str) -> str:
    el = root.find(path)
    return (el.text or "").strip() if el is not None and el.text else ""


def _dec(text: str) -> Decimal:
    try:
        return Decimal(text or "0")
    except InvalidOperation:
        raise ValueError(f"Valor numérico inválido en el XML: {text!r}") from None


def _money(d: Decimal) -> str:
    return str(d.quantize(Decimal("0.01")))


class EcReports:
    def authorized_form(self, xml: bytes, authorization_number: str, authorized_at: str) -> bytes:
        if not authorization_number:
            raise ValueError("El documento no está autorizado: no tiene número de autorización")
        root = parse_xml(xml)
        ambiente = AMBIENTES.get(_text(root, "infoTributaria/ambiente"), "PRUEBAS")
        body = ("<autorizacion>"
                "<estado>AUTORIZADO</estado>"
                f"<numeroAutorizacion>{escape(authorization_number)}</numeroAutorizacion>"
                f"<fechaAutorizacion>{escape(authorized_at or '')}</fechaAutorizacion>"
                f"<ambiente>{ambiente}</ambiente>"
                f"<comprobante>{_cdata(bytes(xml).decode('utf-8'))}</comprobante>"
                "<mensajes/>"
                "</autorizacion>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")

    def authorized_name(self, key: str) -> str:
        return f"{key}.xml"

    def is_mall_document(self, xml: bytes) -> bool:
        root = parse_xml(xml)
        return root.tag == "factura" and _text(root, "infoTributaria/codDoc") == "01"

    def mall_fields(self, xml: bytes, authorization_number: str, authorized_at: str) -> dict:
        root = parse_xml(xml)
        if root.tag != "factura":
            raise ValueError("Solo las facturas se reportan al centro comercial")
        taxes = {name: Decimal("0") for name in _TAX_FIELDS.values()}
        for t in root.findall("infoFactura/totalConImpuestos/totalImpuesto"):
            name = _TAX_FIELDS.get(_text(t, "codigo"))
            if name:
                taxes[name] += _dec(_text(t, "valor"))
        fields = {
            "RUC": _text(root, "infoTributaria/ruc"),
            "establishmentCode": _text(root, "infoTributaria/estab"),
            "salePointCode": _text(root, "infoTributaria/ptoEmi"),
            "total": _money(_dec(_text(root, "infoFactura/importeTotal"))),
            "totalWithoutTaxes": _money(_dec(_text(root, "infoFactura/totalSinImpuestos"))),
            "authorizationNumber": authorization_number,
            "authorizationDate": authorized_at,
        }
        fields.update({k: _money(v) for k, v in taxes.items()})
        return fields


FACET = EcReports()
