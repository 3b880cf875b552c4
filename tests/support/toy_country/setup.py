"""Toylandia's setup rules: a NIT, a name, one regime choice and a secret token."""
from app.core.errors import FieldError
from app.fiscal.base import SetupField

stored: dict[str, str] = {}


class ToySetup:
    environments = {"sandbox": "Sandbox (DGT simulada)", "produccion": "Producción"}
    company_fields = (
        SetupField("ruc", "NIT", placeholder="9 dígitos", required=True, max_length=9),
        SetupField("razon_social", "Nombre legal", required=True),
        SetupField("rimpe", "Régimen", kind="choice", choices=(("", "General"), ("S", "Simplificado"))),
        SetupField("token", "Token de la DGT", kind="secret", check=lambda t: None if not t or len(t) == 6
                   else "El token son 6 caracteres"),
    )
    establishment_fields = (SetupField("phone", "Teléfono del local", default="-"),)
    point_name = "caja"
    establishment_hint = "Un local por fila."

    def field_values(self, c):
        return {"ruc": c.ruc, "razon_social": c.razon_social, "rimpe": c.rimpe}

    def company_values(self, values):
        return {"ruc": values["ruc"], "razon_social": values["razon_social"], "rimpe": values["rimpe"]}

    def establishment_cells(self, e):
        return {"phone": e.phone}

    def establishment_values(self, cells):
        return {"phone": cells.get("phone", "")}

    def place_names(self, cells):
        return f"tel. {cells['phone']}" if cells.get("phone") not in ("", "-") else ""

    def company_errors(self, c):
        return [] if len(c.ruc) == 9 and c.ruc.isdigit() else [FieldError("ruc", "El NIT son 9 dígitos")]

    def secret_errors(self, c, secrets):
        return []

    def store_secrets(self, c, secrets):
        if secrets.get("token"):
            stored[c.ruc] = secrets["token"]


FACET = ToySetup()
