"""Lays ticket elements out on a fixed number of monospace columns.

Shared by the ESC/POS and PNG renderers (the PDF uses it too), so a 32/42/48-column
ticket wraps the same way everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.devices.ticket import Code, Feed, Item, Pair, Rule, Text, Ticket


@dataclass(frozen=True)
class Row:
    text: str = ""
    bold: bool = False
    big: bool = False
    code: Code | None = None  # a row that is a barcode/QR instead of text


def _split_word(word: str, width: int) -> list[str]:
    """Breaks a token longer than the line into near-equal chunks (a 49-digit clave on 48
    columns becomes 25 + 24, not 48 + 1)."""
    n = -(-len(word) // width)
    size = -(-len(word) // n)
    return [word[i : i + size] for i in range(0, len(word), size)]


def wrap(text: str, width: int) -> list[str]:
    words: list[str] = []
    for w in text.split():
        words.extend(_split_word(w, width) if len(w) > width else [w])
    lines: list[str] = []
    current = ""
    for w in words:
        if not current:
            current = w
        elif len(current) + 1 + len(w) <= width:
            current += " " + w
        else:
            lines.append(current)
            current = w
    if current or not lines:
        lines.append(current)
    return lines


def _align(line: str, width: int, align: str) -> str:
    if align == "center":
        pad = (width - len(line)) // 2
        return " " * pad + line
    if align == "right":
        return line.rjust(width)
    return line


def pair_lines(left: str, right: str, width: int) -> list[str]:
    """'LABEL ....... 12.34'; the label wraps when label + value do not fit."""
    if len(left) + 1 + len(right) <= width:
        return [left + " " * (width - len(left) - len(right)) + right]
    head = wrap(left, width)
    last = head[-1]
    if len(last) + 1 + len(right) <= width:
        return head[:-1] + [last + " " * (width - len(last) - len(right)) + right]
    return head + [right.rjust(width)]


def layout(ticket: Ticket, columns: int) -> list[Row]:
    rows: list[Row] = []
    for el in ticket.elements:
        if isinstance(el, Text):
            for line in wrap(el.text, columns):
                rows.append(Row(_align(line, columns, el.align), el.bold, el.big))
        elif isinstance(el, Pair):
            rows.extend(Row(s, el.bold, el.big) for s in pair_lines(el.left, el.right, columns))
        elif isinstance(el, Item):
            rows.extend(Row(s) for s in wrap(el.description, columns))
            rows.extend(Row(s) for s in pair_lines("  " + el.detail, el.total, columns))
        elif isinstance(el, Rule):
            rows.append(Row(el.char * columns))
        elif isinstance(el, Code):
            rows.append(Row(code=el))
        elif isinstance(el, Feed):
            rows.extend(Row() for _ in range(el.lines))
    return rows
