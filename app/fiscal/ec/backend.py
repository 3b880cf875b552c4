"""The SRI behind the common interface: Dátil JSON → Draft → numbered, XSD-valid, XAdES-signed XML."""
from __future__ import annotations

from datetime import datetime, timezone

from app.core.company import Company
from app.core.errors import FieldError, ValidationError
from app.fiscal.base import Draft, Finding, SignedDocument
from app.fiscal.ec import access_key, datil, schema, verify as ec_verify, xades, xml_build


class EcBackend:
    country = "EC"

    def __init__(self, *, algorithm: str = "sha1"):
        self.algorithm = algorithm  # SHA-1 is what the ficha specifies; SHA-256 is selectable

    def parse(self, body: dict, kind: str, company: Company, *, now: datetime | None = None,
              **options: str) -> Draft:
        if any(options.values()):  # Dátil is the only JSON format the SRI side reads
            raise ValidationError(f"Opción no admitida para el SRI: {', '.join(k for k, v in options.items() if v)}",
                                  field="format")
        draft = datil.parse(body, kind, company, now=now)
        draft.payments = [(p.forma_pago, p.total) for p in getattr(draft.model, "payments", None) or []]
        return draft

    def draft_from_sale(self, sale, company: Company, *, now: datetime | None = None) -> Draft:
        from app.fiscal.ec import sale_draft

        return sale_draft.draft_from_sale(sale, company, now=now)

    def draft_from_return(self, ret, company: Company, *, now: datetime | None = None) -> Draft:
        from app.fiscal.ec import return_draft

        return return_draft.draft_from_return(ret, company, now=now)

    def sign(self, draft: Draft, sequential: int, identity, company: Company,
             *, now: datetime | None = None) -> SignedDocument:
        now = now or datetime.now(timezone.utc)
        clave, xml = xml_build.build(draft, company, sequential, access_key.random_codigo_numerico())
        # parsed once: the XSD validates the very tree the signer then signs (no second parse)
        tree = xades.parse(xml)
        problems = schema.validate(tree)
        if problems:
            # our builder produced something the XSD refuses: never sign or store it
            raise ValidationError([FieldError("xml", f"El XML generado no cumple el esquema del SRI: {p}",
                                              "schema") for p in problems])
        signed = xades.sign(xml, identity, algorithm=self.algorithm, signing_time=now, tree=tree)
        s = draft.series
        return SignedDocument(
            country="EC", kind=draft.kind, doc_code=s.doc_code, key=clave,
            number=f"{s.establishment}-{s.point}-{sequential:09d}", sequential=sequential, series=s,
            issued_at=draft.issued_at, signed_at=now, total=draft.total, currency=draft.currency,
            buyer_id=draft.buyer_id, buyer_name=draft.buyer_name, xml=signed,
        )

    def verify(self, xml: bytes, **options) -> list[Finding]:
        return ec_verify.verify(xml)
FACET = EcBackend()
