"""The `certificate` facet: where Ecuadorian CAs write the RUC in a signing certificate."""
from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from app.fiscal import pkcs12_bags
from app.fiscal.signing import extension_texts, subject_texts

# Security Data, Banco Central, Uanataca private arcs.
RUC_OIDS = ("1.3.6.1.4.1.37746.3.11", "1.3.6.1.4.1.37947.3.11", "1.3.6.1.4.1.47286.102.3.11")
_BCE_RUC_OID = RUC_OIDS[1]
_LIKELY_OIDS = (NameOID.SERIAL_NUMBER.dotted_string, NameOID.COMMON_NAME.dotted_string)


def _ruc_from_text(text: str, allow_cedula: bool = True) -> str | None:
    text = text.strip()
    m13 = re.search(r"(?<!\d)(\d{13})(?!\d)", text)
    if m13:  # the RUC
        return m13.group(1)
    m10 = re.search(r"(?<!\d)(\d{10})(?!\d)", text) if allow_cedula else None
    if m10:  # a cédula: a natural person's RUC is the cédula followed by 001
        return m10.group(1) + "001"
    return None


class EcuadorCertificates:
    """RUC in a private extension (by CA), else in the subject's private attributes,
    serialNumber or CN (a cédula there means cédula + 001), else a full RUC anywhere else."""

    def ruc_of(self, cert: x509.Certificate) -> str | None:
        for text in extension_texts(cert, RUC_OIDS):
            ruc = _ruc_from_text(text)
            if ruc:
                return ruc
        likely = subject_texts(cert, RUC_OIDS)
        for oid in _LIKELY_OIDS:
            likely += subject_texts(cert, [oid])
        rest = subject_texts(cert, exclude=RUC_OIDS + _LIKELY_OIDS)
        # elsewhere in the subject only a full 13-digit RUC counts (a 10-digit number may be a phone)
        for texts, allow_cedula in ((likely, True), (rest, False)):
            for text in texts:
                ruc = _ruc_from_text(text, allow_cedula)
                if ruc:
                    return ruc
        return None

    def ruc_matches(self, found: str | None, expected: str) -> bool:
        return found is not None and found == expected.strip()

    def test_subject(self, ruc: str, holder: str) -> tuple[list[x509.NameAttribute], list[x509.ExtensionType]]:
        """RUC in serialNumber and in the Banco Central private extension."""
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
                 x509.NameAttribute(NameOID.ORGANIZATION_NAME, holder),
                 x509.NameAttribute(NameOID.SERIAL_NUMBER, ruc),
                 x509.NameAttribute(NameOID.COMMON_NAME, holder)]
        ext = x509.UnrecognizedExtension(x509.ObjectIdentifier(_BCE_RUC_OID),
                                         pkcs12_bags.tlv(0x0C, ruc.encode("utf-8")))  # a DER UTF8String
        return attrs, [ext]


PROFILE = FACET = EcuadorCertificates()
