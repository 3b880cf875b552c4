"""The issuer: company, establishments and points of sale, as the owner configures them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PointOfSale:
    code: str  # '001' (EC ptoEmi / PY dPunExp)
    name: str = ""


@dataclass(frozen=True)
class Establishment:
    code: str  # '001' (EC estab / PY dEst)
    address: str  # EC dirEstablecimiento / PY dDirEmi
    name: str = ""
    points: tuple[PointOfSale, ...] = (PointOfSale("001"),)
    # Paraguay only: where the establishment is (catalog codes as the XSD names them).
    house_number: str = "0"
    departamento: int | None = None
    distrito: int | None = None
    ciudad: int | None = None
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Company:
    country: str  # 'EC' | 'PY'
    ruc: str  # EC: 13 digits; PY: base without check digit? no: 'NNNNNNN-D' as printed
    razon_social: str
    nombre_comercial: str = ""
    address: str = ""  # EC dirMatriz / PY main address
    establishments: tuple[Establishment, ...] = ()
    # environment: 'sandbox' | 'pruebas' | 'produccion'. EC ambiente 1 = sandbox/pruebas, 2 = produccion
    environment: str = "sandbox"
    # --- Ecuador
    obligado_contabilidad: bool = False
    contribuyente_especial: str = ""  # resolution number, '' when not
    agente_retencion: str = ""  # resolution number without leading zeros, '' when not
    rimpe: str = ""  # '' | 'CONTRIBUYENTE RÉGIMEN RIMPE' | 'CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE'
    # --- Paraguay
    timbrado: str = ""
    timbrado_start: date | None = None
    tipo_contribuyente: int = 2  # 1 persona física, 2 persona jurídica
    tipo_regimen: int | None = None
    actividades: tuple[tuple[str, str], ...] = ()  # (cActEco, dDesActEco)
    csc_id: str = ""  # the CSC secret itself lives in the keyring
    email: str = ""
    phone: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def ambiente(self) -> str:
        """SRI ambiente / SIFEN: '2' production, '1' anything else."""
        return "2" if self.environment == "produccion" else "1"

    def establishment(self, code: str) -> Establishment:
        for e in self.establishments:
            if e.code == code:
                return e
        raise KeyError(code)
