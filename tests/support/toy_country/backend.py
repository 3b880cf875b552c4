"""The `backend` facet: a boleta from the toy's JSON or from the till's Sale; sign; verify."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from app.core.documents import Draft, Finding, SeriesKey, SignedDocument
from app.core.errors import FieldError, ValidationError
from toy_country import COUNTRY, boleta
from toy_country.till import FACET as till

TZ = ZoneInfo(COUNTRY.timezone)


class ToyBackend:
    country = COUNTRY.code

    def parse(self, body: dict, kind: str, company, *, now: datetime | None = None, **options) -> Draft:
        """{"establecimiento", "punto", "cliente": {"id", "nombre"}, "items": [{"codigo", "nombre",
        "cantidad", "precio"}], "pagos": [{"medio", "monto"}]}"""
        if kind != boleta.KIND:
            raise ValidationError(f"La DGT solo tiene boletas, no '{kind}'", field="tipo")
        errors, lines = [], []
        for i, item in enumerate(body.get("items") or []):
            try:
                lines.append(boleta.BoletaLine(str(item["codigo"]), str(item["nombre"]),
                                               Decimal(str(item["cantidad"])), Decimal(str(item["precio"]))))
            except (KeyError, InvalidOperation):
                errors.append(FieldError(f"items[{i}]", "Ítem incompleto o con números inválidos"))
        if not lines and not errors:
            errors.append(FieldError("items", "La boleta necesita al menos un ítem"))
        if errors:
            raise ValidationError(errors)
        buyer = body.get("cliente") or {}
        pays = tuple((p["medio"], Decimal(str(p["monto"]))) for p in body.get("pagos") or [])
        model = boleta.Boleta(str(buyer.get("id", "0")), str(buyer.get("nombre", "Anónimo")), tuple(lines), pays)
        return self._draft(model, body.get("establecimiento", "001"), body.get("punto", "001"), now)

    def draft_from_sale(self, sale, company, *, now: datetime | None = None) -> Draft:
        totals = till.totals(sale.lines)
        lines = tuple(boleta.BoletaLine(ln.code, ln.name, ln.quantity, ln.price) for ln in sale.lines)
        pays = tuple((till.payment_methods[p.method].authority_code, p.amount) for p in sale.payments)
        model = boleta.Boleta(sale.buyer.identification, sale.buyer.name, lines, pays)
        if model.total != totals.total:  # one arithmetic: the till's is the boleta's
            raise ValidationError(f"El total de la boleta {model.total} no es el de la caja {totals.total}",
                                  field="total")
        return self._draft(model, sale.establishment, sale.point, sale.issued_at or now)

    def _draft(self, model: boleta.Boleta, estab: str, point: str, now: datetime | None) -> Draft:
        issued = (now or datetime.now(timezone.utc)).astimezone(TZ)
        return Draft(country=self.country, kind=boleta.KIND, series=SeriesKey(boleta.DOC_CODE, estab, point),
                     issued_at=issued, total=model.total, currency=COUNTRY.currency, buyer_id=model.buyer_id,
                     buyer_name=model.buyer_name, model=model, payments=list(model.payments))

    def sign(self, draft: Draft, sequential: int, identity, company, *, now: datetime | None = None) -> SignedDocument:
        now = now or datetime.now(timezone.utc)
        s = draft.series
        key = boleta.make_key(company.ruc, s.establishment, s.point, sequential, draft.issued_at)
        number = f"{s.establishment}-{s.point}-{sequential:09d}"
        root = boleta.build(draft.model, key=key, number=number, issued=draft.issued_at, ruc=company.ruc)
        xml = boleta.sign(root, identity.key, identity.cert)
        return SignedDocument(country=self.country, kind=draft.kind, doc_code=s.doc_code, key=key, number=number,
                              sequential=sequential, series=s, issued_at=draft.issued_at, signed_at=now,
                              total=draft.total, currency=draft.currency, buyer_id=draft.buyer_id,
                              buyer_name=draft.buyer_name, xml=xml)

    def verify(self, xml: bytes, **options) -> list[Finding]:
        try:
            root = boleta.read(xml)
        except ValueError as exc:
            return [Finding("schema", False, str(exc))]
        return [Finding("schema", True, "Es una boleta de la DGT"),
                Finding("signature", boleta.signature_ok(root), "Firma RSA-SHA256 sobre la boleta"),
                Finding("access_key", boleta.key_ok(root), "Dígito verificador de la clave"),
                Finding("totals", boleta.totals_ok(root), "Los ítems suman el total")]


FACET = ToyBackend()
