"""Nota de débito electrónica (iTiDE 6): the NCE's group gCamNCDE and rules, another code."""
from __future__ import annotations

from app.fiscal.py.documents import nce
from app.fiscal.py.documents.base import DocumentType

TYPE = DocumentType(code=6, kind="debit-notes", short="NDE", description="Nota de débito electrónica",
                    read=nce.read, build=nce.build, check=nce.check, needs_associated=True,
                    allows_anonymous=False)
