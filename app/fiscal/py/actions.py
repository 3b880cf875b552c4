"""Paraguay's `actions` facet: SIFEN events on a document from Documentos (cancelación,
inutilización, nominación; they are signed at once and queued: app/fiscal/py/event_requests.py),
the requests the local API and the CLI reach (every event kind, receptor events, corrections of
a rejected DE), and how Documentos words a SIFEN document."""
from __future__ import annotations

from datetime import datetime

from app.core import status
from app.core.errors import ValidationError
from app.core.sale import Party
from app.fiscal.base import DocumentAction, Param
from app.fiscal.py import corrections, event_requests, till

GROUP = "Eventos SIFEN:"
REASON = Param("motivo", "Motivo", hint="Motivo del evento (5 a 500 caracteres)", width=1, min_width=230)
ANONYMOUS_ID = "0"  # buyer_id of an innominado receptor


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return iso


# ------------------------------------------------------------------------------ the actions

def _cancel(session, doc, values: dict, now: datetime) -> str:
    event_requests.request_cancellation(session, doc["key"], values.get("motivo", ""), now=now)
    return "Cancelación firmada y en cola para SIFEN; el estado cambia cuando SIFEN la registre."


def _inutilize(session, doc, values: dict, now: datetime) -> str:
    event_requests.request_inutilization(session, doc["key"], values.get("motivo", ""), now=now)
    return "Inutilización firmada y en cola para SIFEN."


def _nominate(session, doc, values: dict, now: datetime) -> str:
    ident = values.get("receptor", "").strip()
    buyer = Party(till.detect_id_type(ident), ident, values.get("nombre", "").strip())
    try:
        body = till.nomination_body(doc["key"], values.get("motivo", ""), buyer)
    except ValueError as exc:
        raise ValidationError(str(exc), field="receptor") from None
    event_requests.request_event(session, "nominacion", body, now=now)
    return "Nominación firmada y en cola para SIFEN."


def _innominado_factura(doc, now) -> bool:
    return doc["status"] == status.AUTHORIZED and doc["kind"] == "invoices" and doc["buyer_id"] == ANONYMOUS_ID


CANCEL = DocumentAction(
    "cancelar", "Cancelar documento", GROUP, shortcut="F9", params=(REASON,),
    # the 48 h / 168 h window is checked when it is asked, to say why it is refused
    applies=lambda doc, now: doc["status"] == status.AUTHORIZED, perform=_cancel)
INUTILIZE = DocumentAction(
    "inutilizar", "Inutilizar número", GROUP, shortcut="F10", params=(REASON,),
    applies=lambda doc, now: doc["status"] == status.REJECTED, perform=_inutilize)
NOMINATE = DocumentAction(
    "nominar", "Nominar", "Nominar una factura innominada:", shortcut="F11",
    params=(REASON, Param("receptor", "Receptor", hint="RUC (con DV) o cédula del receptor", width=1),
            Param("nombre", "Nombre", hint="Nombre o razón social", width=2)),
    applies=_innominado_factura, perform=_nominate)


class SifenActions:
    approved_word = "aprobado"
    a4_name = "KuDE"
    document_actions = (CANCEL, INUTILIZE, NOMINATE)

    # what the local API and the CLI call (FacturaSend `evento/<kind>` bodies, corrections)
    request_event = staticmethod(event_requests.request_event)
    event_status = staticmethod(event_requests.event_status)
    receptor_event_status = staticmethod(event_requests.receptor_event_status)
    correct_rejected = staticmethod(corrections.correct_rejected)
    inutilize_and_reissue = staticmethod(corrections.inutilize_and_reissue)

    def describe(self, doc, body: dict, money) -> list[str]:
        """FacturaSend's request shape: prices with IVA included, in the document's currency."""
        def amount(v) -> str:
            try:
                return money(v)
            except ArithmeticError:
                return str(v)

        c = body.get("cliente") or {}
        ident = c.get("ruc") or c.get("documentoNumero") or doc["buyer_id"]
        lines = [f"CDC: {doc['key']}",
                 f"Emitido: {_local(doc['issued_at'])}   Aprobado: {_local(doc['authorized_at']) or '—'}",
                 f"Cliente: {doc['buyer_name']} ({ident})"]
        extras = body.get("extras") or {}
        if extras.get("numero_factura"):
            lines.append(f"Modifica la factura {extras['numero_factura']}: {body.get('descripcion', '')}")
        lines += ["", f"{'Cant.':>8}  {'Descripción':<40} {'Precio':>14} {'IVA':>6}"]
        from app.fiscal.py.till import FACET as till  # reads the FacturaSend body and the till's Sale alike

        for ln in till.issued_lines(body):
            iva = f"{ln.rate:f} %" if ln.rate else "Exento"
            lines.append(f"{str(ln.quantity):>8}  {ln.name[:40]:<40} {amount(ln.unit_price):>14} {iva:>6}")
        lines += ["", f"TOTAL: {amount(doc['total'])}"]
        return lines


FACET = SifenActions()
