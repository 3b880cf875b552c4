"""DTEpy `POST /documentoset` body (seed 004) -> `ParsedDE`.

DTEpy's document JSON is FacturaSend's shape plus transport keys (`token`, `pin`, `id`,
`envio_pend`) and `codigoSeguridadAleatorio`/`cdc`, which FacturaSend's parser already
honours. DTEpy spells `infocuotas` in lower case; it is mapped here.
"""
from __future__ import annotations

from app.fiscal.py import facturasend

# Keys that only steer DTEpy's service (auth, client-side ids, queueing), not the document.
TRANSPORT_KEYS = ("token", "pin", "id", "envio_pend", "envioPend")


def parse(body: dict) -> facturasend.ParsedDE:
    if not isinstance(body, dict):
        return facturasend.parse(body)
    doc = {k: v for k, v in body.items() if k not in TRANSPORT_KEYS}
    cond = doc.get("condicion")
    if isinstance(cond, dict) and isinstance(cond.get("credito"), dict):
        credito = dict(cond["credito"])
        if "infocuotas" in credito and "infoCuotas" not in credito:
            credito["infoCuotas"] = credito.pop("infocuotas")
        doc["condicion"] = {**cond, "credito": credito}
    if doc.get("serie") == "":
        doc.pop("serie")
    return facturasend.parse(doc)


def parse_lote(body: dict) -> list[facturasend.ParsedDE]:
    """`/documentoset/lotes`: {"tipoDocumento", "id", "detalle": [documents…]} (≤ 50, same type).
    Raises ValidationError with every document's problems prefixed by `detalle[i]`."""
    from app.core.errors import ErrorCollector, ValidationError
    errors = ErrorCollector()
    docs = body.get("detalle") if isinstance(body, dict) else None
    if not isinstance(docs, list) or not docs:
        errors.add("detalle", "Debe contener entre 1 y 50 documentos", "required")
        errors.raise_if_any()
    if len(docs) > 50:
        errors.add("detalle", "Máximo 50 documentos por lote")
    out = []
    for i, d in enumerate(docs):
        try:
            parsed = parse(d)
        except ValidationError as exc:
            for e in exc.errors:
                errors.add(f"detalle[{i}].{e.field}" if e.field else f"detalle[{i}]", e.message, e.code)
            continue
        if parsed.model.doc_type != body.get("tipoDocumento", parsed.model.doc_type):
            errors.add(f"detalle[{i}].tipoDocumento", "Todos los documentos del lote deben ser del mismo tipo")
        out.append(parsed)
    errors.raise_if_any()
    return out
