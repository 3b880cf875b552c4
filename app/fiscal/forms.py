"""The `forms` facet: the documents a person makes from the app's "Nuevo documento" dialog
(F9 on Documentos), declared by each country as data.

A form is a set of header fields and zero or more tables of rows (items, retained taxes,
destinatarios…). The generic dialog (app/ui/new_document.py) shows them, the person fills them by
keyboard, and the form's `build` turns what was typed into a body of one of the country's input
dialects; the body then goes through `pos.checkout.issue` like the CLI's and the API's, so the
validation, numbering and outbox are the same on every path. A refusal names an input field
(the dialect's dotted path, e.g. "items[0].precio_unitario"); `field_for_error` maps it back
to the form field to put the cursor on.

Country packages declare `FACET = Forms(forms=(…))` in their `forms.py` facet module; generic
code reaches them through `country.forms()`.

Besides the fields' values, `build` and `perform` get the till's establishment and point codes
under `ESTABLISHMENT` and `POINT` (the company may have several; a form uses them for the
emisor's series). `check_values` is the generic kind check the dialog runs before `build`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# kinds of field: how the dialog edits and checks the text before `build` sees it
TEXT = "text"
MONEY = "money"  # a Decimal amount, the country's decimal places
QUANTITY = "quantity"  # a Decimal, up to 6 decimal places
INTEGER = "integer"
DATE = "date"  # dd/mm/aaaa on screen; an ISO date (YYYY-MM-DD) given to `build`
CHOICE = "choice"  # one of `choices` (value, Spanish label); searchable as you type
KINDS = (TEXT, MONEY, QUANTITY, INTEGER, DATE, CHOICE)

# keys the caller adds to the values `build` / `perform` get: the till's series
ESTABLISHMENT = "_establishment"
POINT = "_point"


@dataclass(frozen=True)
class FormField:
    """One value the person types. `name` is the key in the values `build` gets (plain, no
    dots). `default(company, now)` gives the initial text, if any."""

    name: str
    label: str  # Spanish
    kind: str = TEXT
    required: bool = False
    hint: str = ""  # placeholder text, Spanish
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE
    default: Callable[[Any, datetime], str] | None = None
    max_length: int = 0  # 0: the dialect's own limit applies when issuing


@dataclass(frozen=True)
class FormTable:
    """Rows of the same columns (Enter on the last column adds a row). `min_rows` rows at least
    must be filled for the form to be issued."""

    name: str  # key in the values `build` gets: a list of {column name: text}
    label: str  # Spanish
    columns: tuple[FormField, ...]
    min_rows: int = 1
    # optional: `complete(row texts, header texts)` -> {column: text} the dialog puts in that row's
    # blank cells when the person leaves one of its cells (e.g. a retention's percentage from its code)
    complete: Callable[[Mapping[str, str], Mapping[str, str]], Mapping[str, str]] | None = None


@dataclass(frozen=True)
class DocumentForm:
    """A document (or event) a person can make from the dialog.

    `build(values, company, now)` gets {field name: text} for the header fields and
    {table name: [{column: text}, …]} for the tables (already checked against each field's
    `kind`, empty strings for what was left blank) and returns `(body, kind)`: a body of one of
    the country's input dialects and the document kind (app.core.documents.KINDS key) for
    `checkout.issue`. It raises `app.core.errors.ValidationError` (field-named) for what the
    dialect cannot even express. `field_for_error(path)` maps a dialect path of a refusal back to
    a (table or None, row or None, field name) to focus, or None."""

    id: str
    label: str  # Spanish, the list's entry: "Comprobante de retención"
    fields: tuple[FormField, ...]
    build: Callable[[Mapping[str, Any], Any, datetime], tuple[dict, str]]
    tables: tuple[FormTable, ...] = ()
    field_for_error: Callable[[str], tuple[str | None, int | None, str] | None] = lambda path: None
    description: str = ""  # Spanish, one line under the list
    issues_document: bool = True  # False: an event (no number); `perform` is used instead
    # events only: `perform(session, values, now)` returns the Spanish confirmation
    perform: Callable[[Any, Mapping[str, Any], datetime], str] | None = None
    # optional: `field_for_error` for refusals whose place depends on the values `build` got (rows of
    # several tables flattened into one list of the dialect): (path, values) -> the same target.
    # When set, the dialog uses it instead of `field_for_error`.
    locate_error: Callable[[str, Mapping[str, Any]], tuple[str | None, int | None, str] | None] | None = None


@dataclass(frozen=True)
class Forms:
    """The facet: the country's forms in the dialog's order."""

    forms: Sequence[DocumentForm] = field(default_factory=tuple)

    def by_id(self, form_id: str) -> DocumentForm:
        for f in self.forms:
            if f.id == form_id:
                return f
        raise KeyError(form_id)


# ------------------------------------------------------------------ the generic kind check

@dataclass(frozen=True)
class FormProblem:
    """One value the person must fix: where (`table` None for a header field; `row` the row's
    index among the table's filled rows) and why (Spanish)."""

    table: str | None
    row: int | None
    field: str
    message: str


def parse_value(f: FormField, text: str, money: Any = None) -> str:
    """The text of field `f` as `build` gets it: trimmed; MONEY/QUANTITY a plain decimal (a
    decimal comma accepted), INTEGER digits, DATE an ISO date (typed dd/mm/aaaa), CHOICE its
    value (the value or its label typed). '' stays ''. ValueError (Spanish) when it is not one.
    `money` (the till's `MoneyFormat`) reads MONEY without decimals as the country writes it
    ('1.000.000' Gs)."""
    text = (text or "").strip()
    if not text:
        return ""
    if f.max_length and len(text) > f.max_length:
        raise ValueError(f"tiene {len(text)} caracteres; el máximo es {f.max_length}")
    if f.kind in (MONEY, QUANTITY):
        raw = text.replace(" ", "")
        if "," in raw and "." in raw:  # 1.234,56 -> 1234.56
            raw = raw.replace(".", "").replace(",", ".")
        raw = raw.replace(",", ".")
        try:
            # a currency without decimals writes only thousands with its separator (150.000 Gs)
            whole = f.kind == MONEY and money is not None and money.places == 0
            d = money.parse(text.replace(" ", "")) if whole else Decimal(raw)
        except (InvalidOperation, ValueError, ArithmeticError):
            raise ValueError(f"«{text}» no es un número") from None
        if not d.is_finite():
            raise ValueError(f"«{text}» no es un número")
        if d < 0:
            raise ValueError("no puede ser negativo")
        places = -d.as_tuple().exponent if d.as_tuple().exponent < 0 else 0
        if f.kind == QUANTITY and places > 6:
            raise ValueError("admite como máximo 6 decimales")
        return format(d, "f")
    if f.kind == INTEGER:
        if not text.isdigit() or not text.isascii():
            raise ValueError(f"«{text}» no es un número entero")
        return text
    if f.kind == DATE:
        parts = text.replace("-", "/").replace(".", "/").split("/")
        try:
            if len(parts) == 3 and len(parts[0]) == 4:  # already ISO
                y, m, d_ = (int(x) for x in parts)
            elif len(parts) == 3:
                d_, m, y = (int(x) for x in parts)
            else:
                raise ValueError
            return date(y, m, d_).isoformat()
        except ValueError:
            raise ValueError(f"«{text}» no es una fecha (dd/mm/aaaa)") from None
    if f.kind == CHOICE:
        low = text.casefold()
        for value, label in f.choices:
            if low in (value.casefold(), label.casefold(), f"{value} - {label}".casefold()):
                return value
        found = [value for value, label in f.choices if low in label.casefold()]  # typed part of a label
        if len(found) == 1:
            return found[0]
        raise ValueError(f"«{text}» no es una de las opciones")
    return text


def check_values(form: DocumentForm, header: Mapping[str, str],
                 tables: Mapping[str, Sequence[Mapping[str, str]]],
                 money: Any = None) -> tuple[dict, list[FormProblem]]:
    """The values `build` gets from what was typed: each text through `parse_value`, required
    fields present, each table's rows with something typed (blank rows dropped) and at least
    `min_rows` of them. -> (values, problems); problems empty when `build` may run."""
    values: dict[str, Any] = {}
    problems: list[FormProblem] = []
    for f in form.fields:
        try:
            values[f.name] = parse_value(f, header.get(f.name, ""), money)
        except ValueError as exc:
            problems.append(FormProblem(None, None, f.name, f"{f.label}: {exc}"))
            values[f.name] = ""
            continue
        if f.required and not values[f.name]:
            problems.append(FormProblem(None, None, f.name, f"{f.label}: es obligatorio"))
    for t in form.tables:
        rows = [r for r in tables.get(t.name, ()) if any(str(v or "").strip() for v in r.values())]
        out = []
        for i, r in enumerate(rows):
            row: dict[str, str] = {}
            for c in t.columns:
                try:
                    row[c.name] = parse_value(c, r.get(c.name, ""), money)
                except ValueError as exc:
                    problems.append(FormProblem(t.name, i, c.name, f"{t.label}, fila {i + 1}, {c.label}: {exc}"))
                    row[c.name] = ""
                    continue
                if c.required and not row[c.name]:
                    problems.append(FormProblem(t.name, i, c.name,
                                                f"{t.label}, fila {i + 1}, {c.label}: es obligatorio"))
            out.append(row)
        if len(out) < t.min_rows:
            first = t.columns[0].name if t.columns else ""
            problems.append(FormProblem(t.name, len(out), first,
                                        f"{t.label}: llene al menos {t.min_rows} fila(s)"))
        values[t.name] = out
    return values, problems
