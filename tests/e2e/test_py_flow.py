"""Paraguay end to end: demo CLI, every DE type, seed bodies through `mostrador issue`, lotes,
faults, events and secrets, against the simulated SIFEN on loopback."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.config import DataDir
from app.core.errors import ValidationError
from app.fiscal.py import qr, verify as py_verify, xml_build
from app.fiscal.py import event_requests as events_py
from app.pos import checkout
from app.pos.demo import create_demo_company
from app.fiscal.py.demo import demo_py_sale
from app.pos.runtime import make_worker
from app.fiscal.py.sandbox import SifenSandbox
from app.store import documents, settings
from app.store.db import transaction
from app.fiscal.py.protocol import deadline_watch
from app.fiscal.py.transport import SANDBOX_URL_KEY, sandbox_accepts

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "fiscal" / "py" / "data"
FINAL = ("authorized", "rejected", "cancelled")


@pytest.fixture
def py_shop(tmp_path):
    session = create_demo_company(DataDir(tmp_path / "data"), "PY")
    sandbox = SifenSandbox(accepted_rucs=sandbox_accepts(session.company), db_path=str(tmp_path / "sifen.db"),
                           lote_processing_seconds=0.3, block_seconds=60)
    sandbox.start()
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "sync.max_backoff_seconds", 0.2)
        settings.put(session.conn, "py.lote_first_poll_seconds", 0.4)
        settings.put(session.conn, "py.lote_poll_seconds", 0.3)
        settings.put(session.conn, "py.unknown_wait_seconds", 0.8)
        settings.put(session.conn, "py.not_queued_wait_seconds", 0.5)
    yield session, sandbox
    sandbox.stop()
    assert sandbox.errors == []
    session.close()


def drain(session, ids, timeout=20.0):
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        deadline = time.monotonic() + timeout
        while True:
            worker.run_once()
            status = {i: documents.get(session.conn, i)["status"] for i in ids}
            if all(s in FINAL for s in status.values()) or time.monotonic() > deadline:
                return status, worker
            time.sleep(0.05)


def now_local() -> str:
    return xml_build.local_naive(datetime.now(timezone.utc)).isoformat()


def base_doc(tipo, **extra):
    d = {"tipoDocumento": tipo, "establecimiento": 1, "punto": "001", "fecha": now_local(), "tipoImpuesto": 1,
         "moneda": "PYG",
         "cliente": {"contribuyente": True, "ruc": "80013884-8", "razonSocial": "CLIENTE EJEMPLO S.A.",
                     "tipoOperacion": 1, "pais": "PRY", "tipoContribuyente": 2},
         "items": [{"codigo": "A-1", "descripcion": "Producto", "unidadMedida": 77, "cantidad": 2,
                    "precioUnitario": 55000, "ivaTipo": 1, "ivaBase": 100, "iva": 10},
                   {"codigo": "A-2", "descripcion": "Parcial", "unidadMedida": 77, "cantidad": 1,
                    "precioUnitario": 10500, "ivaTipo": 4, "ivaBase": 50, "iva": 10}]}
    d.update(extra)
    return d


def cases(ref_cdc: str, own_ruc: str = "80089752-8") -> dict:
    """One body per type; the notes modify `ref_cdc` (an invoice of base_doc's buyer). The AFE and
    the transfer between own premises (NRE motivo 7) go to the issuer itself (1316/1317, 2606)."""
    assoc = {"formato": 1, "cdc": ref_cdc}
    own = {"contribuyente": True, "ruc": own_ruc, "razonSocial": "EMPRESA PROPIA S.A.", "tipoOperacion": 2,
           "pais": "PRY", "tipoContribuyente": 2}
    today = datetime.fromisoformat(now_local()).date()
    transport = {
        "tipo": 1, "modalidad": 1, "tipoResponsable": 1, "inicioEstimadoTranslado": today.isoformat(),
        "finEstimadoTranslado": (today + timedelta(days=1)).isoformat(),
        "salida": {"direccion": "Deposito central", "numeroCasa": 100, "departamento": 1, "ciudad": 1},
        "entrega": {"direccion": "Sucursal norte", "numeroCasa": 200, "departamento": 1, "ciudad": 1},
        "vehiculo": {"tipo": "Camion", "marca": "Volvo", "documentoTipo": 2, "numeroMatricula": "ABC123"},
        "transportista": {"contribuyente": True, "nombre": "TRANSPORTES SA", "ruc": "80004464-9",
                          "direccion": "Ruta 2 km 20",
                          "chofer": {"documentoNumero": "1234567", "nombre": "Juan Chofer", "direccion": "Luque"}}}
    return {
        "invoices": base_doc(1, condicion={"tipo": 2, "credito": {"tipo": 1, "plazo": "30 días"}}),
        "purchase-settlements": base_doc(
            4, tipoTransaccion=10, cliente=own, condicion={"tipo": 1, "entregas": [{"tipo": 1, "monto": 120500, "moneda": "PYG"}]},
            autoFactura={"tipoVendedor": 1, "documentoTipo": 1, "documentoNumero": "1234567",
                         "nombre": "Vendedor Rural", "direccion": "Compañía San José", "numeroCasa": 0,
                         "departamento": 1, "distrito": 1, "ciudad": 1,
                         "ubicacion": {"lugar": "Mercado 4", "departamento": 1, "distrito": 1, "ciudad": 1}},
            documentoAsociado={"formato": 3, "constanciaTipo": 1, "constanciaNumero": "12345678901",
                               "constanciaControl": "ABCD1234"}),
        "credit-notes": base_doc(5, notaCreditoDebito={"motivo": 2}, documentoAsociado=assoc),
        "debit-notes": base_doc(6, notaCreditoDebito={"motivo": 8}, documentoAsociado=[assoc]),
        "waybills": base_doc(7, remision={"motivo": 7, "tipoResponsable": 1, "kms": 25},
                             cliente={**own, "tipoOperacion": 1, "direccion": "Sucursal norte", "numeroCasa": 200,
                                      "departamento": 1, "ciudad": 1}, transporte=transport),
    }


def test_every_document_type_end_to_end(py_shop):
    session, sandbox = py_shop
    first = checkout.issue(session, base_doc(1, condicion={"tipo": 1, "entregas": [
        {"tipo": 1, "monto": 120500, "moneda": "PYG"}]}), "invoices")  # what the notes modify: same buyer
    drain(session, [first.document_id])
    ids = {}
    for kind, body in cases(first.key, session.company.ruc).items():
        ids[kind] = checkout.issue(session, body, kind).document_id
    status, _ = drain(session, list(ids.values()))
    assert all(s == "authorized" for s in status.values()), {k: documents.get(session.conn, i)["last_messages"]
                                                              for k, i in ids.items()}
    for kind, doc_id in ids.items():
        row = documents.get(session.conn, doc_id)
        assert row["authorization_number"], kind
        assert sandbox.state(row["key"]) == "approved"
        assert all(f.ok for f in py_verify.verify(bytes(row["xml"]), csc=qr.TEST_CSC["0001"])), kind
    # five types → five lotes of one type each (one type per lote)
    lotes = session.conn.execute("SELECT doc_code, COUNT(*) FROM py_lotes GROUP BY doc_code").fetchall()
    assert sorted(r[0] for r in lotes) == ["1", "4", "5", "6", "7"]


def test_lone_document_goes_sync_backlog_goes_in_lotes(py_shop):
    session, sandbox = py_shop
    import random
    rng = random.Random(5)
    one = checkout.issue(session, demo_py_sale(session.company, rng, 1), "invoices")
    drain(session, [one.document_id])
    assert sandbox.reception_log(one.key) == [("recibe", "0260")]
    many = [checkout.issue(session, demo_py_sale(session.company, rng, n, estab="001", point="001"), "invoices")
            for n in range(2, 62)]
    status, _ = drain(session, [r.document_id for r in many])
    assert set(status.values()) == {"authorized"}
    assert all(sandbox.reception_log(r.key) == [("recibe-lote", "0260")] for r in many)
    sizes = [r[0] for r in session.conn.execute("SELECT COUNT(*) FROM py_lote_items GROUP BY lote_id")]
    assert max(sizes) <= 50 and sum(sizes) == 60
    # the lote was polled no earlier than the first-poll interval, and no CDC was ever resent
    assert sandbox.blocks == 0
    hist = [json.loads(e["detail"]) if e["detail"].startswith("{") else e["detail"]
            for e in documents.events(session.conn, many[0].document_id)]
    assert any("Lote" in (h["detail"] if isinstance(h, dict) else h) for h in hist)


@pytest.mark.parametrize("fault", ["html", "http500", "reset", "malformed", "not_queued", "processing", "expired",
                                   "lost", "delay"])
def test_faults_end_with_everything_approved_once(py_shop, fault):
    session, sandbox = py_shop
    import random
    rng = random.Random(9)
    docs = [checkout.issue(session, demo_py_sale(session.company, rng, n), "invoices") for n in range(1, 8)]
    endpoint = {"not_queued": "recibe-lote", "processing": "consulta-lote", "expired": "consulta-lote"}.get(
        fault, "recibe-lote")
    if fault == "delay":  # slower than the client's read timeout: the answer is lost, the lote was taken
        sandbox.faults.inject("delay", count=1, seconds=0.7, endpoint=endpoint)
        with transaction(session.conn):
            settings.put(session.conn, "sifen.read_timeout_seconds", 0.3)
            settings.put(session.conn, "py.unknown_wait_seconds", 2.0)  # > delay + processing
    else:
        sandbox.faults.inject(fault, count=2 if fault not in ("expired", "lost") else 1, endpoint=endpoint)
    status, worker = drain(session, [d.document_id for d in docs], timeout=30)
    assert set(status.values()) == {"authorized"}, [documents.get(session.conn, d.document_id)["last_messages"]
                                                   for d in docs]
    assert sandbox.blocks == 0  # never resent a pending CDC
    for d in docs:
        approvals = [c for s, c in sandbox.reception_log(d.key) if c == "0260"]
        assert len(approvals) == 1, sandbox.reception_log(d.key)
    if fault in ("lost", "delay"):  # SIFEN had them: found by consulta, never sent twice
        assert all(sandbox.received_count(d.key) == 1 for d in docs)
        assert session.conn.execute("SELECT COUNT(*) FROM outbox WHERE action='consult'").fetchone()[0] >= len(docs)


def test_big_ip_on_sync_is_retried(py_shop):
    session, sandbox = py_shop
    import random
    doc = checkout.issue(session, demo_py_sale(session.company, random.Random(2), 1), "invoices")
    sandbox.faults.inject("html", count=2, endpoint="recibe")
    status, worker = drain(session, [doc.document_id])
    assert status[doc.document_id] == "authorized" and worker.stats.processed >= 3
    assert sandbox.faults.active() == []  # both BIG-IP pages were served, then it went through
    assert "BIG-IP" in (session.conn.execute("SELECT last_error FROM outbox WHERE document_id=? AND "
                                             "last_error IS NOT NULL", (doc.document_id,)).fetchone()[0])


def test_rejection_kept_verbatim_then_inutilized(py_shop, tmp_path):
    session, sandbox = py_shop
    sandbox.emitters[session.company.ruc.split("-")[0]] = sandbox.emitters[
        session.company.ruc.split("-")[0]].__class__("X", frozenset({"001"}), "99999999")  # wrong timbrado
    import random
    doc = checkout.issue(session, demo_py_sale(session.company, random.Random(3), 1), "invoices")
    drain(session, [doc.document_id])
    row = documents.get(session.conn, doc.document_id)
    assert row["status"] == "rejected"
    msgs = json.loads(row["last_messages"])
    assert msgs[0]["codigo"] == "1101" and msgs[0]["mensaje"].startswith("Número de timbrado inválido")
    with pytest.raises(ValidationError, match="aprobado"):
        events_py.request_cancellation(session, doc.key, "No corresponde cancelar")
    eid = events_py.request_inutilization(session, doc.key, "Número rechazado por timbrado")
    drain(session, [doc.document_id])
    for _ in range(20):
        with ExitStack() as st:
            make_worker(session, st).run_once()
        if events_py.event_status(session, eid)["status"] != "signed":
            break
    ev = events_py.event_status(session, eid)
    assert ev["status"] == "registered" and "0600" in ev["messages"]
    # the FacturaSend range form: number 2, rejected as well
    second = checkout.issue(session, demo_py_sale(session.company, random.Random(4), 2, estab="001", point="001"),
                            "invoices")
    drain(session, [second.document_id])
    assert documents.get(session.conn, second.document_id)["status"] == "rejected"
    eid = events_py.request_event(session, "inutilizacion", {"tipoDocumento": 1, "establecimiento": "001",
                                                             "punto": "001", "desde": 2, "hasta": 2,
                                                             "motivo": "Número rechazado por timbrado"})
    assert _run_events(session, eid)["status"] == "registered"


def test_cancellation_end_to_end_and_window(py_shop):
    session, sandbox = py_shop
    import random
    doc = checkout.issue(session, demo_py_sale(session.company, random.Random(4), 1), "invoices")
    drain(session, [doc.document_id])
    late = datetime.now(timezone.utc) + timedelta(hours=49)
    with pytest.raises(ValidationError, match="plazo de cancelación venció"):
        events_py.request_cancellation(session, doc.key, "Cliente desistió de la compra", now=late)
    eid = events_py.request_cancellation(session, doc.key, "Cliente desistió de la compra")
    with ExitStack() as st:
        make_worker(session, st).run_once()
    assert events_py.event_status(session, eid)["status"] == "registered"
    assert documents.get(session.conn, doc.document_id)["status"] == "cancelled"
    with pytest.raises(ValidationError, match="ya está cancelado"):
        events_py.request_cancellation(session, doc.key, "Otra vez por error")


def test_deadline_watch(py_shop):
    session, _ = py_shop
    import random
    doc = checkout.issue(session, demo_py_sale(session.company, random.Random(6), 1), "invoices")
    watch = deadline_watch(session.conn, now=datetime.now(timezone.utc) + timedelta(hours=73))
    assert watch[0].document_id == doc.document_id and watch[0].late and not watch[0].expired
    assert watch[0].hours_to_late < 0 < watch[0].hours_to_expiry


def run_cli(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=str(ROOT))


def test_demo_cli_verify_export_and_issue_seeds(tmp_path, subprocess_env):
    data, out = tmp_path / "data", tmp_path / "out"
    res = run_cli(subprocess_env, "--data-dir", str(data), "demo", "--headless", "--country", "PY",
                  "--sales", "12", "--out", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    files = sorted(out.glob("*.xml"))
    assert len(files) == 12 and all(len(f.stem) == 44 for f in files)
    text = b"".join(f.read_bytes() for f in files)
    for needle in (b"<dTasaIVA>5</dTasaIVA>", b"<dTasaIVA>10</dTasaIVA>", b"<iAfecIVA>3</iAfecIVA>",
                   b"<cMoneOpe>USD</cMoneOpe>", b"<cMoneOpe>PYG</cMoneOpe>", b"<iCondOpe>2</iCondOpe>",
                   b"<iTiPago>1</iTiPago>", b"<iTiPago>2</iTiPago>", b"<gPagTarCD>"):
        assert needle in text, needle
    res = run_cli(subprocess_env, "verify", "--json", str(files[0]))
    checks = {f["check"]: f["ok"] for f in json.loads(res.stdout)}
    assert res.returncode == 0 and checks == {"schema": True, "signature": True, "qr": True, "cdc": True,
                                              "totals": True, "certificate": True, "certificate_ruc": True,
                                              "chain": True}
    res = run_cli(subprocess_env, "--data-dir", str(data), "export", files[0].stem, "--out", str(tmp_path / "x.xml"))
    assert res.returncode == 0 and (tmp_path / "x.xml").read_bytes() == files[0].read_bytes()
    # FacturaSend seed (corrected), in snake_case, and the DTEpy seed (corrected)
    seed = json.loads((DATA / "fs_de_create.json").read_text(encoding="utf-8"))
    seed["condicion"]["entregas"][1]["infoTarjeta"]["ruc"] = "69695654-3"
    del seed["condicion"]["credito"]
    seed["fecha"] = now_local()
    import re

    def snake(o):
        if isinstance(o, dict):
            return {re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), k): snake(v) for k, v in o.items()}
        return [snake(v) for v in o] if isinstance(o, list) else o
    dte = json.loads((DATA / "dtepy_documentoset.json").read_text(encoding="utf-8"))
    dte["cliente"]["ruc"] = "1111111-9"
    dte["condicion"]["entregas"][1]["tipo"] = 3
    dte["condicion"]["entregas"][2]["tipo"] = 2
    del dte["condicion"]["credito"], dte["dncp"], dte["cdc"]
    dte["fecha"] = now_local()
    for name, body, extra in (("fs.json", seed, []), ("fs_snake.json", snake(seed), []),
                              ("dtepy.json", dte, []), ("dtepy_forced.json", dte, ["--format", "dtepy"])):
        path = tmp_path / name
        path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        res = run_cli(subprocess_env, "--data-dir", str(data), "issue", str(path), "--json", "--wait",
                      "--timeout", "30", *extra)
        assert res.returncode == 0, res.stdout + res.stderr
        out_json = json.loads(res.stdout)
        assert out_json["estado"] == "authorized" and any("Se ignora el número" in w for w in out_json["advertencias"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**seed, "cliente": {**seed["cliente"], "ruc": "2005001-5"}, "items": []}), encoding="utf-8")
    res = run_cli(subprocess_env, "--data-dir", str(data), "issue", str(bad), "--json")
    err = json.loads(res.stdout)["error"]
    assert res.returncode == 2 and {"cliente.ruc", "items"} <= {e["field"] for e in err["errors"]}
    res = run_cli(subprocess_env, "--data-dir", str(data), "ruc", "80012345-0", "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["codigo"] == "0502"
    res = run_cli(subprocess_env, "--data-dir", str(data), "consulta", files[0].stem, "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["codigo"] == "0422"
    # secrets: neither the .p12 password nor the CSC is in any file of the data folder
    kr = json.loads(Path(subprocess_env["MOSTRADOR_TEST_KEYRING_FILE"]).read_text())
    secrets = [v for k, v in kr.items() if "p12:" in k or "csc:" in k]
    assert len(secrets) == 2 and qr.TEST_CSC["0001"] in secrets
    for f in data.rglob("*"):
        if f.is_file():
            blob = f.read_bytes()
            for s in secrets:
                assert s.encode() not in blob, f


def test_duplicate_cdc_is_resolved_by_querying(py_shop):
    """SIFEN already approved this CDC (e.g. the answer was lost before a crash): 1001 → siConsDE
    → 0422 → authorized, never renumbered (ARCHITECTURE invariant 3)."""
    from app.fiscal.py.client import SifenClient
    session, sandbox = py_shop
    import random
    doc = checkout.issue(session, demo_py_sale(session.company, random.Random(7), 1), "invoices")
    assert SifenClient(sandbox.url).send_de(doc.document.xml).result.codes == ["0260"]
    drain(session, [doc.document_id])
    row = documents.get(session.conn, doc.document_id)
    assert row["status"] == "authorized" and row["key"] == doc.key and row["authorization_number"]
    assert [c for _, c in sandbox.reception_log(doc.key)] == ["0260", "1001"]
    details = " ".join(e["detail"] for e in documents.events(session.conn, doc.document_id))
    assert "1001" in details and "consulta por CDC" in details


def test_number_taken_by_another_cdc_needs_a_person(py_shop):
    from app.fiscal.py.client import SifenClient
    session, sandbox = py_shop
    import random
    body = demo_py_sale(session.company, random.Random(8), 1)
    other = session.backend.sign(session.backend.parse(body, "invoices", session.company), 1,
                                 session.identity, session.company)
    assert SifenClient(sandbox.url).send_de(other.xml).result.codes == ["0260"]
    doc = checkout.issue(session, body, "invoices")  # our number 1 again, another dCodSeg → another CDC
    assert doc.document.number == other.number and doc.key != other.key
    drain(session, [doc.document_id])
    row = documents.get(session.conn, doc.document_id)
    assert row["status"] == "rejected"
    assert [c for _, c in sandbox.reception_log(doc.key)] == ["1002"]
    assert "otro CDC" in documents.events(session.conn, doc.document_id)[-1]["detail"]


def test_embedded_sandbox_over_mutual_tls(tmp_path):
    """`sifen.sandbox_tls`: the worker reaches the embedded sandbox over HTTPS with the
    company's own certificate (requests-pkcs12), sync and lote alike."""
    session = create_demo_company(DataDir(tmp_path / "data"), "PY")
    with transaction(session.conn):
        settings.put(session.conn, "sifen.sandbox_tls", True)
        settings.put(session.conn, "py.lote_first_poll_seconds", 0.2)
    import random
    rng = random.Random(10)
    one = checkout.issue(session, demo_py_sale(session.company, rng, 1), "invoices")
    status, _ = drain(session, [one.document_id])
    more = [checkout.issue(session, demo_py_sale(session.company, rng, n), "invoices").document_id for n in range(2, 6)]
    status2, worker = drain(session, more)
    assert set(status.values()) == set(status2.values()) == {"authorized"}
    assert (tmp_path / "data" / "sifen-sandbox-tls" / "sandbox-ca.pem").exists()
    assert session.conn.execute("SELECT COUNT(*) FROM py_lotes").fetchone()[0] == 1
    session.close()


def _run_events(session, eid, tries=20):
    for _ in range(tries):
        with ExitStack() as st:
            make_worker(session, st).run_once()
        if events_py.event_status(session, eid)["status"] != "signed":
            break
    return events_py.event_status(session, eid)


def test_facturasend_event_bodies_nominacion_and_range(py_shop):
    session, sandbox = py_shop
    import random
    rng = random.Random(12)
    body = demo_py_sale(session.company, rng, 1)  # n=1: innominado
    assert body["cliente"]["documentoTipo"] == 5
    fe = checkout.issue(session, body, "invoices")
    drain(session, [fe.document_id])
    nom = json.loads((DATA / "fs_evento_nominacion.json").read_text(encoding="utf-8"))
    nom["cdc"] = fe.key
    eid = events_py.request_event(session, "nominacion", nom)
    ev = _run_events(session, eid)
    assert ev["status"] == "registered" and ev["kind"] == "nominacion"
    assert documents.get(session.conn, fe.document_id)["status"] == "authorized"
    named = checkout.issue(session, demo_py_sale(session.company, rng, 2), "invoices")
    drain(session, [named.document_id])
    with pytest.raises(ValidationError, match="4469"):
        events_py.request_event(session, "nominacion", {**nom, "cdc": named.key})
    with pytest.raises(ValidationError, match="rechazados"):  # number 1 is approved
        events_py.request_event(session, "inutilizacion", {"tipoDocumento": 1, "establecimiento": "001",
                                                           "punto": "001", "desde": 1, "hasta": 2,
                                                           "motivo": "Error de generación"})
    with pytest.raises(ValidationError, match="receptor|punto de venta"):
        events_py.request_event(session, "conformidad", {"cdc": fe.key, "tipoConformidad": 1})
    eid = events_py.request_event(session, "cancelacion", {"cdc": named.key, "motivo": "Venta anulada por el cliente"})
    assert _run_events(session, eid)["status"] == "registered"
    assert documents.get(session.conn, named.document_id)["status"] == "cancelled"
