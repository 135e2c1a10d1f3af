"""Duplicate referrals: the same external reference refused, likely duplicate persons shown before opening.

A validated case file meets three checks before its case is recorded (cases.open_case_file), in this order:

1. The same file again is not a new case: `already_opened` finds the case it opened (by its external
   reference; in a programme without one, by its digest, submitted by the same person within
   RESUBMISSION_WINDOW: a double click or a command run twice, not a second family with the same data).
2. Its external reference held by a case of other content is refused (DuplicateCase naming that case). The
   unique constraint on (programme, external_ref) refuses it too, so two sessions racing open one case.
3. A person with the same name key (passage.core.names: any script, common spellings, any word order) and
   the same birth date as a person of an existing case, in any programme the user may see, is a likely
   duplicate: LikelyDuplicates, unless the case worker confirms, which the audit trail records by case ref.
   A person without a birth date is never a likely duplicate: a name alone is too common.

An import (importing.py) refuses every case whose reference is already a case's, the same or not (its
preview marks them by row, so a file imported twice opens its cases once), and lists the likely
duplicates of the others, per case, before the case worker confirms.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from models import Case, Person
from models.common import utcnow
from passage.core.errors import DuplicateCase
from passage.core.names import name_key
from passage.services import access, audit

RESUBMISSION_WINDOW = timedelta(minutes=10)
PAIRS_PER_QUERY = 250  # (name key, birth date) pairs: at most two bound parameters each, well under every limit


class DuplicateMatch(BaseModel):
    """A person of the new case file that looks like a person of an existing case the user may see."""

    new_name: str  # as given in the new case file
    case_ref: str  # the existing case
    programme: str
    status: str
    name: str  # the existing person's name
    birth_date: date | None


def intake_hash(programme: str, data: Mapping[str, Any]) -> str:
    """The digest of a validated case file (as stored in case.data) of `programme`."""
    canonical = json.dumps([programme, data], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def already_opened(
    *, session: Session, programme: str, data: Mapping[str, Any], external_ref: str | None, actor: str
) -> Case | None:
    """The case this very case file opened before, if any; refuses a file whose reference is another case's."""
    if external_ref is None:
        query = select(Case).where(
            Case.intake_hash == intake_hash(programme, data),
            Case.programme == programme,
            Case.opened_by == actor,
            col(Case.created_at) >= utcnow() - RESUBMISSION_WINDOW,
        )
        return session.exec(query.order_by(col(Case.id))).first()
    query = select(Case).where(Case.programme == programme, Case.external_ref == external_ref)
    existing = session.exec(query).first()
    if existing is None or existing.data == data:
        return existing
    raise DuplicateCase(
        "{external_ref} is already case {existing}, with other data: a referral is opened once",
        existing=existing.ref,
        external_ref=external_ref,
    )


def _birth_date(person: Mapping[str, Any]) -> date | None:
    """A person's birth date as Intake.people() gives it (a date), or as a form holds it (an ISO string)."""
    value = person.get("birth_date")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, date) else None


Pair = tuple[str, date | None]  # a person's name key and birth date


def _existing(session: Session, visible: set[str] | None, pairs: list[Pair]) -> dict[Pair, list[DuplicateMatch]]:
    """The persons of visible cases with one of these pairs, by pair (their new_name still blank)."""
    found: dict[Pair, list[DuplicateMatch]] = {}
    for start in range(0, len(pairs), PAIRS_PER_QUERY):
        chunk = pairs[start : start + PAIRS_PER_QUERY]
        # Keys in one list and dates in another, not a list of (key, date) tuples: SQLite reads the index
        # for the two lists and scans the whole table for the tuples. Rows of a key with another's date are
        # never looked up by the caller.
        query = (
            select(Person, Case)
            .join(Case, col(Case.id) == col(Person.case_id))
            .where(col(Person.name_key).in_(sorted({key for key, _born in chunk})))
            .where(col(Person.birth_date).in_(sorted({born for _key, born in chunk if born is not None})))
            .order_by(col(Case.id), col(Person.id))
        )
        if visible is not None:
            query = query.where(col(Case.programme).in_(visible))
        for person, case in session.exec(query):
            match = DuplicateMatch(
                new_name="",
                case_ref=case.ref,
                programme=case.programme,
                status=case.status.value,
                name=person.full_name,
                birth_date=person.birth_date,
            )
            found.setdefault((person.name_key, person.birth_date), []).append(match)
    return found


def likely_duplicates_each(
    *, session: Session, actor: str, files: Sequence[Sequence[Mapping[str, Any]]]
) -> list[list[DuplicateMatch]]:
    """`likely_duplicates` of each of several case files' people (an import's), in few queries."""
    keyed = [
        [(person["full_name"], (name_key(person["full_name"]), _birth_date(person))) for person in people]
        for people in files
    ]
    pairs = sorted({pair for people in keyed for _name, pair in people if pair[1] is not None})
    visible = access.case_programmes(session=session, actor=actor)
    existing = _existing(session, visible, pairs) if pairs and (visible is None or visible) else {}
    return [
        [match.model_copy(update={"new_name": name}) for name, pair in people for match in existing.get(pair, [])]
        for people in keyed
    ]


def likely_duplicates(*, session: Session, actor: str, people: list[dict[str, Any]]) -> list[DuplicateMatch]:
    """Existing persons with the same or a similar name and the same birth date, in any programme `actor` sees.

    `people`: dicts with `full_name` and `birth_date` (a date or an ISO string), as Intake.people() gives them.
    """
    return likely_duplicates_each(session=session, actor=actor, files=[people])[0]


def record_confirmed(*, session: Session, actor: str, case: Case, matches: Sequence[DuplicateMatch]) -> None:
    """Audit a case opened although it had likely duplicates: the cases it resembles, by ref (no names)."""
    audit.record(
        session=session,
        actor=actor,
        action="case.opened_despite_duplicates",
        case_id=case.id,
        detail={"ref": case.ref, "duplicates": sorted({match.case_ref for match in matches})},
    )
