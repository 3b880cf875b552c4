"""E-mail to the buyer: the authorized document's PDF (RIDE / KuDE, the country's `printables`
facet) and its XML (the authorized form when the country's `reports` facet has one), sent over
SMTP as an integrations job (kind `email`, app.integrations.jobs).

- On authorization (`on_status`, a `store.documents` listener) a job `doc:<id>` is queued in the
  same transaction when the buyer has an e-mail address; a re-send (`request_send`) is a new job
  with its own key. A job is sent at most once: one that was interrupted during the SMTP
  conversation is shown "posiblemente enviado" and is not sent again by itself.
- Refused recipient / sender / message (5xx) is a permanent failure, shown with the server's
  answer; a server down, a 4xx or a dropped connection is retried with backoff.
"""
from __future__ import annotations

import json
import smtplib
import socket
import sqlite3
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from app.core import status as st
from app.core.documents import KINDS
from app.core.errors import ConfigurationError, NotFoundError, ValidationError
from app.fiscal import registry
from app.integrations import config, jobs
from app.store import documents, settings as store_settings

KIND = "email"
TIMEOUT = 20.0


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # none | starttls | tls
    user: str
    password: str | None
    sender: str
    sender_name: str
    reply_to: str
    ca_file: str = ""

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> "SmtpConfig":
        host = config.setting(conn, "smtp.host") or ""
        sender = config.setting(conn, "smtp.from") or ""
        if not host or not sender:
            raise ConfigurationError("El correo no está configurado: falta smtp.host o smtp.from")
        user = config.setting(conn, "smtp.user") or ""
        return cls(host, int(config.setting(conn, "smtp.port")), config.setting(conn, "smtp.security"),
                   user, config.load_secret(conn, "smtp.password") if user else None, sender,
                   config.setting(conn, "smtp.name") or "", config.setting(conn, "smtp.reply_to") or "",
                   config.setting(conn, "smtp.ca_file") or "")

    def tls_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if self.ca_file:
            ctx.load_verify_locations(self.ca_file)
        return ctx


# (host, port) -> monotonic time until which a server that could not be reached is not tried
# again: a queue of e-mails behind a dead server must not each wait for the connect timeout.
_DOWN: dict[tuple[str, int], tuple[float, str]] = {}
DOWN_SECONDS = 30.0


class ServerDown(Exception):
    """The server could not be reached (Spanish message)."""


class PermanentMailError(Exception):
    """The server refused the message for good (Spanish message)."""


class TransientMailError(Exception):
    """Try again later (Spanish message)."""


def _answer(code: int, msg: bytes | str) -> str:
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    return f"{code} {text}".strip()


def send(cfg: SmtpConfig, msg: EmailMessage, *, timeout: float = TIMEOUT) -> str:
    """One SMTP conversation. Returns the server's answer; raises Permanent/TransientMailError."""
    try:
        if cfg.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=timeout, context=cfg.tls_context())
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=timeout)
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=cfg.tls_context())
            if cfg.user:
                if cfg.password is None:
                    raise TransientMailError("Falta la contraseña SMTP en el llavero (mostrador secret set smtp.password)")
                smtp.login(cfg.user, cfg.password)
            refused = smtp.send_message(msg)
            if refused:  # some recipients refused, others accepted: the message went out
                return "aceptado con destinatarios rechazados: " + ", ".join(refused)
            return "aceptado"
    except smtplib.SMTPRecipientsRefused as exc:
        answers = "; ".join(f"{rcpt}: {_answer(c, m)}" for rcpt, (c, m) in exc.recipients.items())
        if all(c >= 500 for c, _ in exc.recipients.values()):
            raise PermanentMailError(f"El servidor rechazó el destinatario ({answers})") from None
        raise TransientMailError(f"El servidor no aceptó el destinatario por ahora ({answers})") from None
    except smtplib.SMTPSenderRefused as exc:
        err = f"El servidor rechazó el remitente {exc.sender} ({_answer(exc.smtp_code, exc.smtp_error)})"
        raise (PermanentMailError if exc.smtp_code >= 500 else TransientMailError)(err) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise TransientMailError(f"Usuario o contraseña SMTP incorrectos ({_answer(exc.smtp_code, exc.smtp_error)})") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise TransientMailError(f"El servidor SMTP no admite lo configurado (smtp.security): {exc}") from None
    except smtplib.SMTPResponseException as exc:
        err = f"El servidor SMTP respondió {_answer(exc.smtp_code, exc.smtp_error)}"
        raise (PermanentMailError if exc.smtp_code >= 500 else TransientMailError)(err) from None
    except ssl.SSLError as exc:
        raise TransientMailError(f"No se pudo establecer TLS con {cfg.host}:{cfg.port}: {exc.reason or exc}") from None
    except (OSError, smtplib.SMTPConnectError, socket.timeout) as exc:
        raise ServerDown(f"No se pudo conectar con el servidor de correo {cfg.host}:{cfg.port}: "
                         f"{type(exc).__name__}") from None
    except smtplib.SMTPException as exc:
        raise TransientMailError(f"No se pudo conectar con el servidor de correo {cfg.host}:{cfg.port}: "
                                 f"{type(exc).__name__}") from None


