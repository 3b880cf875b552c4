"""Demo mode: a throwaway company and certificate, the built-in sandbox, varied sales.

`create_demo_company` is also what tests and screenshots use to get a working data folder.
"""
from __future__ import annotations

import logging
import secrets
import sys
import time
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

import keyring

from app.config import DataDir
from app.core.company import Company, Establishment, PointOfSale
from app.core.errors import ConfigurationError
from app.pos.session import Session, p12_account
from app.store import settings
from app.store.db import transaction

log = logging.getLogger("mostrador.demo")

DEMO_EC = Company(
    country="EC",
    ruc="1790011674001",
    razon_social="COMERCIAL MOSTRADOR DEMO S.A.",
    nombre_comercial="Tienda Demo Mostrador",
    address="Av. Amazonas N34-120 y Av. Atahualpa, Quito",
    establishments=(
        Establishment("001", "Av. Amazonas N34-120 y Av. Atahualpa, Quito", name="Matriz",
                      points=(PointOfSale("001", "Caja 1"), PointOfSale("002", "Caja 2"))),
        Establishment("002", "C.C. El Recreo, local 45, Quito", name="Recreo",
                      points=(PointOfSale("001", "Caja 1"),)),
    ),
    environment="sandbox",
    obligado_contabilidad=True,
    contribuyente_especial="",
    agente_retencion="",
    rimpe="",
    email="facturacion@demo.mostrador.ec",
    extra={"demo": True},
)


def ensure_usable_keyring() -> bool:
    """True when the OS keyring works. On a machine without one (a fresh headless Linux),
    demo mode keeps the throwaway certificate's password in this process's memory only —
    never in a file — and regenerates the certificate on the next start."""
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if isinstance(backend, fail.Keyring) or name.startswith("keyrings.alt"):
        from app.fiscal.session_keyring import SessionKeyring

        keyring.set_keyring(SessionKeyring())
        return False
    return True


def create_demo_company(data: DataDir, country: str = "EC") -> Session:
    """Creates (or completes) a demo company with a fresh throwaway certificate. A data folder
    that holds a real company is left alone."""
    demo_company = _demo_company(country)
    session = Session(data)
    try:
        company = settings.load_company(session.conn)
    except ConfigurationError:
        with transaction(session.conn):
            settings.save_company(session.conn, demo_company)
    else:
        if not company.extra.get("demo"):
            raise ConfigurationError(
                f"La carpeta {data.root} ya tiene una empresa real ({company.razon_social}); "
                "la demostración necesita una carpeta de datos propia (--data-dir).")
        if company.country != country:
            names = {"EC": "Ecuador", "PY": "Paraguay"}
            raise ConfigurationError(
                f"La carpeta {data.root} ya tiene la demostración de {names.get(company.country, company.country)}; "
                f"use otra carpeta de datos (--data-dir) para la de {names.get(country, country)}.")
    ensure_demo_certificate(session)
    return session


def ensure_demo_certificate(session: Session) -> None:
    """A demo company always has a usable throwaway certificate: made anew when its password
    is not in the keyring (e.g. it lived in a previous process's memory)."""
    from app.fiscal import signing

    company = session.company
    if not company.extra.get("demo"):
        return  # never touch a real company's certificate
    ensure_usable_keyring()
    cert = session.data.cert_path(company.ruc)
    if not cert.exists() or signing.load_secret(p12_account(company.ruc)) is None:
        password = secrets.token_urlsafe(18)
        p12 = signing.generate_test_p12(ruc=company.ruc, holder=company.razon_social,
                                        password=password, country=company.country)
        cert.write_bytes(p12)
        signing.store_secret(p12_account(company.ruc), password)
    if company.country == "PY":
        from app.pos.demo_py import ensure_demo_csc

        ensure_demo_csc(company)


def _demo_company(country: str) -> Company:
    if country == "EC":
        return DEMO_EC
    if country == "PY":
        from app.pos.demo_py import DEMO_PY

        return DEMO_PY
    raise ConfigurationError(f"No hay demostración para el país {country}")


def demo_sale(company: Company, rng, n: int, *, estab: str, point: str) -> tuple[dict, str]:
    """A varied demo sale for the company's country: (request body, kind)."""
    if company.country == "PY":
        from app.pos.demo_py import demo_py_sale

        return demo_py_sale(company, rng, n, estab=estab, point=point), "invoices"
    from app.pos.demo_sales import demo_invoice

    return demo_invoice(company, rng, n, estab=estab, point=point), "invoices"


def run_demo(data: DataDir, *, country: str = "EC", sales: int = 10, out: str | None = None,
             headless: bool = True, timeout: float = 120.0, seed: int | None = None) -> int:
    """`mostrador demo`: N varied sales against the built-in sandbox, all authorized."""
    import random

    from app.pos import checkout
    from app.pos.runtime import make_worker
    from app.store import documents

    if not headless:
        try:
            from app.ui.main import run as run_gui  # the window arrives with the GUI issue
        except ImportError:
            print("La interfaz gráfica todavía no está disponible; se ejecuta la demostración sin ventana.",
                  file=sys.stderr)
        else:
            return run_gui(data, demo=True)
    started = time.monotonic()
    session = create_demo_company(data, country)
    company = session.company
    if company.environment != "sandbox":
        raise ConfigurationError("La demostración solo se ejecuta en el ambiente sandbox; "
                                 "use otra carpeta de datos (--data-dir).")
    rng = random.Random(seed)
    points = [(e.code, p.code) for e in company.establishments for p in e.points]
    issued = []
    for n in range(1, sales + 1):
        estab, point = points[(n - 1) % len(points)]
        body, kind = demo_sale(company, rng, n, estab=estab, point=point)
        result = checkout.issue(session, body, kind, source="demo")
        issued.append(result)
    t_issued = time.monotonic()
    ids = [r.document_id for r in issued]
    final = ("authorized", "rejected", "cancelled")
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        deadline = time.monotonic() + timeout
        while True:
            worker.run_once()
            status = {i: documents.get(session.conn, i)["status"] for i in ids}
            if all(s in final for s in status.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    t_done = time.monotonic()
    if out:
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        for r in issued:
            (out_dir / f"{r.key}.xml").write_bytes(bytes(documents.get(session.conn, r.document_id)["xml"]))
    authorized = sum(1 for s in status.values() if s == "authorized")
    print(f"Empresa de demostración: {company.razon_social} (RUC {company.ruc}), ambiente SANDBOX")
    print(f"Carpeta de datos: {data.root}")
    authority = "SRI" if company.country == "EC" else "SIFEN"
    print(f"Ventas emitidas: {len(issued)} en {t_issued - started:.2f} s")
    print(f"Aprobadas por el {authority} simulado: {authorized}/{len(issued)} en {t_done - t_issued:.2f} s")
    for r in issued:
        row = documents.get(session.conn, r.document_id)
        print(f"  {row['number']}  {row['status']:<10}  {_amount(row['currency'], Decimal(row['total'])):>15}  {row['key']}")
    if out:
        print(f"XML firmados en: {Path(out).resolve()}")
    return 0 if authorized == len(issued) else 1


def _amount(currency: str, value: Decimal) -> str:
    """How people there write it: 'Gs. 232.500' (no decimals, dot thousands), 'USD 10.62'."""
    if currency == "PYG":
        return "Gs. " + f"{value:,.0f}".replace(",", ".")
    return f"{currency} {value:,.2f}"
