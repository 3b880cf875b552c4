"""Products and customers: create, edit, search, deactivate, CSV import/export.

CSV import is two steps so the owner sees what will happen: `preview_*_csv` parses and
validates every row (errors per row, in Spanish), `apply_*` writes the good rows at once.
"""
from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from app.core.errors import FieldError, NotFoundError, ValidationError
from app.core.money import ZERO, to_decimal
from app.pos.cart import TAX_CATEGORIES, rules_for, rules_for_id_type
from app.store.db import transaction


def _country(conn: sqlite3.Connection) -> str:
    """The company's country code ('' before setup: the first registered country)."""
    from app.core.errors import ConfigurationError
    from app.store import settings

    try:
        return settings.load_company(conn).country
    except ConfigurationError:
        return ""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ----------------------------------------------------------------------------------- products

@dataclass
class Product:
    code: str
    name: str
    price: Decimal
    tax_category: str = ""  # a TaxCategory.code of the country's till rules
    price_includes_tax: bool = True
    barcode: str = ""
    active: bool = True
    id: int | None = None


def _product(row: sqlite3.Row) -> Product:
    return Product(row["code"], row["name"], Decimal(row["price"]), row["tax_category"],
                   bool(row["price_includes_tax"]), row["barcode"] or "", bool(row["active"]), row["id"])


def product_errors(p: Product) -> list[FieldError]:
    errors = []
    if not p.code.strip():
        errors.append(FieldError("code", "El código es obligatorio"))
    elif len(p.code) > 25:
        errors.append(FieldError("code", "El código tiene como máximo 25 caracteres"))
    if not p.name.strip():
        errors.append(FieldError("name", "El nombre es obligatorio"))
    elif len(p.name) > 300:
        errors.append(FieldError("name", "El nombre tiene como máximo 300 caracteres"))
    if not isinstance(p.price, Decimal) or p.price < ZERO:
        errors.append(FieldError("price", "El precio debe ser un número mayor o igual a cero"))
    elif p.price.as_tuple().exponent < -6:
        errors.append(FieldError("price", "El precio admite hasta 6 decimales"))
    if p.tax_category not in TAX_CATEGORIES:
        errors.append(FieldError("tax_category", f"Categoría de IVA desconocida: {p.tax_category}"))
    if p.barcode and (len(p.barcode) > 40 or not p.barcode.isprintable()):
        errors.append(FieldError("barcode", "Código de barras no válido"))
    return errors


def save_product(conn: sqlite3.Connection, p: Product) -> Product:
    """Inserts or updates (by id, else by code). Raises ValidationError."""
    p.code, p.name, p.barcode = p.code.strip(), p.name.strip(), (p.barcode or "").strip()
    errors = product_errors(p)
    if errors:
        raise ValidationError(errors)
    with transaction(conn):
        _write_product(conn, p)
    return p


def _write_product(conn: sqlite3.Connection, p: Product) -> None:
    clash = conn.execute("SELECT id, code FROM products WHERE barcode=? AND barcode<>'' AND code<>?",
                         (p.barcode, p.code)).fetchone() if p.barcode else None
    if clash and clash["id"] != p.id:
        raise ValidationError(f"El código de barras {p.barcode} ya es del producto {clash['code']}",
                              field="barcode")
    values = (p.code, p.barcode or None, p.name, str(p.price), int(p.price_includes_tax),
              p.tax_category, int(p.active), _now())
    if p.id is None:
        row = conn.execute("SELECT id FROM products WHERE code=?", (p.code,)).fetchone()
        p.id = row["id"] if row else None
    if p.id is None:
        cur = conn.execute("INSERT INTO products(code, barcode, name, price, price_includes_tax, "
                           "tax_category, active, updated_at) VALUES (?,?,?,?,?,?,?,?)", values)
        p.id = int(cur.lastrowid)
    else:
        other = conn.execute("SELECT id FROM products WHERE code=? AND id<>?", (p.code, p.id)).fetchone()
        if other:
            raise ValidationError(f"Ya existe otro producto con el código {p.code}", field="code")
        conn.execute("UPDATE products SET code=?, barcode=?, name=?, price=?, price_includes_tax=?, "
                     "tax_category=?, active=?, updated_at=? WHERE id=?", (*values, p.id))


def set_product_active(conn: sqlite3.Connection, product_id: int, active: bool) -> None:
    with transaction(conn):
        conn.execute("UPDATE products SET active=?, updated_at=? WHERE id=?", (int(active), _now(), product_id))


def find_product(conn: sqlite3.Connection, code: str) -> Product | None:
    """An active product by barcode or code, exactly as typed or scanned."""
    code = code.strip()
    if not code:
        return None
    row = conn.execute("SELECT * FROM products WHERE active=1 AND (barcode=? OR code=?) "
                       "ORDER BY barcode=? DESC LIMIT 1", (code, code, code)).fetchone()
    return _product(row) if row else None


