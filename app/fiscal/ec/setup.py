"""Setup rules for an Ecuadorian (SRI) company: the company page's fields, the environments
and the checks before saving, so the first sale cannot fail on configuration."""
from __future__ import annotations

import re
from typing import Any, Mapping

from app.core.company import Company, Establishment
from app.core.errors import FieldError
from app.fiscal.base import SetupField
from app.fiscal.ec.identity import check_identification

ENVIRONMENTS = {"sandbox": "Sandbox (SRI simulado en este equipo)",
                "pruebas": "Pruebas (SRI celcer)",
                "produccion": "Producción (documentos con validez tributaria)"}
RIMPE_OPTIONS = ("", "CONTRIBUYENTE RÉGIMEN RIMPE", "CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE")
_CODE = re.compile(r"^\d{3}$")
_RESOLUTION = "N.º de resolución, vacío si no lo es"


def ruc_errors(ruc: str) -> list[str]:
    """Why `ruc` is not a valid RUC (13 digits, SRI check digits)."""
    text = ruc.strip()
    if not (text.isdigit() and len(text) == 13):
        return ["El RUC debe tener 13 dígitos: escríbalo sin guiones ni espacios (ej. 1790011674001)"]
    return [f"{m[:1].upper() + m[1:]}: revise el RUC, dígito por dígito, con su certificado de RUC del SRI"
            for m in check_identification("04", text).errors]


class EcSetup:
    environments = ENVIRONMENTS
    company_fields = (
        SetupField("ruc", "RUC", placeholder="13 dígitos", required=True, max_length=13),
        SetupField("razon_social", "Razón social", required=True),
        SetupField("nombre_comercial", "Nombre comercial"),
        SetupField("address", "Dirección matriz", required=True),
        SetupField("email", "Correo de facturación"),
        SetupField("obligado_contabilidad", "Obligado a llevar contabilidad", kind="check", default=False),
        SetupField("contribuyente_especial", "Contribuyente especial", placeholder=_RESOLUTION),
        SetupField("agente_retencion", "Agente de retención", placeholder=_RESOLUTION),
        SetupField("rimpe", "Régimen RIMPE", kind="choice",
                   choices=tuple((r, r or "No pertenece al RIMPE") for r in RIMPE_OPTIONS)),
    )
    establishment_fields: tuple[SetupField, ...] = ()
    point_name = "punto de emisión"
    establishment_hint = "Un establecimiento por fila; puntos de emisión separados por comas (001, 002)."

    def field_values(self, company: Company) -> dict[str, Any]:
        return {f.key: getattr(company, f.key) for f in self.company_fields}

    def company_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {f.key: values[f.key] for f in self.company_fields if f.key in values}

    def establishment_cells(self, establishment: Establishment) -> dict[str, str]:
        return {}

    def establishment_values(self, cells: Mapping[str, str]) -> dict[str, Any]:
        return {}

    def place_names(self, cells: Mapping[str, str]) -> str:
        return ""

    def company_errors(self, c: Company) -> list[FieldError]:
        errors = []
        if not c.ruc.strip():
            errors.append(FieldError("ruc", "Escriba el RUC de la empresa"))
        else:
            errors += [FieldError("ruc", m) for m in ruc_errors(c.ruc)]
        for name, label, value in (("razon_social", "La razón social", c.razon_social),
                                   ("address", "La dirección matriz", c.address)):
            if not value.strip():
                errors.append(FieldError(name, f"{label} es obligatoria: escríbala como figura en el RUC"))
            elif len(value) > 300:
                errors.append(FieldError(name, f"{label} tiene como máximo 300 caracteres: abréviela"))
        if c.contribuyente_especial and not re.fullmatch(r"\d{3,13}", c.contribuyente_especial):
            errors.append(FieldError("contribuyente_especial", "El número de resolución de contribuyente especial tiene de 3 a 13 dígitos: "
                "cópielo de la resolución del SRI o deje el campo vacío"))
        if c.agente_retencion and not re.fullmatch(r"[1-9]\d{0,7}", c.agente_retencion):
            errors.append(FieldError("agente_retencion", "El número de resolución de agente de retención se escribe sin ceros a la izquierda (ej. 1): "
                "corríjalo o deje el campo vacío"))
        if c.rimpe not in RIMPE_OPTIONS:
            errors.append(FieldError("rimpe", "Régimen RIMPE desconocido: elija uno de la lista"))
        if c.environment not in ENVIRONMENTS:
            errors.append(FieldError("environment", f"Ambiente desconocido: {c.environment}; elija sandbox, pruebas o producción"))
        if not c.establishments:
            errors.append(FieldError("establishments", "Registre al menos un establecimiento"))
        seen = set()
        for i, e in enumerate(c.establishments):
            if not _CODE.match(e.code) or e.code == "000":
                errors.append(FieldError(f"establishments[{i}].code",
                                         "El código de establecimiento son 3 dígitos (001–999)"))
            if e.code in seen:
                errors.append(FieldError(f"establishments[{i}].code", f"Establecimiento {e.code} repetido: "
                    "cambie el código de una de las filas"))
            seen.add(e.code)
            if not e.address.strip():
                errors.append(FieldError(f"establishments[{i}].address",
                                         "La dirección del establecimiento es obligatoria: escríbala en la columna Dirección"))
            if not e.points:
                errors.append(FieldError(f"establishments[{i}].points", "Registre al menos un punto de emisión"))
            codes = [p.code for p in e.points]
            for p in e.points:
                if not _CODE.match(p.code) or p.code == "000":
                    errors.append(FieldError(f"establishments[{i}].points",
                                             "El punto de emisión son 3 dígitos (001–999)"))
            if len(set(codes)) != len(codes):
                errors.append(FieldError(f"establishments[{i}].points", "Punto de emisión repetido: "
                    "escriba cada código una sola vez (001, 002)"))
        return errors

    def secret_errors(self, company: Company, secrets: Mapping[str, str | None]) -> list[FieldError]:
        return []

    def store_secrets(self, company: Company, secrets: Mapping[str, str | None]) -> None:
        """The SRI needs no secret besides the certificate's password."""


FACET = EcSetup()
