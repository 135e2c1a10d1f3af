"""A case's documents as its decisions record them: which document, in what state, its number.

Only the fact is kept (a passport verified, an exit permit in hand with its number); never a scan or
the document's content. A programme says which of its forms record documents by overriding
`documents_of()` on the form (or on its case file), so the case and task pages show them with no change.
"""

from enum import StrEnum

from pydantic import BaseModel


class DocumentState(StrEnum):
    VERIFIED = "verified"
    IN_HAND = "in hand"
    TO_OBTAIN = "to obtain"
    MISSING = "missing"


class Document(BaseModel):
    document: str  # e.g. "passport", "exit_permit"
    state: DocumentState
    reference: str = ""
