"""Demo mode: a throwaway company and certificate, the built-in sandbox, varied sales.

What the demo company and its sales are is the country's `demo` facet (`DemoData` in
app/fiscal/base.py). `create_demo_company` is also what tests and screenshots use to get a
working data folder.
"""
from __future__ import annotations

import logging
import sys
import time
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import Callable

from app.config import DataDir
from app.core.company import Company
from app.core.errors import ConfigurationError
from app.core.status import AUTHORIZED, FINAL
from app.fiscal import registry
from app.pos.certificates import ensure_demo_certificate, ensure_usable_keyring  # noqa: F401  (ui calls it here)
from app.pos.session import Session
from app.store import settings
from app.store.db import transaction

log = logging.getLogger("mostrador.demo")


def default_country() -> str:
    """The country of the demo when none is asked for: the first one registered."""
    return registry.codes()[0]


def demo_data(country: str | None):
    """The country's `DemoData` facet."""
    return registry.country(country or default_country()).demo()


def create_demo_company(data: DataDir, country: str | None = None) -> Session:
    """Creates (or completes) a demo company with a fresh throwaway certificate; `country` None:
    the folder's demo company, else the first registered country's. A data folder that holds a
    real company is left alone."""
    if country:
        _demo_company(country.upper())  # refuses a country without a demo before opening anything
    session = Session(data)
    try:
        company = settings.load_company(session.conn)
    except ConfigurationError:
        country = (country or default_country()).upper()
        demo_company = _demo_company(country)
        with transaction(session.conn):
            settings.save_company(session.conn, demo_company)
    else:
        country = (country or company.country).upper()
        if not company.extra.get("demo"):
            raise ConfigurationError(
                f"La carpeta {data.root} ya tiene una empresa real ({company.razon_social}); "
                "la demostración necesita una carpeta de datos propia (--data-dir).")
        if company.country != country:
            raise ConfigurationError(
                f"La carpeta {data.root} ya tiene la demostración de {_country_name(company.country)}; "
                f"use otra carpeta de datos (--data-dir) para la de {_country_name(country)}.")
    ensure_demo_certificate(session)
    return session


def _country_name(code: str) -> str:
    try:
        return registry.country(code).name
    except ConfigurationError:
        return code


def _demo_company(country: str) -> Company:
    try:
        return demo_data(country).company
    except (ConfigurationError, ImportError):
        raise ConfigurationError(f"No hay demostración para el país {country}") from None


def demo_sale(company: Company, rng, n: int, *, estab: str, point: str) -> tuple[dict, str]:
    """A varied demo sale for the company's country: (request body, kind)."""
    return demo_data(company.country).sale_body(company, rng, n, estab=estab, point=point)


def run_demo(data: DataDir, *, country: str | None = None, sales: int = 10, out: str | None = None,
             headless: bool = True, timeout: float = 120.0, seed: int | None = None,
             gui: Callable[[DataDir], int] | None = None) -> int:
    """`mostrador demo`: N varied sales against the built-in sandbox, all authorized.
    `headless=False` opens the window through `gui(data)` (the caller's: pos never imports ui)."""
    import random

    from app.pos import checkout
    from app.pos.runtime import make_worker
    from app.store import documents

    if not headless:
        if gui is not None:
            create_demo_company(data, country).close()
            return gui(data)
        print("La interfaz gráfica no está disponible; se ejecuta la demostración sin ventana.", file=sys.stderr)
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
    from app.integrations import demo as demo_integrations  # the SMTP sink and mall sandbox (#11)

    with ExitStack() as stack:
        services = demo_integrations.start(session.conn, company, stack)
        worker = make_worker(session, stack)
        deadline = time.monotonic() + timeout
        while True:
            worker.run_once()
            status = {i: documents.get(session.conn, i)["status"] for i in ids}
            if (all(s in FINAL for s in status.values()) and demo_integrations.settled(session.conn)) \
                    or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        received = services.received(limit=max(sales, 1))
    t_done = time.monotonic()
    if out:
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        for r in issued:
            (out_dir / f"{r.key}.xml").write_bytes(bytes(documents.get(session.conn, r.document_id)["xml"]))
    authorized = sum(1 for s in status.values() if s == AUTHORIZED)
    print(f"Empresa de demostración: {company.razon_social} (RUC {company.ruc}), ambiente SANDBOX")
    print(f"Carpeta de datos: {data.root}")
    authority = registry.country(company.country).authority
    print(f"Ventas emitidas: {len(issued)} en {t_issued - started:.2f} s")
    print(f"Aprobadas por el {authority} simulado: {authorized}/{len(issued)} en {t_done - t_issued:.2f} s")
    for r in issued:
        row = documents.get(session.conn, r.document_id)
        print(f"  {row['number']}  {row['status']:<10}  {_amount(company, row['currency'], Decimal(row['total'])):>15}"
              f"  {row['key']}")
    if services.sink is not None:
        print(f"Correos recibidos por el buzón de prueba ({services.sink.url}): {len(received)}")
        for line in received:
            print(f"  {line}")
    if services.portal is not None:
        print(f"Ventas reportadas al centro comercial simulado (establecimiento 001): {len(services.portal.registered)}")
    if out:
        print(f"XML firmados en: {Path(out).resolve()}")
    return 0 if authorized == len(issued) else 1


def _amount(company: Company, currency: str, value: Decimal) -> str:
    """How people there write it: the till's currency as the till shows it ('unit amount'),
    any other as 'CODE 10.62'."""
    money = registry.country(company.country).till().money
    if currency == money.code:
        return f"{money.unit} {money.amount(value)}"
    return f"{currency} {value:,.2f}"
