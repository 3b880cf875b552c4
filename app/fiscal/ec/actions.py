"""Ecuador's `actions` facet: the SRI has no events on a document (a credit note answers an
authorized one, which Documentos offers generically); a rejected document is corrected by a new
one that replaces it (linked by `previous_id`); what the SRI's message codes mean in plain
Spanish (REFERENCE §4.5); how Documentos words an SRI document."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from app.core import status
from app.core.errors import ValidationError
from app.core.sale import Party, Sale
from app.fiscal.base import DocumentAction, Param
from app.fiscal.ec.catalog import IVA_LABELS
from app.store import documents
from app.core.moments import shown_local as _local

# SRI message identifier -> (what it means, what to do), REFERENCE §4.5 (FICHA §11)
EXPLANATIONS: dict[str, tuple[str, str]] = {
    "2": ("El RUC del emisor no está activo en el SRI.",
          "El dueño debe regularizar el RUC en el SRI; luego reintente el envío."),
    "10": ("El establecimiento está clausurado.", "Reintente cuando termine la clausura (la misma clave sirve)."),
    "26": ("El comprobante es demasiado grande para el SRI.", "Emita la venta en varios comprobantes."),
    "27": ("El SRI no permite esta clase de comprobante al emisor.",
           "Revise en SRI en línea los comprobantes autorizados."),
    "28": ("No se aceptó el acuerdo de medios electrónicos.",
           "El dueño debe aceptarlo en SRI en línea; luego reintente."),
    "34": ("El emisor no está autorizado a emitir este tipo de comprobante.",
           "Solicite la autorización en SRI en línea."),
    "35": ("El comprobante no cumple el formato del SRI (esquema).",
           "Corrija los datos (por ejemplo el comprador) y vuelva a emitir."),
    "36": ("La versión del formato ya no se acepta.", "Actualice Mostrador."),
    "37": ("El RUC no tiene autorización de emisión electrónica en este ambiente.",
           "Solicítela en SRI en línea (pruebas o producción)."),
    "39": ("La firma electrónica no es válida.", "Revise el certificado de firma en Configuración."),
    "40": ("El certificado de firma no se pudo leer.", "Cargue de nuevo el archivo .p12 en Configuración."),
    "42": ("El certificado de firma está revocado o caducado.", "Renueve la firma electrónica y cárguela."),
    "43": ("El SRI ya tiene un comprobante con esta clave de acceso.",
           "No lo emita de nuevo: Mostrador consulta su autorización."),
    "45": ("Ya existe otro comprobante con este número (secuencial).",
           "Revise la numeración del punto de emisión; llame a soporte."),
    "46": ("El RUC no existe en el SRI.", "Revise el RUC de la empresa en Configuración."),
    "50": ("Error interno del SRI (temporal).", "No haga nada: Mostrador reintenta solo."),
    "52": ("Los totales del comprobante no cuadran para el SRI.",
           "Corrija la venta y emítala de nuevo."),
    "56": ("El establecimiento está cerrado en el SRI.", "Revise los establecimientos en Configuración."),
    "57": ("La autorización de emisión está suspendida.", "El dueño debe consultarlo en el SRI."),
    "58": ("La clave de acceso no coincide con los datos del comprobante.", "Llame a soporte."),
    "63": ("El RUC del emisor está clausurado.", "El dueño debe regularizarlo en el SRI."),
    "65": ("La fecha de emisión está fuera del plazo que acepta el SRI.",
           "Revise la fecha y hora del equipo y emita un comprobante nuevo."),
    "67": ("La fecha del comprobante no es válida.", "Revise la fecha y hora del equipo."),
    "70": ("El SRI todavía está procesando el comprobante.", "No haga nada: Mostrador vuelve a consultar."),
    "59": ("El SRI no encuentra la identificación del comprador (advertencia).",
           "Revise la cédula o RUC del comprador."),
    "62": ("La identificación del comprador es incorrecta.",
           "Corrija la cédula o RUC del comprador y emita el comprobante corregido."),
}
GENERIC = ("El SRI devolvió un error que Mostrador no conoce.",
           "Lea el mensaje del SRI; si no lo entiende, llame a soporte con el número del comprobante.")

CORRECTION_PARAMS = (
    Param("receptor", "Identificación", hint="Cédula o RUC correcto (vacío: el mismo)", width=1),
    Param("nombre", "Nombre", hint="Nombre o razón social (vacío: el mismo)", width=2),
    Param("email", "Correo", hint="Correo del comprador (vacío: el mismo)", width=2),
)


def _corrected_buyer(old: Party, values: dict) -> Party:
    from app.fiscal.ec.till import FACET as till

    ident = (values.get("receptor") or "").strip() or old.identification
    id_type = till.detect_id_type(ident) if ident != old.identification else old.id_type
    buyer = Party(id_type, ident, (values.get("nombre") or "").strip() or old.name,
                  (values.get("email") or "").strip() or old.email, old.address, old.phone)
    problems = till.identification_errors(buyer.id_type, buyer.identification)
    if problems:
        raise ValidationError("; ".join(problems), field="receptor")
    if not buyer.name:
        raise ValidationError("Falta el nombre del comprador", field="nombre")
    return buyer


def _replace(session, doc, values: dict, now: datetime, *, commit) -> str:
    """Issues the rejected document's sale again, to the corrected buyer, as a new document whose
    `previous_id` is the rejected one (in the same transaction as the new document)."""
    if doc["status"] != status.REJECTED:
        raise ValidationError("Solo se corrige un comprobante rechazado por el SRI", field="estado")
    conn = session.conn
    if conn.execute("SELECT 1 FROM documents WHERE previous_id=?", (doc["id"],)).fetchone():
        raise ValidationError(f"El comprobante {doc['number']} ya fue reemplazado", field="estado")
    row = conn.execute("SELECT request_json FROM sales WHERE id=?", (doc["sale_id"],)).fetchone()
    if row is None:
        raise ValidationError("No se encuentra la venta de este comprobante", field="venta")
    request = json.loads(row[0])
    from app.fiscal.ec.till import FACET as till

    old = till.issued_buyer(request) or Party("", "", "")
    buyer = _corrected_buyer(old, values)
    if Sale.is_record(request):
        sale = replace(Sale.from_dict(request), buyer=buyer, issued_at=None)
        draft = session.backend.draft_from_sale(sale, session.company, now=now)
        request = sale.as_dict()
    else:
        request = dict(request)
        request["comprador"] = {**(request.get("comprador") or {}), "tipo_identificacion": buyer.id_type,
                                "identificacion": buyer.identification, "razon_social": buyer.name,
                                "email": buyer.email}
        draft = session.backend.parse(request, doc["kind"], session.company, now=now)

    def link(c, new_id: int) -> None:
        c.execute("UPDATE documents SET previous_id=? WHERE id=?", (doc["id"], new_id))
        documents.add_event(c, doc["id"], status.REJECTED, f"Reemplazado por un comprobante nuevo (id {new_id})")

    result = commit(session, draft, request=request, source="correction", now=now, on_commit=link)
    return (f"Comprobante {result.document.number} emitido en reemplazo del {doc['number']} "
            "y en cola para el SRI.")


REPLACE = DocumentAction(
    "reemplazar", "Corregir y emitir de nuevo", "Corregir un rechazado:", shortcut="F9",
    params=CORRECTION_PARAMS, issues=True,
    applies=lambda doc, now: doc["status"] == status.REJECTED and doc["kind"] == "invoices", perform=_replace)


def _tax_name(code) -> str:
    label = IVA_LABELS.get(str(code))
    if label is None:
        return f"IVA código {code}"
    return f"IVA {label}" if label[0].isdigit() else label


class SriActions:
    approved_word = "autorizado"
    a4_name = "RIDE"
    # the SRI's names of the comprobantes, in the order Documentos offers them
    kind_labels = {"invoices": "Factura", "credit-notes": "Nota de crédito", "debit-notes": "Nota de débito",
                   "retentions": "Comprobante de retención", "waybills": "Guía de remisión",
                   "purchase-settlements": "Liquidación de compra"}
    document_actions: tuple[DocumentAction, ...] = (REPLACE,)

    def explain(self, code: str, message: str) -> str:
        what, todo = EXPLANATIONS.get(str(code or "").strip().lstrip("0") or "-", GENERIC)
        return f"{what} {todo}"

    def describe(self, doc, body: dict, money) -> list[str]:
        """Dátil's request shape (`items`, `totales`)."""
        lines = [f"Clave de acceso: {doc['key']}",
                 f"Emitido: {_local(doc['issued_at'])}   Autorizado: {_local(doc['authorized_at']) or '—'}",
                 f"Cliente: {doc['buyer_name']} ({doc['buyer_id']})"]
        if body.get("numero_documento_modificado"):
            lines.append(f"Modifica la factura {body['numero_documento_modificado']}: {body.get('motivo', '')}")
        lines += ["", f"{'Cant.':>8}  {'Descripción':<40} {'P. unit.':>11} {'Desc.':>8} {'Total':>10}"]
        from app.fiscal.ec.till import FACET as till  # reads the Dátil body and the till's Sale alike

        items = till.issued_lines(body)
        groups: dict[str, list] = {}
        for ln in items:
            lines.append(f"{str(ln.quantity):>8}  {ln.name[:40]:<40} {str(ln.unit_price):>11} "
                         f"{str(ln.discount):>8} {str(ln.base):>10}")
            g = groups.setdefault(ln.tax_category, [0, 0])
            g[0] += ln.base
            g[1] += ln.tax
        lines += ["", f"Subtotal sin impuestos: {sum(ln.base for ln in items)}"]
        for code, (base, value) in sorted(groups.items()):
            lines.append(f"  {_tax_name(code)}: base {base}  impuesto {value}")
        lines.append(f"TOTAL: {doc['total']}")
        return lines


FACET = SriActions()
