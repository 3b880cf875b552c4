"""Documentos' "Actualizar transporte" (a `DocumentAction` of the PY `actions` facet): the
actualización de datos del transporte event (rGeVeTr) of an approved DE of ours that carries
transport (a nota de remisión, or a factura with gTransp). Two one-line fields: what changes
(chofer, vehículo or entrega) and its data, comma-separated; it becomes the FacturaSend / DTEpy
`datostransporte` body and goes through `event_requests.request_event`, as from the local API."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from app.core import status
from app.core.errors import ValidationError
from app.fiscal.base import DocumentAction, Param
from app.fiscal.py import event_requests, geo

GROUP = "Transporte de la remisión:"
CHANGE = Param("cambio", "Cambio", hint="chofer | vehículo | entrega", width=1, min_width=140)
DATA = Param("datos", "Datos nuevos", width=3, min_width=260,
             hint="chofer: nombre, cédula · vehículo: tipo, marca, matrícula · entrega: dirección, n.º, ciudad")
REASONS = {"chofer": 2, "vehiculo": 4, "entrega": 1}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.strip().upper()) if unicodedata.category(c) != "Mn")


def city_code(text: str) -> int:
    """A ciudad of SIFEN's table by its code or its name (accents and case aside); refused
    when none or several match."""
    text = text.strip()
    if text.isdigit():
        if not geo.city_name(int(text)):
            raise ValidationError(f"Ciudad {text} inexistente en la tabla de SIFEN", field="datos")
        return int(text)
    found = geo.ciudades(None, text)
    exact = [c for c in found if _fold(c["descripcion"]).split(" (")[0] == _fold(text)]
    found = exact or found
    if len(found) != 1:
        names = ", ".join(f"{c['descripcion']} ({c['codigo']})" for c in found[:5])
        raise ValidationError(f"Ciudad '{text}': " + (f"varias coinciden: {names}; escriba el código" if found
                                                      else "no está en la tabla de SIFEN"), field="datos")
    return found[0]["codigo"]


def body_of(cdc: str, values: dict) -> dict:
    """The `datostransporte` body of what was typed."""
    change = _fold(values.get("cambio", "")).lower()
    reason = REASONS.get(change)
    if reason is None:
        raise ValidationError("Escriba qué cambia: chofer, vehículo o entrega", field="cambio")
    parts = [p.strip() for p in (values.get("datos") or "").split(",")]
    if reason == 2:
        if len(parts) != 2 or not all(parts):
            raise ValidationError("Datos del chofer: nombre, cédula (separados por coma)", field="datos")
        return {"cdc": cdc, "motivo": 2, "chofer": {"nombre": parts[0], "documentoNumero": parts[1]}}
    if reason == 4:
        if len(parts) != 3 or not all(parts):
            raise ValidationError("Datos del vehículo: tipo, marca, matrícula (separados por coma)", field="datos")
        return {"cdc": cdc, "motivo": 4, "vehiculo": {"tipo": parts[0], "marca": parts[1], "documentoTipo": 2,
                                                       "numeroMatricula": parts[2]}}
    if len(parts) < 2 or not parts[0] or not parts[-1]:
        raise ValidationError("Local de entrega: dirección, n.º de casa (opcional), ciudad", field="datos")
    city = city_code(parts[-1])
    number = parts[-2] if len(parts) > 2 and parts[-2].isdigit() else "0"
    address = ", ".join(parts[:-2] if len(parts) > 2 and parts[-2].isdigit() else parts[:-1])
    district = next(c["distrito"] for c in geo.ciudades(None) if c["codigo"] == city)
    return {"cdc": cdc, "motivo": 1, "entrega": {"departamento": district["departamento"]["codigo"],
                                                 "ciudad": city, "direccion": address, "numeroCasa": number}}


def _applies(doc, now: datetime) -> bool:
    return doc["status"] == status.AUTHORIZED and (doc["doc_code"] == "7" or b"<gTransp>" in bytes(doc["xml"]))


def _perform(session, doc, values: dict, now: datetime) -> str:
    event_requests.request_event(session, "datostransporte", body_of(doc["key"], values), now=now)
    return "Actualización de datos del transporte firmada y en cola para SIFEN."


TRANSPORT = DocumentAction("transporte", "Actualizar transporte", GROUP, shortcut="Shift+F11",
                           params=(CHANGE, DATA), applies=_applies, perform=_perform)
