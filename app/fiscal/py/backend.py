"""SIFEN behind the common interface: FacturaSend / DTEpy JSON → Draft → numbered, signed,
XSD-valid rDE with its QR.

The body's own `numero` is ignored (with a warning): Mostrador numbers each series (type,
establishment, point) itself inside the sale's transaction, without gaps. The CSC secret comes
from the keyring (`csc:<RUC>`); the public test CSC is used only outside production.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from app.core.company import Company
from app.core.errors import ConfigurationError, ValidationError
from app.fiscal.base import Draft, Finding, SeriesKey, SignedDocument
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import dsig, dtepy, facturasend, qr, sale_draft, schema, xml_build
from app.fiscal.py import geo
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py.draft_model import KIND_BY_TYPE, PyDraftModel, aware_local
from app.fiscal.py.model import Document

DIALECTS = ("facturasend", "dtepy")
# MT §6.2.1: transmission after 72 h is "extemporánea" (1005); dFeEmiDE more than 720 h in
# the past (1150) or 120 h in the future (1151) can no longer be approved.
LATE_AFTER = timedelta(hours=72)
PAST_LIMIT = timedelta(hours=720)
FUTURE_LIMIT = timedelta(hours=120)


def csc_account(ruc: str) -> str:
    return f"csc:{ruc}"


def detect_dialect(body: dict) -> str:
    """DTEpy bodies carry transport keys (token, pin, id, envio_pend) or lower-case
    `infocuotas`; everything else is read as FacturaSend."""
    if not isinstance(body, dict):
        return "facturasend"
    if any(k in body for k in dtepy.TRANSPORT_KEYS):
        return "dtepy"
    cond = body.get("condicion")
    credito = cond.get("credito") if isinstance(cond, dict) else None
    if isinstance(credito, dict) and "infocuotas" in credito:
        return "dtepy"
    return "facturasend"


class PyBackend:
    country = "PY"

    def __init__(self):
        self._csc: dict[str, tuple[str, str]] = {}

    # -- parse -----------------------------------------------------------------------------
    def parse(self, body: dict, kind: str, company: Company, *, now: datetime | None = None,
              dialect: str | None = None) -> Draft:
        if not isinstance(body, dict):
            raise ValidationError("Se esperaba un objeto JSON con los campos del documento")
        if dialect is not None and dialect not in DIALECTS:
            raise ValidationError(f"Formato desconocido '{dialect}': use facturasend o dtepy", field="format")
        dialect = dialect or detect_dialect(body)
        now = now or datetime.now(timezone.utc)
        warnings: list[str] = []
        body = dict(body)
        given_number = body.get("numero")
        if given_number in (None, ""):
            body["numero"] = 1  # the parsers require it; ours is assigned at signing
        if body.get("fecha") in (None, ""):  # absent means now; `false`, 0... are refused by the reader
            body["fecha"] = xml_build.local_naive(now).isoformat()
        parsed = (dtepy.parse(body) if dialect == "dtepy" else facturasend.parse(body))
        doc = parsed.model
        warnings.extend(parsed.warnings)
        if given_number not in (None, ""):
            warnings.append(f"Se ignora el número {given_number} del documento: Mostrador asigna el "
                            "siguiente número de la serie (establecimiento-punto) sin saltos")
        if parsed.cdc:
            warnings.append("Se ignora el CDC indicado: Mostrador calcula el CDC con su propio número")
        for p in doc.payments:
            if p.card is not None and p.card.last4 and not p.card.last4.strip("0"):
                warnings.append(f"Tarjeta terminada en {p.card.last4}: SIFEN solo admite números positivos "
                                "en dNumTarj, así que el documento no lleva los últimos dígitos")
        if kind not in ("invoices", KIND_BY_TYPE[doc.doc_type]):
            raise ValidationError(f"El tipo de documento {doc.doc_type} ({doc.document_type.description}) "
                                  f"no corresponde a '{kind}'", field="tipoDocumento")
        try:
            est = company.establishment(doc.establishment)
        except KeyError:
            raise ValidationError(f"El establecimiento {doc.establishment} no está configurado en la empresa",
                                  field="establecimiento") from None
        if doc.point not in {p.code for p in est.points}:
            raise ValidationError(f"El punto de expedición {doc.point} no existe en el establecimiento "
                                  f"{doc.establishment}", field="punto")
        issued = aware_local(doc.issued_at)
        if issued < now - PAST_LIMIT:
            raise ValidationError("La fecha de emisión tiene más de 30 días: SIFEN ya no la aprobaría (1150)",
                                  field="fecha")
        if issued > now + FUTURE_LIMIT:
            raise ValidationError("La fecha de emisión está más de 5 días en el futuro (1151)", field="fecha")
        if issued < now - LATE_AFTER:
            warnings.append("La fecha de emisión tiene más de 72 horas: SIFEN la aprobará como "
                            "transmisión extemporánea (1005)")
        loc = doc.receiver.location
        if loc is not None and not geo.consistent(loc.departamento, loc.distrito, loc.ciudad):
            raise ValidationError(f"La ciudad {loc.ciudad} no pertenece al distrito {loc.distrito} / departamento "
                                  f"{loc.departamento} (tabla geográfica de SIFEN, 1326/1329)", field="cliente.ciudad")
        xml_build.check_rules(doc, company.ruc)  # SIFEN's offline rules, before any number is taken
        total, currency = self._total(doc)
        r = doc.receiver
        buyer_id = ruc_mod.format_ruc(r.ruc, r.ruc_dv) if r.contribuyente else (r.id_number or "0")
        return Draft(country="PY", kind=KIND_BY_TYPE[doc.doc_type],
                     series=SeriesKey(str(doc.doc_type), doc.establishment, doc.point),
                     issued_at=issued, total=total, currency=currency, buyer_id=buyer_id,
                     buyer_name=r.name, model=PyDraftModel(doc, parsed.security_code, dialect),
                     warnings=warnings)

    def draft_from_sale(self, sale, company: Company, *, now: datetime | None = None) -> Draft:
        return sale_draft.draft_from_sale(self, sale, company, now=now)

    def draft_from_return(self, ret, company: Company, *, now: datetime | None = None) -> Draft:
        """The nota de crédito of a till `Return`, built directly (app.fiscal.py.return_draft)."""
        from app.fiscal.py import return_draft

        return return_draft.draft_from_return(ret, company, now=now)

    @staticmethod
    def _total(doc: Document) -> tuple[Decimal, str]:
        return doc.total(), doc.currency  # the model's totals, computed once (also for the XML)

    # -- sign ------------------------------------------------------------------------------
    def csc_for(self, company: Company) -> tuple[str, str]:
        """(IdCSC, CSC): the keyring's secret; in sandbox/pruebas the public test CSC when none
        is stored. Production without a stored CSC is a configuration error. Cached per RUC."""
        from app.fiscal import signing

        if company.ruc not in self._csc:
            csc_id = company.csc_id or "0001"
            secret = signing.load_secret(csc_account(company.ruc))
            if secret is None:
                if company.environment == "produccion":
                    raise ConfigurationError("Falta el CSC (código de seguridad del contribuyente) en el "
                                             "llavero del sistema; cárguelo en Configuración")
                if csc_id not in qr.TEST_CSC:
                    csc_id = "0001"
                secret = qr.TEST_CSC[csc_id]
            self._csc[company.ruc] = (csc_id, secret)
        return self._csc[company.ruc]

    def sign(self, draft: Draft, sequential: int, identity, company: Company,
             *, now: datetime | None = None) -> SignedDocument:
        now = now or datetime.now(timezone.utc)
        m: PyDraftModel = draft.model
        code = m.security_code
        if int(code) == sequential:  # MT §10.3: dCodSeg ≠ dNumDoc
            code = cdc_mod.new_security_code(avoid=sequential)
        cdc, unsigned = xml_build.build(m.document, company, sequential, code, draft.issued_at, signed_at=now)
        csc_id, csc = self.csc_for(company)
        signed = dsig.sign(unsigned, identity.key, identity.cert, csc_id=csc_id, csc=csc,
                           production=company.environment == "produccion")
        problems = schema.validate(signed)
        if problems:  # our builder produced something the XSD refuses: never store it
            raise ValidationError(f"El XML generado no cumple el esquema de SIFEN: {problems[0]}")
        s = draft.series
        return SignedDocument(
            country="PY", kind=draft.kind, doc_code=s.doc_code, key=cdc,
            number=f"{s.establishment}-{s.point}-{sequential:07d}", sequential=sequential, series=s,
            issued_at=draft.issued_at, signed_at=now, total=draft.total, currency=draft.currency,
            buyer_id=draft.buyer_id, buyer_name=draft.buyer_name, xml=signed)

    # -- verify ----------------------------------------------------------------------------
    def verify(self, xml: bytes, **options) -> list[Finding]:
        from app.fiscal.py import verify as py_verify

        return py_verify.verify(xml, **options)
FACET = PyBackend()
