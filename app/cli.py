"""Command line: `mostrador [--data-dir DIR] COMMAND …`. Texts in Spanish; names and flags
are a contract other tools rely on (see README)."""
from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

from app import outpaths
from app.config import DataDir
from app.core import status as st
from app.core.documents import KINDS
from app.fiscal import registry
from app.core.errors import (CorruptDatabaseError, MostradorError, NotFoundError, OutputPathError,
                             StorageError, ValidationError)

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_CONFIG = 0, 1, 2, 3
EXIT_STORAGE, EXIT_CORRUPT = 4, 5  # disk full / read-only / locked; corrupt database


def _sub_parser(common: argparse.ArgumentParser):
    """The class of every subcommand's parser: it inherits the options of `common`."""

    class SubParser(argparse.ArgumentParser):
        def __init__(self, *a, **kw):
            kw.setdefault("parents", [common])
            super().__init__(*a, **kw)

    return SubParser


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mostrador",
        description="Mostrador: punto de venta con facturación electrónica offline (SRI Ecuador, SIFEN Paraguay). "
                    "Sin COMANDO abre la ventana de caja.",
        epilog="Códigos de salida: 0 bien; 1 no autorizado, una verificación falló o no existe; "
               "2 entrada inválida (o un archivo de salida que ya existe, sin --force); "
               "3 configuración o certificado; 4 almacenamiento: disco lleno, solo lectura o base "
               "bloqueada; 5 base de datos dañada (restaure con `mostrador restore`).",
    )
    p.add_argument("--data-dir", metavar="DIR",
                   help="carpeta de datos (por defecto la carpeta de datos del usuario; "
                        "la variable MOSTRADOR_HOME la reemplaza)")
    p.add_argument("-v", "--verbose", action="store_true", help="mostrar el registro de actividad")
    # --data-dir is also accepted after the command (`mostrador demo --data-dir DIR`)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="carpeta de datos (como antes del comando)")
    sub = p.add_subparsers(dest="command", metavar="COMANDO", parser_class=_sub_parser(common))

    d = sub.add_parser("demo", help="abre la caja con una empresa de demostración y el sandbox "
                                    "(--headless: hace N ventas sin ventana)")
    d.add_argument("--headless", action="store_true",
                   help="sin ventana: vende, espera las autorizaciones del sandbox y resume")

    d.add_argument("--country", default=None, choices=registry.codes(),
                   help="país de la empresa de demostración (el primero si no se indica)")
    d.add_argument("--sales", type=int, default=10, metavar="N", help="cuántas ventas hacer (por defecto 10)")
    d.add_argument("--out", metavar="DIR", help="carpeta donde escribir cada XML firmado como <clave>.xml")
    d.add_argument("--timeout", type=float, default=120.0, help="segundos máximos esperando autorizaciones")

    i = sub.add_parser("issue", help="emite un documento desde un JSON con el formato de Dátil")
    i.add_argument("file", metavar="FILE.json", help="el cuerpo JSON ('-' para la entrada estándar)")
    i.add_argument("--type", default="invoices", choices=list(KINDS),
                   help="tipo de documento, como lo nombran las rutas de Dátil (por defecto invoices)")
    i.add_argument("--format", choices=sorted({d for c in registry.all_countries() for d in c.input_dialects}),
                   default=None,
                   help="Paraguay: fuerza el dialecto JSON (por defecto se detecta)")
    i.add_argument("--wait", action="store_true", help="esperar la autorización antes de terminar")
    i.add_argument("--timeout", type=float, default=60.0, help="segundos máximos de espera con --wait")
    i.add_argument("--json", action="store_true", help="salida JSON")

    e = sub.add_parser("export", help="escribe el XML firmado almacenado, byte por byte")
    e.add_argument("key", metavar="KEY", help="clave de acceso (Ecuador) o CDC (Paraguay)")
    e.add_argument("--out", metavar="FILE", help="archivo de salida (por defecto la salida estándar)")
    e.add_argument("--force", action="store_true", help="reemplazar el archivo de salida si ya existe")
    e.add_argument("--authorized", action="store_true",
                   help="escribir la forma autorizada (Ecuador: el documento `autorizacion` con el comprobante firmado), la que piden el centro comercial y los contadores")

    ls = sub.add_parser("documents", help="lista los documentos con su estado")
    ls.add_argument("--json", action="store_true", help="salida JSON")

    s = sub.add_parser("sync", help="transmite los documentos pendientes (sin ventana)")
    s.add_argument("--once", action="store_true", help="una pasada y terminar")

    sb = sub.add_parser("sandbox", help="ejecuta el SRI (o SIFEN) simulado en la interfaz local")
    sb.add_argument("--port", type=int, default=8085, help="puerto TCP (por defecto 8085; 0 elige uno libre)")
    sb.add_argument("--country", choices=registry.codes(), default=None,
                    help="qué autoridad simular (por defecto la de la empresa de la carpeta de datos, o EC)")
    sb.add_argument("--ruc", action="append", default=[],
                    help="RUC[:ESTAB,ESTAB] aceptado (repetible); por defecto el de la empresa de la "
                         "carpeta de datos, o cualquiera si no hay empresa")

    pr = sub.add_parser("print", help="imprime el ticket de un documento, o su PDF (ticket o A4 RIDE/KuDE)")
    pr.add_argument("key", metavar="CLAVE_OR_CDC", help="clave de acceso (Ecuador) o CDC (Paraguay)")
    pr.add_argument("--pdf", metavar="FILE", help="escribir un PDF en lugar de imprimir")
    pr.add_argument("--force", action="store_true", help="con --pdf: reemplazar el archivo si ya existe")
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

    sc = sub.add_parser("screenshots", help="guarda capturas de cada pantalla principal (1280×800 o --size) con datos de demostración")
    sc.add_argument("--out", metavar="DIR", required=True, help="carpeta donde escribir los PNG")
    sc.add_argument("--size", metavar="WxH", default="1280x800", help="tamaño de las capturas (por defecto 1280x800)")
    sc.add_argument("--force", action="store_true", help="reemplazar los PNG que ya estén en la carpeta")

    v = sub.add_parser("verify", help="verifica esquema, firma, clave de acceso/CDC y aritmética de XML del SRI o SIFEN")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.add_argument("--json", action="store_true", help="salida JSON: lista de hallazgos por archivo")

    bk = sub.add_parser("backup", help="copia de seguridad en caliente de la base de datos (también se hace "
                                       "sola una vez al día en la carpeta backups/)")
    bk.add_argument("--out", metavar="FILE_OR_DIR", help="dónde escribir la copia (por defecto backups/ "
                                                        "en la carpeta de datos)")
    bk.add_argument("--force", action="store_true", help="reemplazar el archivo de salida si ya existe")
    rs = sub.add_parser("restore", help="restaura la última copia buena (o FILE); la base actual se guarda "
                                        "aparte y se recuperan los documentos posteriores a la copia")
    rs.add_argument("file", metavar="FILE", nargs="?", help="la copia a restaurar (por defecto la más nueva "
                                                           "que esté sana)")
    rs.add_argument("--force", action="store_true", help="restaurar aunque la base actual esté sana")
    _central_parser(sub)
    _api_parsers(sub)
    _integrations_parsers(sub)
    return p


