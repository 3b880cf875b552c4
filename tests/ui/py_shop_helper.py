"""A Paraguayan shop at the window for the tests of its documents and events: the demo company,
its worker talking to a SIFEN sandbox the test holds, a file printer; and DEs a supplier issued
to it (for the receptor events). Import `py_shop` into a test module to use the fixture."""
from __future__ import annotations

import random
from contextlib import ExitStack
from dataclasses import replace

import pytest

from app.fiscal.py.backend import PyBackend
from app.fiscal.py.certificate import PROFILE as PY_CERTIFICATE
from app.fiscal.py.client import SifenClient
from app.fiscal.py.demo import demo_py_sale
from app.fiscal.py.sandbox import Emitter, SifenSandbox
from app.fiscal.py.transport import SANDBOX_URL_KEY, sandbox_accepts
from app.fiscal.signing import generate_test_p12, load_identity
from app.store import settings
from app.store.db import transaction

SUPPLIER_RUC = "80033303-9"


@pytest.fixture
def py_shop(tmp_path, qtbot):
    """The PY demo company, its worker talking to a SIFEN sandbox this test holds, a file printer."""
    from app.pos import users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    make_app()
    session = prepare_demo(tmp_path / "data", "PY")
    sandbox = SifenSandbox(accepted_rucs=sandbox_accepts(session.company), db_path=str(tmp_path / "sifen.db"))
    sandbox.start()
    printed = tmp_path / "ticket.bin"
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "printers", {"caja": {"kind": "file", "path": str(printed)}})
        settings.put(session.conn, "printer.default", "caja")
    stack = ExitStack()
    ctx = build_context(session, users.authenticate(session.conn, "1234"), demo=True, stack=stack,
                        start_worker=True)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    yield window, sandbox, printed
    window.shutdown()
    stack.close()
    sandbox.stop()
    session.close()


def supplier_de(session, sandbox, n: int = 5, *, send: bool = True) -> str:
    """A factura a supplier issued to the shop; `send`: approved by the sandbox first (else
    SIFEN does not know its CDC)."""
    supplier = replace(session.company, ruc=SUPPLIER_RUC)
    if sandbox is not None:
        sandbox.emitters[SUPPLIER_RUC.split("-")[0]] = Emitter(supplier.razon_social, frozenset({"*"}), None)
    identity = load_identity(generate_test_p12(ruc=SUPPLIER_RUC, holder="PROVEEDOR DE PRUEBA", password="x",
                                               profile=PY_CERTIFICATE), "x")
    backend = PyBackend()
    signed = backend.sign(backend.parse(demo_py_sale(supplier, random.Random(n), 2), "invoices", supplier),
                          n, identity, supplier)
    if send:
        client = SifenClient.for_environment("sandbox", sandbox_url=sandbox.url)
        try:
            assert client.send_de(signed.xml).result.approved
        finally:
            client.close()
    return signed.key
