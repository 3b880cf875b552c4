"""Cash shifts (turnos de caja): open with a float, cash in/out, X report, close with a count → Z.

A shift's sales are the invoices issued from its point of sale between opening and closing.
A closed shift is immutable (database triggers) and its number is its id.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from app.core.errors import ValidationError
from app.core.money import ZERO, round_half_up, to_decimal
from app.pos import audit
from app.core import status as st
from app.fiscal import registry
from app.pos.cart import payment_label, rules_for
from app.fiscal.home_amounts import HomeAmounts
from app.store.db import transaction



def _country(conn: sqlite3.Connection) -> str:
    """The company's country code ('' before setup: the first registered country)."""
    from app.core.errors import ConfigurationError
    from app.store import settings

    try:
        return settings.load_company(conn).country
    except ConfigurationError:
        return ""


def cash_code(country: str) -> str:
    """The authority's code of cash payments (what the payments table stores)."""
    rules = rules_for(country)
    return rules.payment_methods[rules.cash_method].authority_code


def is_cash(code: str, country: str = "") -> bool:
    """Whether a stored payment code is cash (of `country`; of any registered country when not given)."""
    if country:
        return code == cash_code(country)
    return code in {cash_code(c) for c in registry.codes()}


def denominations_for(country: str) -> tuple[Decimal, ...]:
    """The notes and coins a cash count of `country` offers."""
    return tuple(rules_for(country).denominations)


@dataclass(frozen=True)
class Shift:
    id: int
    establishment: str
    point: str
    cashier: str
    opened_at: str
    opening_float: Decimal
    closed_at: str | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass
class MethodLine:
    method: str  # the authority's payment code
    label: str
    expected: Decimal
    counted: Decimal | None = None  # None: not counted ("no contado"), never taken as zero

    @property
    def difference(self) -> Decimal | None:
        return None if self.counted is None else self.counted - self.expected


@dataclass
class ShiftReport:
    """X report while open, Z report at closing (then with counted amounts)."""

    shift: Shift
    kind: str  # 'X' | 'Z'
    sales_count: int
    sales_total: Decimal
    credit_notes_count: int
    credit_notes_total: Decimal
    cash_in: Decimal
    cash_out: Decimal
    methods: list[MethodLine]
    pending_documents: int
    rejected_documents: int
    generated_at: str
    denominations: dict[str, int] = field(default_factory=dict)
    cash_code: str = ""  # the authority's code of cash among `methods`
    # money given back for the shift's credit notes, by the authority's method code (cash refunds
    # leave the drawer: they are already taken off `methods[...].expected`)
    refunds: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cash_refunds(self) -> Decimal:
        return self.refunds.get(self.cash_code, ZERO)

    @property
    def expected_cash(self) -> Decimal:
        return next((m.expected for m in self.methods
                     if (m.method == self.cash_code if self.cash_code else is_cash(m.method))), ZERO)

    @property
    def total_difference(self) -> Decimal:
        return sum((m.difference for m in self.methods if m.difference is not None), ZERO)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["shift"] = asdict(self.shift)
        for m, src in zip(d["methods"], self.methods):
            m["difference"] = src.difference
        d["expected_cash"] = self.expected_cash
        d["total_difference"] = self.total_difference
        return json.loads(json.dumps(d, default=str))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _shift(row: sqlite3.Row) -> Shift:
    return Shift(row["id"], row["establishment"], row["point"], row["cashier"], row["opened_at"],
                 Decimal(row["opening_float"]), row["closed_at"], row["closed_by"])


def current(conn: sqlite3.Connection, establishment: str, point: str) -> Shift | None:
    row = conn.execute("SELECT * FROM shifts WHERE establishment=? AND point=? AND closed_at IS NULL",
                       (establishment, point)).fetchone()
    return _shift(row) if row else None


def get(conn: sqlite3.Connection, shift_id: int) -> Shift:
    row = conn.execute("SELECT * FROM shifts WHERE id=?", (shift_id,)).fetchone()
    if row is None:
        raise ValidationError(f"No existe el turno {shift_id}", field="turno")
    return _shift(row)


