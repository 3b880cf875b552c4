"""The `forms` facet: the documents a person makes from the app's "Nuevo documento" dialog
(F9 on Documentos), declared by each country as data.

A form is a set of header fields and zero or more tables of rows (items, retained taxes,
destinatarios…). The generic dialog (app/ui/new_document.py) shows them, the person fills them by
keyboard, and the form's `build` turns what was typed into a body of one of the country's input
dialects; the body then goes through `pos.checkout.issue` like the CLI's and the API's, so the
validation, numbering and outbox are the same on every path. A refusal names an input field
(the dialect's dotted path, e.g. "items[0].precio_unitario"); `field_for_error` maps it back
to the form field to put the cursor on.

Country packages declare `FORMS` in their `forms.py` facet module; generic code reaches them
through `country.facet("forms")`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# kinds of field: how the dialog edits and checks the text before `build` sees it
TEXT = "text"
MONEY = "money"  # a Decimal amount, the country's decimal places
QUANTITY = "quantity"  # a Decimal, up to 6 decimal places
INTEGER = "integer"
DATE = "date"  # dd/mm/aaaa on screen; an ISO date (YYYY-MM-DD) given to `build`
CHOICE = "choice"  # one of `choices` (value, Spanish label); searchable as you type
KINDS = (TEXT, MONEY, QUANTITY, INTEGER, DATE, CHOICE)


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


@dataclass(frozen=True)
class Forms:
    """The facet: the country's forms in the dialog's order."""

    forms: Sequence[DocumentForm] = field(default_factory=tuple)

    def by_id(self, form_id: str) -> DocumentForm:
        for f in self.forms:
            if f.id == form_id:
                return f
        raise KeyError(form_id)
