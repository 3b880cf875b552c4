"""The DGT's one document, the boleta: its model, XML, key, signature and checks."""
from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from app.xmlsafe import parse_xml
from toy_country import NS

Q = f"{{{NS}}}"
KIND = "invoices"
DOC_CODE = "B"


@dataclass(frozen=True)
class BoletaLine:
    code: str
    name: str
    quantity: Decimal
    price: Decimal  # tax included

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.price).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Boleta:
    buyer_id: str
    buyer_name: str
    lines: tuple[BoletaLine, ...]
    payments: tuple[tuple[str, Decimal], ...]  # (DGT code, amount)

    @property
    def total(self) -> Decimal:
        return sum((ln.total for ln in self.lines), Decimal("0.00"))


def check_digit(digits: str) -> str:
    return str(sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10)


def make_key(ruc: str, estab: str, point: str, sequential: int, issued: datetime) -> str:
    body = f"{ruc}{estab}{point}{sequential:09d}{issued:%Y%m%d}{secrets.randbelow(10**6):06d}"
    return body + check_digit(body)


def build(boleta: Boleta, *, key: str, number: str, issued: datetime, ruc: str) -> etree._Element:
    root = etree.Element(Q + "boleta", nsmap={None: NS}, id=key)
    for tag, text in (("numero", number), ("fecha", issued.isoformat(timespec="seconds")), ("emisor", ruc),
                      ("receptor", boleta.buyer_id), ("nombre", boleta.buyer_name)):
        etree.SubElement(root, Q + tag).text = text
    for ln in boleta.lines:
        etree.SubElement(root, Q + "item", codigo=ln.code, cantidad=str(ln.quantity), precio=str(ln.price),
                         total=str(ln.total)).text = ln.name
    for code, amount in boleta.payments:
        etree.SubElement(root, Q + "pago", medio=code, monto=str(amount))
    etree.SubElement(root, Q + "total").text = str(boleta.total)
    return root


def _signed_bytes(root: etree._Element) -> bytes:
    clone = etree.fromstring(etree.tostring(root))
    for sig in clone.findall(Q + "firma"):
        clone.remove(sig)
    return etree.tostring(clone, method="c14n")


def sign(root: etree._Element, key, cert: x509.Certificate) -> bytes:
    value = key.sign(_signed_bytes(root), padding.PKCS1v15(), hashes.SHA256())
    firma = etree.SubElement(root, Q + "firma",
                             cert=base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode())
    firma.text = base64.b64encode(value).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def read(xml: bytes) -> etree._Element:
    root = parse_xml(xml)
    if root.tag != Q + "boleta":
        raise ValueError("No es una boleta de la DGT de Toylandia")
    return root


def signature_ok(root: etree._Element) -> bool:
    firma = root.find(Q + "firma")
    if firma is None:
        return False
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(firma.get("cert", "")))
        cert.public_key().verify(base64.b64decode(firma.text or ""), _signed_bytes(root),
                                 padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def totals_ok(root: etree._Element) -> bool:
    items = root.findall(Q + "item")
    try:
        lines = sum((Decimal(i.get("total")) for i in items), Decimal("0.00"))
        each = all(Decimal(i.get("cantidad")) * Decimal(i.get("precio")) == Decimal(i.get("total")) for i in items)
        return each and lines == Decimal(root.findtext(Q + "total"))
    except (ArithmeticError, TypeError):
        return False


def key_ok(root: etree._Element) -> bool:
    key = root.get("id", "")
    return key.isdigit() and check_digit(key[:-1]) == key[-1]
