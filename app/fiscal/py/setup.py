"""Setup rules for a Paraguayan (SIFEN) company: the company page's fields (timbrado,
actividad, CSC), the establishments' SET address codes, and the checks before saving:
everything app/fiscal/py/xml_build.py will need to write gTimb and gEmis, so the first sale
cannot fail on configuration. Messages in Spanish, each naming its field."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Mapping

from app.core.company import Company, Establishment
from app.core.errors import FieldError
from app.fiscal.base import SetupField
from app.fiscal.py import catalog as py_cat
from app.fiscal.py import geo
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.backend import csc_account

ENVIRONMENTS = {"sandbox": "Sandbox (SIFEN simulado en este equipo)",
                "pruebas": "Pruebas (SIFEN de pruebas, sifen-test)",
                "produccion": "Producción (documentos con validez tributaria)"}
# SIFEN cTipReg (MT §10 D.2.1, Tabla 3); 0 = not declared (the element is optional)
REGIMES = {1: "Régimen de Turismo", 2: "Importador", 3: "Exportador", 4: "Maquila",
           5: "Ley N° 60/90", 6: "Régimen del Pequeño Productor", 7: "Régimen del Mediano Productor",
           8: "Régimen Contable"}
TAXPAYER_TYPES = {1: "Persona física", 2: "Persona jurídica"}
_CODE = re.compile(r"^\d{3}$")
_EMAIL = re.compile(r"[0-9a-zA-Z][0-9a-zA-Z.\-_]*@([0-9a-zA-Z][0-9a-zA-Z\-_]*\.)+[a-zA-Z]{2,9}")
_CSC = re.compile(r"[0-9A-Za-z]{32}")


def parse_date(text: str) -> date | None:
    text = (text or "").strip()
    for f in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, f).date()
        except ValueError:
            continue
    return None


def _date_problem(text: str) -> str | None:
    if text.strip() and parse_date(text) is None:
        return "Fecha de inicio del timbrado no válida: use dd/mm/aaaa"
    return None


def _int_or_none(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def _geo_name(kind: str, code: int) -> str:
    table = geo.KNOWN_CITIES if kind == "ciudad" else geo.KNOWN_DISTRICTS
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
        errors.append(FieldError("timbrado", "El número de timbrado son 8 dígitos: cópielo de su constancia de timbrado"))
    if c.timbrado_start is None:
        errors.append(FieldError("timbrado_start", "Indique la fecha de inicio de vigencia del timbrado"))
    if c.tipo_contribuyente not in (1, 2):
        errors.append(FieldError("tipo_contribuyente", "Tipo de contribuyente: 1 persona física o 2 persona jurídica"))
    if c.tipo_regimen is not None and not 1 <= c.tipo_regimen <= 8:
        errors.append(FieldError("tipo_regimen", "Tipo de régimen desconocido: elija uno de la lista (1 a 8) o «No declarado»"))
    if not c.actividades:
        errors.append(FieldError("actividades", "Indique al menos una actividad económica (código y descripción)"))
    for code, desc in c.actividades:
        if not re.fullmatch(r"\d{1,8}", code or ""):
            errors.append(FieldError("actividades", f"Código de actividad económica no válido: "
                f"«{code}» (hasta 8 dígitos): cópielo de su constancia de RUC"))
        if not 3 <= len((desc or "").strip()) <= 300:
            errors.append(FieldError("actividades", "La descripción de la actividad tiene de 3 a 300 caracteres"))
    if c.csc_id and not re.fullmatch(r"\d{1,4}", c.csc_id):
        errors.append(FieldError("csc_id", "El ID del CSC es un número de hasta 4 dígitos (0001)"))
    if c.environment not in ENVIRONMENTS:
        errors.append(FieldError("environment", f"Ambiente desconocido: {c.environment}; elija sandbox, pruebas o producción"))
    if c.email and not _EMAIL.fullmatch(c.email):
        errors.append(FieldError("email", f"Correo no válido: {c.email}; escríbalo como nombre@dominio.com.py o déjelo vacío"))
    if not c.establishments:
        errors.append(FieldError("establishments", "Registre al menos un establecimiento"))
    seen = set()
    for i, e in enumerate(c.establishments):
        f = f"establishments[{i}]"
        label = f"Establecimiento {e.code or i + 1}"
        if not _CODE.match(e.code) or e.code == "000":
            errors.append(FieldError(f"{f}.code", "El código de establecimiento son 3 dígitos (001–999)"))
        if e.code in seen:
            errors.append(FieldError(f"{f}.code", f"Establecimiento {e.code} repetido: cambie el código de una de las filas"))
        seen.add(e.code)
        if not e.address.strip() or len(e.address) > 255:
            errors.append(FieldError(f"{f}.address", f"{label}: la dirección es obligatoria (hasta 255 caracteres)"))
        if not re.fullmatch(r"\d{1,6}", e.house_number or "0"):
            errors.append(FieldError(f"{f}.house_number", f"{label}: el número de casa son hasta 6 dígitos (0 si no tiene)"))
        if e.departamento not in py_cat.departments():
            errors.append(FieldError(f"{f}.departamento", f"{label}: "
                "código de departamento desconocido; escriba el código de la tabla de la SET (ej. 12 Central)"))
        if e.distrito is not None and not _geo_name("distrito", e.distrito):
            errors.append(FieldError(f"{f}.distrito", f"{label}: "
                f"el distrito {e.distrito} no está en la tabla de la SET; revise el código en su constancia de RUC"))
        if e.ciudad is None:
            errors.append(FieldError(f"{f}.ciudad", f"{label}: indique el código de la ciudad"))
        elif not _geo_name("ciudad", e.ciudad):
            errors.append(FieldError(f"{f}.ciudad", f"{label}: "
                f"la ciudad {e.ciudad} no está en la tabla de la SET; revise el código en su constancia de RUC"))
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
            errors.append(FieldError(f"{f}.points", "Punto de expedición repetido: escriba cada código una sola vez (001, 002)"))
    return errors


def csc_errors(c: Company, secret: str | None) -> list[FieldError]:
    """The CSC secret is 32 letters and digits; production cannot sign QRs without one (the
    public test CSC serves sandbox and pruebas)."""
    if secret:
        return [] if _CSC.fullmatch(secret.strip()) else [
            FieldError("csc_secret", "El CSC son 32 letras y números: cópielo tal como lo entrega la SET en Marangatu")]
    if c.environment == "produccion":
        from app.fiscal import signing

        if not c.ruc or signing.load_secret(csc_account(c.ruc)) is None:
            return [FieldError("csc_secret", "En producción se necesita el CSC (código de seguridad): cópielo de "
                                             "Marangatu (SET) en el paso Empresa")]
    return []


class PySetup:
    environments = ENVIRONMENTS
    company_fields = (
        SetupField("ruc", "RUC", placeholder="80012345-6 (con dígito verificador)", required=True, max_length=13),
        SetupField("razon_social", "Razón social", required=True),
        SetupField("nombre_comercial", "Nombre de fantasía"),
        SetupField("address", "Dirección matriz"),
        SetupField("email", "Correo de facturación"),
        SetupField("phone", "Teléfono"),
        SetupField("timbrado", "Timbrado N.º", placeholder="8 dígitos", required=True, max_length=8),
        SetupField("timbrado_start", "Inicio de vigencia del timbrado", placeholder="dd/mm/aaaa", required=True,
                   check=_date_problem),
        SetupField("tipo_contribuyente", "Tipo de contribuyente", kind="choice", default=2,
                   choices=tuple((k, f"{k} — {v}") for k, v in TAXPAYER_TYPES.items())),
        SetupField("tipo_regimen", "Tipo de régimen", kind="choice", default=None,
                   choices=((None, "No declarado"), *((k, f"{k} — {v}") for k, v in REGIMES.items()))),
        SetupField("actividad_code", "Actividad económica", placeholder="Código (ej. 47190)", required=True,
                   max_length=8),
        SetupField("actividad_desc", "Descripción de la actividad", required=True,
                   placeholder="Descripción, como figura en la constancia de RUC"),
        SetupField("csc_id", "ID del CSC", default="0001", max_length=4),
        SetupField("csc_secret", "CSC (código de seguridad)", kind="secret", max_length=32,
                   placeholder="32 caracteres; se guarda solo en el llavero del sistema",
                   placeholder_saved="Vacío = conservar el CSC guardado en el llavero"),
    )
    establishment_fields = (
        SetupField("house_number", "N.º casa", default="0"),
        SetupField("departamento", "Departamento"),
        SetupField("distrito", "Distrito"),
        SetupField("ciudad", "Ciudad"),
        SetupField("phone", "Teléfono"),
        SetupField("email", "Correo"),
    )
    point_name = "punto de expedición"
    establishment_hint = ("Un establecimiento por fila; puntos de expedición separados por comas (001, 002). "
                          "Departamento, distrito y ciudad son los códigos de la SET (Asunción: 1, 1, 1).")
    _PLAIN = ("ruc", "razon_social", "nombre_comercial", "address", "email", "phone", "timbrado",
              "tipo_contribuyente", "tipo_regimen", "csc_id")

    def field_values(self, c: Company) -> dict[str, Any]:
        values = {k: getattr(c, k) for k in self._PLAIN}
        code, desc = c.actividades[0] if c.actividades else ("", "")
        values.update(timbrado_start=f"{c.timbrado_start:%d/%m/%Y}" if c.timbrado_start else "",
                      actividad_code=code, actividad_desc=desc, csc_id=c.csc_id or "0001")
        return values

    def company_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: values[k] for k in self._PLAIN if k in values}
        code, desc = values.get("actividad_code", ""), values.get("actividad_desc", "")
        out.update(timbrado_start=parse_date(values.get("timbrado_start", "")),
                   actividades=((code, desc),) if code or desc else ())
        return out

    def establishment_cells(self, e: Establishment) -> dict[str, str]:
        return {"house_number": e.house_number or "0", "departamento": _text(e.departamento),
                "distrito": _text(e.distrito), "ciudad": _text(e.ciudad), "phone": e.phone, "email": e.email}

    def establishment_values(self, cells: Mapping[str, str]) -> dict[str, Any]:
        return {"house_number": cells.get("house_number") or "0",
                "departamento": _int_or_none(cells.get("departamento", "")),
                "distrito": _int_or_none(cells.get("distrito", "")),
                "ciudad": _int_or_none(cells.get("ciudad", "")),
                "phone": cells.get("phone", ""), "email": cells.get("email", "")}

    def place_names(self, cells: Mapping[str, str]) -> str:
        return place_names(_int_or_none(cells.get("departamento", "")), _int_or_none(cells.get("distrito", "")),
                           _int_or_none(cells.get("ciudad", "")))

    def company_errors(self, c: Company) -> list[FieldError]:
        return company_errors(c)

    def secret_errors(self, c: Company, secrets: Mapping[str, str | None]) -> list[FieldError]:
        return csc_errors(c, secrets.get("csc_secret"))

    def store_secrets(self, c: Company, secrets: Mapping[str, str | None]) -> None:
        if secrets.get("csc_secret"):
            from app.fiscal import signing

            signing.store_secret(csc_account(c.ruc), secrets["csc_secret"].strip())  # never the database


FACET = PySetup()
