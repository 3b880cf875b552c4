"""IVA rates valid only on some dates (Tabla 17 of the SRI's Ficha Técnica; LORTI art. 65 as
amended): a document may carry a rate only if it was in force on its date, except a note, which
carries the rate of the document it modifies. Refusals name the input field."""
from __future__ import annotations

from datetime import date

from app.fiscal.ec import catalog

SALE_DOCS = ("01", "03", "04", "05")  # factura, liquidación de compra, notas de crédito y débito
# codigoPorcentaje -> (first day, last day) the rate was the general one; None = open
IVA_VALIDITY = {
    "2": (None, date(2024, 3, 31)),  # 12 %: until the 15 % of April 2024 (Ley de Eficiencia, RO 2024)
    "3": (date(2016, 6, 1), date(2017, 5, 31)),  # 14 %: Ley Solidaria, June 2016 - May 2017 (REFERENCE: unverified)
    "4": (date(2024, 4, 1), None),  # 15 %: from April 2024
}


def valid_on(code: str, day: date) -> bool:
    first, last = IVA_VALIDITY.get(code, (None, None))
    return (first is None or day >= first) and (last is None or day <= last)


def check(r, doc) -> None:
    """Refuses (on `r`, a documents.common Reader) every IVA rate of `doc` not in force on its
    date, or on the modified document's date for a note."""
    if doc.cod_doc not in SALE_DOCS:  # a retención's codes are retention codes, a guía has no taxes
        return
    modified = getattr(doc, "modified", None)
    day = modified.issued if modified is not None else getattr(doc, "issued", None)
    if day is None:
        return
    what = "del documento modificado" if modified is not None else "de emisión"
    for i, line in enumerate(getattr(doc, "lines", None) or ()):
        for j, tax in enumerate(line.taxes):
            if tax.codigo == catalog.IVA and not valid_on(tax.codigo_porcentaje, day):
                r.err(f"items[{i}].impuestos[{j}].codigo_porcentaje",
                      f"la tarifa {catalog.IVA_LABELS[tax.codigo_porcentaje]} (código {tax.codigo_porcentaje}) no "
                      f"estaba vigente el {day:%d/%m/%Y} (fecha {what})", "rate")
    if not getattr(doc, "lines", None):
        for j, tax in enumerate(getattr(doc, "taxes", None) or ()):
            if getattr(tax, "codigo", None) == catalog.IVA and not valid_on(tax.codigo_porcentaje, day):
                r.err(f"totales.impuestos[{j}].codigo_porcentaje",
                      f"la tarifa {catalog.IVA_LABELS[tax.codigo_porcentaje]} (código {tax.codigo_porcentaje}) no "
                      f"estaba vigente el {day:%d/%m/%Y} (fecha {what})", "rate")


# ------------------------------------------------------------------ the same rule on a signed XML
# (verify's 'rates' check and the SRI sandbox: a document from anybody, not only our model)

def _local(el) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _kids(el, name):
    return [c for c in (el if el is not None else ()) if _local(c) == name]


def _text(el, name) -> str:
    found = _kids(el, name)
    return (found[0].text or "").strip() if found else ""


def _day(text: str) -> date | None:
    try:
        d, m, y = text.split("/")
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def xml_problems(root) -> list[str]:
    """Spanish sentences, one per IVA rate of an SRI document (factura, liquidación, notas) not
    in force on its date (a note: on the modified document's date, fechaEmisionDocSustento)."""
    cod_doc = _text(_kids(root, "infoTributaria")[0], "codDoc") if _kids(root, "infoTributaria") else ""
    if cod_doc not in SALE_DOCS:
        return []
    info = next((b for b in root if _local(b).startswith("info")
                 and _local(b) not in ("infoTributaria", "infoAdicional")), None)
    if info is None:
        return []
    sustento = _text(info, "fechaEmisionDocSustento")
    day = _day(sustento or _text(info, "fechaEmision"))
    if day is None:
        return []
    what = "del documento modificado" if sustento else "de emisión"
    taxes = [(f"detalle {i}", t) for i, det in enumerate(_kids(_kids(root, "detalles")[0] if _kids(root, "detalles")
                                                              else None, "detalle"), start=1)
             for t in _kids(_kids(det, "impuestos")[0] if _kids(det, "impuestos") else None, "impuesto")]
    for block, tag in (("totalConImpuestos", "totalImpuesto"), ("impuestos", "impuesto")):
        for holder in _kids(info, block):
            taxes += [("totales", t) for t in _kids(holder, tag)]
    out, seen = [], set()
    for where, t in taxes:
        code = _text(t, "codigoPorcentaje")
        if _text(t, "codigo") != catalog.IVA or valid_on(code, day) or (where, code) in seen:
            continue
        seen.add((where, code))
        label = catalog.IVA_LABELS.get(code, code)
        out.append(f"La tarifa {label} (codigoPorcentaje {code}, {where}) no estaba vigente el "
                   f"{day:%d/%m/%Y} (fecha {what})")
    return out