# ------------------------------------------------------------------------------ the message

def buyer_email(conn: sqlite3.Connection, row: sqlite3.Row) -> str:
    """The buyer's e-mail from the sale's request (the till's `buyer.email`, or an API dialect's
    buyer object), '' when there is none."""
    if row["sale_id"] is None:
        return ""
    sale = conn.execute("SELECT request_json FROM sales WHERE id=?", (row["sale_id"],)).fetchone()
    try:
        body = json.loads(sale["request_json"]) if sale else {}
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    if isinstance(body.get("sale"), dict):  # the till's record (app.core.sale): {"sale": {"buyer": …}}
        body = body["sale"]
    for name in ("buyer", "comprador", "cliente", "receptor", "customer"):
        party = body.get(name)
        if isinstance(party, dict):
            for field in ("email", "correo", "correo_electronico"):
                value = party.get(field)
                if isinstance(value, str) and "@" in value:
                    return value.split(",")[0].strip()
    return ""


def _extras(conn: sqlite3.Connection, row: sqlite3.Row, company) -> dict:
    """What the A4 printable needs beyond the XML (as app.pos.printing.extras_for, read here on
    the worker's own connection)."""
    extras: dict = {"environment": company.environment, "copy": False}
    if row["authorization_number"]:
        extras["authorization"] = {"numero": row["authorization_number"], "fecha": _local(row["authorized_at"])}
    if row["sale_id"] is not None:
        pays = conn.execute("SELECT method, amount FROM payments WHERE sale_id=? ORDER BY n",
                            (row["sale_id"],)).fetchall()
        extras["payments"] = [{"method": p["method"], "amount": p["amount"]} for p in pays]
    if company.extra.get("logo"):
        extras["logo"] = company.extra["logo"]
    return extras


def _local(iso: str | None) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M:%S") if iso else ""
    except ValueError:
        return iso or ""


def document_xml(row: sqlite3.Row) -> tuple[str, bytes]:
    """(file name, bytes) of the XML to hand out: the authorized form when the country has one."""
    country = registry.country(row["country"])
    try:
        reports = country.facet("reports")
    except ImportError:
        reports = None
    if reports is not None and row["authorization_number"]:
        return (reports.authorized_name(row["key"]),
                reports.authorized_form(bytes(row["xml"]), row["authorization_number"], row["authorized_at"] or ""))
    return f"{row['key']}.xml", bytes(row["xml"])


