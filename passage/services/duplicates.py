"""Duplicate referrals: the same external reference refused, likely duplicate persons shown before opening.

(Interface agreed before the work: implemented by the #17 duplicates work.)
"""

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session


class DuplicateMatch(BaseModel):
    """A person of the new case file that looks like a person of an existing case the user may see."""

    new_name: str  # as given in the new case file
    case_ref: str  # the existing case
    programme: str
    status: str
    name: str  # the existing person's name
    birth_date: date | None


def likely_duplicates(*, session: Session, actor: str, people: list[dict[str, Any]]) -> list[DuplicateMatch]:
    """Existing persons with the same or a similar name and the same birth date, in any programme."""
    del session, actor, people
    return []
