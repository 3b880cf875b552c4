"""`verify` for shops and accountants: any authority XML, ours or anybody's."""
from __future__ import annotations

from pathlib import Path

from app.core.documents import Finding
from app.fiscal import registry


def verify_bytes(xml: bytes) -> list[Finding]:
    country = registry.detect_country(xml)
    if country is None:
        return [Finding("xml", False, "No se reconoce el documento: no es XML del SRI ni de SIFEN")]
    return registry.backend_for(country).verify(xml)


def verify_file(path: Path) -> list[Finding]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Finding("file", False, f"No se puede leer {path}: {exc.strerror}")]
    return verify_bytes(data)
