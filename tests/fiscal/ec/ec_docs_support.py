"""Shared test data for the SRI document layer: a company and one valid body per kind.

Kept as a plain module (not a conftest) because tests/fiscal/ec is shared with other helpers.
"""
from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from app.core.company import Company, Establishment, PointOfSale

GYE = ZoneInfo("America/Guayaquil")
DATA = Path(__file__).resolve().parent / "data"
NOW = datetime(2026, 11, 23, 10, 30, tzinfo=GYE)
BUYER_CEDULA = "1710034065"  # valid check digit
SUPPLIER_CEDULA = "0912345675"


def company(ruc: str = "1790012345001", environment: str = "sandbox", **kw) -> Company:
    base = dict(
        country="EC", ruc=ruc, razon_social="Ferretería Ñandú & Hijos S.A.", nombre_comercial="Ñandú",
        address="Av. Amazonas N34-451 y Atahualpa, Quito",
        establishments=(Establishment("001", "Av. 10 de Agosto 123, Quito",
                                      points=(PointOfSale("001"), PointOfSale("002"))),
                        Establishment("002", "Malecón 1401, Guayaquil")),
        environment=environment, obligado_contabilidad=True, contribuyente_especial="12345",
        agente_retencion="1", rimpe="")
    base.update(kw)
    return Company(**base)


def seed_company() -> Company:
    """Matches the emisor of every seed 001 example (RUC 0910000000001, 001-002)."""
    return company(ruc="0910000000001",
                   establishments=(Establishment("001", "Av. Primera 234 y calle 5ta",
                                                 points=(PointOfSale("002"),)),))


