"""Finding a case: by reference, external reference, any person's name in any script, programme, status, step.

(Stub agreed before the work: implemented by the #17 search work.)
"""

from sqlmodel import Session


def index_case(*, session: Session, case_id: int) -> None:
    """Bring the case's search keys up to date with its persons and references (the caller commits)."""
    del session, case_id
