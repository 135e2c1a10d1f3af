"""Amend a case's persons: correct one, add one (a newborn), remove one (a member who stays behind).

An amended case file is checked as a new one is, as a whole by the programme's intake, field by field, or
nothing is written. A case worker or programme manager of the programme amends an open case, with a reason.
What depends on the persons follows in the same transaction: the Person rows (each keeps its id and its
number), the case's title and flags, the quota places it holds (quota.adjust), its search keys, and the
decisions about a changed person, marked for review (reviews.py). A corrected name is corrected in the
case's task titles and contexts too. An open task asked about a removed person is cancelled, and a run
waiting at it woken: run again from the top, the flow reads the case without them. The audit event names
persons by id and the fields that changed, never their values (the trail holds no names, privacy.py).
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from models import Case, HumanTask, Person, Role
from models.common import clean_text
from passage.core.errors import CaseNotOpen, FormInvalid, NotFound, NotPermitted, PassageError
from passage.programme import Intake
from passage.programme.registry import get_programme
from passage.services import access, amend_file, amend_tasks, audit, case_search, cases, quota, reviews
from passage.services.amend_file import Place
from passage.services.quota import Recount

AMENDERS = frozenset({Role.CASE_WORKER, Role.PROGRAMME_MANAGER})
REASON_LENGTH = 1000


class Change(StrEnum):
    CORRECTED = "corrected"
    ADDED = "added"
    REMOVED = "removed"


class Amendment(BaseModel):
    """What an amendment did, by person id and task id."""

    ref: str
    change: Change
    person_id: int
    persons: dict[int, list[str]]  # each person changed, with the fields that changed (a moved principal: two)
    places: list[Recount] = []  # the quota places the case holds, recounted
    for_review: list[int] = []  # tasks whose decision is now marked for review
    cancelled: list[int] = []  # open tasks about a removed person
    woken: list[int] = []  # of those, the ones whose waiting run was resumed to read the case again


def may_amend(*, session: Session, actor: str, programme: str) -> bool:
    """Whether `actor` may amend the persons of the programme's cases (the case page offers it only then)."""
    return access.is_service(session=session, actor=actor) or bool(
        access.roles_in(session=session, actor=actor, programme=programme) & AMENDERS
    )


def correct_person(
    *, session: Session, ref: str, actor: str, person_id: int, values: dict[str, Any], reason: str
) -> Amendment:
    """Set `values` (field -> value, e.g. {"birth_date": "2019-04-02"}) on one person of the case."""
    if not values:
        raise FormInvalid({"form": "name at least one field to correct"})
    return _amend(session, ref, actor, reason, Change.CORRECTED, person_id=person_id, values=values)


def add_person(*, session: Session, ref: str, actor: str, person: dict[str, Any], reason: str) -> Amendment:
    """Add a person (with the fields a person of the case's last list has) after the last."""
    return _amend(session, ref, actor, reason, Change.ADDED, values=person)


def remove_person(*, session: Session, ref: str, actor: str, person_id: int, reason: str) -> Amendment:
    """Remove one person of a list (e.g. a family member who stays behind)."""
    return _amend(session, ref, actor, reason, Change.REMOVED, person_id=person_id)


def _amend(
    session: Session,
    ref: str,
    actor: str,
    reason: str,
    change: Change,
    *,
    person_id: int | None = None,
    values: dict[str, Any] | None = None,
) -> Amendment:
    case = _amendable(session, ref, actor)
    why = _reason(reason)
    try:
        amendment, waiting = _apply(session, case, actor, why, change, person_id, values or {})
        session.commit()
    except PassageError:
        session.rollback()
        raise
    amendment.woken = [task.id or 0 for task in waiting if amend_tasks.wake(task=task)]
    return amendment


def _amendable(session: Session, ref: str, actor: str) -> Case:
    case = cases.get_case(session=session, ref=ref, actor=actor)
    if not may_amend(session=session, actor=actor, programme=case.programme):
        raise NotPermitted(
            "{actor} is not a case worker or programme manager of {programme}", actor=actor, programme=case.programme
        )
    if case.closed_at is not None:
        raise CaseNotOpen("case {ref} is {status}: a closed case cannot be amended", ref=ref, status=case.status.value)
    return case


def _reason(text: str) -> str:
    try:
        reason = clean_text(text)
    except ValueError as exc:
        raise FormInvalid({"reason": str(exc)}) from None
    if not reason:
        raise FormInvalid({"reason": "an amendment needs a reason"})
    if len(reason) > REASON_LENGTH:
        raise FormInvalid({"reason": f"a reason has at most {REASON_LENGTH} characters"})
    return str(reason)


