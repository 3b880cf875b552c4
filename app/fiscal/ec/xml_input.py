"""An unsigned SRI factura XML (Ficha técnica, `<factura>` v1.0.0 / v1.1.0) -> the Dátil-style
body that app/fiscal/ec/datil.py validates into the document model.

Going through the Dátil body keeps ONE validation path (the same checks, totals comparison and
Spanish errors as a JSON issue); this module only reads the XML's fields and never decides
anything. What Mostrador assigns (secuencial, clave de acceso, ambiente) is ignored in the XML:
its `secuencial` is returned apart, as the client's own number (retries are recognised by it).
"""
from __future__ import annotations

from app.core.errors import ValidationError
from app.xmlsafe import parse_xml

DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"


def _t(node, path: str) -> str:
    if node is None:
        return ""
    return (node.findtext(path) or "").strip()


def _opt(target: dict, key: str, value: str) -> None:
    if value:
        target[key] = value


def _date(text: str) -> str:
    """dd/mm/aaaa (the SRI's) -> aaaa-mm-dd (Dátil's); anything else is passed on for the
    reader to refuse with its own message."""
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        d, m, y = parts
        return f"{y}-{m.zfill(2)}-{d.zfill(2)}"
    return text


def _taxes(parent, tag: str, *, with_base: bool) -> list[dict]:
    out = []
    for node in parent.findall(tag) if parent is not None else []:
        tax = {"codigo": _t(node, "codigo"), "codigo_porcentaje": _t(node, "codigoPorcentaje")}
        _opt(tax, "tarifa", _t(node, "tarifa"))
        if with_base:
            _opt(tax, "base_imponible", _t(node, "baseImponible"))
            _opt(tax, "valor", _t(node, "valor"))
        out.append(tax)
    return out


def _named(parent, tag: str, attr_name: str = "nombre") -> dict:
    out = {}
    for node in parent.findall(tag) if parent is not None else []:
        out[node.get(attr_name) or ""] = node.get("valor") if node.get("valor") is not None else (node.text or "").strip()
    return out


def factura_body(xml: bytes | str) -> tuple[dict, str | None]:
    """Reads an unsigned factura XML -> (Dátil-style body, the XML's secuencial or None).
    Raises ValidationError (Spanish, field `xml`) for anything that is not one."""
    root = parse_xml(xml)
    tag = root.tag.split("}")[-1] if isinstance(root.tag, str) else ""
    if tag != "factura":
        raise ValidationError(f"Solo se emiten facturas desde XML: la raíz es <{tag}>, se esperaba <factura>",
                              field="xml")
    if root.find(f".//{DS_SIGNATURE}") is not None:
        raise ValidationError("El XML ya está firmado: envíe el comprobante sin firmar (Mostrador lo numera y firma)",
                              field="xml")
    it, info = root.find("infoTributaria"), root.find("infoFactura")
    if it is None or info is None:
        raise ValidationError("El XML no es una factura del SRI: faltan infoTributaria o infoFactura", field="xml")
    body: dict = {
        "tipo_emision": 1,
        "fecha_emision": _date(_t(info, "fechaEmision")),
        "moneda": _t(info, "moneda") or "DOLAR",
        "emisor": {"ruc": _t(it, "ruc"),
                   "establecimiento": {"codigo": _t(it, "estab"), "punto_emision": _t(it, "ptoEmi")}},
        "comprador": {"tipo_identificacion": _t(info, "tipoIdentificacionComprador"),
                      "identificacion": _t(info, "identificacionComprador"),
                      "razon_social": _t(info, "razonSocialComprador")},
    }
    if body["moneda"].upper() == "DOLAR":
        body["moneda"] = "USD"
    _opt(body["comprador"], "direccion", _t(info, "direccionComprador"))
    items = []
    for det in root.findall("detalles/detalle"):
        item = {"descripcion": _t(det, "descripcion"), "cantidad": _t(det, "cantidad"),
                "precio_unitario": _t(det, "precioUnitario"),
                "impuestos": _taxes(det.find("impuestos"), "impuesto", with_base=True)}
        _opt(item, "codigo_principal", _t(det, "codigoPrincipal"))
        _opt(item, "codigo_auxiliar", _t(det, "codigoAuxiliar"))
        _opt(item, "descuento", _t(det, "descuento"))
        extra = _named(det.find("detallesAdicionales"), "detAdicional")
        if extra:
            item["detalles_adicionales"] = extra
        items.append(item)
    body["items"] = items
    totales = {"total_sin_impuestos": _t(info, "totalSinImpuestos"), "importe_total": _t(info, "importeTotal"),
               "impuestos": _taxes(info.find("totalConImpuestos"), "totalImpuesto", with_base=True)}
    _opt(totales, "descuento", _t(info, "totalDescuento"))
    _opt(totales, "propina", _t(info, "propina"))
    body["totales"] = totales
    pagos = []
    for pago in info.findall("pagos/pago"):
        p: dict = {"medio": _t(pago, "formaPago"), "total": _t(pago, "total")}
        if _t(pago, "plazo"):
            p["propiedades"] = {"plazo": _t(pago, "plazo"), "unidad_tiempo": _t(pago, "unidadTiempo")}
        pagos.append(p)
    if pagos:
        body["pagos"] = pagos
    extra = _named(root.find("infoAdicional"), "campoAdicional")
    if extra:
        body["informacion_adicional"] = extra
    secuencial = _t(it, "secuencial")
    return body, (f"{_t(it, 'estab')}-{_t(it, 'ptoEmi')}-{secuencial}" if secuencial else None)