def load_seed(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def seed_now(body: dict) -> datetime:
    """A `now` on the example's own issue day, so the date rules do not block it."""
    raw = body.get("fecha_emision") or body.get("fecha_inicio_transporte")
    dt = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(GYE)
    return dt.replace(hour=23, minute=0)


EMISOR = {"ruc": "1790012345001", "establecimiento": {"codigo": "001", "punto_emision": "002"}}
BUYER = {"tipo_identificacion": "05", "identificacion": BUYER_CEDULA, "razon_social": "Juan Pérez",
         "direccion": "Calle única 987", "email": "juan@example.com", "telefono": "046029400"}


def invoice() -> dict:
    return copy.deepcopy({
        "ambiente": 1, "tipo_emision": 1, "fecha_emision": "2026-11-23T09:15:00-05:00",
        "emisor": EMISOR, "moneda": "USD",
        "comprador": BUYER,
        "items": [
            {"codigo_principal": "A1", "descripcion": "Martillo", "cantidad": "3", "precio_unitario": "4.333333",
             "descuento": "0.50", "unidad_medida": "unidad",
             "impuestos": [{"codigo": "2", "codigo_porcentaje": "4", "tarifa": 15}],
             "detalles_adicionales": {"Marca": "Stanley"}},
            {"descripcion": "Libro", "cantidad": 1, "precio_unitario": "10.00",
             "impuestos": [{"codigo": "2", "codigo_porcentaje": "0"}]},
        ],
        "totales": {"total_sin_impuestos": "22.50", "descuento": "0.50", "propina": "0.00",
                    "importe_total": "24.38",
                    "impuestos": [{"codigo": "2", "codigo_porcentaje": "4", "base_imponible": "12.50",
                                   "valor": "1.88"},
                                  {"codigo": "2", "codigo_porcentaje": "0", "base_imponible": "10.00",
                                   "valor": "0.00"}]},
        "pagos": [{"medio": "efectivo", "total": "20.00"},
                  {"medio": "tarjeta_credito", "total": "4.38", "propiedades": {"plazo": 30}}],
        "informacion_adicional": {"Vendedor": "Ana"},
    })


def credit_note() -> dict:
    return copy.deepcopy({
        "fecha_emision": "2026-11-23", "emisor": EMISOR, "comprador": BUYER,
        "tipo_documento_modificado": "01", "numero_documento_modificado": "001-002-000000010",
        "fecha_emision_documento_modificado": "2026-11-20", "motivo": "Devolución de producto",
        "items": [{"codigo_principal": "A1", "descripcion": "Martillo", "cantidad": 1, "precio_unitario": "4.00",
                   "impuestos": [{"codigo": "2", "codigo_porcentaje": "4", "tarifa": 15}]}],
        "totales": {"total_sin_impuestos": "4.00", "importe_total": "4.60",
                    "impuestos": [{"codigo": "2", "codigo_porcentaje": "4", "base_imponible": "4.00", "valor": "0.60"}]},
    })


def debit_note() -> dict:
    return copy.deepcopy({
        "fecha_emision": "2026-11-23", "emisor": EMISOR, "comprador": BUYER,
        "tipo_documento_modificado": "01", "numero_documento_modificado": "001-002-000000010",
        "fecha_emision_documento_modificado": "2026-11-01",
        "motivos": [{"motivo": "Interés por mora", "valor": "120.89"}],
        "totales": {"total_sin_impuestos": "120.89", "importe_total": "139.02",
                    "impuestos": [{"codigo": "2", "codigo_porcentaje": "4", "base_imponible": "120.89",
                                   "tarifa": 15, "valor": "18.13"}]},
        "pagos": [{"medio": "transferencia", "total": "139.02"}],
    })


def retention() -> dict:
    return copy.deepcopy({
        "fecha_emision": "2026-11-23", "periodo_fiscal": "11/2026", "emisor": EMISOR,
        "sujeto": {"tipo_identificacion": "04", "identificacion": "1790013213001", "razon_social": "Proveedor S.A.",
                   "email": "conta@proveedor.ec"},
        "items": [
            {"codigo": 1, "codigo_porcentaje": "312", "porcentaje": 1.75, "base_imponible": "100.00",
             "valor_retenido": "1.75", "tipo_documento_sustento": "01",
             "numero_documento_sustento": "011-007-000000251", "fecha_emision_documento_sustento": "2026-11-20"},
            {"codigo": 2, "codigo_porcentaje": "1", "base_imponible": "15.00", "valor_retenido": "4.50",
             "tipo_documento_sustento": "01", "numero_documento_sustento": "011-007-000000251",
             "fecha_emision_documento_sustento": "2026-11-20"},
        ],
        "documentos_sustento": [
            {"numero": "011-007-000000251", "codigo_sustento": "01", "total_sin_impuestos": "100.00",
             "importe_total": "115.00", "numero_autorizacion": "2011202601179001321300120110070000002511234567811",
             "impuestos": [{"codigo": "2", "codigo_porcentaje": "4", "base_imponible": "100.00", "valor": "15.00"}],
             "pagos": [{"medio": "transferencia", "total": "115.00"}]},
        ],
    })


def waybill() -> dict:
    return copy.deepcopy({
        "fecha_inicio_transporte": "2026-11-23", "fecha_fin_transporte": "2026-11-24",
        "direccion_partida": "Av. 10 de Agosto 123, Quito", "emisor": EMISOR,
        "transportista": {"tipo_identificacion": "05", "identificacion": SUPPLIER_CEDULA,
                          "razon_social": "Transportes Pérez", "placa": "PBA-1234"},
        "destinatarios": [{
            "identificacion": BUYER_CEDULA, "tipo_identificacion": "05", "razon_social": "Juan Pérez",
            "direccion": "Calle única 987, Guayaquil", "motivo_traslado": "Venta", "ruta": "UIO - GYE",
            "tipo_documento_sustento": "01", "numero_documento_sustento": "001-002-000000010",
            "numero_autorizacion_documento_sustento": "0123456789", "fecha_emision_documento_sustento": "2026-11-23",
            "codigo_establecimiento_destino": "001", "documento_aduanero_unico": "",
            "items": [{"descripcion": "Playstation 4", "cantidad": 1, "codigo_principal": "SPS",
                       "detalles_adicionales": {"serie": "1-2014-2"}}]}],
    })


def purchase_settlement() -> dict:
    return copy.deepcopy({
        "fecha_emision": "2026-11-23", "emisor": EMISOR,
        "proveedor": {"tipo_identificacion": "05", "identificacion": SUPPLIER_CEDULA, "razon_social": "María Quispe",
                      "direccion": "Comunidad Salasaca"},
        "items": [{"descripcion": "Tejido artesanal", "cantidad": "2.5", "precio_unitario": "12.123456",
                   "impuestos": [{"codigo": "2", "codigo_porcentaje": "0"}]}],
        "totales": {"total_sin_impuestos": "30.31", "importe_total": "30.31"},
        "pagos": [{"medio": "01", "total": "30.31"}],
    })


BODIES = {"invoices": invoice, "credit-notes": credit_note, "debit-notes": debit_note,
          "retentions": retention, "waybills": waybill, "purchase-settlements": purchase_settlement}


_ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(.*)$")
_PERIOD = re.compile(r"^(\d{2})/(\d{4})$")


def moved_to(body, day: date, reference: date | None = None):
    """`body` with every date (ISO day, ISO moment, `MM/YYYY` fiscal period) moved by the same
    number of days, so that `reference` (this module's NOW) falls on `day`. Lets a test issue
    these bodies through the real clock without any fixture ageing."""
    reference = reference or NOW.date()
    shift = day - reference
    if isinstance(body, dict):
        return {k: moved_to(v, day, reference) for k, v in body.items()}
    if isinstance(body, list):
        return [moved_to(v, day, reference) for v in body]
    if isinstance(body, str):
        m = _ISO_DAY.match(body)
        if m:
            try:
                return (date.fromisoformat(m.group(1)) + shift).isoformat() + m.group(2)
            except ValueError:
                return body
        m = _PERIOD.match(body)
        if m:
            moved = date(int(m.group(2)), int(m.group(1)), min(reference.day, 28)) + shift
            return f"{moved.month:02d}/{moved.year}"
    return body