def history(conn: sqlite3.Connection, limit: int = 50) -> list[Shift]:
    return [_shift(r) for r in conn.execute("SELECT * FROM shifts ORDER BY id DESC LIMIT ?", (limit,))]


def open_shift(conn: sqlite3.Connection, establishment: str, point: str, cashier: str,
               opening_float) -> Shift:
    amount = _amount(opening_float, "fondo de caja", allow_zero=True)
    with transaction(conn):
        if conn.execute("SELECT 1 FROM shifts WHERE establishment=? AND point=? AND closed_at IS NULL",
                        (establishment, point)).fetchone():
            raise ValidationError("Ya hay un turno abierto en esta caja; ciérrelo antes de abrir otro",
                                  field="turno")
        cur = conn.execute("INSERT INTO shifts(establishment, point, cashier, opened_at, opening_float) "
                           "VALUES (?,?,?,?,?)", (establishment, point, cashier, _now(), str(amount)))
        shift_id = int(cur.lastrowid)
        audit.record(conn, "shift_open", cashier, {"shift": shift_id, "float": amount}, in_transaction=True)
    return get(conn, shift_id)


def _amount(value, name: str, *, allow_zero: bool = False) -> Decimal:
    try:
        d = to_decimal(value, field=name)
    except ValueError as exc:
        raise ValidationError(str(exc), field=name) from None
    if d < ZERO or (d == ZERO and not allow_zero):
        raise ValidationError(f"El {name} debe ser mayor que cero", field=name)
    if round_half_up(d, 2) != d:
        raise ValidationError(f"El {name} admite como máximo 2 decimales", field=name)
    return d


def cash_movement(conn: sqlite3.Connection, shift_id: int, kind: str, amount, reason: str, user: str) -> None:
    """Cash put in ('in', e.g. change from the bank) or taken out ('out', e.g. a supplier paid)."""
    if kind not in ("in", "out"):
        raise ValueError(kind)
    value = _amount(amount, "monto")
    if not reason.strip():
        raise ValidationError("Indique el motivo del movimiento de caja", field="motivo")
    with transaction(conn):
        conn.execute("INSERT INTO cash_movements(shift_id, at, kind, amount, reason, user_name) "
                     "VALUES (?,?,?,?,?,?)", (shift_id, _now(), kind, str(value), reason.strip(), user))
        audit.record(conn, "cash_movement", user, {"shift": shift_id, "kind": kind, "amount": value,
                                                   "reason": reason.strip()}, in_transaction=True)


