"""The interface every country package (`fiscal/ec`, `fiscal/py`, a test's toy country) implements.

Generic code (core, store, pos, sync, devices, render, ui, cli) reaches a country only through
`app.fiscal.registry.country(code)` and the `Country` object below; it never compares country
codes. A country package provides one module per facet (`backend`, `till`, `setup`, `demo`,
`transport`, `printables`, `actions`), each exposing `FACET`; adding a country is a new package
plus one registry line, and nothing else changes shape.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Protocol

from app.core.company import Company
from app.core.status import EventStatus
from app.core.documents import Draft, Finding, SeriesKey, SignedDocument  # noqa: F401  (the interface's types)


class FiscalBackend(Protocol):
    country: str

    def parse(self, body: dict, kind: str, company: Company, *, now: datetime | None = None,
              **options: str) -> Draft:
        """Validates an issue request (the seed APIs' JSON) -> Draft, or raises
        `app.core.errors.ValidationError` naming every bad field. `options` are hints the backend
        interprets (e.g. `dialect` where it reads several JSON formats); unknown ones are refused.
        The Draft's `payments` are the request's own (authority code, amount), if it has any."""

    def draft_from_sale(self, sale: "Sale", company: Company, *, now: datetime | None = None) -> Draft:
        """The invoice of a till `Sale` (`app.core.sale`), built directly as the country's model;
        raises `ValidationError` / ValueError (Spanish) when it cannot be issued."""

    def draft_from_return(self, ret: "Return", company: Company, *, now: datetime | None = None) -> Draft:
        """The credit note of a till `Return` (`app.core.sale`), built directly as the country's
        model with the checks its input parsers apply; raises `ValidationError` (Spanish)."""

    def sign(self, draft: Draft, sequential: int, identity: Any, company: Company,
             *, now: datetime | None = None) -> SignedDocument:
        """Builds the XML for `sequential`, validates it against the XSD, signs it."""

    def verify(self, xml: bytes, **options) -> list[Finding]:
        """Checks any document of this authority (ours or anybody's)."""


class Country:
    """One country: its identity and its facets, each loaded lazily from `<package>.<facet>`.

    Facets (each module exposes `FACET`; its Protocol is documented beside the generic code
    that uses it):
    - `backend`: a `FiscalBackend` (parse input dialects, turn a `Sale` into a draft, sign, verify).
    - `till`: the POS rules the till applies (taxes, payment methods, buyer types and ID checks,
      money format, legal limits).
    - `setup`: company setup fields, environments and their validation.
    - `demo`: the demo company, certificate extras and demo sales.
    - `transport`: the worker protocol for the authority's web services and its sandbox.
    - `printables`: readers of the signed XML, the ticket model and the A4 PDF.
    - `actions`: what else can be done to a document (events, corrections) on Documentos.
    - `certificate`: a `CertificateProfile` (where the country's CAs write the RUC).
    - `api`: an `ApiFacet`, the local API's dialects of this country's seed services.
    - `forms`: a `Forms` (app/fiscal/forms.py), the documents and events made from the app's
      "Nuevo documento" dialog.
    """

    code: str = ""  # ISO 3166-1 alpha-2, what the company row stores
    name: str = ""  # "Ecuador"
    authority: str = ""  # "SRI"
    currency: str = ""  # ISO 4217 of the till's default currency
    timezone: str = ""  # IANA zone the authority dates documents in
    package: str = ""  # the Python package holding the facet modules
    input_dialects: tuple[str, ...] = ()  # JSON formats `issue --format` may force (when several)

    def __init__(self) -> None:
        self._facets: dict[str, Any] = {}

    def facet(self, name: str) -> Any:
        try:
            return self._facets[name]
        except KeyError:
            module = importlib.import_module(f"{self.package}.{name}")
            self._facets[name] = value = module.FACET
            return value

    def backend(self) -> "FiscalBackend":
        return self.facet("backend")

    def till(self) -> Any:
        return self.facet("till")

    def setup(self) -> Any:
        return self.facet("setup")

    def demo(self) -> Any:
        return self.facet("demo")

    def transport(self) -> Any:
        return self.facet("transport")

    def printables(self) -> Any:
        return self.facet("printables")

    def actions(self) -> Any:
        return self.facet("actions")

    def certificate(self) -> "CertificateProfile":
        return self.facet("certificate")

    def api(self) -> "ApiFacet":
        return self.facet("api")

    def forms(self) -> Any:
        """The `forms` facet (app/fiscal/forms.py `Forms`): what the "Nuevo documento" dialog offers."""
        return self.facet("forms")

    def owns_xml(self, head: bytes) -> bool:
        """Whether the first bytes of an XML document belong to this authority."""
        return False

    def __repr__(self) -> str:
        return f"<Country {self.code}>"


# ------------------------------------------------------------------ transport (the worker's side)

@dataclass
class Outcome:
    """What the worker does with an outbox job after one attempt. `apply(conn)` runs inside the
    worker's transaction (the store writes of the attempt)."""

    done: bool
    retry_in: float | None = None  # seconds; None with done=False means: the worker's backoff
    error: str | None = None
    apply: Callable[[Any], None] | None = None
    blocks_series: bool = False  # a failed send: later documents of the series must wait


class WorkerProtocol(Protocol):
    """What a country contributes to the sync worker for its outbox jobs (`job.country`).

    Either `prepare(conn, job)` (reads the store, on the worker thread; may return an Outcome
    directly) plus `execute(prepared) -> Outcome` (network only, runs in a pool thread), or a
    plain `handle(conn, job) -> Outcome`, run on the worker thread. A protocol may instead
    define `handle_batch(conn, jobs) -> list[Outcome]` (one per job, same order): the worker
    then hands it every job of its country claimed in one pass (SIFEN lotes). An optional
    `idle_work(conn) -> int` runs at the end of every pass for work kept outside the outbox.
    `job` is an `app.store.outbox.Job` (id, document_id, country, action, series, attempts)."""

    def handle(self, conn: Any, job: Any) -> Outcome: ...


@dataclass(frozen=True)
class OnlineQuery:
    """An inherently online question to the authority (`mostrador ruc`, `mostrador consulta`):
    `run(session, argument, timeout) -> fields`, an ordered dict whose "ok" says whether the
    answer is the hoped-for one (printed as JSON); `text(fields)` the human reading of it."""

    name: str  # the CLI command
    help: str  # Spanish
    argument: str  # the CLI argument's name
    run: Callable[[Any, str, float], dict]
    text: Callable[[dict], str]


class Transport(Protocol):
    """The `transport` facet: how the worker reaches the authority, and its sandbox.

    `session` is duck-typed (a `pos.session.Session`: `.company`, `.conn`, `.data.root`,
    `.identity`, `.setting(key, default)`); `stack` an `ExitStack` that closes what is opened."""

    deadline_hours: float  # legal transmission deadline (the `transmission.deadline_hours` default)
    online_queries: tuple[OnlineQuery, ...]

    def make_protocol(self, session: Any, stack: Any) -> WorkerProtocol:
        """The worker protocol for the company's environment; in `sandbox` it talks to the URL
        in the settings, or starts the embedded sandbox on loopback (closed by `stack`)."""

    def start_sandbox(self, session: Any, stack: Any, *, port: int = 0) -> Any:
        """Starts this authority's sandbox for the session's company (`.url`, `.stop()`)."""

    def serve_sandbox(self, port: int, rucs: list[str] | None, company: Any, folder: Any) -> None:
        """`mostrador sandbox`: serves in the foreground until interrupted, its state in `folder`
        (the data folder). Accepts `rucs` (`--ruc RUC[:EST,EST]`), else `company` when it is of
        this country, else any RUC."""


# ------------------------------------------------------------------ actions (Documentos)

@dataclass(frozen=True)
class Param:
    """A value an action asks for (one line of text); `hint` is the field's placeholder. Actions
    that ask a value of the same `name` share its field on screen. `width` is its share of the
    row, `min_width` its least width in pixels."""

    name: str
    label: str  # Spanish
    hint: str = ""
    width: int = 1
    min_width: int = 0


@dataclass(frozen=True)
class DocumentAction:
    """Something a person can do to one document on Documentos, besides the generic retry /
    reprint / credit note. `applies(doc)` gets the document row (status, kind, buyer_id, xml,
    authorized_at, …) and `now`; `perform(session, doc, values, now)` raises
    `app.core.errors.MostradorError` with a Spanish message when refused, and returns the Spanish
    confirmation. `shortcut` is the function key shown on the button."""

    id: str
    label: str  # Spanish, the button's text
    group: str  # Spanish, the row's caption ("Eventos SIFEN")
    applies: Callable[[Any, datetime], bool]
    perform: Callable[[Any, Any, dict, datetime], str]
    params: tuple[Param, ...] = ()
    shortcut: str = ""
    # True: it issues a new document, and `perform` also gets `commit=` (pos.checkout.commit,
    # which a country cannot import) as a keyword argument
    issues: bool = False


@dataclass(frozen=True)
class EventRow:
    """One event the company sent (or has queued) to the authority about a document, as the
    Eventos view lists it and its receipt prints it (`Actions.list_events`). Times are the
    stored ISO-8601 moments; texts are Spanish, the authority's messages verbatim."""

    id: str  # unique among the company's events (the view's selection key)
    kind: str  # the event's Spanish name: 'Cancelación'
    reference: str  # the document it concerns: its key (CDC, clave de acceso)
    number: str  # our document's number; '' for a document of another issuer
    status: EventStatus  # signed (queued) -> registered | rejected
    created_at: str  # signed and queued
    answered_at: str  # the authority's verdict; '' while queued
    reason: str  # the reason given ('' when the event asks none)
    protocol: str  # the authority's registration / protocol number, '' when none
    messages: tuple[tuple[str, str], ...] = ()  # (code, message verbatim) of the authority's answer
    pending_error: str = ""  # why a queued event has not gone yet (the last attempt's error)
    details: tuple[tuple[str, str], ...] = ()  # more (Spanish label, value) for the detail and receipt


class Actions(Protocol):
    """The `actions` facet: the country's document actions, and how Documentos words a document.

    Optional: `list_events(conn, *, limit=500, status=None) -> list[EventRow]`, every event of
    the company (newest first, at most `limit`, only `status`, an `EventStatus`, when given) for
    Documentos' Eventos view; a country without events to the authority does not define it."""

    approved_word: str  # 'autorizado' (SRI) | 'aprobado' (SIFEN): the label of `authorized`
    a4_name: str  # the A4 printable's name: 'RIDE' | 'KuDE'
    # optional: {document kind: the authority's name of it}, in Documentos' filter order; the
    # generic names of app.pos.till.KIND_LABELS stand in for a country that has none
    kind_labels: Mapping[str, str]
    document_actions: tuple[DocumentAction, ...]

    def describe(self, doc: Any, body: dict, money: Callable[[Any], str]) -> list[str]:
        """Spanish detail lines of a document below its title line (key, dates, buyer, what it
        modifies, items, totals) from its row and its stored request `body`; `money(amount)`
        formats an amount in the document's currency."""

    def explain(self, code: str, message: str) -> str:
        """A plain-Spanish explanation of one of the authority's messages (its code and verbatim
        text) and what to do about it; a generic one for a code it does not know."""


# ----------------------------------------------------------------------------------- till rules
# The `till` facet (`country.till()`): the POS rules the till applies. Used by app/pos (cart,
# checkout, catalog, shifts, reports, credit notes) and by the sale screens through them.

from collections.abc import Mapping, Sequence  # noqa: E402
from decimal import Decimal  # noqa: E402

from app.core.money import MoneyFormat  # noqa: E402
from app.core.sale import (IssuedLine, Party, PaymentMethod, Return, ReturnedLine, Sale, SaleLine,  # noqa: E402,F401
                           SaleTotals, TaxCategory)


class TillRules(Protocol):
    """What differs by country at the till. Attributes are constants; methods are pure."""

    money: MoneyFormat  # the till's currency: places, symbol, amount()/money()/parse(), change_word
    tax_categories: Mapping[str, TaxCategory]  # what Productos offers, in display order
    default_tax_category: str  # TaxCategory.code of a new product
    prices_include_tax: bool | None  # True: every price includes tax (no choice); None: each product says
    payment_methods: Mapping[str, PaymentMethod]  # by PaymentMethod.code, in the payment dialog's order
    cash_method: str  # PaymentMethod.code of cash ('efectivo'): gives change, counted at closing
    id_types: Mapping[str, str]  # buyer id type -> label, in the UI's order (the anonymous type last)
    anonymous_buyer: Party  # EC consumidor final, PY innominado
    anonymous_label: str  # 'Consumidor final' / 'Innominado'
    anonymous_limit: Decimal  # the legal limit of a sale to the anonymous buyer (see buyer_problem)
    anonymous_note: str  # the buyer box's line when nobody is identified: 'Consumidor final (hasta USD 50,00)'
    denominations: tuple[Decimal, ...]  # notes and coins of the cash count, largest first
    approval_word: str  # what the authority does to a good document: 'autorizar' / 'aprobar'
    authority_phrase: str  # the authority within a sentence: 'el SRI' / 'SIFEN'
    demo_products: tuple[tuple[str, str, str, str, str], ...]  # (code, barcode, name, price, tax category)
    demo_customers: tuple[tuple[str, str, str, str], ...]  # (id type, identification, name, email)
    # optional (read with getattr defaults): a sale in another currency and on credit at Cobrar
    foreign_currencies: Mapping[str, MoneyFormat]  # ISO 4217 -> format, what Cobrar's F9 may switch the sale to
    credit_method: str  # PaymentMethod.code of the payment that leaves the amount owed (a sale on credit)

    def is_anonymous(self, party: Party) -> bool:
        """Whether `party` is the anonymous buyer (nobody to remember or to credit)."""

    def detect_id_type(self, identification: str) -> str:
        """The buyer id type a typed number most likely is."""

    def identification_errors(self, id_type: str, identification: str) -> list[str]:
        """Spanish reasons why `identification` is not a valid number of `id_type` (check digits)."""

    def payment_label(self, authority_code: str) -> str:
        """The name of a stored payment code (PaymentMethod.authority_code or any other of the authority)."""

    def line_total(self, line: SaleLine) -> Decimal:
        """What the customer pays for one line (the screen's column)."""

    def billed_price(self, price: Decimal, tax_category: str, includes_tax: bool = True) -> Decimal:
        """Optional: what one unit at shelf `price` is billed at, tax included. A tax-included
        price the authority's rules cannot bill exactly is told to the cashier before charging
        (app.pos.cart.price_notice / line_notice); without this method, a one-unit line's
        `line_total` is used."""

    def tax_short_label(self, code: str) -> str:
        """A tax category in a narrow column: '15 %', 'Exento', 'No obj.'."""

    def totals_rows(self, totals: SaleTotals) -> list[tuple[str, Decimal]]:
        """The sale screen's totals box above the total: (Spanish label, amount) rows, bases and
        taxes as the authority's document presents them (e.g. 'Subtotal IVA 15 %', 'IVA 15 %')."""

    def totals(self, lines: Sequence[SaleLine]) -> SaleTotals:
        """The sale's totals with the authority's arithmetic (the same the invoice carries);
        raises ValueError (Spanish) for a line this country cannot sell."""

    def buyer_problem(self, sale: Sale) -> str | None:
        """Spanish reason why `sale` cannot be issued to its buyer (anonymous above the limit,
        bad identification, missing name), or None."""

    # -- what was issued, read back from a stored request (`sales.request_json`): the till's
    #    `Sale.as_dict()` or one of the country's input dialects
    def issued_lines(self, request: Mapping) -> list[IssuedLine]:
        """The lines of an issued invoice, in order."""

    def issued_buyer(self, request: Mapping) -> Party | None:
        """The buyer of an issued invoice."""

    # -- credit notes from the till (a return of some quantities of an invoice's lines)
    def credit_note_problem(self, invoice: Mapping, request: Mapping) -> str | None:
        """Why `invoice` (its documents row) cannot get a credit note (Spanish), or None."""

    def credited_quantities(self, request: Mapping, invoice: Mapping) -> dict[int, Decimal]:
        """{line index: quantity} that a stored credit-note request returned of `invoice`
        (empty when it belongs to another invoice): a till `Return` record or one of the
        country's input dialects (CLI/API)."""

    def returned_line(self, request: Mapping, line: IssuedLine, quantity: Decimal) -> "ReturnedLine":
        """`quantity` units of invoice `line` given back, with what else the invoice line carried
        (its other taxes; `extra`, the country's own facts: JSON-able strings only it reads); the
        till's `Return` is made of these and the country's backend builds the credit note from it
        (`FiscalBackend.draft_from_return`)."""

    def return_buyer_extra(self, request: Mapping) -> Mapping:
        """What the credit note must copy of the invoice's buyer besides `issued_buyer` (a
        `Party`): the `Return.buyer_extra` only this country reads (JSON scalars), often empty."""

    def credit_note_total(self, ret: "Return") -> Decimal:
        """What the credit note of `ret` gives back, to show before issuing."""

    # -- optional: foreign currency and credit at Cobrar (app/ui/payment_dialog.py), place catalogs
    def parse_exchange_rate(self, text: str) -> Decimal:
        """Optional: the day's rate typed by the cashier (till's currency per unit); ValueError (Spanish)."""

    def exchange_rate_text(self, rate: Decimal) -> str:
        """Optional: a stored rate as the cashier types it."""

    def foreign_total(self, lines: Sequence[SaleLine], currency: str, rate: Decimal) -> Decimal:
        """Optional: what the invoice of `lines` in `currency` at `rate` totals (its XML's arithmetic)."""

    def credit_terms(self, extra: Mapping, amount: Decimal, issued: Any, *, currency: str = "") -> list[str]:
        """Optional: Spanish lines of the cuotas or term a credit payment's fields give; ValueError (Spanish)."""

    def place_choices(self, key: str, cells: Mapping[str, str]) -> list[tuple[str, str]] | None:
        """Optional: (code, label) to choose setup place field `key` from (None: typed freely)."""


# ----------------------------------------------------------------------------------- setup rules
# The `setup` facet (`country.setup()`): what the first-run wizard and Configuración ask for a
# company of this country, and how it is checked. Used by app/pos/setup.py and app/ui/setup_pages.py.

@dataclass(frozen=True)
class SetupField:
    """One input the setup pages render generically (a row of the company page, or a column of
    the establishments table). Values travel as `{key: value}`: str for 'text' and 'secret'
    (stripped), bool for 'check', the chosen value for 'choice'."""

    key: str
    label: str  # Spanish; a 'check' shows it beside the box
    kind: str = "text"  # 'text' | 'secret' (kept only in the keyring) | 'check' | 'choice'
    placeholder: str = ""
    placeholder_saved: str = ""  # a 'secret' already saved: what an empty field means
    required: bool = False  # marked on the input; the country's company_errors says why it is missing
    max_length: int = 0  # 0: no limit
    choices: tuple[tuple[Any, str], ...] = ()  # 'choice': (value, Spanish label)
    default: Any = ""  # value of a fresh input
    check: Callable[[str], str | None] | None = None  # a typed text's problem (Spanish), or None


class SetupRules(Protocol):
    """What a company of this country must declare. Pure, except `store_secrets` (the keyring)."""

    environments: Mapping[str, str]  # 'sandbox' | 'pruebas' | 'produccion' -> Spanish label
    company_fields: tuple[SetupField, ...]  # the company page's rows, in order
    establishment_fields: tuple[SetupField, ...]  # extra columns of the establishments table
    point_name: str  # 'punto de emisión' / 'punto de expedición'
    establishment_hint: str  # the establishments page's help line

    def field_values(self, company: Company) -> dict[str, Any]:
        """{company field key: value} to show for a saved company (secrets never included)."""

    def company_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """`Company` keyword arguments from the company fields' values (secrets left out)."""

    def establishment_cells(self, establishment: Any) -> dict[str, str]:
        """{establishment field key: text} of a saved `Establishment`."""

    def establishment_values(self, cells: Mapping[str, str]) -> dict[str, Any]:
        """`Establishment` keyword arguments from the extra columns' texts."""

    def place_names(self, cells: Mapping[str, str]) -> str:
        """What the codes typed in an establishment's row mean ('CENTRAL · LUQUE'), or ''."""

    def company_errors(self, company: Company) -> list[Any]:
        """Every problem of `company` (`app.core.errors.FieldError`, Spanish, naming its field:
        'ruc', 'establishments[0].code', …) that would make its first document fail."""

    def secret_errors(self, company: Company, secrets: Mapping[str, str | None]) -> list[Any]:
        """Problems (FieldError) of the 'secret' fields' values; None = keep the stored one."""

    def store_secrets(self, company: Company, secrets: Mapping[str, str | None]) -> None:
        """Saves the given secrets in the OS keyring (never the database); None = keep."""


# ------------------------------------------------------------------------------------ demo data
# The `demo` facet (`country.demo()`): a throwaway company of this country for `mostrador demo`,
# the screenshots and tests. Used by app/pos/demo.py, app/ui/main.py and app/ui/screenshots.py.

@dataclass(frozen=True)
class DemoSalePlan:
    """A sale rung up at the till for the screenshots: product codes of the demo catalog, the
    buyer (None: the anonymous one) and tenders (method code, amount; None = the total)."""

    codes: tuple[str, ...]
    buyer: Party | None = None
    tenders: tuple[tuple[str, Decimal | None], ...] = (("efectivo", None),)


@dataclass(frozen=True)
class DemoShowcase:
    """What the screenshots show for this country: `sales` are transmitted before the screens
    are drawn, `pending` issued afterwards (they stay queued); a credit note for `credit_reason`
    returns one unit of the first line of the first authorized invoice to `credit_buyer`; Venta
    shows `cart` (scanner entries) with `discount` on its second line, sold to `buyer_id`
    (`buyer_name` typed when the catalog does not know it); Cobrar shows `tenders` typed."""

    sales: tuple[DemoSalePlan, ...]
    pending: tuple[DemoSalePlan, ...] = ()
    credit_buyer: str = ""
    credit_reason: str = ""
    cart: tuple[str, ...] = ()
    discount: str = ""
    buyer_id: str = ""
    buyer_name: str = ""
    tenders: tuple[tuple[str, str], ...] = ()


class DemoData(Protocol):
    """The demo company and what to do with it."""

    company: Company  # environment 'sandbox', extra={'demo': True}
    opening_float: Decimal  # cash in the drawer of the demo shift
    showcase: DemoShowcase

    def ensure_secrets(self, company: Company) -> None:
        """Stores in the keyring what else the demo company needs to sign (test secrets)."""

    def sale_body(self, company: Company, rng: Any, n: int, *, estab: str, point: str) -> tuple[dict, str]:
        """The n-th varied demo sale as an issue request of the country's input adapter: (body, kind)."""


# ----------------------------------------------------------------------------------- printables
# The `printables` facet (`country.printables()`): what is printed of a stored signed document.
# Used by app/pos/printing.py; built on the generic primitives of app/devices (the ticket model,
# rendered to ESC/POS, PDF and PNG by width) and app/render (xmlread, fonts, barcodes).

class Printables(Protocol):
    """Readers of the signed XML and what is printed from it: only what the signed bytes say,
    plus `extras`, what only the till knows (every key optional): 'environment' (the company's:
    'sandbox' | 'pruebas' | 'produccion'), 'copy' (a reprint: marked "REIMPRESIÓN - COPIA"),
    'authorization' {'numero', 'fecha'}, 'payments' [{'method', 'amount'}], 'tendered',
    'change', 'change_currency' (ISO 4217 the change was given in, when Cobrar recorded one),
    'logo' (an image file)."""

    def read(self, xml: bytes, *, environment: str | None = None) -> Any:
        """The printable model of a signed document of this authority; ValueError (Spanish)
        when the XML is not one."""

    def ticket(self, document: Any, extras: dict | None = None, company: Company | None = None) -> Any:
        """The ticket (`app.devices.ticket.Ticket`: width-independent elements, `cash_payment`
        to kick the drawer, `copy`, `key`) of `document`: signed XML bytes or a `read` model."""

    def a4_pdf(self, xml: bytes, extras: dict | None = None, company: Company | None = None) -> bytes:
        """The A4 printable (RIDE, KuDE) as PDF bytes."""


# --------------------------------------------------------------------------- certificate profile
# The `certificate` facet (`country.certificate()`): how this country's CAs write the taxpayer
# number in a signing certificate. Used by app/fiscal/signing.py (`load_identity`,
# `generate_test_p12`) and, through it, by app/pos (session, setup, demo).

class CertificateProfile(Protocol):
    """Pure functions over `cryptography.x509` objects; signing.py's `extension_texts` and
    `subject_texts` read a certificate's values as text."""

    def ruc_of(self, cert: Any) -> str | None:
        """The RUC the CA wrote in `cert` (an `x509.Certificate`), normalized as the company
        stores it, or None when it carries none this country recognizes."""

    def ruc_matches(self, found: str | None, expected: str) -> bool:
        """Whether the certificate's RUC (`ruc_of`, maybe None) is the company's `expected` one."""

    def test_subject(self, ruc: str, holder: str) -> tuple[list[Any], list[Any]]:
        """How a throwaway test certificate of `holder` carries `ruc`, as this country's CAs do:
        (subject `x509.NameAttribute`s in order, extra non-critical `x509.ExtensionType`s)."""


# ------------------------------------------------------------------------------ local API dialects
# The `api` facet (`country.api()`): the seed services' REST dialects this country offers on the
# local API (app/api mounts each at `/<name>/`). Pure request -> response functions over an
# `ApiContext` the generic code provides; no HTTP framework here.

@dataclass(frozen=True)
class ApiRequest:
    """One call, already read: `params` from the path, `query` and lower-case `headers`, `body`
    the parsed JSON (None when there was none)."""

    method: str
    params: dict
    query: dict
    headers: dict
    body: Any = None


@dataclass
class ApiResponse:
    """`body` is JSON-able; or `content` raw bytes of `media_type`."""

    status: int = 200
    body: Any = None
    content: bytes | None = None
    media_type: str = "application/json"


@dataclass(frozen=True)
class ApiRoute:
    method: str  # 'GET' | 'POST'
    path: str  # below the dialect's prefix, Starlette syntax: '/invoices/{id}'
    handler: Callable[[Any, ApiRequest], ApiResponse]  # (ApiContext, request)
    summary: str  # Spanish, for the OpenAPI description
    public: bool = False  # answered without a key (a service's health check)


class ApiDialect(Protocol):
    """One seed service's REST interface. `credentials(req)` -> (key, password) as the service's
    clients send them (None when absent); `error(status, message, errors)` the service's error
    envelope (`errors`: `app.core.errors.FieldError`s naming the fields)."""

    name: str  # the path prefix and the `--dialect` of a key: 'datil'
    title: str
    checks_password: bool  # the certificate's password travels with each call (Dátil's X-Password)
    routes: tuple[ApiRoute, ...]

    def credentials(self, req: ApiRequest) -> tuple[str | None, str | None]: ...

    def error(self, status: int, message: str, errors: list | None = None) -> ApiResponse: ...


class ApiFacet(Protocol):
    dialects: Mapping[str, ApiDialect]  # name -> dialect