def build_message(conn: sqlite3.Connection, row: sqlite3.Row, to: str, cfg: SmtpConfig) -> EmailMessage:
    company = store_settings.load_company(conn)
    country = registry.country(row["country"])
    shop = company.nombre_comercial or company.razon_social
    a4_name = getattr(country.actions(), "a4_name", "PDF")
    kind_word = KINDS.get(row["kind"], "comprobante electrónico").capitalize()
    msg = EmailMessage()
    msg["From"] = formataddr((cfg.sender_name or shop, cfg.sender))
    msg["To"] = to
    if cfg.reply_to:
        msg["Reply-To"] = cfg.reply_to
    msg["Subject"] = f"{kind_word} {row['number']} de {shop}"
    msg["Message-ID"] = make_msgid(domain=cfg.sender.rsplit("@", 1)[-1])
    buyer = row["buyer_name"] or "cliente"
    text = (f"Estimado(a) {buyer}:\n\n"
            f"{shop} le envía su comprobante electrónico ({kind_word.lower()}) {row['number']} por "
            f"{row['total']} {row['currency']}.\n"
            f"Adjuntamos el {a4_name} en PDF y el archivo XML autorizado.\n\n"
            f"Clave de acceso: {row['key']}\n"
            + (f"Autorización: {row['authorization_number']}\n" if row["authorization_number"] else "")
            + f"\nGracias por su compra.\n{shop}\n")
    msg.set_content(text)
    from html import escape

    logo = company.extra.get("logo")
    logo_html = '<p><img src="cid:logo" alt="" style="max-height:80px"></p>' if logo else ""
    msg.add_alternative(
        f"<html><body>{logo_html}<p>" + escape(text).replace("\n", "<br>") + "</p></body></html>", subtype="html")
    if logo:
        import base64

        try:
            data = base64.b64decode(logo) if isinstance(logo, str) else bytes(logo)
            msg.get_payload()[1].add_related(data, "image", "png", cid="<logo>")
        except (ValueError, TypeError):
            pass
    pdf = country.printables().a4_pdf(bytes(row["xml"]), _extras(conn, row, company), company)
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{a4_name}-{row['number']}.pdf")
    name, xml = document_xml(row)
    msg.add_attachment(xml, maintype="application", subtype="xml", filename=name)
    return msg


# ------------------------------------------------------------------------------ the job

def handle(conn: sqlite3.Connection, job: jobs.Job) -> jobs.Result:
    try:
        row = documents.get(conn, job.document_id)
    except NotFoundError as exc:
        return jobs.permanent(str(exc))
    to = job.payload.get("to") or ""
    if not to:
        return jobs.permanent("El comprador no tiene correo electrónico")
    try:
        cfg = SmtpConfig.load(conn)
    except ConfigurationError as exc:
        return jobs.retry(str(exc), after=300)
    try:
        msg = build_message(conn, row, to, cfg)
    except ConfigurationError as exc:
        return jobs.retry(str(exc), after=300)
    down = _DOWN.get((cfg.host, cfg.port))
    if down and down[0] > time.monotonic():
        return jobs.retry(down[1])
    try:
        answer = send(cfg, msg)
    except PermanentMailError as exc:
        return jobs.permanent(str(exc))
    except ServerDown as exc:
        _DOWN[(cfg.host, cfg.port)] = (time.monotonic() + DOWN_SECONDS, str(exc))
        return jobs.retry(str(exc))
    except TransientMailError as exc:
        return jobs.retry(str(exc))
    _DOWN.pop((cfg.host, cfg.port), None)
    return jobs.done({"to": to, "answer": answer, "message_id": msg["Message-ID"], "at": time.time()})


def handler() -> jobs.Handler:
    return jobs.Handler(handle, on_uncertain="hold", max_attempts=40)


def on_status(conn: sqlite3.Connection, doc_id: int, status: str) -> None:
    """`store.documents` listener: queue the e-mail when a document becomes authorized."""
    if status != st.AUTHORIZED or not config.setting(conn, "smtp.host"):
        return  # no e-mail configured: nothing queued (a person can still send it later)
    row = conn.execute("SELECT id, sale_id FROM documents WHERE id=?", (doc_id,)).fetchone()
    to = buyer_email(conn, row) if row else ""
    if to:
        jobs.enqueue(conn, KIND, f"doc:{doc_id}", {"to": to, "auto": True}, document_id=doc_id)