def movements(conn: sqlite3.Connection, shift_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM cash_movements WHERE shift_id=? ORDER BY id", (shift_id,)).fetchall()


# this till's own sales (source 'pos'): documents issued by the ERP through the local API or
# the command line for the same point of sale did not go through this drawer
_IN_SHIFT = ("s.source='pos' AND d.establishment=? AND d.point=? AND julianday(s.created_at) >= julianday(?) "
             "AND (? IS NULL OR julianday(s.created_at) < julianday(?)) AND d.version=1")


def report(conn: sqlite3.Connection, shift_id: int, *, until: str | None = None) -> ShiftReport:
    """The X report: what the shift should hold now."""
    shift = get(conn, shift_id)
    end = shift.closed_at or until
    args = (shift.establishment, shift.point, shift.opened_at, end, end)
    sales = conn.execute(
        "SELECT d.id, d.kind, d.status, d.total, d.currency, s.country FROM sales s JOIN documents d ON d.sale_id = s.id "
        f"WHERE {_IN_SHIFT}", args).fetchall()
    # totals and payments in the till's currency: a foreign-currency document once, at its rate
    home = HomeAmounts(conn)
    in_home = lambda r, amount: home.home(amount, r["id"], r["country"], r["currency"])  # noqa: E731
    invoices = [r for r in sales if r["kind"] == "invoices" and r["status"] != st.CANCELLED]
    notes = [r for r in sales if r["kind"] == "credit-notes" and r["status"] != st.CANCELLED]
    country = _country(conn)
    cash = cash_code(country)
    by_method: dict[str, Decimal] = {cash: ZERO}
    for r in conn.execute(
            "SELECT p.method, p.amount, d.id, d.currency, s.country FROM payments p JOIN sales s ON s.id = p.sale_id "
            f"JOIN documents d ON d.sale_id = s.id WHERE d.kind='invoices' AND d.status<>? "
            f"AND {_IN_SHIFT}", (st.CANCELLED, *args)):
        by_method[r["method"]] = by_method.get(r["method"], ZERO) + in_home(r, r["amount"])
    refunds: dict[str, Decimal] = {}
    for r in conn.execute(  # what went back to customers for the shift's credit notes
            "SELECT p.method, p.amount, d.id, d.currency, s.country FROM payments p JOIN sales s ON s.id = p.sale_id "
            f"JOIN documents d ON d.sale_id = s.id WHERE d.kind='credit-notes' AND d.status<>? "
            f"AND {_IN_SHIFT}", (st.CANCELLED, *args)):
        refunds[r["method"]] = refunds.get(r["method"], ZERO) + in_home(r, r["amount"])
    for code, amount in refunds.items():
        by_method[code] = by_method.get(code, ZERO) - amount
    moves = movements(conn, shift_id)
    cash_in = sum((Decimal(m["amount"]) for m in moves if m["kind"] == "in"), ZERO)
    cash_out = sum((Decimal(m["amount"]) for m in moves if m["kind"] == "out"), ZERO)
    methods = []
    for code in sorted(by_method):
        expected = by_method[code]
        if code == cash:
            expected += shift.opening_float + cash_in - cash_out
        methods.append(MethodLine(code, payment_label(country, code), expected))
    pending = conn.execute("SELECT COUNT(*) FROM documents WHERE status IN (?,?) "
                           "AND establishment=? AND point=?",
                           (st.SIGNED, st.SENT, shift.establishment, shift.point)).fetchone()[0]
    rejected = conn.execute("SELECT COUNT(*) FROM documents WHERE status=? "
                            "AND establishment=? AND point=?",
                            (st.REJECTED, shift.establishment, shift.point)).fetchone()[0]
    return ShiftReport(shift, "X", len(invoices), sum((in_home(r, r["total"]) for r in invoices), ZERO),
                       len(notes), sum((in_home(r, r["total"]) for r in notes), ZERO), cash_in, cash_out,
                       methods, pending, rejected, _now(), cash_code=cash, refunds=refunds)


def count_cash(denominations: dict, country: str = "") -> Decimal:
    """Total of a count {denomination: pieces}. Raises ValidationError on nonsense."""
    total = ZERO
    allowed = denominations_for(country)
    for denom, pieces in denominations.items():
        d = to_decimal(denom)
        if d not in allowed:
            raise ValidationError(f"Denominación desconocida: {denom}", field="arqueo")
        if not isinstance(pieces, int) or pieces < 0:
            raise ValidationError(f"Cantidad no válida para {denom}: {pieces}", field="arqueo")
        total += d * pieces
    return total


def closing_warnings(conn: sqlite3.Connection, shift_id: int) -> list[str]:
    """What the cashier should know before closing (documents not yet accepted by the authority)."""
    rep = report(conn, shift_id)
    out = []
    if rep.pending_documents:
        rules = rules_for(_country(conn))
        out.append(f"Hay {rep.pending_documents} documento(s) todavía sin {rules.approval_word} "
                   f"por {rules.authority_phrase}. "
                   "Se seguirán enviando después del cierre; no apague el equipo sin conexión por días.")
    if rep.rejected_documents:
        out.append(f"Hay {rep.rejected_documents} documento(s) rechazado(s) que deben corregirse.")
    return out


def close_shift(conn: sqlite3.Connection, shift_id: int, *, denominations: dict, other_counts: dict,
                closed_by: str) -> ShiftReport:
    """Closes the shift with the cash count by denomination and the counted totals of the other
    methods ({authority code: amount}; a method left out, or None/blank, is "no contado": it has no
    counted amount and no difference, it is never taken as zero); stores the Z report. Irreversible."""
    country = _country(conn)
    cash = count_cash(denominations, country)
    others = {k: _amount(v, f"total contado de {payment_label(country, k)}", allow_zero=True)
              for k, v in other_counts.items() if v is not None and str(v).strip() != ""}
    with transaction(conn):
        shift = get(conn, shift_id)
        if not shift.is_open:
            raise ValidationError(f"El turno {shift_id} ya está cerrado", field="turno")
        closed_at = _now()
        rep = report(conn, shift_id, until=closed_at)
        rep.kind = "Z"
        rep.denominations = {str(k): v for k, v in denominations.items() if v}
        for m in rep.methods:
            m.counted = cash if m.method == rep.cash_code else others.get(m.method)
        rep.shift = Shift(**{**asdict(shift), "closed_at": closed_at, "closed_by": closed_by})
        conn.execute("UPDATE shifts SET closed_at=?, closed_by=?, counted_json=?, report_json=? WHERE id=?",
                     (closed_at, closed_by, json.dumps({"denominations": rep.denominations,
                                                        "cash": str(cash),
                                                        "others": {k: str(v) for k, v in others.items()}}),
                      json.dumps(rep.as_dict(), ensure_ascii=False), shift_id))
        audit.record(conn, "shift_close", closed_by, {"shift": shift_id, "difference": rep.total_difference,
                                                      "pending": rep.pending_documents}, in_transaction=True)
    return rep


def stored_z(conn: sqlite3.Connection, shift_id: int) -> dict | None:
    row = conn.execute("SELECT report_json FROM shifts WHERE id=?", (shift_id,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def report_text(rep: dict, width: int = 42) -> str:
    """Plain-text X/Z report (screen and 80 mm ticket) from `ShiftReport.as_dict()` or `stored_z`."""
    s = rep["shift"]

    def row(label: str, value) -> str:
        value = str(value)
        return f"{label[:width - len(value) - 1]:<{width - len(value)}}{value}"

    def local(iso):
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M") if iso else "—"

    title = "INFORME Z - CIERRE DE CAJA" if rep["kind"] == "Z" else "INFORME X - PARCIAL"
    out = [title.center(width), f"Turno N.º {s['id']}".center(width), "-" * width,
           row("Caja", f"{s['establishment']}-{s['point']}"), row("Cajero", s["cashier"]),
           row("Apertura", local(s["opened_at"])), row("Cierre", local(s.get("closed_at")))]
    if s.get("closed_by"):
        out.append(row("Cerrado por", s["closed_by"]))
    out += ["-" * width, row("Facturas", rep["sales_count"]), row("Total facturado", rep["sales_total"]),
            row("Notas de crédito", rep["credit_notes_count"]), row("Total notas de crédito", rep["credit_notes_total"]),
            "-" * width, row("Fondo inicial", s["opening_float"]), row("Ingresos de caja", rep["cash_in"]),
            row("Retiros de caja", rep["cash_out"])]
    cash_refunds = (rep.get("refunds") or {}).get(rep.get("cash_code") or "", None)
    if cash_refunds:
        out.append(row("Devoluciones (notas de crédito)", cash_refunds))
    out.append("-" * width)
    if rep["kind"] == "Z":
        out.append(f"{'Forma de pago':<18}{'Esperado':>8}{'Contado':>8}{'Dif.':>8}"[:width])
        for m in rep["methods"]:
            if m["counted"] is None:
                out.append(f"{m['label'][:17]:<18}{m['expected']:>8}{'no contado':>16}"[:width])
            else:
                out.append(f"{m['label'][:17]:<18}{m['expected']:>8}{m['counted']:>8}{m['difference']:>8}"[:width])
        out += ["-" * width, row("DIFERENCIA TOTAL", rep["total_difference"])]
    else:
        for m in rep["methods"]:
            out.append(row(f"Esperado {m['label']}", m["expected"]))
    out.append("-" * width)
    out.append(row("Documentos sin autorizar", rep["pending_documents"]))
    if rep["rejected_documents"]:
        out.append(row("Documentos rechazados", rep["rejected_documents"]))
    if rep.get("denominations"):
        out += ["-" * width, "Arqueo de efectivo:"]
        for d, n in rep["denominations"].items():
            out.append(row(f"  {n} x {d}", Decimal(d) * n))
    return "\n".join(out)
