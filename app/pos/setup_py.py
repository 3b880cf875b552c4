"""Checks for a Paraguayan (SIFEN) company before it is saved: everything
app/fiscal/py/xml_build.py will need to write gTimb and gEmis, so the first sale cannot fail
on configuration. Messages in Spanish, each naming its field."""
from __future__ import annotations

import re

from app.core.company import Company
from app.core.errors import FieldError
from app.fiscal.py import catalog as py_cat
from app.fiscal.py import ruc as ruc_mod

_CODE = re.compile(r"^\d{3}$")
_EMAIL = re.compile(r"[0-9a-zA-Z][0-9a-zA-Z.\-_]*@([0-9a-zA-Z][0-9a-zA-Z\-_]*\.)+[a-zA-Z]{2,9}")
_CSC = re.compile(r"[0-9A-Za-z]{32}")


def _geo_name(kind: str, code: int) -> str:
    table = py_cat.KNOWN_CITIES if kind == "ciudad" else py_cat.KNOWN_DISTRICTS
    return table.get(code, "")


def place_names(departamento: int | None, distrito: int | None, ciudad: int | None) -> str:
    """'CENTRAL · LUQUE · LUQUE' for the codes typed, to show the owner what they chose."""
    parts = []
    if departamento is not None:
        parts.append(py_cat.departments().get(departamento, "?"))
    if distrito is not None:
        parts.append(_geo_name("distrito", distrito) or "?")
    if ciudad is not None:
        parts.append(_geo_name("ciudad", ciudad) or "?")
    return " · ".join(parts)


def company_errors(c: Company) -> list[FieldError]:
    from app.pos.setup import environments

    errors: list[FieldError] = []
    if not c.ruc.strip():
        errors.append(FieldError("ruc", "Escriba el RUC de la empresa con su dígito verificador (80012345-6)"))
    else:
        errors += [FieldError("ruc", m) for m in ruc_mod.validate(c.ruc, require_dv=True)]
    name = c.razon_social.strip()
    if len(name) < 4 or len(name) > 255:
        errors.append(FieldError("razon_social", "La razón social tiene de 4 a 255 caracteres"))
    if c.nombre_comercial and len(c.nombre_comercial) > 255:
        errors.append(FieldError("nombre_comercial", "El nombre de fantasía tiene como máximo 255 caracteres"))
    if not re.fullmatch(r"\d{8}", c.timbrado or ""):
        errors.append(FieldError("timbrado", "El número de timbrado son 8 dígitos"))
    if c.timbrado_start is None:
        errors.append(FieldError("timbrado_start", "Indique la fecha de inicio de vigencia del timbrado"))
    if c.tipo_contribuyente not in (1, 2):
        errors.append(FieldError("tipo_contribuyente", "Tipo de contribuyente: 1 persona física o 2 persona jurídica"))
    if c.tipo_regimen is not None and not 1 <= c.tipo_regimen <= 8:
        errors.append(FieldError("tipo_regimen", "Tipo de régimen desconocido (1 a 8)"))
    if not c.actividades:
        errors.append(FieldError("actividades", "Indique al menos una actividad económica (código y descripción)"))
    for code, desc in c.actividades:
        if not re.fullmatch(r"\d{1,8}", code or ""):
            errors.append(FieldError("actividades", f"Código de actividad económica no válido: «{code}» (hasta 8 dígitos)"))
        if not 3 <= len((desc or "").strip()) <= 300:
            errors.append(FieldError("actividades", "La descripción de la actividad tiene de 3 a 300 caracteres"))
    if c.csc_id and not re.fullmatch(r"\d{1,4}", c.csc_id):
        errors.append(FieldError("csc_id", "El ID del CSC es un número de hasta 4 dígitos (0001)"))
    if c.environment not in environments("PY"):
        errors.append(FieldError("environment", f"Ambiente desconocido: {c.environment}"))
    if c.email and not _EMAIL.fullmatch(c.email):
        errors.append(FieldError("email", f"Correo no válido: {c.email}"))
    if not c.establishments:
        errors.append(FieldError("establishments", "Registre al menos un establecimiento"))
    seen = set()
    for i, e in enumerate(c.establishments):
        f = f"establishments[{i}]"
        label = f"Establecimiento {e.code or i + 1}"
        if not _CODE.match(e.code) or e.code == "000":
            errors.append(FieldError(f"{f}.code", "El código de establecimiento son 3 dígitos (001–999)"))
        if e.code in seen:
            errors.append(FieldError(f"{f}.code", f"Establecimiento {e.code} repetido"))
        seen.add(e.code)
        if not e.address.strip() or len(e.address) > 255:
            errors.append(FieldError(f"{f}.address", f"{label}: la dirección es obligatoria (hasta 255 caracteres)"))
        if not re.fullmatch(r"\d{1,6}", e.house_number or "0"):
            errors.append(FieldError(f"{f}.house_number", f"{label}: el número de casa son hasta 6 dígitos (0 si no tiene)"))
        if e.departamento not in py_cat.departments():
            errors.append(FieldError(f"{f}.departamento", f"{label}: código de departamento desconocido"))
        if e.distrito is not None and not _geo_name("distrito", e.distrito):
            errors.append(FieldError(f"{f}.distrito", f"{label}: el distrito {e.distrito} no está en la tabla de la SET"))
        if e.ciudad is None:
            errors.append(FieldError(f"{f}.ciudad", f"{label}: indique el código de la ciudad"))
        elif not _geo_name("ciudad", e.ciudad):
            errors.append(FieldError(f"{f}.ciudad", f"{label}: la ciudad {e.ciudad} no está en la tabla de la SET"))
        phone = e.phone or c.phone
        if not 6 <= len(phone) <= 15:
            errors.append(FieldError(f"{f}.phone", f"{label}: el teléfono tiene de 6 a 15 caracteres"))
        email = e.email or c.email
        if not email or not _EMAIL.fullmatch(email):
            errors.append(FieldError(f"{f}.email", f"{label}: indique un correo válido (del local o de la empresa)"))
        if not e.points:
            errors.append(FieldError(f"{f}.points", "Registre al menos un punto de expedición"))
        codes = [p.code for p in e.points]
        if any(not _CODE.match(p) or p == "000" for p in codes):
            errors.append(FieldError(f"{f}.points", "El punto de expedición son 3 dígitos (001–999)"))
        if len(set(codes)) != len(codes):
            errors.append(FieldError(f"{f}.points", "Punto de expedición repetido"))
    return errors


def csc_errors(c: Company, secret: str | None) -> list[FieldError]:
    """The CSC secret is 32 letters and digits; production cannot sign QRs without one (the
    public test CSC serves sandbox and pruebas)."""
    if secret:
        return [] if _CSC.fullmatch(secret.strip()) else [
            FieldError("csc_secret", "El CSC son 32 letras y números, como lo entrega la SET")]
    if c.environment == "produccion":
        from app.fiscal import signing

        if not c.ruc or signing.load_secret(f"csc:{c.ruc}") is None:
            return [FieldError("csc_secret", "En producción se necesita el CSC (código de seguridad) que "
                                             "entrega la SET en Marangatu")]
    return []
