"""Paraguay's `actions` facet: SIFEN events on a document from Documentos (cancelación,
inutilización, nominación; they are signed at once and queued: app/fiscal/py/event_requests.py),
the requests the local API and the CLI reach (every event kind, receptor events, corrections of
a rejected DE), and how Documentos words a SIFEN document."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from app.core import status
from app.core.errors import ValidationError
from app.core.sale import Party, Sale
from app.fiscal.base import DocumentAction, Param
from app.fiscal.py import corrections, event_list, event_requests, till
from app.fiscal.py.transport_action import TRANSPORT
from app.core.moments import shown_local as _local

# SIFEN result code -> (what it means, what to do), REFERENCE §3.3 and §5.9 (MT §12)
EXPLANATIONS: dict[str, tuple[str, str]] = {
    "0160": ("El documento no cumple el formato de SIFEN (XML malformado).",
             "Corrija los datos y reenvíelo con el mismo CDC."),
    "0161": ("El servidor de SIFEN no respondió a tiempo (temporal).", "No haga nada: Mostrador reintenta solo."),
    "0162": ("SIFEN está paralizado momentáneamente.", "No haga nada: Mostrador reintenta solo."),
    "0163": ("SIFEN no acepta esta versión del formato.", "Actualice Mostrador."),
    "0183": ("El RUC del certificado no es un contribuyente activo.", "Revise el certificado en Configuración."),
    "0120": ("El certificado de firma no es válido para SIFEN.", "Cargue un certificado vigente en Configuración."),
    "0121": ("El certificado de firma está vencido o aún no es válido.", "Renueve el certificado de firma."),
    "0122": ("El certificado no tiene el RUC del emisor.", "Use el certificado de la empresa."),
    "0140": ("La firma no sigue el estándar de SIFEN.", "Llame a soporte."),
    "0141": ("La firma no es válida (certificado o cadena de confianza).", "Revise el certificado en Configuración."),
    "0142": ("El RUC del certificado de firma no es el del emisor.", "Use el certificado de la empresa."),
    "1000": ("El CDC no coincide con los datos del documento.", "Inutilice el número y emita uno nuevo."),
    "1001": ("SIFEN ya tiene un documento con este CDC.", "No lo emita de nuevo: Mostrador consulta su estado."),
    "1002": ("Ya existe otro documento aprobado con este número.", "Llame a soporte antes de seguir."),
    "1003": ("El dígito verificador del CDC es inválido.", "Inutilice el número y emita uno nuevo."),
    "1004": ("La fecha de la firma está en el futuro.",
             "Corrija la fecha y hora del equipo y reenvíe con el mismo CDC."),
    "1005": ("Transmitido fuera de plazo: aprobado con observación.", "No hace falta hacer nada."),
    "1050": ("SIFEN no permite emitir en contingencia.", "Llame a soporte."),
    "1109": ("Este número ya fue inutilizado.", "Emita el documento con un número nuevo."),
    "1150": ("La fecha de emisión tiene más de 720 horas.",
             "Ya no se aprueba automáticamente: trámite administrativo ante la DNIT."),
    "1151": ("La fecha de emisión está demasiado adelantada.", "Revise la fecha y hora del equipo."),
    "1321": ("No se puede facturar sin nombre (innominado) un total de 7.000.000 Gs o más.",
             "Corrija el receptor (RUC o cédula y nombre) y reenvíe."),
    # events (MT §11): what SIFEN's refusal of a cancelación, inutilización or receptor event means
    "4002": ("SIFEN no tiene ese documento aprobado (CDC inexistente, aún en proceso o rechazado).",
             "Verifique el CDC; si el documento está en proceso, espere su aprobación y repita el evento."),
    "4003": ("El documento ya estaba cancelado en SIFEN.", "No hace falta hacer nada."),
    "4009": ("Pasaron más de 48 horas desde la aprobación de la factura: ya no se cancela.",
             "Emita una nota de crédito por el importe."),
    "4010": ("Pasaron más de 168 horas desde la aprobación: ya no se cancela.",
             "Emita una nota de crédito o de débito según corresponda."),
    "4065": ("Uno de los números ya fue aprobado: no se puede inutilizar.",
             "Si ese documento no vale, cancélelo dentro del plazo o emita una nota de crédito."),
    "4066": ("Alguno de los números ya estaba inutilizado.", "No hace falta hacer nada."),
    "4067": ("El rango a inutilizar es inválido o supera 1000 números.", "Divida el rango y repita el evento."),
    "4101": ("Ya se registró un evento igual para este documento.", "No hace falta hacer nada."),
    "4104": ("La fecha de recepción es anterior a la de emisión.", "Corrija la fecha de recepción y repita."),
    "4113": ("Ya hay una conformidad, disconformidad o desconocimiento: la notificación ya no corresponde.",
             "No hace falta hacer nada."),
    "4150": ("Este documento ya tiene dos conformidades registradas.", "No hace falta hacer nada."),
    "4152": ("SIFEN no tiene ese CDC aprobado o pasó el plazo de 45 días para la conformidad.",
             "Verifique el CDC con el proveedor; fuera de plazo, ya no se registra."),
    "4155": ("El documento está cancelado o ajustado en su totalidad: no admite conformidad.",
             "Pida al proveedor el documento que lo reemplaza."),
    "4156": ("Ya se registró el desconocimiento de este documento.", "No hace falta hacer nada."),
    "4200": ("Ya se registró la disconformidad de este documento.", "No hace falta hacer nada."),
    "4202": ("SIFEN no tiene ese CDC aprobado o pasó el plazo de 45 días para la disconformidad.",
             "Verifique el CDC con el proveedor; fuera de plazo, ya no se registra."),
    "4204": ("El documento está cancelado: no admite disconformidad.", "No hace falta hacer nada."),
    "4205": ("Ya se registró el desconocimiento de este documento.", "No hace falta hacer nada."),
    "4251": ("Ya se registró el desconocimiento de este documento.", "No hace falta hacer nada."),
    "4254": ("La fecha de recepción es anterior a la de emisión.", "Corrija la fecha de recepción y repita."),
}
RANGES = ((1101, 1110, ("El timbrado, el establecimiento, el punto o la serie no son válidos.",
                        "Revise el timbrado y los establecimientos en Configuración.")),
          (2500, 2503, ("El código QR del documento no es válido.", "Llame a soporte.")),
          (4000, 4470, ("SIFEN rechazó el evento.", "Lea el mensaje y corrija el motivo o el documento.")),
          (1, 7, ("SIFEN no acepta el certificado de la conexión.", "Revise el certificado en Configuración.")))
GENERIC = ("SIFEN devolvió un error que Mostrador no conoce.",
           "Lea el mensaje; si no lo entiende, llame a soporte con el CDC.")

GROUP = "Eventos SIFEN:"
REASON = Param("motivo", "Motivo", hint="Motivo del evento (5 a 500 caracteres)", width=1, min_width=230)
ANONYMOUS_ID = "0"  # buyer_id of an innominado receptor
SEE_EVENTS = "Documentos › Eventos"  # where SIFEN's answer to an event is shown (app/ui/events_view.py)


# ------------------------------------------------------------------------------ the actions

def _cancel(session, doc, values: dict, now: datetime) -> str:
    event_requests.request_cancellation(session, doc["key"], values.get("motivo", ""), now=now)
    return ("Cancelación firmada y en cola para SIFEN; el estado cambia cuando SIFEN la registre "
            f"(su respuesta, en {SEE_EVENTS}).")


def _inutilize(session, doc, values: dict, now: datetime) -> str:
    event_requests.request_inutilization(session, doc["key"], values.get("motivo", ""), now=now)
    return f"Inutilización firmada y en cola para SIFEN (su respuesta, en {SEE_EVENTS})."


def _nominate(session, doc, values: dict, now: datetime) -> str:
    ident = values.get("receptor", "").strip()
    buyer = Party(till.detect_id_type(ident), ident, values.get("nombre", "").strip())
    try:
        body = till.nomination_body(doc["key"], values.get("motivo", ""), buyer)
    except ValueError as exc:
        raise ValidationError(str(exc), field="receptor") from None
    event_requests.request_event(session, "nominacion", body, now=now)
    return f"Nominación firmada y en cola para SIFEN (su respuesta, en {SEE_EVENTS})."


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


CORRECT_GROUP = "Corregir un rechazado:"
EMAIL = Param("email", "Correo", hint="Correo del receptor (vacío: el mismo)", width=1)


def _request(session, doc) -> dict:
    row = session.conn.execute("SELECT request_json FROM sales WHERE id=?", (doc["sale_id"],)).fetchone()
    if row is None:
        raise ValidationError("No se encuentra la venta de este documento", field="venta")
    return json.loads(row[0])


def _corrected_buyer(old: Party, values: dict) -> Party:
    ident = (values.get("receptor") or "").strip() or old.identification
    id_type = till.detect_id_type(ident) if ident != old.identification else old.id_type
    buyer = Party(id_type, ident, (values.get("nombre") or "").strip() or old.name,
                  (values.get("email") or "").strip() or old.email, old.address, old.phone)
    problems = till.FACET.identification_errors(buyer.id_type, buyer.identification)
    if problems:
        raise ValidationError("; ".join(problems), field="receptor")
    return buyer


def _corrected_body(request: dict, values: dict) -> dict:
    """The FacturaSend request with the corrected receptor."""
    old = till.party_of_cliente(request.get("cliente") or {})
    return {**request, "cliente": till.cliente(_corrected_buyer(old, values))}


def _correct(session, doc, values: dict, now: datetime) -> str:
    request = _request(session, doc)
    if Sale.is_record(request):  # a till sale: the same sale to the corrected buyer, same CDC
        sale = Sale.from_dict(request)
        result = corrections.correct_rejected_sale(session, doc["key"],
                                                   replace(sale, buyer=_corrected_buyer(sale.buyer, values)), now=now)
    else:
        result = corrections.correct_rejected(session, doc["key"], _corrected_body(request, values), now=now)
    return f"Versión {result.version} del {result.number} firmada con el mismo CDC y en cola para SIFEN."


def _reissue(session, doc, values: dict, now: datetime, *, commit) -> str:
    request = _request(session, doc)
    if not Sale.is_record(request):
        result = corrections.inutilize_and_reissue(session, doc["key"], _corrected_body(request, values),
                                                   commit=commit, source="correction", now=now)
        return f"Número {doc['number']} en inutilización; emitido el {result.issued.document.number}."
    # a till sale: the same sale to the corrected buyer; validated before anything is inutilized
    sale = Sale.from_dict(request)
    sale = replace(sale, buyer=_corrected_buyer(sale.buyer, values), issued_at=None)
    draft = session.backend.draft_from_sale(sale, session.company, now=now)
    event_requests.request_inutilization(session, doc["key"], "Documento rechazado por SIFEN; se emite uno "
                                         "nuevo corregido", now=now)
    issued = commit(session, draft, request=sale.as_dict(), source="correction", now=now)
    return f"Número {doc['number']} en inutilización; emitido el {issued.document.number}."


CORRECT = DocumentAction(
    "corregir", "Corregir (mismo CDC)", CORRECT_GROUP, shortcut="Shift+F9",
    params=(Param("receptor", "Receptor", hint="RUC (con DV) o cédula del receptor", width=1),
            Param("nombre", "Nombre", hint="Nombre o razón social", width=2), EMAIL),
    applies=lambda doc, now: doc["status"] == status.REJECTED, perform=_correct)
REISSUE = DocumentAction(
    "reemitir", "Inutilizar y reemitir", CORRECT_GROUP, shortcut="Shift+F10", issues=True,
    params=CORRECT.params, applies=lambda doc, now: doc["status"] == status.REJECTED, perform=_reissue)


class SifenActions:
    approved_word = "aprobado"
    a4_name = "KuDE"
    # SIFEN's names of the DEs, in the order Documentos offers them
    kind_labels = {"invoices": "Factura electrónica", "credit-notes": "Nota de crédito",
                   "debit-notes": "Nota de débito", "purchase-settlements": "Autofactura",
                   "waybills": "Nota de remisión"}
    document_actions = (CANCEL, INUTILIZE, NOMINATE, CORRECT, REISSUE, TRANSPORT)

    def explain(self, code: str, message: str) -> str:
        code = str(code or "").strip()
        found = EXPLANATIONS.get(code.zfill(4) if code.isdigit() else code)
        if found is None and code.isdigit():
            found = next((t for lo, hi, t in RANGES if lo <= int(code) <= hi), None)
        what, todo = found or GENERIC
        return f"{what} {todo}"

    # what the local API and the CLI call (FacturaSend `evento/<kind>` bodies, corrections)
    request_event = staticmethod(event_requests.request_event)
    event_status = staticmethod(event_requests.event_status)
    receptor_event_status = staticmethod(event_requests.receptor_event_status)
    correct_rejected = staticmethod(corrections.correct_rejected)
    list_events = staticmethod(event_list.list_events)  # Documentos' Eventos view (app/fiscal/base.py Actions)
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
        buyer = "Innominado (sin identificar)" if str(ident) in ("", "0") else f"{doc['buyer_name']} ({ident})"
        lines = [f"CDC: {doc['key']}",
                 f"Emitido: {_local(doc['issued_at'])}   Aprobado: {_local(doc['authorized_at']) or '—'}",
                 f"Cliente: {buyer}"]
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
