"""Command line: `mostrador [--data-dir DIR] COMMAND …`. Texts in Spanish; names and flags
are a contract other tools rely on (see README)."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

from app.config import DataDir
from app.core.errors import MostradorError, NotFoundError, ValidationError

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_CONFIG = 0, 1, 2, 3

KINDS = ("invoices", "credit-notes", "debit-notes", "retentions", "waybills", "purchase-settlements")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mostrador",
        description="Mostrador: punto de venta con facturación electrónica offline (SRI Ecuador, SIFEN Paraguay). "
                    "Sin COMANDO abre la ventana de caja.",
    )
    p.add_argument("--data-dir", metavar="DIR",
                   help="carpeta de datos (por defecto la carpeta de datos del usuario; "
                        "la variable MOSTRADOR_HOME la reemplaza)")
    p.add_argument("-v", "--verbose", action="store_true", help="mostrar el registro de actividad")
    sub = p.add_subparsers(dest="command", metavar="COMANDO")

    d = sub.add_parser("demo", help="abre la caja con una empresa de demostración y el sandbox "
                                    "(--headless: hace N ventas sin ventana)")
    d.add_argument("--headless", action="store_true",
                   help="sin ventana: vende, espera las autorizaciones del sandbox y resume")
    d.add_argument("--country", default="EC", choices=["EC", "PY"], help="país de la empresa de demostración")
    d.add_argument("--sales", type=int, default=10, metavar="N", help="cuántas ventas hacer (por defecto 10)")
    d.add_argument("--out", metavar="DIR", help="carpeta donde escribir cada XML firmado como <clave>.xml")
    d.add_argument("--timeout", type=float, default=120.0, help="segundos máximos esperando autorizaciones")

    i = sub.add_parser("issue", help="emite un documento desde un JSON con el formato de Dátil")
    i.add_argument("file", metavar="FILE.json", help="el cuerpo JSON ('-' para la entrada estándar)")
    i.add_argument("--type", default="invoices", choices=KINDS,
                   help="tipo de documento, como lo nombran las rutas de Dátil (por defecto invoices)")
    i.add_argument("--format", choices=["facturasend", "dtepy"], default=None,
                   help="Paraguay: fuerza el dialecto JSON (por defecto se detecta)")
    i.add_argument("--wait", action="store_true", help="esperar la autorización antes de terminar")
    i.add_argument("--timeout", type=float, default=60.0, help="segundos máximos de espera con --wait")
    i.add_argument("--json", action="store_true", help="salida JSON")

    e = sub.add_parser("export", help="escribe el XML firmado almacenado, byte por byte")
    e.add_argument("key", metavar="KEY", help="clave de acceso (Ecuador) o CDC (Paraguay)")
    e.add_argument("--out", metavar="FILE", help="archivo de salida (por defecto la salida estándar)")

    ls = sub.add_parser("documents", help="lista los documentos con su estado")
    ls.add_argument("--json", action="store_true", help="salida JSON")

    s = sub.add_parser("sync", help="transmite los documentos pendientes (sin ventana)")
    s.add_argument("--once", action="store_true", help="una pasada y terminar")

    sb = sub.add_parser("sandbox", help="ejecuta el SRI (o SIFEN) simulado en la interfaz local")
    sb.add_argument("--port", type=int, default=8085, help="puerto TCP (por defecto 8085; 0 elige uno libre)")
    sb.add_argument("--country", choices=["EC", "PY"], default=None,
                    help="qué autoridad simular (por defecto la de la empresa de la carpeta de datos, o EC)")
    sb.add_argument("--ruc", action="append", default=[],
                    help="RUC[:ESTAB,ESTAB] aceptado (repetible); por defecto el de la empresa de la "
                         "carpeta de datos, o cualquiera si no hay empresa")

    pr = sub.add_parser("print", help="imprime el ticket de un documento, o su PDF (ticket o A4 RIDE/KuDE)")
    pr.add_argument("key", metavar="CLAVE_OR_CDC", help="clave de acceso (Ecuador) o CDC (Paraguay)")
    pr.add_argument("--pdf", metavar="FILE", help="escribir un PDF en lugar de imprimir")
    pr.add_argument("--a4", action="store_true", help="con --pdf: el RIDE / KuDE en A4 en lugar del ticket")
    pr.add_argument("--printer", metavar="NAME", help="impresora configurada (por defecto la predeterminada)")
    pr.add_argument("--width", type=int, choices=[58, 80], default=80, help="ancho del ticket PDF en mm")

    r = sub.add_parser("ruc", help="Paraguay: consulta un RUC en SIFEN (requiere conexión)")
    r.add_argument("ruc", metavar="RUC", help="RUC con o sin dígito verificador")
    r.add_argument("--json", action="store_true", help="salida JSON")
    r.add_argument("--timeout", type=float, default=8.0, help="segundos máximos de espera (por defecto 8)")

    c = sub.add_parser("consulta", help="Paraguay: consulta un CDC en SIFEN (requiere conexión)")
    c.add_argument("cdc", metavar="CDC", help="CDC de 44 dígitos")
    c.add_argument("--json", action="store_true", help="salida JSON")
    c.add_argument("--timeout", type=float, default=8.0, help="segundos máximos de espera (por defecto 8)")

    sc = sub.add_parser("screenshots", help="guarda capturas de cada pantalla principal (1280×800) con datos de demostración")
    sc.add_argument("--out", metavar="DIR", required=True, help="carpeta donde escribir los PNG")

    v = sub.add_parser("verify", help="verifica esquema, firma, clave de acceso/CDC y aritmética de XML del SRI o SIFEN")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.add_argument("--json", action="store_true", help="salida JSON: lista de hallazgos por archivo")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    data = DataDir(args.data_dir)
    if not args.command:  # the cashier's window
        return _COMMANDS["gui"](args, data)
    try:
        return _COMMANDS[args.command](args, data)
    except ValidationError as exc:
        _print_error(exc, getattr(args, "json", False))
        return EXIT_INVALID
    except NotFoundError as exc:
        _print_error(exc, getattr(args, "json", False))
        return EXIT_FAILED
    except MostradorError as exc:
        _print_error(exc, getattr(args, "json", False))
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_FAILED
    except BrokenPipeError:  # `mostrador … | head`: the reader left; not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _print_error(exc: MostradorError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": False, "error": exc.as_dict()}, ensure_ascii=False, indent=2))
        return
    if isinstance(exc, ValidationError):
        print("Error: el documento no es válido:", file=sys.stderr)
        for e in exc.errors:
            print(f"  - {e.field}: {e.message}" if e.field else f"  - {e.message}", file=sys.stderr)
    else:
        print(f"Error: {exc}", file=sys.stderr)


# -- commands ----------------------------------------------------------------------------------

def cmd_issue(args, data: DataDir) -> int:
    from app.pos import checkout
    from app.pos.session import Session

    body = _read_json(args.file)
    session = Session(data)
    result = checkout.issue(session, body, args.type, source="cli", dialect=args.format)
    status = "signed"
    if args.wait:
        status = _wait_for(session, [result.document_id], args.timeout)[result.document_id]
    out = {"ok": True, "clave_acceso": result.key, "numero": result.document.number,
           "estado": status, "advertencias": result.warnings}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"Clave de acceso: {result.key}")
        print(f"Número: {result.document.number}")
        print(f"Estado: {_status_es(status)}")
        for w in result.warnings:
            print(f"Advertencia: {w}")
    if args.wait and status != "authorized":
        return EXIT_FAILED
    return EXIT_OK


def _read_json(path: str) -> dict:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(f"No se puede leer el archivo {path}: {exc.strerror}", field="FILE") from None
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationError("El archivo no está codificado en UTF-8", field="FILE") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(f"JSON mal formado en la línea {exc.lineno}, columna {exc.colno}: {exc.msg}",
                              field="FILE") from None
    if not isinstance(body, dict):
        raise ValidationError("El JSON debe ser un objeto con los campos del documento", field="FILE")
    return body


def _wait_for(session, doc_ids: list[int], timeout: float) -> dict[int, str]:
    """Runs the worker in this process until every document is final or `timeout` passes."""
    from app.pos.runtime import make_worker
    from app.store import documents

    deadline = time.monotonic() + timeout
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        while True:
            worker.run_once()
            status = {i: documents.get(session.conn, i)["status"] for i in doc_ids}
            if all(s in ("authorized", "rejected", "cancelled") for s in status.values()):
                return status
            if time.monotonic() > deadline:
                return status
            time.sleep(0.05)


_STATUS_SHORT_ES = {"signed": "pendiente", "sent": "enviado", "authorized": "autorizado",
                    "rejected": "rechazado", "cancelled": "anulado"}
_KIND_ES = {"invoices": "factura", "credit-notes": "nota crédito", "debit-notes": "nota débito",
            "retentions": "retención", "waybills": "guía remisión", "purchase-settlements": "liquidación"}

_STATUS_ES = {"signed": "firmado, pendiente de envío", "sent": "enviado, esperando autorización",
              "authorized": "AUTORIZADO", "rejected": "rechazado", "cancelled": "anulado"}


def _status_es(status: str) -> str:
    return _STATUS_ES.get(status, status)


def cmd_export(args, data: DataDir) -> int:
    from app.pos.session import Session
    from app.store import documents

    row = documents.by_key(Session(data).conn, args.key)
    xml = bytes(row["xml"])
    if args.out:
        Path(args.out).write_bytes(xml)
        print(f"Escrito {args.out} ({len(xml)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(xml)
        sys.stdout.buffer.flush()
    return EXIT_OK


def cmd_documents(args, data: DataDir) -> int:
    from app.pos.session import Session
    from app.store import documents, outbox

    from app.sync import deadlines

    conn = Session(data).conn
    now = datetime.now(timezone.utc)
    levels = {w.document_id: w for w in deadlines.waiting(conn, now=now)}
    rows = []
    for r in documents.listing(conn):
        waiting = None
        if r["status"] in ("signed", "sent"):
            waiting = int((now - datetime.fromisoformat(r["signed_at"])).total_seconds())
        rows.append({
            "id": r["id"], "tipo": r["kind"], "cod_doc": r["doc_code"], "numero": r["number"],
            "clave": r["key"], "version": r["version"], "estado": r["status"],
            "emitido": r["issued_at"], "firmado": r["signed_at"], "autorizado": r["authorized_at"],
            "numero_autorizacion": r["authorization_number"], "total": r["total"],
            "moneda": r["currency"], "comprador": r["buyer_name"], "identificacion": r["buyer_id"],
            "mensajes": json.loads(r["last_messages"]) if r["last_messages"] else [],
            "ultimo_error": outbox.last_error(conn, r["id"]), "esperando_segundos": waiting,
            "plazo": levels[r["id"]].level if r["id"] in levels else None,
        })
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("No hay documentos.")
        return EXIT_OK
    print(f"{'NÚMERO':<19} {'TIPO':<13} {'ESTADO':<11} {'TOTAL':>10}  {'ESPERA':>8}  CLAVE")
    for r in rows:
        wait = _age(r["esperando_segundos"]) if r["esperando_segundos"] is not None else ""
        kind = _KIND_ES.get(r["tipo"], r["tipo"])
        state = _STATUS_SHORT_ES.get(r["estado"], r["estado"])
        alert = {"warning": " ⚠", "overdue": " ⚠ VENCIDO"}.get(r["plazo"] or "", "")
        print(f"{r['numero']:<19} {kind:<13} {state:<11} {r['total']:>10}  {wait:>8}  {r['clave']}{alert}")
        for m in r["mensajes"]:
            if m.get("tipo") == "ERROR":
                print(f"    {m.get('identificador')} {m.get('mensaje')} {m.get('informacionAdicional') or m.get('informacion_adicional') or ''}")
        if r["ultimo_error"]:
            print(f"    último error: {r['ultimo_error']}")
    return EXIT_OK


def _age(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


def cmd_sync(args, data: DataDir) -> int:
    from app.pos.runtime import make_worker
    from app.pos.session import Session
    from app.store import outbox

    session = Session(data)
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        if args.once:
            n = worker.run_once()
            print(f"Procesados {n} trabajos; pendientes {outbox.pending_count(session.conn)}.")
            return EXIT_OK
        print("Sincronizando… (Ctrl+C para terminar)", file=sys.stderr)
        try:
            worker.run_forever()
        except KeyboardInterrupt:
            worker.stop()
    return EXIT_OK


def cmd_sandbox(args, data: DataDir) -> int:
    from app.core.errors import ConfigurationError

    company = None
    if data.db_path.exists():
        from app.pos.session import Session

        try:
            company = Session(data).company
        except ConfigurationError:
            company = None  # no company here: accept every RUC
    country = args.country or (company.country if company else "EC")
    data.ensure()
    try:
        if country == "PY":
            from app.sandbox.sifen import serve_forever as serve_sifen

            accepted = None
            if args.ruc:
                accepted = {spec.partition(":")[0]: {"establishments": [e for e in spec.partition(":")[2].split(",") if e] or ["*"]}
                            for spec in args.ruc}
            elif company is not None and company.country == "PY":
                accepted = {company.ruc: {"timbrado": company.timbrado or None, "name": company.razon_social,
                                          "establishments": [e.code for e in company.establishments]}}
            serve_sifen(args.port, accepted, db_path=str(data.root / "sifen-sandbox.db"))
        else:
            from app.sandbox.sri import parse_accepted, serve_forever

            accepted = parse_accepted(args.ruc) if args.ruc else None
            if accepted is None and company is not None and company.country == "EC":
                from app.pos.runtime import sandbox_accepts

                accepted = sandbox_accepts(company)
            serve_forever(args.port, accepted, db_path=str(data.root / "sandbox.db"))
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_verify(args, data: DataDir) -> int:
    from app.pos.verify import verify_file

    all_ok = True
    report = []
    for f in args.files:
        findings = verify_file(Path(f))
        ok = all(x.ok for x in findings)
        all_ok &= ok
        report.append((f, findings))
    if args.json:
        if len(args.files) == 1:
            print(json.dumps([x.as_dict() for x in report[0][1]], ensure_ascii=False, indent=2))
        else:
            print(json.dumps([{"file": f, "ok": all(x.ok for x in fs), "findings": [x.as_dict() for x in fs]}
                              for f, fs in report], ensure_ascii=False, indent=2))
    else:
        for f, findings in report:
            print(f"{f}:")
            for x in findings:
                print(f"  [{'OK' if x.ok else 'FALLA'}] {x.check}: {x.message}")
    return EXIT_OK if all_ok else EXIT_FAILED


def cmd_print(args, data: DataDir) -> int:
    from app.pos import printing
    from app.pos.session import Session

    session = Session(data)
    if args.a4 and not args.pdf:
        raise ValidationError("--a4 va con --pdf FILE: el RIDE / KuDE en A4 se escribe como PDF", field="--a4")
    if args.pdf:
        pdf = (printing.a4_pdf(session, args.key) if args.a4
               else printing.ticket_pdf(session, args.key, width_mm=args.width))
        Path(args.pdf).write_bytes(pdf)
        print(f"Escrito {args.pdf} ({len(pdf)} bytes)")
        return EXIT_OK
    printing.print_ticket(session, args.key, printer=args.printer)
    print("Ticket enviado a la impresora.")
    return EXIT_OK


def cmd_demo(args, data: DataDir) -> int:
    from app.pos.demo import run_demo

    if args.headless:
        return run_demo(data, country=args.country, sales=args.sales, out=args.out,
                        headless=True, timeout=args.timeout)
    from app.pos.demo import create_demo_company

    create_demo_company(data, args.country).close()
    return _open_window(data, demo=True)


def cmd_gui(args, data: DataDir) -> int:
    return _open_window(data, demo=False)


def _open_window(data: DataDir, *, demo: bool) -> int:
    try:
        from app.ui.main import run
    except ImportError as exc:
        raise MostradorError(f"No se puede abrir la ventana: falta un componente gráfico ({exc.name}). "
                             "Reinstale Mostrador.") from None
    from app.pos.printing import auto_printer

    return run(data.root, demo=demo, on_sale_committed=auto_printer(data))


def cmd_screenshots(args, data: DataDir) -> int:
    from app.ui.screenshots import render_all

    paths = render_all(Path(args.out), data.root)
    for p in paths or []:
        print(p)
    return EXIT_OK


def _sifen_client(args, data: DataDir, stack: ExitStack):
    """A SIFEN client for the data folder's company, with short timeouts (online-only commands)."""
    from app.core.errors import ConfigurationError
    from app.pos.session import Session
    from app.sync.py import make_client

    session = Session(data)
    if session.company.country != "PY":
        raise ConfigurationError("Este comando es solo para empresas de Paraguay (SIFEN)")
    client = make_client(session, stack)
    client.timeout = (min(3.0, args.timeout), args.timeout)
    return client


