"""`verify` for shops and accountants: any authority XML, ours or anybody's."""
from __future__ import annotations

from pathlib import Path

from app.core.documents import Finding
from app.fiscal import registry
from app.xmlsafe import MAX_XML_BYTES


def verify_bytes(xml: bytes, **options) -> list[Finding]:
    """`options` go to the country's verify (e.g. `load_secret`, the keyring lookup for the
    shop's own secrets such as a QR code's CSC)."""
    if len(xml) > MAX_XML_BYTES:
        return [Finding("file", False, f"El archivo supera el máximo de {MAX_XML_BYTES // (1024 * 1024)} MB")]
    country = registry.detect_country(xml)
    if country is None:
        return [Finding("xml", False, "No se reconoce el documento: no es XML del SRI ni de SIFEN")]
    return registry.backend_for(country).verify(xml, **options)


def verify_file(path: Path, **options) -> list[Finding]:
    """Reads at most the size limit (a bigger file is refused before it is read)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_XML_BYTES + 1)
    except OSError as exc:
        return [Finding("file", False, f"No se puede leer {path}: {exc.strerror}")]
    return verify_bytes(data, **options)


def label(finding: Finding) -> str:
    """How a finding is shown: a check that verified nothing is never shown as OK; one that holds
    only within the authority's tolerance is an AVISO."""
    if finding.unverified:
        return "NO VERIFICADO"
    if not finding.ok:
        return "FALLA"
    return "AVISO" if getattr(finding, "warning", False) else "OK"
