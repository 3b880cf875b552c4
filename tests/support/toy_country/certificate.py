"""The `certificate` facet: the DGT's CA writes the NIT in serialNumber as 'NIT<digits>'."""
from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

from app.fiscal.signing import subject_texts


class ToyCertificates:
    def ruc_of(self, cert: x509.Certificate) -> str | None:
        for text in subject_texts(cert, [NameOID.SERIAL_NUMBER.dotted_string]):
            if text.startswith("NIT") and text[3:].isdigit():
                return text[3:]
        return None

    def ruc_matches(self, found: str | None, expected: str) -> bool:
        return found == expected

    def test_subject(self, ruc: str, holder: str):
        return ([x509.NameAttribute(NameOID.COUNTRY_NAME, "ZZ"),
                 x509.NameAttribute(NameOID.SERIAL_NUMBER, f"NIT{ruc}"),
                 x509.NameAttribute(NameOID.COMMON_NAME, holder)], [])


FACET = ToyCertificates()
