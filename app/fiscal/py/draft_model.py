"""What a SIFEN Draft carries for signing, shared by the backend's parser and the till's
sale_draft: the document model with its dCodSeg, and the Draft kind of each iTiDE."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.fiscal.py import documents, xml_build
from app.fiscal.py.model import Document

KIND_BY_TYPE = {t.code: t.kind for t in documents.TYPES}  # iTiDE -> Draft kind
TYPE_BY_KIND = {t.kind: t.code for t in documents.TYPES}


@dataclass
class PyDraftModel:
    """What `sign` needs besides the Draft: the document model and its dCodSeg."""

    document: Document
    security_code: str
    dialect: str


def aware_local(moment: datetime) -> datetime:
    """A naive Paraguayan local time made aware (an aware one unchanged)."""
    return moment.replace(tzinfo=xml_build.PY_TZ) if moment.tzinfo is None else moment
