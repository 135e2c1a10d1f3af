"""The vocabulary a programme is written in: one import line for a programme author.

    from passage.programme import DNA, HEALTH, Example, Gate, GateForm, Intake, Programme

No I/O happens here: these are the declarations that flows, services and pages share. The registry of
every programme is `passage.programme.registry`.
"""

from passage.programme.definition import Example, ImportLayout, Intake, Programme, Scheduled
from passage.programme.documents import Document, DocumentState
from passage.programme.gates import DNA, HEALTH, Gate, GateForm
from passage.programme.steps import numbered, split_numbered

__all__ = [
    "DNA",
    "HEALTH",
    "Document",
    "DocumentState",
    "Example",
    "Gate",
    "GateForm",
    "ImportLayout",
    "Intake",
    "Programme",
    "Scheduled",
    "numbered",
    "split_numbered",
]