def cmd_ruc(args, data: DataDir) -> int:
    with ExitStack() as stack:
        res = _sifen_client(args, data, stack).query_ruc(args.ruc)
    out = {"ok": res.code == "0502", "codigo": res.code, "mensaje": res.message, "ruc": res.ruc,
           "razon_social": res.name, "estado": res.state, "facturador_electronico": res.electronic_invoicing}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"{res.code} {res.message}")
        if res.ruc:
            print(f"RUC {res.ruc}: {res.name} ({res.state}); facturador electrónico: "
                  f"{'sí' if res.electronic_invoicing else 'no'}")
    return EXIT_OK if out["ok"] else EXIT_FAILED


def cmd_consulta(args, data: DataDir) -> int:
    with ExitStack() as stack:
        res = _sifen_client(args, data, stack).query_de(args.cdc.replace(" ", ""))
    out = {"ok": res.found, "codigo": res.code, "mensaje": res.message, "protocolo": res.protocol}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"{res.code} {res.message}" + (f" (protocolo {res.protocol})" if res.protocol else ""))
    return EXIT_OK if res.found else EXIT_FAILED


_COMMANDS = {"issue": cmd_issue, "export": cmd_export, "documents": cmd_documents, "sync": cmd_sync,
             "sandbox": cmd_sandbox, "verify": cmd_verify, "demo": cmd_demo, "print": cmd_print,
             "gui": cmd_gui, "screenshots": cmd_screenshots}
_COMMANDS.update({"ruc": cmd_ruc, "consulta": cmd_consulta})  # Paraguay online queries
