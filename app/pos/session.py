"""One open data folder: the database, the company, the backend and the signing identity.

The PKCS#12 is loaded once per run (≈50 ms) and kept in memory; its password comes from
the OS keyring and nowhere else.
"""
from __future__ import annotations

import sqlite3
from functools import cached_property

from app.config import DataDir
from app.core.company import Company
from app.core.errors import CertificateError
from app.fiscal import registry
from app.pos.certificates import ensure_demo_certificate, p12_account
from app.store import settings
from app.store.db import connect


class Session:
    def __init__(self, data_dir: DataDir | str | None = None, *, conn: sqlite3.Connection | None = None):
        self.data = data_dir if isinstance(data_dir, DataDir) else DataDir(data_dir)
        self.data.ensure()
        self.conn = conn or connect(self.data.db_path)

    @cached_property
    def company(self) -> Company:
        return settings.load_company(self.conn)

    @cached_property
    def backend(self):
        return registry.backend_for(self.company.country)

    @cached_property
    def identity(self):
        from app.fiscal import signing

        ensure_demo_certificate(self)  # a demo company's throwaway one; a real company's is left alone
        path = self.data.cert_path(self.company.ruc)
        if not path.exists():
            raise CertificateError(
                f"No hay certificado de firma importado para el RUC {self.company.ruc}. "
                "Importe el archivo .p12 en Configuración."
            )
        password = signing.load_secret(p12_account(self.company.ruc))
        if password is None:
            raise CertificateError(
                "La contraseña del certificado no está en el llavero del sistema. "
                "Vuelva a importar el certificado."
            )
        return signing.load_identity(path.read_bytes(), password, expected_ruc=self.company.ruc,
                                     profile=registry.country(self.company.country).certificate())

    def setting(self, key: str, default=None):
        return settings.get(self.conn, key, default)

    def close(self) -> None:
        self.conn.close()
