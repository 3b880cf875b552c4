"""The `mostrador` command as scripts and ERPs use it: issue, export, documents, verify, demo."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from app.cli import main

EC_DATA = Path(__file__).resolve().parent.parent / "fiscal" / "ec"
sys.path.insert(0, str(EC_DATA))
import ec_docs_support as docs  # noqa: E402

DEMO_RUC = "1790011674001"
KINDS = ["invoices", "credit-notes", "debit-notes", "retentions", "waybills", "purchase-settlements"]


@pytest.fixture
def shop(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "demo", "--headless", "--sales", "1"]) == 0
    capsys.readouterr()
    return data


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def body_for(kind: str) -> dict:
    """The kind's test body, dated today in Ecuador (it is issued with the real clock)."""
    body = docs.moved_to(docs.BODIES[kind](), datetime.now(docs.GYE).date())
    body["emisor"]["ruc"] = DEMO_RUC
    body.pop("fecha_emision", None)
    return body


def write(tmp_path, name, body) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(body, ensure_ascii=False) if not isinstance(body, str) else body, encoding="utf-8")
    return str(p)


def doc_count(capsys, data) -> int:
    rc, out, _ = run(capsys, "--data-dir", str(data), "documents", "--json")
    assert rc == 0
    return len(json.loads(out))


@pytest.mark.parametrize("kind", KINDS)
def test_issue_each_kind_and_wait_for_authorization(shop, tmp_path, capsys, kind):
    f = write(tmp_path, f"{kind}.json", body_for(kind))
    rc, out, err = run(capsys, "--data-dir", str(shop), "issue", f, "--type", kind, "--wait", "--json")
    assert rc == 0, err
    res = json.loads(out)
    assert res["estado"] == "authorized" and len(res["clave_acceso"]) == 49
    # export gives the stored bytes, and they verify
    xml_path = tmp_path / "out.xml"
    assert run(capsys, "--data-dir", str(shop), "export", res["clave_acceso"], "--out", str(xml_path))[0] == 0
    rc, out, _ = run(capsys, "verify", "--json", str(xml_path))
    findings = json.loads(out)
    assert rc == 0 and {f["check"] for f in findings} == {"schema", "signature", "access_key", "totals",
                                                          "rates", "certificate", "certificate_ruc", "chain"}
    assert all(f["ok"] for f in findings)
    assert [f["check"] for f in findings if f.get("verified") is False] == ["chain"]  # no CA roots shipped
    # and the independent oracle: xmlsec1 checks the three references and the signature value
    from app.xmlsafe import parse_xml

    root_tag = parse_xml(xml_path.read_bytes()).tag
    x = subprocess.run(["xmlsec1", "--verify", "--enabled-reference-uris", "same-doc", "--enabled-key-data", "x509",
                        "--insecure", "--id-attr:id", root_tag,
                        "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties", str(xml_path)],
                       capture_output=True, text=True)
    assert x.returncode == 0 and "References (ok/all): 3/3" in x.stderr, x.stderr


SEED_REASONS = {
    "seed001_invoice.json": ("invoices", "comprador.identificacion"),
    "seed001_credit_note.json": ("credit-notes", "comprador.identificacion"),
    "seed001_debit_note.json": ("debit-notes", "totales.total_sin_impuestos"),
    "seed001_retention.json": ("retentions", "sujeto.identificacion"),
    "seed001_waybill.json": ("waybills", "transportista.identificacion"),
}


@pytest.mark.parametrize("name", sorted(SEED_REASONS))
def test_seed_examples_are_refused_with_field_named_reasons(shop, capsys, name):
    kind, field = SEED_REASONS[name]
    before = doc_count(capsys, shop)
    rc, out, _ = run(capsys, "--data-dir", str(shop), "issue", str(EC_DATA / "data" / name), "--type", kind, "--json")
    assert rc == 2
    err = json.loads(out)["error"]
    fields = {e["field"] for e in err["errors"]}
    assert field in fields, fields
    assert all(e["message"] for e in err["errors"])
    assert doc_count(capsys, shop) == before


def mutate(path: str, value):
    def apply(body):
        target = body
        keys = path.split(".")
        for k in keys[:-1]:
            target = target[int(k)] if k.isdigit() else target[k]
        target[keys[-1]] = value
        return body
    return apply