def _central_parser(sub) -> None:
    """`mostrador central …`: several registers and shops over one PostgreSQL (app/central)."""
    ce = sub.add_parser("central", help="varias cajas y locales: servidor central PostgreSQL, unión y vistas")
    cs = ce.add_subparsers(dest="central_command", metavar="ACCIÓN", required=True)
    sv = cs.add_parser("serve", help="central: ejecuta el servicio HTTPS al que se conectan las cajas")
    sv.add_argument("--db", required=True, metavar="postgresql://…", help="la base central PostgreSQL")
    sv.add_argument("--port", type=int, default=8443, help="puerto TCP (por defecto 8443; 0 elige uno libre)")
    sv.add_argument("--host", default="0.0.0.0", help="interfaz donde escuchar (por defecto todas)")
    sv.add_argument("--api-port", type=int, metavar="P", help="también la API central de solo consultas (los "
                    "dialectos de la API local sobre todas las cajas) en este puerto; HTTPS fuera de este equipo")
    ak = cs.add_parser("api-key", help="central: crea (o revoca) una clave de la API central, de una empresa; "
                                       "imprime la clave una sola vez")
    ak.add_argument("name", metavar="NAME", help="nombre de la clave (p. ej. 'ERP contabilidad')")
    ak.add_argument("--ruc", metavar="RUC", help="la empresa cuyos documentos (de todas sus cajas) leerá")
    ak.add_argument("--dialect", metavar="D", help="solo este dialecto (datil, facturasend, dtepy)")
    ak.add_argument("--revoke", action="store_true", help="revoca la clave NAME")
    ak.add_argument("--db", metavar="postgresql://…", help="la base central (por defecto la de `serve`)")
    bt = cs.add_parser("backfill-taxes", help="central: calcula desde el XML firmado los impuestos por tarifa de "
                                              "los documentos que llegaron sin ellos (también lo hace `serve` al "
                                              "arrancar)")
    bt.add_argument("--json", action="store_true", help="salida JSON")
    bt.add_argument("--db", metavar="postgresql://…", help="la base central (por defecto la de `serve`)")
    en = cs.add_parser("enrol", help="central: crea un código de un solo uso para unir una caja; imprime "
                                     '{"url": …, "code": …}')
    en.add_argument("name", metavar="NAME", help="nombre de la caja (p. ej. 'Local Centro caja 2')")
    en.add_argument("--db", metavar="postgresql://…", help="la base central (por defecto la de `serve`)")
    jn = cs.add_parser("join", help="caja: se une a la central con la URL y el código de `central enrol`")
    jn.add_argument("url", metavar="URL")
    jn.add_argument("code", metavar="CODE")
    sy = cs.add_parser("sync", help="caja: envía a la central lo pendiente y trae el catálogo ahora")
    sy.add_argument("--json", action="store_true", help="salida JSON")
    dc = cs.add_parser("documents", help="central: todos los documentos de todas las cajas")
    dc.add_argument("--json", action="store_true", help="salida JSON")
    dc.add_argument("--db", metavar="postgresql://…", help="la base central (por defecto la de `serve`)")
    rp = cs.add_parser("report", help="central: ventas e impuestos por tarifa del día por local y caja, "
                                      "pendientes y rechazados, "
                                      "vencimiento de certificados")
    rp.add_argument("--json", action="store_true", help="salida JSON")
    rp.add_argument("--db", metavar="postgresql://…", help="la base central (por defecto la de `serve`)")
    ca = cs.add_parser("catalogue", help="central: carga o actualiza productos y precios desde un JSON "
                                         "(la central manda: las cajas los reciben)")
    ca.add_argument("file", metavar="FILE.json", help="lista de productos: code, name, price, tax_category, …")
    ca.add_argument("--db", metavar="postgresql://…", help="la base central (por defecto la de `serve`)")
    cm = cs.add_parser("mall", help="central: reporte al centro comercial con las facturas de todas las cajas")
    cms = cm.add_subparsers(dest="central_mall_command", metavar="ACCIÓN", required=True)
    cmr = cms.add_parser("report", help="central: entrega por SFTP o REST las facturas autorizadas de todas las "
                                        "cajas del establecimiento aún no entregadas hasta el día D (por defecto hoy)")
    cmr.add_argument("--date", metavar="D", help="día AAAA-MM-DD (incluye los días anteriores pendientes)")
    cmr.add_argument("--dry-run", action="store_true", help="solo mostrar lo que se enviaría")
    cmr.add_argument("--estab", metavar="EST", help="solo este establecimiento (por defecto todos los configurados)")
    cmr.add_argument("--ruc", metavar="RUC", help="solo las cajas de esta empresa (varias empresas en la central)")
    cmr.add_argument("--json", action="store_true", help="salida JSON")
    cmr.add_argument("--db", metavar="postgresql://…", help="la base central (por defecto la de `serve`)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    data = DataDir(args.data_dir)
    if not args.command:  # the cashier's window
        return _COMMANDS["gui"](args, data)
    try:
        return _COMMANDS[args.command](args, data)
    except CorruptDatabaseError as exc:
        _print_error(exc, getattr(args, "json", False))
        return EXIT_CORRUPT
    except StorageError as exc:
        _print_error(exc, getattr(args, "json", False))
        return EXIT_STORAGE
    except (OutputPathError, ValidationError) as exc:
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
    except (sqlite3.Error, OSError) as exc:  # a storage fault outside a transaction
        from app.store.health import translate

        if (err := translate(exc, data.db_path)) is None:
            raise
        _print_error(err, getattr(args, "json", False))
        return EXIT_CORRUPT if isinstance(err, CorruptDatabaseError) else EXIT_STORAGE


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
    result = checkout.issue(session, body, args.type, source="cli", options={"dialect": args.format})
    status = st.SIGNED
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
    if args.wait and status != st.AUTHORIZED:
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
    except RecursionError:  # thousands of nested [ or {: no document is shaped like that
        raise ValidationError("El JSON tiene demasiados niveles de anidamiento", field="FILE") from None
    except ValueError:  # an integer of more than 4 300 digits
        raise ValidationError("El JSON contiene un número demasiado largo", field="FILE") from None
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
            if all(s in st.FINAL for s in status.values()):
                return status
            if time.monotonic() > deadline:
                return status
            time.sleep(0.05)




def _status_es(status: str) -> str:
    return st.PHRASE_ES.get(status, status)


def _readonly_session(data: DataDir):
    """A Session on the database opened read-only: listing and exporting never wait for a writer."""
    from app.pos.session import Session
    from app.store.db import connect_readonly

    data.ensure()
    return Session(data, conn=connect_readonly(data.db_path))


def cmd_backup(args, data: DataDir) -> int:
    from app.store import backup

    if not data.db_path.exists():
        raise NotFoundError(f"No hay base de datos en {data.root}")
    name = f"{data.db_path.stem}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.db"
    target = outpaths.output_file(args.out, name, force=args.force) if args.out else None
    done = backup.make(data.db_path, target)
    if target is None:
        backup.prune(data.db_path)
    print(f"Copia de seguridad escrita en {done}")
    return EXIT_OK


def cmd_restore(args, data: DataDir) -> int:
    from app.store import restore

    report = restore.restore(data.db_path, args.file, force=args.force)
    print(restore.describe(report))
    return EXIT_OK


def cmd_export(args, data: DataDir) -> int:
    from app.store import documents

    target = outpaths.output_file(args.out, f"{args.key}.xml", force=args.force) if args.out else None
    row = documents.by_key(_readonly_session(data).conn, args.key)
    xml = bytes(row["xml"])
    if args.authorized:
        from app.integrations.exports import authorized_xml

        xml = authorized_xml(row)
    if target:
        outpaths.write_file(target, xml)
        print(f"Escrito {target} ({len(xml)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(xml)
        sys.stdout.buffer.flush()
    return EXIT_OK


def cmd_documents(args, data: DataDir) -> int:
    from app.store import documents, outbox

    from app.sync import deadlines

    conn = _readonly_session(data).conn
    now = datetime.now(timezone.utc)
    levels = {w.document_id: w for w in deadlines.waiting(conn, now=now)}
    from app.integrations.mail import states as _mail_states

    mail_states = _mail_states(conn)  # e-mail to the buyer: the latest request's state, per document
    rows = []
    for r in documents.listing(conn):
        waiting = None
        if r["status"] in st.PENDING:
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
            "correo": mail_states.get(r["id"]),
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
        kind = KINDS.get(r["tipo"], r["tipo"])
        state = st.SHORT_ES.get(r["estado"], r["estado"])
        alert = {"warning": " ⚠", "overdue": " ⚠ VENCIDO"}.get(r["plazo"] or "", "")
        print(f"{r['numero']:<19} {kind:<13} {state:<11} {r['total']:>10}  {wait:>8}  {r['clave']}{alert}")
        for m in r["mensajes"]:
            if m.get("tipo") == "ERROR":
                print(f"    {m.get('identificador')} {m.get('mensaje')} {m.get('informacionAdicional') or m.get('informacion_adicional') or ''}")
        if r["ultimo_error"]:
            print(f"    último error: {r['ultimo_error']}")
        if r["correo"] and r["correo"]["status"] != "done":
            print(f"    correo a {r['correo']['to']}: {r['correo']['status_es']} {r['correo']['error'] or ''}".rstrip())
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

    country = registry.country(args.country or (company.country if company else registry.codes()[0]))
    data.ensure()
    try:
        country.transport().serve_sandbox(args.port, args.ruc or None, company, data.root)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_verify(args, data: DataDir) -> int:
    from app.fiscal.signer_report import printable
    from app.fiscal.signing import load_secret
    from app.pos.verify import label, verify_file

    options = {"load_secret": load_secret} if data.db_path.exists() else {}  # the shop's CSC, inside a data folder
    all_ok = True
    report = []
    for f in args.files:
        findings = verify_file(Path(f), **options)
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
        for f, findings in report:  # every value escaped: a newline in a certificate cannot forge a line
            print(f"{printable(f)}:")
            for x in findings:
                print(f"  [{label(x)}] {printable(x.check)}: {printable(x.message, 2000)}")
    return EXIT_OK if all_ok else EXIT_FAILED


def cmd_print(args, data: DataDir) -> int:
    from app.pos import printing
    from app.pos.session import Session

    pdf_path = outpaths.output_file(args.pdf, f"{args.key}.pdf", force=args.force) if args.pdf else None
    session = Session(data)
    if args.a4 and not args.pdf:
        raise ValidationError("--a4 va con --pdf FILE: el RIDE / KuDE en A4 se escribe como PDF", field="--a4")
    if args.pdf:
        pdf = (printing.a4_pdf(session, args.key) if args.a4
               else printing.ticket_pdf(session, args.key, width_mm=args.width))
        outpaths.write_file(pdf_path, pdf)
        print(f"Escrito {pdf_path} ({len(pdf)} bytes)")
        return EXIT_OK
    printing.print_ticket(session, args.key, printer=args.printer)
    print("Ticket enviado a la impresora.")
    return EXIT_OK


def cmd_demo(args, data: DataDir) -> int:
    from app.pos.demo import run_demo

    if args.out:  # before any sale: a bad --out must not waste a whole demo
        outpaths.output_folder(args.out)
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
    from app.ui.screenshots import parse_size, render_all

    try:
        size = parse_size(args.size)
    except ValueError as exc:
        raise ValidationError(str(exc), field="size") from None
    out = outpaths.output_folder(args.out)
    if outpaths.existing_files(out, "*.png") and not args.force:
        raise OutputPathError(f"La carpeta {out} ya tiene capturas PNG: use --force para reemplazarlas.")
    paths = render_all(out, data.root, size)
    for p in paths or []:
        print(p)
    return EXIT_OK


def _online_query(args, data: DataDir, name: str) -> int:
    """An online question to the company's authority (`ruc`, `consulta`), from its transport facet."""
    from app.core.errors import ConfigurationError
    from app.pos.session import Session

    session = Session(data)
    country = registry.country(session.company.country)
    query = next((q for q in country.transport().online_queries if q.name == name), None)
    if query is None:
        others = [f"{c.name} ({c.authority})" for c in registry.all_countries()
                  if any(q.name == name for q in c.transport().online_queries)]
        raise ConfigurationError(f"Este comando es solo para empresas de {', '.join(others) or 'otro país'}")
    out = query.run(session, getattr(args, query.argument), args.timeout)
    print(json.dumps(out, ensure_ascii=False, indent=2) if args.json else query.text(out))
    return EXIT_OK if out["ok"] else EXIT_FAILED


def cmd_ruc(args, data: DataDir) -> int:
    return _online_query(args, data, "ruc")


def cmd_consulta(args, data: DataDir) -> int:
    return _online_query(args, data, "consulta")


def cmd_central(args, data: DataDir) -> int:
    from app.central import admin

    folder = data.root / "central"
    action = args.central_command
    if action == "serve":
        data.ensure()
        if args.api_port is not None:
            from app.api.central import start as start_api

            api = start_api(args.db, folder, host=args.host, port=args.api_port)
            print(f"API central (solo consultas) en {api.url}/", file=sys.stderr, flush=True)
        try:
            admin.serve(folder, args.db, host=args.host, port=args.port,
                        on_ready=lambda url: print(f"Central escuchando en {url}", file=sys.stderr, flush=True))
        except KeyboardInterrupt:
            pass
        return EXIT_OK
    if action == "enrol":
        print(json.dumps(admin.enrol(folder, args.name, args.db), ensure_ascii=False))
        return EXIT_OK
    if action == "api-key":
        from app.api.central import all_dialects

        print(json.dumps(admin.api_key(args.name, args.ruc, args.dialect, args.db, revoke=args.revoke,
                                       dialects=tuple(all_dialects())), ensure_ascii=False))
        return EXIT_OK
    if action == "backfill-taxes":
        done = admin.backfill_taxes(args.db)
        print(json.dumps(done, ensure_ascii=False) if args.json else
              f"Impuestos por tarifa calculados para {done['documents']} documentos ({done['rows']} filas).")
        return EXIT_OK
    if action in ("documents", "report"):
        rows = admin.documents(args.db) if action == "documents" else admin.report(args.db)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        elif action == "documents":
            for d in rows:
                print(f"{d['register']:<20} {d['number']:<20} {d['status']:<10} {d['key']}  {d['xml_sha256'][:16]}…")
        else:
            for section, items in rows.items():
                print(f"[{section}]")
                for item in items:
                    print("  " + "  ".join(f"{k}={v}" for k, v in item.items()))
        return EXIT_OK
    if action == "mall":
        return _central_mall(args, data)
    if action == "catalogue":
        n = admin.load_products(args.db, Path(args.file))
        print(f"Productos cargados en la central: {n}")
        return EXIT_OK
    from app.pos.session import Session

    session = Session(data)
    if action == "join":
        result = admin.join(session.conn, args.url, args.code)
        result.update(admin.sync_now(session.conn, _register_info(session)))
        print(json.dumps(result, ensure_ascii=False))
        return EXIT_OK
    result = admin.sync_now(session.conn, _register_info(session))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif result["ok"]:
        print(f"Replicadas {result['moved']} filas con la central.")
    else:
        print(f"Error: {result['error']}", file=sys.stderr)
    return EXIT_OK if result["ok"] else EXIT_FAILED


def _central_mall(args, data: DataDir) -> int:
    from app.central import admin
    from app.integrations import mall

    conn = _settings_conn(data)  # this machine's mall settings and secrets
    day = args.date or mall.today(conn)
    try:
        datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        raise ValidationError("La fecha debe ser AAAA-MM-DD", field="--date") from None
    results = admin.mall_report(conn, args.db, day, estab=args.estab, ruc=args.ruc, dry_run=args.dry_run)
    failed = any(r.get("error") or r.get("con_error") for r in results)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return EXIT_FAILED if failed else EXIT_OK
    for r in results:
        if "documentos" not in r:
            print(f"Establecimiento {r['establecimiento']}: {r['error']}", file=sys.stderr)
            continue
        verb = "se enviarían" if r["simulado"] else "enviados"
        print(f"Establecimiento {r['establecimiento']} ({r['modo']}), todas las cajas, hasta {r['dia']}: "
              f"{len(r['documentos'])} {verb}, {r['con_error']} con error")
        for d in r["documentos"]:
            print(f"  {d['numero']}  {d['clave']}  {d['estado']}  {d['respuesta']}")
    return EXIT_FAILED if failed else EXIT_OK


def _register_info(session) -> dict:
    from app.pos.runtime import register_info

    return register_info(session)


_COMMANDS = {"issue": cmd_issue, "export": cmd_export, "documents": cmd_documents, "sync": cmd_sync,
             "sandbox": cmd_sandbox, "verify": cmd_verify, "demo": cmd_demo, "print": cmd_print,
             "gui": cmd_gui, "screenshots": cmd_screenshots}
_COMMANDS.update({"ruc": cmd_ruc, "consulta": cmd_consulta})  # online queries (transport facets)
_COMMANDS.update({"backup": cmd_backup, "restore": cmd_restore})
_COMMANDS.update({"central": cmd_central})  # several registers and shops (app/central)


def _api_parsers(sub) -> None:
    sv = sub.add_parser("serve", help="sirve la API local (Dátil, FacturaSend, DTEpy) y transmite en segundo plano")
    sv.add_argument("--host", default="127.0.0.1",
                    help="dirección donde escuchar (por defecto 127.0.0.1, solo este equipo; otra exige TLS)")
    sv.add_argument("--port", type=int, default=8765, help="puerto TCP (por defecto 8765; 0 elige uno libre)")
    sv.add_argument("--tls-cert", metavar="PEM", help="certificado TLS (obligatorio fuera de 127.0.0.1)")
    sv.add_argument("--tls-key", metavar="PEM", help="clave privada del certificado TLS")
    sv.add_argument("--tls-generate", action="store_true",
                    help="fuera de 127.0.0.1 sin --tls-cert: generar un certificado propio y mostrar su huella")
    sv.add_argument("--no-sync", action="store_true", help="no transmitir (sin el trabajador en segundo plano)")
    ak = sub.add_parser("api-key", help="claves de la API local: create NAME [--dialect D] | list | revoke NAME")
    aks = ak.add_subparsers(dest="api_key_command", metavar="ACCIÓN", required=True)
    c = aks.add_parser("create", help="crea una clave; la muestra una sola vez como JSON {key, tenant}")
    c.add_argument("name", metavar="NAME", help="nombre de la clave (p. ej. el del ERP)")
    c.add_argument("--dialect", default=None, help="limitarla a un dialecto (datil, facturasend, dtepy)")
    aks.add_parser("list", help="lista las claves (nunca la clave misma)")
    r = aks.add_parser("revoke", help="revoca una clave")
    r.add_argument("name", metavar="NAME")


def cmd_serve(args, data: DataDir) -> int:
    from app.api.server import serve_forever
    from app.pos.session import Session

    if bool(args.tls_cert) != bool(args.tls_key):
        raise ValidationError("Indique --tls-cert y --tls-key juntos", field="--tls-cert")
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    try:
        serve_forever(Session(data), host=args.host, port=args.port, tls=tls, with_worker=not args.no_sync,
                      generate_tls=args.tls_generate, announce=lambda m: print(m, file=sys.stderr, flush=True))
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_api_key(args, data: DataDir) -> int:
    from app.api import keys
    from app.pos.session import Session

    session = Session(data)
    if args.api_key_command == "create":
        from app.api.http import country_dialects

        dialects = tuple(country_dialects(session.company.country))
        out = keys.create(session.conn, args.name, session.company.ruc, args.dialect, dialects=dialects)
        print(json.dumps({"key": out["key"], "tenant": out["tenant"]}, ensure_ascii=False))
    elif args.api_key_command == "list":
        print(json.dumps(keys.listing(session.conn), ensure_ascii=False, indent=2))
    else:
        keys.revoke(session.conn, args.name)
        print(f"Clave {args.name} revocada.", file=sys.stderr)
    return EXIT_OK


_COMMANDS.update({"serve": cmd_serve, "api-key": cmd_api_key})  # the local API (app/api)


# -- integrations (app/integrations): e-mail to the buyer, the mall report, settings and secrets --

def _integrations_parsers(sub) -> None:
    em = sub.add_parser("email", help="envía (o reenvía) por correo el PDF y el XML autorizado de un documento")
    em.add_argument("key", metavar="KEY", help="clave de acceso (Ecuador) o CDC (Paraguay)")
    em.add_argument("--to", metavar="ADDRESS", help="otra dirección (por defecto la del comprador)")
    em.add_argument("--json", action="store_true", help="salida JSON")
    ml = sub.add_parser("mall", help="reporte al centro comercial (SFTP o REST): report [--date D] [--dry-run]")
    mls = ml.add_subparsers(dest="mall_command", metavar="ACCIÓN", required=True)
    mr = mls.add_parser("report", help="reporta ahora las facturas autorizadas aún no entregadas hasta el día D "
                                       "(por defecto hoy) e imprime lo enviado")
    mr.add_argument("--date", metavar="D", help="día AAAA-MM-DD (incluye los días anteriores pendientes)")
    mr.add_argument("--dry-run", action="store_true", help="solo mostrar lo que se enviaría")
    mr.add_argument("--estab", metavar="EST", help="solo este establecimiento (por defecto todos los configurados)")
    mr.add_argument("--json", action="store_true", help="salida JSON")
    msb = mls.add_parser("sandbox", help="ejecuta el centro comercial simulado (servidor SFTP y portal REST en "
                                         "127.0.0.1) hasta Ctrl+C; imprime cómo configurarlo")
    msb.add_argument("--sftp-port", type=int, default=0, help="puerto SFTP (0 elige uno libre)")
    msb.add_argument("--rest-port", type=int, default=0, help="puerto del portal REST (0 elige uno libre)")
    st_ = sub.add_parser("settings", help="ajustes (correo SMTP, centro comercial…): set KEY VALUE | get KEY | list")
    sts = st_.add_subparsers(dest="settings_command", metavar="ACCIÓN", required=True)
    ss = sts.add_parser("set", help="guarda un ajuste (p. ej. smtp.host, mall.001.mode)")
    ss.add_argument("name", metavar="KEY")
    ss.add_argument("value", metavar="VALUE")
    sg = sts.add_parser("get", help="muestra un ajuste")
    sg.add_argument("name", metavar="KEY")
    sts.add_parser("list", help="lista los ajustes (nunca los secretos), en JSON")
    se = sub.add_parser("secret", help="secretos en el llavero del sistema: set NAME (el valor por la entrada estándar)")
    ses = se.add_subparsers(dest="secret_command", metavar="ACCIÓN", required=True)
    sse = ses.add_parser("set", help="guarda el secreto NAME (smtp.password, mall.<estab>.sftp.password, "
                                     "mall.<estab>.rest.password) leído de la entrada estándar")
    sse.add_argument("name", metavar="NAME")


def _plain_invalid(cmd):
    """A bad setting, address or date is not "an invalid document": say just what is wrong (exit 2)."""
    import functools

    @functools.wraps(cmd)
    def run(args, data: DataDir) -> int:
        try:
            return cmd(args, data)
        except ValidationError as exc:
            if getattr(args, "json", False):
                raise
            print("Error: " + "; ".join(e.message for e in exc.errors), file=sys.stderr)
            return EXIT_INVALID
    return run


def _settings_conn(data: DataDir):
    from app.store.db import connect

    data.ensure()
    return connect(data.db_path)


def cmd_email(args, data: DataDir) -> int:
    from app.integrations import jobs, mail
    from app.store.db import transaction

    conn = _settings_conn(data)
    with transaction(conn):
        job_id, to = mail.request_send(conn, args.key, args.to)
    jobs.run_due(conn, {mail.KIND: mail.handler()})  # now, on the spot; else the worker retries it
    view = jobs.get(conn, job_id)
    if args.json:
        print(json.dumps({"ok": view.status == jobs.DONE, **view.as_dict()}, ensure_ascii=False, indent=2))
    elif view.status == jobs.DONE:
        print(f"Correo enviado a {to}.")
    elif view.status == jobs.PENDING:
        print(f"Correo a {to} en cola; se reintentará: {view.last_error}", file=sys.stderr)
    else:
        print(f"Correo a {to} no enviado: {view.last_error}", file=sys.stderr)
    return EXIT_OK if view.status == jobs.DONE else EXIT_FAILED


def cmd_mall(args, data: DataDir) -> int:
    from app.integrations import config, mall

    if args.mall_command == "sandbox":
        return _mall_sandbox(args, data)
    conn = _settings_conn(data)
    day = args.date or mall.today(conn)
    try:
        datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        raise ValidationError("La fecha debe ser AAAA-MM-DD", field="--date") from None
    estabs = [args.estab] if args.estab else config.establishments_with_mall(conn)
    if not estabs:
        raise ValidationError("Ningún establecimiento tiene configurado el centro comercial "
                              "(mostrador settings set mall.<estab>.mode sftp|rest)", field="mall")
    results, code = [], EXIT_OK
    for estab in estabs:
        try:
            rep = mall.run_report(conn, estab, day, dry_run=args.dry_run)
        except (mall.MallTransportError, mall.MallHostKeyError) as exc:
            results.append({"establecimiento": estab, "dia": day, "error": str(exc)})
            code = EXIT_FAILED
            continue
        results.append(rep.as_dict())
        code = code if rep.failed == 0 else EXIT_FAILED
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return code
    for r in results:
        if r.get("error") and "documentos" not in r:
            print(f"Establecimiento {r['establecimiento']}: {r['error']}", file=sys.stderr)
            continue
        verb = "se enviarían" if r["simulado"] else "enviados"
        print(f"Establecimiento {r['establecimiento']} ({r['modo']}), hasta {r['dia']}: "
              f"{len(r['documentos'])} {verb}, {r['con_error']} con error")
        for d in r["documentos"]:
            print(f"  {d['numero']}  {d['clave']}  {d['estado']}  {d['respuesta']}")
    return code


def _mall_sandbox(args, data: DataDir) -> int:
    from app.integrations.sandbox_mall import MallPortal, SftpSandbox

    data.ensure()
    sftp = SftpSandbox(data.root / "mall-sandbox", port=args.sftp_port).start()
    portal = MallPortal(port=args.rest_port).start()
    try:
        print(json.dumps({"sftp": {"host": "127.0.0.1", "port": sftp.port, "user": sftp.user,
                                   "password": sftp.password, "fingerprint": sftp.fingerprint,
                                   "folder": str(sftp.root)},
                          "rest": {"url": portal.base_url, "user": portal.user, "password": portal.password}},
                         ensure_ascii=False, indent=2), flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sftp.stop()
        portal.stop()
    return EXIT_OK


def cmd_settings(args, data: DataDir) -> int:
    from app.integrations import config
    from app.store.db import transaction

    conn = _settings_conn(data)
    if args.settings_command == "set":
        with transaction(conn):
            value = config.set_value(conn, args.name, args.value)
        print(f"{args.name} = {json.dumps(value, ensure_ascii=False)}", file=sys.stderr)
    elif args.settings_command == "get":
        value = config.get_value(conn, args.name)
        print(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    else:
        print(json.dumps(config.listing(conn), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_secret(args, data: DataDir) -> int:
    from app.integrations import config

    conn = _settings_conn(data)
    config.store_secret(conn, args.name, sys.stdin.readline())
    print(f"Secreto {args.name} guardado en el llavero del sistema.", file=sys.stderr)
    return EXIT_OK


_COMMANDS.update({name: _plain_invalid(cmd) for name, cmd in
                  (("email", cmd_email), ("mall", cmd_mall), ("settings", cmd_settings), ("secret", cmd_secret))})
