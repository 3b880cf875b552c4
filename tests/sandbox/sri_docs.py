"""Test documents for the SRI sandbox: small, XSD-valid facturas 1.1.0 with a correct clave,
signed with a throw-away certificate by the project's own signer.

Used by the tests in this folder (tests/fiscal/ec works from the shared samples instead).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

RUC = "1790012345001"
OTHER_RUC = "0991234567001"
PASSWORD = "clave-de-prueba"
EC_TZ = timezone(timedelta(hours=-5))


def today_ec() -> date:
    return datetime.now(EC_TZ).date()


def make_clave(*, fecha: date, cod_doc: str = "01", ruc: str = RUC, ambiente: str = "1", estab: str = "001",
               pto: str = "001", secuencial: int = 1, codigo: str = "12345678") -> str:
    from app.fiscal.ec import access_key
    k48 = f"{fecha:%d%m%Y}{cod_doc}{ruc}{ambiente}{estab}{pto}{secuencial:09d}{codigo}1"
    return k48 + str(access_key.check_digit(k48))


def invoice_xml(secuencial: int, *, ruc: str = RUC, estab: str = "001", pto: str = "001",
                fecha: date | None = None, codigo: str = "12345678", ambiente: str = "1",
                price: str = "10.00", quantity: str = "2", importe_total: str | None = None,
                clave: str | None = None, description: str = "Producto de prueba") -> bytes:
    """An unsigned factura 1.1.0: `quantity` × `price` at IVA 15 %. `importe_total` overrides the
    correct total (to make bad arithmetic); `clave` overrides the correct clave."""
    fecha = fecha or today_ec()
    base = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    iva = (base * Decimal("0.15")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    total = importe_total or f"{base + iva:.2f}"
    clave = clave or make_clave(fecha=fecha, ruc=ruc, ambiente=ambiente, estab=estab, pto=pto,
                                secuencial=secuencial, codigo=codigo)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<factura id="comprobante" version="1.1.0">
  <infoTributaria>
    <ambiente>{ambiente}</ambiente>
    <tipoEmision>1</tipoEmision>
    <razonSocial>TIENDA DE PRUEBAS S.A.</razonSocial>
    <nombreComercial>TIENDA DE PRUEBAS</nombreComercial>
    <ruc>{ruc}</ruc>
    <claveAcceso>{clave}</claveAcceso>
    <codDoc>01</codDoc>
    <estab>{estab}</estab>
    <ptoEmi>{pto}</ptoEmi>
    <secuencial>{secuencial:09d}</secuencial>
    <dirMatriz>Av. Amazonas N23-45, Quito</dirMatriz>
  </infoTributaria>
  <infoFactura>
    <fechaEmision>{fecha:%d/%m/%Y}</fechaEmision>
    <dirEstablecimiento>Av. Amazonas N23-45, Quito</dirEstablecimiento>
    <obligadoContabilidad>NO</obligadoContabilidad>
    <tipoIdentificacionComprador>07</tipoIdentificacionComprador>
    <razonSocialComprador>CONSUMIDOR FINAL</razonSocialComprador>
    <identificacionComprador>9999999999999</identificacionComprador>
    <totalSinImpuestos>{base:.2f}</totalSinImpuestos>
    <totalDescuento>0.00</totalDescuento>
    <totalConImpuestos>
      <totalImpuesto>
        <codigo>2</codigo>
        <codigoPorcentaje>4</codigoPorcentaje>
        <baseImponible>{base:.2f}</baseImponible>
        <valor>{iva:.2f}</valor>
      </totalImpuesto>
    </totalConImpuestos>
    <propina>0.00</propina>
    <importeTotal>{total}</importeTotal>
    <moneda>DOLAR</moneda>
    <pagos>
      <pago>
        <formaPago>01</formaPago>
        <total>{total}</total>
      </pago>
    </pagos>
  </infoFactura>
  <detalles>
    <detalle>
      <codigoPrincipal>P001</codigoPrincipal>
      <descripcion>{description}</descripcion>
      <cantidad>{quantity}</cantidad>
      <precioUnitario>{price}</precioUnitario>
      <descuento>0.00</descuento>
      <precioTotalSinImpuesto>{base:.2f}</precioTotalSinImpuesto>
      <impuestos>
        <impuesto>
          <codigo>2</codigo>
          <codigoPorcentaje>4</codigoPorcentaje>
          <tarifa>15</tarifa>
          <baseImponible>{base:.2f}</baseImponible>
          <valor>{iva:.2f}</valor>
        </impuesto>
      </impuestos>
    </detalle>
  </detalles>
  <infoAdicional>
    <campoAdicional nombre="email">cliente@example.com</campoAdicional>
  </infoAdicional>
</factura>
""".encode("utf-8")


def clave_of(xml: bytes) -> str:
    start = xml.index(b"<claveAcceso>") + len(b"<claveAcceso>")
    return xml[start:xml.index(b"</claveAcceso>", start)].decode()


class Signer:
    """Holds one test identity (loading a .p12 is slow; signing is fast)."""

    def __init__(self, ruc: str = RUC):
        from app.fiscal.ec.certificate import PROFILE
        from app.fiscal.signing import generate_test_p12, load_identity
        self.identity = load_identity(generate_test_p12(ruc=ruc, holder="TIENDA DE PRUEBAS S.A.",
                                                        password=PASSWORD, profile=PROFILE), PASSWORD)

    def sign(self, xml: bytes) -> bytes:
        from app.fiscal.ec import xades
        return xades.sign(xml, self.identity)

    def invoice(self, secuencial: int, **kw) -> bytes:
        return self.sign(invoice_xml(secuencial, **kw))


def tamper(signed: bytes, old: bytes, new: bytes) -> bytes:
    """Changes signed bytes after signing (the signature must then fail)."""
    assert signed.count(old) >= 1, old
    return signed.replace(old, new, 1)