BAD = {
    "negative quantity": (mutate("items.0.cantidad", "-2"), "items[0].cantidad"),
    "seven decimals": (mutate("items.0.cantidad", "1.1234567"), "items[0].cantidad"),
    "long description": (mutate("items.0.descripcion", "x" * 301), "items[0].descripcion"),
    "control character": (mutate("comprador.razon_social", "Juan\x07Pérez"), "comprador.razon_social"),
    "wrong cédula": (mutate("comprador.identificacion", "1710034066"), "comprador.identificacion"),
    "contingency": (mutate("tipo_emision", 2), "tipo_emision"),
    "price is text": (mutate("items.0.precio_unitario", "diez"), "items[0].precio_unitario"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gets_a_field_named_error_and_stores_nothing(shop, tmp_path, capsys, case):
    change, field = BAD[case]
    before = doc_count(capsys, shop)
    f = write(tmp_path, "bad.json", change(body_for("invoices")))
    rc, out, err = run(capsys, "--data-dir", str(shop), "issue", f)
    assert rc == 2
    assert field in err and "Traceback" not in err
    assert doc_count(capsys, shop) == before


@pytest.mark.parametrize("raw,needle", [('{"items": [', "JSON mal formado"), ("[1, 2]", "objeto"),
                                         (b"\xff\xfe{}", "UTF-8")])
def test_malformed_files(shop, tmp_path, capsys, raw, needle):
    p = tmp_path / "x.json"
    p.write_bytes(raw if isinstance(raw, bytes) else raw.encode())
    rc, _, err = run(capsys, "--data-dir", str(shop), "issue", str(p))
    assert rc == 2 and needle in err


def test_xml_metacharacters_are_escaped_not_refused(shop, tmp_path, capsys):
    body = body_for("invoices")
    body["comprador"]["razon_social"] = 'Pérez & Hijos <Cía> "Ltda" \'EC\''
    rc, out, err = run(capsys, "--data-dir", str(shop), "issue", write(tmp_path, "m.json", body), "--json")
    assert rc == 0, err
    clave = json.loads(out)["clave_acceso"]
    xml_path = tmp_path / "m.xml"
    run(capsys, "--data-dir", str(shop), "export", clave, "--out", str(xml_path))
    xml = xml_path.read_bytes()
    assert "Pérez &amp; Hijos &lt;Cía&gt;".encode() in xml
    from app.xmlsafe import parse_xml

    assert parse_xml(xml).findtext(".//razonSocialComprador") == body["comprador"]["razon_social"]


def test_documents_lists_status_messages_and_waiting(shop, capsys):
    rc, out, _ = run(capsys, "--data-dir", str(shop), "documents", "--json")
    rows = json.loads(out)
    assert rc == 0 and rows[0]["estado"] == "authorized"
    assert rows[0]["numero_autorizacion"] == rows[0]["clave"]
    assert any(m["identificador"] == "60" for m in rows[0]["mensajes"])  # ambiente de pruebas
    rc, out, _ = run(capsys, "--data-dir", str(shop), "documents")
    assert "autorizado" in out and rows[0]["clave"] in out


def test_verify_reports_each_check_on_a_tampered_document(shop, tmp_path, capsys):
    rc, out, _ = run(capsys, "--data-dir", str(shop), "documents", "--json")
    clave = json.loads(out)[0]["clave"]
    p = tmp_path / "t.xml"
    run(capsys, "--data-dir", str(shop), "export", clave, "--out", str(p))
    xml = p.read_bytes()
    import re

    total = re.search(rb"<importeTotal>([0-9.]+)</importeTotal>", xml).group(1)
    p.write_bytes(xml.replace(b"<importeTotal>" + total, b"<importeTotal>" + b"9999.99"))
    rc, out, _ = run(capsys, "verify", "--json", str(p))
    res = {f["check"]: f for f in json.loads(out)}
    assert rc == 1
    assert res["schema"]["ok"] and res["access_key"]["ok"]
    assert not res["signature"]["ok"] and not res["totals"]["ok"]


def test_demo_subprocess_and_secrets_stay_secret(tmp_path, subprocess_env):
    """`mostrador demo` as a newcomer runs it; afterwards the certificate password is in no
    file under the data folder and in no output or log line."""
    data, out_dir = tmp_path / "data", tmp_path / "xml"
    proc = subprocess.run([sys.executable, "-m", "app", "-v", "--data-dir", str(data), "demo", "--headless",
                           "--country", "EC", "--sales", "8", "--out", str(out_dir)],
                          env=subprocess_env, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    files = sorted(out_dir.glob("*.xml"))
    assert len(files) == 8 and all(len(f.stem) == 49 for f in files)
    from app.pos.verify import verify_bytes

    for f in files:
        assert all(x.ok for x in verify_bytes(f.read_bytes())), f
    stored = json.loads(Path(subprocess_env["MOSTRADOR_TEST_KEYRING_FILE"]).read_text())
    passwords = [v for k, v in stored.items() if k.endswith("p12:" + DEMO_RUC)]
    assert len(passwords) == 1 and len(passwords[0]) >= 16
    secret = passwords[0].encode()
    import base64

    needles = [secret, base64.b64encode(secret), secret.decode().encode("utf-16-le")]
    for f in data.rglob("*"):
        if f.is_file():
            content = f.read_bytes()
            assert not any(n in content for n in needles), f
    assert not any(n in proc.stdout + proc.stderr for n in needles)


def test_issue_then_sync_once(shop, tmp_path, capsys):
    f = write(tmp_path, "i.json", body_for("invoices"))
    rc, out, _ = run(capsys, "--data-dir", str(shop), "issue", f, "--json")
    res = json.loads(out)
    assert rc == 0 and res["estado"] == "signed"
    rc, out, _ = run(capsys, "--data-dir", str(shop), "sync", "--once")
    assert rc == 0 and "Procesados" in out
    rows = {r["clave"]: r for r in json.loads(run(capsys, "--data-dir", str(shop), "documents", "--json")[1])}
    assert rows[res["clave_acceso"]]["estado"] == "authorized"


def test_mostrador_home_chooses_the_data_folder(tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("MOSTRADOR_HOME", str(home))
    assert main(["demo", "--headless", "--sales", "1"]) == 0
    capsys.readouterr()
    assert (home / "mostrador.db").exists()
    rc, out, _ = run(capsys, "documents", "--json")
    assert rc == 0 and len(json.loads(out)) == 1


def test_export_of_an_unknown_key_is_a_clear_error(shop, capsys):
    rc, _, err = run(capsys, "--data-dir", str(shop), "export", "1" * 49)
    assert rc == 1 and "No hay ningún documento" in err
