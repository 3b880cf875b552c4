"""The `certificate` facet: how Paraguayan CAs write the RUC in a signing certificate
('RUC80069563-1' in serialNumber; a natural person's 'CI1234567')."""
from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from app.fiscal.signing import subject_texts

_LIKELY_OIDS = (NameOID.SERIAL_NUMBER.dotted_string, NameOID.COMMON_NAME.dotted_string)


def _ruc_from_text(text: str) -> str | None:
    text = text.strip()
    ruc = re.search(r"RUC\s*[:\-]?\s*(\d{3,8})\s*-\s*(\d)\b", text, re.I)
    if ruc:  # 'RUC80069563-1'
        return f"{ruc.group(1)}-{ruc.group(2)}"
    ci = re.fullmatch(r"CI\s*[:\-]?\s*(\d{3,8})", text, re.I)
    if ci:  # natural person: the CI is the RUC base (its check digit is not stored)
        return ci.group(1)
    return None


class ParaguayCertificates:
    """RUC (or CI) in serialNumber or CN first, then anywhere else in the subject."""

    def ruc_of(self, cert: x509.Certificate) -> str | None:
        texts = []
        for oid in _LIKELY_OIDS:
            texts += subject_texts(cert, [oid])
        texts += subject_texts(cert, exclude=_LIKELY_OIDS)
        for text in texts:
            ruc = _ruc_from_text(text)
            if ruc:
                return ruc
        return None

    def ruc_matches(self, found: str | None, expected: str) -> bool:
        if found is None:
            return False
        expected = expected.strip()
        if found == expected:
            return True
        # the base number, when one side carries the check digit
        return found.split("-")[0] == expected.split("-")[0] and ("-" in found or "-" in expected)

    def test_subject(self, ruc: str, holder: str) -> tuple[list[x509.NameAttribute], list[x509.ExtensionType]]:
        """'RUC<base>-<dv>' in serialNumber (`ruc` with or without its dash)."""
        digits = ruc.replace("-", "")
        serial = f"RUC{ruc}" if "-" in ruc else f"RUC{digits[:-1]}-{digits[-1]}"
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "PY"),
                 x509.NameAttribute(NameOID.ORGANIZATION_NAME, holder),
                 x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
                 x509.NameAttribute(NameOID.COMMON_NAME, holder)]
        return attrs, []


PROFILE = FACET = ParaguayCertificates()
