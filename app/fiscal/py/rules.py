"""SIFEN's validation rules that can be checked offline and that the XSD cannot express (Manual
Técnico v150 §12, "Validaciones"), written once over a small set of `Facts` so that the builder
(before signing, from the model) and the sandbox (on a received rDE) apply the very same rules.

Each rule has SIFEN's code, the input field it refers to (as FacturaSend spells it) and a Spanish
message; `problems(facts)` returns the broken ones. docs/sifen.md lists them with their tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

AFE, NRE = 4, 7
B2B, B2C, B2G, B2F = 1, 2, 3, 4


@dataclass(frozen=True)
class Facts:
    """What the rules look at, read from the model (`from_model`) or the XML (`from_xml`)."""

    doc_type: int  # C002 iTiDE
    issued: date  # A002 dFeEmiDE (date part)
    issuer_ruc: str  # D101 dRucEm, base without DV
    receiver_contrib: bool  # D201 iNatRec == 1
    receiver_ruc: str  # D206 dRucRec, base
    operation: int  # D202 iTiOpe
    receiver_country: str  # D203 cPaisRec
    condition: int | None = None  # E601 iCondOpe
    remission_reason: int | None = None  # E501 iMotEmiNR
    invoice_date: date | None = None  # E506 dFecEm (NRE)
    transport_start: date | None = None  # E909 dIniTras
    transport_end: date | None = None  # E910 dFinTras
    has_associated: bool = False  # H001 gCamDEAsoc


@dataclass(frozen=True)
class Rule:
    code: str  # SIFEN's code of the rejection
    field: str  # the input field (FacturaSend's name)
    message: str  # Spanish
    broken: Callable[[Facts], bool]


def _month(d: date) -> tuple[int, int]:
    return d.year, d.month


RULES: tuple[Rule, ...] = (
    Rule("1315", "cliente.contribuyente", "En una autofactura el receptor es el propio emisor: debe ser contribuyente",
         lambda f: f.doc_type == AFE and not f.receiver_contrib),
    Rule("1316", "cliente.tipoOperacion", "En una autofactura el tipo de operación debe ser B2C (2)",
         lambda f: f.doc_type == AFE and f.operation != B2C),
    Rule("1317", "cliente.ruc", "En una autofactura el RUC del receptor debe ser el RUC del emisor",
         lambda f: f.doc_type == AFE and f.receiver_contrib and f.receiver_ruc != f.issuer_ruc),
    Rule("1503", "condicion.tipo", "La autofactura solo puede ser al contado (condición 1)",
         lambda f: f.doc_type == AFE and f.condition not in (None, 1)),
    Rule("1300", "cliente.tipoOperacion", "Receptor no contribuyente: el tipo de operación debe ser B2C (2) "
                                          "o B2F (4)",
         lambda f: f.doc_type != AFE and not f.receiver_contrib and f.operation not in (B2C, B2F)),
    Rule("1300", "cliente.contribuyente", "Operación B2F (4): el receptor no puede ser contribuyente",
         lambda f: f.operation == B2F and f.receiver_contrib),
    Rule("1320", "cliente.pais", "Operación B2F (4): el país del receptor no puede ser PRY",
         lambda f: f.operation == B2F and f.receiver_country == "PRY"),
    Rule("1320", "cliente.pais", "El país del receptor debe ser PRY salvo en operaciones B2F (4)",
         lambda f: f.operation != B2F and f.receiver_country != "PRY"),
    Rule("2606", "cliente.ruc", "Remisión por traslado entre locales de la empresa (motivo 7): el receptor "
                                "debe ser el propio emisor (mismo RUC)",
         lambda f: f.doc_type == NRE and f.remission_reason == 7
         and (not f.receiver_contrib or f.receiver_ruc != f.issuer_ruc)),
    Rule("2605", "remision.fechaFactura", "Remisión por venta (motivo 1) sin documento asociado: informe la "
                                          "fecha estimada de la factura",
         lambda f: f.doc_type == NRE and f.remission_reason == 1 and not f.has_associated
         and f.invoice_date is None),
    Rule("2604", "remision.fechaFactura", "El mes de la fecha estimada de la factura no puede ser posterior al "
                                          "mes de emisión de la remisión",
         lambda f: f.doc_type == NRE and f.invoice_date is not None and _month(f.invoice_date) > _month(f.issued)),
    Rule("2107", "transporte.inicioEstimadoTranslado", "Fecha estimada de inicio del traslado obligatoria en la "
                                                       "remisión",
         lambda f: f.doc_type == NRE and f.transport_start is None),
    Rule("2109", "transporte.finEstimadoTranslado", "Fecha estimada de fin del traslado obligatoria en la remisión",
         lambda f: f.doc_type == NRE and f.transport_end is None),
    Rule("2110", "transporte.finEstimadoTranslado", "El fin del traslado no puede ser anterior a su inicio",
         lambda f: f.transport_start is not None and f.transport_end is not None
         and f.transport_end < f.transport_start),
)


def problems(facts: Facts) -> list[Rule]:
    """The rules `facts` breaks, in table order."""
    return [r for r in RULES if r.broken(facts)]


def from_model(doc, issuer_ruc: str) -> Facts:
    """Facts of a `model.Document` issued by the company whose RUC is `issuer_ruc` ('80089752-8')."""
    r = doc.receiver
    tr = doc.transport
    rem = doc.remission
    dt = doc.document_type
    return Facts(doc_type=doc.doc_type, issued=doc.issued_at.date(), issuer_ruc=issuer_ruc.partition("-")[0],
                 receiver_contrib=r.contribuyente, receiver_ruc=r.ruc or "", operation=r.operation,
                 receiver_country=r.country,
                 condition=doc.condition if dt is not None and dt.has_payments else None,
                 remission_reason=rem.reason if rem is not None else None,
                 invoice_date=rem.invoice_date if rem is not None else None,
                 transport_start=tr.start if tr is not None else None,
                 transport_end=tr.end if tr is not None else None,
                 has_associated=bool(doc.associated))


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def from_xml(de, ns: str) -> Facts:
    """Facts of a received `DE` element; `ns` is '{namespace}'."""
    def t(path: str) -> str:
        return (de.findtext("/".join(ns + p for p in path.split("/"))) or "").strip()

    def i(path: str) -> int | None:
        value = t(path)
        return int(value) if value.isdigit() else None

    return Facts(doc_type=i("gTimb/iTiDE") or 0, issued=_date(t("gDatGralOpe/dFeEmiDE")) or date.min,
                 issuer_ruc=t("gDatGralOpe/gEmis/dRucEm"), receiver_contrib=t("gDatGralOpe/gDatRec/iNatRec") == "1",
                 receiver_ruc=t("gDatGralOpe/gDatRec/dRucRec"), operation=i("gDatGralOpe/gDatRec/iTiOpe") or 0,
                 receiver_country=t("gDatGralOpe/gDatRec/cPaisRec"), condition=i("gDtipDE/gCamCond/iCondOpe"),
                 remission_reason=i("gDtipDE/gCamNRE/iMotEmiNR"), invoice_date=_date(t("gDtipDE/gCamNRE/dFecEm")),
                 transport_start=_date(t("gDtipDE/gTransp/dIniTras")),
                 transport_end=_date(t("gDtipDE/gTransp/dFinTras")),
                 has_associated=de.find(ns + "gCamDEAsoc") is not None)
