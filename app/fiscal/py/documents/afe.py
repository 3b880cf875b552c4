"""Autofactura electrónica (iTiDE 4): the buyer documents a purchase from a no contribuyente
or a foreigner. gCamAE (the seller and where the deal happened); no IVA per item; guaraníes
only; a constancia or document associated."""
from __future__ import annotations

from app.fiscal.py import catalog as cat
from app.fiscal.py.documents.base import DocumentType
from app.fiscal.py.json_fields import read_location
from app.fiscal.py.parts import Seller
from app.fiscal.py.xml_parts import el, location


def read(r, d: dict, doc) -> None:
    a = r.obj(d, "autoFactura", "autoFactura", required=True)
    if a is None:
        return
    loc = read_location(r, a, "autoFactura")
    u = r.obj(a, "ubicacion", "autoFactura.ubicacion", required=True) or {}
    place = read_location(r, {**u, "direccion": u.get("lugar")}, "autoFactura.ubicacion")
    if loc is None:
        r.e.add("autoFactura.direccion", "Campo obligatorio", "required")
    if place is None:
        r.e.add("autoFactura.ubicacion.lugar", "Campo obligatorio", "required")
    doc.seller = Seller(nature=r.int(a, "tipoVendedor", "autoFactura.tipoVendedor", required=True,
                                     choices={1, 2}, default=1),
                        id_type=r.int(a, "documentoTipo", "autoFactura.documentoTipo", required=True,
                                      choices={1, 2, 3, 4}, default=1),
                        id_number=r.str(a, "documentoNumero", "autoFactura.documentoNumero", required=True),
                        name=r.str(a, "nombre", "autoFactura.nombre", required=True, min_len=4),
                        location=loc, place=place)


def build(parent, doc) -> None:
    s = doc.seller
    f = el(parent, "gCamAE")
    el(f, "iNatVen", str(s.nature))
    el(f, "dDesNatVen", cat.SELLER_NATURE[s.nature])
    el(f, "iTipIDVen", str(s.id_type))
    el(f, "dDTipIDVen", cat.PERSON_ID_TYPES[s.id_type])
    el(f, "dNumIDVen", s.id_number)
    el(f, "dNomVen", s.name)
    location(f, s.location, ("dDirVen", "dNumCasVen", "", "", "cDepVen", "dDesDepVen", "cDisVen",
                             "dDesDisVen", "cCiuVen", "dDesCiuVen", ""))
    el(f, "dDirProv", s.place.address)
    el(f, "cDepProv", str(s.place.departamento))
    el(f, "dDesDepProv", cat.describe(cat.departments(), s.place.departamento, "departamento"))
    if s.place.distrito is not None:
        el(f, "cDisProv", str(s.place.distrito))
        el(f, "dDesDisProv", s.place.distrito_desc)
    el(f, "cCiuProv", str(s.place.ciudad))
    el(f, "dDesCiuProv", s.place.ciudad_desc)


def check(doc, errors) -> None:
    if doc.currency != "PYG":
        errors.add("moneda", "La autofactura debe emitirse en guaraníes (1213)")
    if doc.seller is None:
        errors.add("autoFactura", "Datos del vendedor obligatorios para autofactura")


TYPE = DocumentType(code=4, kind="purchase-settlements", short="AFE", description="Autofactura electrónica",
                    read=read, build=build, check=check, has_iva=False, has_transaction_type=True,
                    has_payments=True, needs_associated=True)