def request_send(conn: sqlite3.Connection, key: str, to: str | None = None) -> tuple[int, str]:
    """A person asks to (re-)send the document's e-mail: a new job, due now. Returns (job id, to).
    Raises `NotFoundError` / `ValidationError` (Spanish)."""
    row = documents.by_key(conn, key)
    if st.parse(row["status"]) not in (st.AUTHORIZED,):
        raise ValidationError("Solo se envían por correo documentos autorizados "
                              f"(este está {st.SHORT_ES[st.parse(row['status'])]})", "key")
    address = (to or "").strip() or buyer_email(conn, row)
    if not address:
        raise ValidationError("El comprador no tiene correo: indique uno con --to", "to")
    config.parse_value("smtp.reply_to", address)  # the same address check as the settings
    n = conn.execute("SELECT COUNT(*) FROM integration_jobs WHERE kind=? AND document_id=?",
                     (KIND, row["id"])).fetchone()[0]
    job_id = jobs.enqueue(conn, KIND, f"doc:{row['id']}:manual:{n + 1}:{time.time_ns()}",
                          {"to": address, "auto": False}, document_id=row["id"])
    return int(job_id), address


def sent_log(conn: sqlite3.Connection, doc_id: int) -> list[dict]:
    """Every e-mail of the document that the server accepted: when (ISO, UTC) and to whom,
    oldest first (Dátil's `correos_enviados`)."""
    from datetime import datetime, timezone

    return [{"fecha_envio": datetime.fromtimestamp(v.updated_at, timezone.utc).isoformat(timespec="seconds"),
             "destinatarios": str(v.payload.get("to") or "")}
            for v in jobs.for_document(conn, doc_id, KIND) if v.status == jobs.DONE]


def state(conn: sqlite3.Connection, doc_id: int) -> dict | None:
    """The document's e-mail state for listings: the latest request (status, to, error), how many
    requests and how many were sent; None when it has none."""
    return states(conn, doc_id).get(doc_id)


def send_test(conn: sqlite3.Connection, to: str) -> str:
    """Configuración's "enviar correo de prueba": inherently online, a short timeout."""
    config.parse_value("smtp.reply_to", to)
    cfg = SmtpConfig.load(conn)
    msg = EmailMessage()
    msg["From"] = formataddr((cfg.sender_name or "Mostrador", cfg.sender))
    msg["To"] = to
    msg["Subject"] = "Correo de prueba de Mostrador"
    msg.set_content("Este es un correo de prueba: la configuración SMTP funciona.\n")
    try:
        answer = send(cfg, msg, timeout=10)
    except (PermanentMailError, TransientMailError, ServerDown) as exc:
        raise ConfigurationError(str(exc)) from None
    _DOWN.pop((cfg.host, cfg.port), None)
    return answer


def states(conn: sqlite3.Connection, doc_id: int | None = None) -> dict[int, dict]:
    """`state()` of every document (or just `doc_id`) with e-mail requests, by document id."""
    by_doc: dict[int, list] = {}
    sql = "SELECT * FROM integration_jobs WHERE kind=? AND document_id IS NOT NULL"
    args: list = [KIND]
    if doc_id is not None:
        sql += " AND document_id=?"
        args.append(doc_id)
    for r in conn.execute(sql + " ORDER BY id", args):
        by_doc.setdefault(r["document_id"], []).append(jobs._view(r))
    out = {}
    for doc_id, views in by_doc.items():
        v, sent = views[-1], [x for x in views if x.status == jobs.DONE]
        out[doc_id] = {"status": v.status, "status_es": v.status_es, "to": v.payload.get("to"),
                       "attempts": v.attempts, "error": v.last_error, "requests": len(views), "delivered": len(sent),
                       "sent_to": [x.payload.get("to") for x in sent]}
    return out