def get_product(conn: sqlite3.Connection, product_id: int) -> Product:
    row = conn.execute("SELECT * FROM products WHERE id=?", (product_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"No existe el producto {product_id}")
    return _product(row)


def search_products(conn: sqlite3.Connection, text: str = "", *, include_inactive: bool = False,
                    limit: int = 200) -> list[Product]:
    """Every word must appear in the name, code or barcode (case-insensitive)."""
    sql, args = "SELECT * FROM products WHERE 1=1", []
    if not include_inactive:
        sql += " AND active=1"
    for word in text.split():
        sql += " AND (name LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\' OR barcode LIKE ? ESCAPE '\\')"
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        args += [like, like, like]
    return [_product(r) for r in conn.execute(sql + " ORDER BY name LIMIT ?", (*args, limit))]


# ----------------------------------------------------------------------------------- customers

@dataclass
class Customer:
    identification: str
    name: str
    id_type: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    active: bool = True
    id: int | None = None


def _customer(row: sqlite3.Row) -> Customer:
    return Customer(row["identification"], row["name"], row["id_type"], row["email"], row["phone"],
                    row["address"], bool(row["active"]), row["id"])


def customer_errors(c: Customer) -> list[FieldError]:
    rules = rules_for_id_type(c.id_type)
    if rules is None:
        return [FieldError("id_type", f"Tipo de identificación desconocido: {c.id_type}")]
    errors = [FieldError("identification", m) for m in rules.identification_errors(c.id_type, c.identification)]
    if c.id_type == rules.anonymous_buyer.id_type:
        errors.append(FieldError("id_type", f"{rules.anonymous_label} no se registra como cliente"))
    if not c.name.strip():
        errors.append(FieldError("name", "El nombre o razón social es obligatorio"))
    if c.email and ("@" not in c.email or " " in c.email.strip()):
        errors.append(FieldError("email", f"Correo electrónico no válido: {c.email}"))
    return errors


def save_customer(conn: sqlite3.Connection, c: Customer) -> Customer:
    c.identification, c.name = c.identification.strip(), c.name.strip()
    c.id_type = c.id_type or rules_for(_country(conn)).detect_id_type(c.identification)
    errors = customer_errors(c)
    if errors:
        raise ValidationError(errors)
    with transaction(conn):
        _write_customer(conn, c)
    return c


def _write_customer(conn: sqlite3.Connection, c: Customer) -> None:
    values = (c.id_type, c.identification, c.name, c.email.strip(), c.phone.strip(), c.address.strip(),
              int(c.active), _now())
    if c.id is None:
        row = conn.execute("SELECT id FROM customers WHERE identification=?", (c.identification,)).fetchone()
        c.id = row["id"] if row else None
    if c.id is None:
        cur = conn.execute("INSERT INTO customers(id_type, identification, name, email, phone, address, "
                           "active, updated_at) VALUES (?,?,?,?,?,?,?,?)", values)
        c.id = int(cur.lastrowid)
    else:
        conn.execute("UPDATE customers SET id_type=?, identification=?, name=?, email=?, phone=?, "
                     "address=?, active=?, updated_at=? WHERE id=?", (*values, c.id))


def set_customer_active(conn: sqlite3.Connection, customer_id: int, active: bool) -> None:
    with transaction(conn):
        conn.execute("UPDATE customers SET active=?, updated_at=? WHERE id=?", (int(active), _now(), customer_id))


def find_customer(conn: sqlite3.Connection, identification: str) -> Customer | None:
    row = conn.execute("SELECT * FROM customers WHERE identification=?", (identification.strip(),)).fetchone()
    return _customer(row) if row else None


def search_customers(conn: sqlite3.Connection, text: str = "", *, include_inactive: bool = False,
                     limit: int = 200) -> list[Customer]:
    sql, args = "SELECT * FROM customers WHERE 1=1", []
    if not include_inactive:
        sql += " AND active=1"
    for word in text.split():
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql += " AND (name LIKE ? ESCAPE '\\' OR identification LIKE ? ESCAPE '\\')"
        args += [like, like]
    return [_customer(r) for r in conn.execute(sql + " ORDER BY name LIMIT ?", (*args, limit))]


# ----------------------------------------------------------------------------------- CSV

PRODUCT_COLUMNS = ("codigo", "codigo_barras", "nombre", "precio", "precio_incluye_iva", "categoria_iva", "activo")
CUSTOMER_COLUMNS = ("tipo_identificacion", "identificacion", "nombre", "email", "telefono", "direccion", "activo")
_YES = {"si", "sí", "s", "1", "true", "x", "yes"}
_NO = {"no", "n", "0", "false", ""}


@dataclass
class CsvRow:
    line: int  # 1-based line of the file (header = 1)
    item: object | None
    errors: list[str] = field(default_factory=list)


@dataclass
class CsvPreview:
    rows: list[CsvRow]

    @property
    def good(self) -> list:
        return [r.item for r in self.rows if not r.errors]

    @property
    def bad(self) -> list[CsvRow]:
        return [r for r in self.rows if r.errors]


def _reader(text: str, required: tuple[str, ...]) -> csv.DictReader:
    text = text.lstrip("\ufeff")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(f"Faltan columnas en el CSV: {', '.join(missing)}. "
                              f"Columnas esperadas: {', '.join(required)}", field="csv")
    reader.fieldnames = header
    return reader


def _flag(value: str | None, default: bool, name: str, errors: list[str]) -> bool:
    v = (value or "").strip().lower()
    if not v:
        return default
    if v in _YES:
        return True
    if v in _NO:
        return False
    errors.append(f"{name}: escriba sí o no (no '{value}')")
    return default


def preview_products_csv(text: str, country: str = "") -> CsvPreview:
    rules = rules_for(country)
    reader = _reader(text, ("codigo", "nombre", "precio"))
    rows, seen = [], set()
    for row in reader:
        errors: list[str] = []
        get = lambda k: (row.get(k) or "").strip()  # noqa: E731
        try:
            price = to_decimal(get("precio").replace(",", ".") if get("precio").count(",") == 1
                               and "." not in get("precio") else get("precio"), field="precio")
        except ValueError as exc:
            errors.append(str(exc))
            price = ZERO
        p = Product(get("codigo"), get("nombre"), price, get("categoria_iva") or rules.default_tax_category,
                    _flag(row.get("precio_incluye_iva"), True, "precio_incluye_iva", errors),
                    get("codigo_barras"), _flag(row.get("activo"), True, "activo", errors))
        errors += [e.message for e in product_errors(p)]
        if p.tax_category in TAX_CATEGORIES and p.tax_category not in rules.tax_categories:
            errors.append(f"categoria_iva {p.tax_category} no es de este país "
                          f"(use {', '.join(rules.tax_categories)})")
        if rules.money.places == 0 and price != price.to_integral_value():
            errors.append(f"En {rules.money.plural} el precio no lleva decimales")
        if p.code and p.code in seen:
            errors.append(f"El código {p.code} está repetido en el archivo")
        seen.add(p.code)
        rows.append(CsvRow(reader.line_num, p, errors))
    return CsvPreview(rows)


def apply_products(conn: sqlite3.Connection, products: list[Product]) -> int:
    """Writes every product in one transaction (all or nothing)."""
    with transaction(conn):
        for p in products:
            _write_product(conn, p)
    return len(products)


def export_products_csv(conn: sqlite3.Connection) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(PRODUCT_COLUMNS)
    for p in search_products(conn, include_inactive=True, limit=1_000_000):
        w.writerow([p.code, p.barcode, p.name, str(p.price), "si" if p.price_includes_tax else "no",
                    p.tax_category, "si" if p.active else "no"])
    return out.getvalue()


def preview_customers_csv(text: str, country: str = "") -> CsvPreview:
    rules = rules_for(country)
    reader = _reader(text, ("identificacion", "nombre"))
    rows, seen = [], set()
    for row in reader:
        errors: list[str] = []
        get = lambda k: (row.get(k) or "").strip()  # noqa: E731
        ident = get("identificacion")
        c = Customer(ident, get("nombre"), get("tipo_identificacion") or rules.detect_id_type(ident),
                     get("email"), get("telefono"), get("direccion"),
                     _flag(row.get("activo"), True, "activo", errors))
        errors += [e.message for e in customer_errors(c)]
        if ident and ident in seen:
            errors.append(f"La identificación {ident} está repetida en el archivo")
        seen.add(ident)
        rows.append(CsvRow(reader.line_num, c, errors))
    return CsvPreview(rows)


def apply_customers(conn: sqlite3.Connection, customers: list[Customer]) -> int:
    with transaction(conn):
        for c in customers:
            _write_customer(conn, c)
    return len(customers)


def export_customers_csv(conn: sqlite3.Connection) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CUSTOMER_COLUMNS)
    for c in search_customers(conn, include_inactive=True, limit=1_000_000):
        w.writerow([c.id_type, c.identification, c.name, c.email, c.phone, c.address,
                    "si" if c.active else "no"])
    return out.getvalue()


# ----------------------------------------------------------------------------------- demo data

def seed_demo_catalog(conn: sqlite3.Connection, country: str = "") -> None:
    """Fills an empty catalog with the country's small demo assortment (demo mode, screenshots,
    tests): `TillRules.demo_products` and `demo_customers`. `country` defaults to the company's."""
    if conn.execute("SELECT COUNT(*) FROM products").fetchone()[0]:
        return
    rules = rules_for(country or _country(conn))
    apply_products(conn, [Product(c, n, Decimal(p), t, True, b) for c, b, n, p, t in rules.demo_products])
    # identification checks run on save; demo numbers are written directly
    with transaction(conn):
        for t, i, n, e in rules.demo_customers:
            _write_customer(conn, Customer(i, n, t, e))