def _apply(
    session: Session, case: Case, actor: str, reason: str, change: Change, person_id: int | None, values: dict[str, Any]
) -> tuple[Amendment, list[HumanTask]]:
    quota.lock_open_case(session=session, case_id=case.id or 0)  # no withdrawal, and no reservation, meanwhile
    form = get_programme(case.programme).intake
    rows = list(cases.persons_of(session=session, case_id=case.id or 0))
    before = amend_file.places(form, case.data)
    index = _index(rows, person_id, case.ref) if person_id is not None else len(rows)
    intake = _checked(form, case.data, before, index, change, values)
    names = {row.full_name for row in rows} | {person["full_name"] for person in intake.people()}
    changed, renamed = _corrections(form, case.data, rows, before, intake) if change is Change.CORRECTED else ({}, {})
    about = {row.full_name for row in rows if row.id in changed}
    for_review = reviews.concerning(session=session, case_id=case.id or 0, names=names, about=about)
    waiting = (
        amend_tasks.cancel_tasks_about(session=session, case=case, name=rows[index].full_name, names=names)
        if change is Change.REMOVED
        else []
    )
    subject = _write(session, case, intake, rows, change, index)
    amend_tasks.rename(session=session, case_id=case.id or 0, renamed=renamed)
    amendment = Amendment(
        ref=case.ref,
        change=change,
        person_id=subject,
        persons=changed or {subject: sorted(values) if change is Change.ADDED else []},
        places=_recount(session, case, intake),
        for_review=[decision.task_id for decision in for_review],
        cancelled=[task.id or 0 for task in waiting],
    )
    case_search.index_case(session=session, case_id=case.id or 0)
    event = audit.record(
        session=session,
        actor=actor,
        action="case.amended",
        case_id=case.id,
        detail={"reason": reason, **amendment.model_dump(mode="json", exclude={"ref", "woken"})},
    )
    reviews.flag(session=session, case_id=case.id or 0, event_id=event.id or 0, decisions=for_review)
    return amendment, waiting


def _index(rows: list[Person], person_id: int, ref: str) -> int:
    found = next((n for n, row in enumerate(rows) if row.id == person_id), None)
    if found is None:
        raise NotFound("case {ref} has no person {person_id}", ref=ref, person_id=person_id)
    return found


def _checked(
    form: type[Intake], data: dict[str, Any], before: list[Place], index: int, change: Change, values: dict[str, Any]
) -> Intake:
    """The amended case file, validated as a whole; the principal as asked, where the programme lets it be."""
    if change is Change.ADDED:
        edited, place = amend_file.added(form, data, values)
    elif change is Change.CORRECTED:
        edited, place = amend_file.corrected(data, before[index], values), before[index]
    else:
        return amend_file.validated(form, amend_file.removed(data, before[index]), None)
    intake = amend_file.validated(form, edited, place)
    person = amend_file.entry(intake.model_dump(), place)
    given = intake.people()[index if change is Change.CORRECTED else -1]
    if "is_principal" in values and given["is_principal"] != person["is_principal"]:
        raise FormInvalid({"is_principal": "this programme decides who is the principal"})
    return intake


def _corrections(
    form: type[Intake], data: dict[str, Any], rows: list[Person], before: list[Place], intake: Intake
) -> tuple[dict[int, list[str]], dict[str, str]]:
    """Each person corrected with the fields that changed (a moved principal: two), and each name corrected."""
    amended = intake.model_dump(mode="json")
    changed = {
        row.id or 0: fields
        for row, old, new in zip(rows, before, amend_file.places(form, amended), strict=True)
        if (fields := _differences(amend_file.entry(data, old), amend_file.entry(amended, new)))
    }
    if not changed:
        raise FormInvalid({"form": "nothing to change: these are the values recorded"})
    people = intake.people()
    renamed = {
        row.full_name: p["full_name"] for row, p in zip(rows, people, strict=True) if row.full_name != p["full_name"]
    }
    return changed, renamed


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))


def _write(session: Session, case: Case, intake: Intake, rows: list[Person], change: Change, index: int) -> int:
    """The case and its Person rows as amended (uncommitted); returns the id of the person amended."""
    case.data, case.flags = intake.model_dump(mode="json"), intake.case_flags()
    case.title = cases.case_title(intake.summary())
    session.add(case)
    people = intake.people()
    kept = [row for n, row in enumerate(rows) if not (change is Change.REMOVED and n == index)]
    if change is Change.ADDED:
        kept.append(Person(case_id=case.id or 0, number=max(row.number for row in rows) + 1, **people[-1]))
    for row, person in zip(kept, people, strict=True):
        for name, value in person.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
        session.add(row)
    if change is Change.REMOVED:
        session.delete(rows[index])
    session.flush()
    return (kept[-1] if change is Change.ADDED else rows[index]).id or 0


def _recount(session: Session, case: Case, intake: Intake) -> list[Recount]:
    """The quota places the case holds, recounted for its persons now."""
    year = intake.quota_counted_in()
    if year is None:
        return []
    people = intake.people()
    nationalities = {person["nationality"] for person in people}
    return quota.adjust(
        session=session, case_id=case.id or 0, year=year, nationalities=nationalities, persons=len(people)
    )
