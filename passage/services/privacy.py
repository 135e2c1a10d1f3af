"""Data protection: pseudonymise closed cases after the retention period; export one person's data.

Pseudonymising replaces names and contact data (persons, the case title, names in the case file and
in task contexts) and keeps what statistics need: programme, nationality, birth year, status, dates,
outcomes and decisions. The audit trail is not rewritten: it is append-only and hash-chained, and it
holds no names of its own beyond staff usernames (decisions' comments stay as the decision record; assumption).
A case's comments (the thread on its page) are free text that may name anyone: their text is removed, the
one change ever made to a comment; who wrote when at which step stays.
`pseudonymise_due` is the one entry point for a scheduled flow and for `passage privacy pseudonymise`.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from models import Approval, Case, CaseComment, Decision, HumanTask, Person, Role, StepRun
from models.common import MAX_ID, utcnow
from passage.core.errors import NotFound
from passage.core.settings import get_settings
from passage.services import access, audit, case_search

# What a pseudonymised case's comments read: the text is gone, the thread's shape (who, when, where) stays.
REMOVED_COMMENT = "(removed when the case was pseudonymised)"
# Keys whose values are names or contact data wherever they appear in a case file or task context.
PERSONAL_KEYS = frozenset(
    {"full_name", "name", "names", "members", "sponsor", "email", "phone", "address", "contact", "title"}
)


def _scrub(value: Any, pseudonym: str) -> Any:
    """`value` with every personal key's value replaced by `pseudonym` (recursively)."""
    if isinstance(value, dict):
        return {k: (_replace(v, pseudonym) if k in PERSONAL_KEYS else _scrub(v, pseudonym)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(item, pseudonym) for item in value]
    return value


def _replace(value: Any, pseudonym: str) -> Any:
    if isinstance(value, list):
        return [_replace(item, f"{pseudonym}-{n}") for n, item in enumerate(value, start=1)]
    if isinstance(value, dict):
        return {k: _replace(v, pseudonym) for k, v in value.items()}
    return pseudonym if value not in (None, "") else value


def pseudonymise_case(*, session: Session, case: Case, actor: str) -> None:
    """Replace the case's names and contact data in place; audited; once only."""
    if case.pseudonymised_at is not None:
        return
    for number, row in enumerate(_persons(session, case), start=1):
        row.full_name = f"{case.ref}-P{number}"
        row.birth_date = date(row.birth_date.year, 1, 1) if row.birth_date else None  # the year stays
        session.add(row)
    case.title = f"{case.ref} (pseudonymised)"
    case.data = _scrub(case.data, case.ref)
    for task in session.exec(select(HumanTask).where(HumanTask.case_id == case.id)).all():
        task.context = _scrub(task.context, case.ref)
        session.add(task)
    for comment in session.exec(select(CaseComment).where(CaseComment.case_id == case.id)).all():
        comment.text = REMOVED_COMMENT
        session.add(comment)
    case.pseudonymised_at = utcnow()
    session.add(case)
    case_search.index_case(session=session, case_id=case.id or 0)  # its names leave the search index too
    audit.record(session=session, actor=actor, action="case.pseudonymised", case_id=case.id, detail={"ref": case.ref})


def _persons(session: Session, case: Case) -> list[Person]:
    return list(session.exec(select(Person).where(Person.case_id == case.id).order_by(col(Person.id))).all())


def pseudonymise_due(*, session: Session, actor: str = access.SYSTEM, now: datetime | None = None) -> list[str]:
    """Pseudonymise every case closed longer than PASSAGE_RETENTION_DAYS ago; returns their refs."""
    if not access.is_service(session=session, actor=actor):
        access.require_admin(session=session, actor=actor)
    cutoff = (now or utcnow()) - timedelta(days=get_settings().retention_days)
    due = session.exec(
        select(Case).where(
            col(Case.closed_at).is_not(None), col(Case.closed_at) < cutoff, col(Case.pseudonymised_at).is_(None)
        )
    ).all()
    for case in due:
        pseudonymise_case(session=session, case=case, actor=actor)
    session.commit()
    return [case.ref for case in due]


class PersonExport(BaseModel):
    """Everything Passage holds about one person: their record, their case, its decisions and trail."""

    person: dict[str, Any]
    case: dict[str, Any]
    steps: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    approvals: list[dict[str, Any]]
    audit: list[dict[str, Any]]


def export_person(*, session: Session, actor: str, person_id: int) -> PersonExport:
    """One person's data as JSON-ready values, for a subject access request (a programme manager's; audited).

    The export follows the masking of every other read: special-category fields, and the comments of
    gates that record them, in full only for a role that may read them, each such reading audited. It
    holds this person's data: tasks and decisions about another member of the family are left out.
    """
    person = session.get(Person, person_id) if 0 < person_id <= MAX_ID else None
    case = session.get(Case, person.case_id) if person is not None else None
    if person is None or case is None:
        raise NotFound("no person {person_id}", person_id=person_id)
    access.require_role(session=session, actor=actor, role=Role.PROGRAMME_MANAGER, programme=case.programme)
    others = {p.full_name for p in _persons(session, case)} - {person.full_name}
    every_task = session.exec(select(HumanTask).where(HumanTask.case_id == case.id)).all()
    tasks = [t for t in every_task if not _about(t, others)]

    def shown(task: HumanTask, data: dict[str, Any], comment: str | None = None) -> dict[str, Any]:
        values = data if comment is None else {**data, access.COMMENT: comment}
        return access.reveal(
            session=session,
            actor=actor,
            case=case,
            data=values,
            where="export",
            task_id=task.id,
            form_type=task.form_type,
        )

    by_id = {t.id: t for t in tasks}
    decisions = session.exec(select(Decision).where(col(Decision.task_id).in_(by_id)))
    approvals = session.exec(select(Approval).where(col(Approval.task_id).in_(by_id)))
    export = PersonExport(
        person=person.model_dump(mode="json"),
        case=case.model_dump(mode="json"),
        steps=[s.model_dump(mode="json") for s in session.exec(select(StepRun).where(StepRun.case_id == case.id))],
        tasks=[{**t.model_dump(mode="json"), "context": shown(t, t.context)} for t in tasks],
        decisions=[_masked(d.model_dump(mode="json"), shown(by_id[d.task_id], d.data, d.comment)) for d in decisions],
        approvals=[_masked(a.model_dump(mode="json"), shown(by_id[a.task_id], a.data, a.comment)) for a in approvals],
        audit=[
            _masked_event(e.model_dump(mode="json"), by_id.get(e.task_id), shown)
            for e in audit.case_trail(session=session, case_id=case.id or 0)
            if e.task_id is None or e.task_id in by_id
        ],
    )
    audit.record(
        session=session, actor=actor, action="privacy.exported", case_id=case.id, detail={"person_id": person_id}
    )
    session.commit()
    return export


def _about(task: HumanTask, names: set[str]) -> bool:
    """Whether a task is about one of `names`: a gate asked per person is titled with the person's name."""
    return any(task.title.endswith(f": {name}") for name in names)


def _masked_event(
    event: dict[str, Any], task: HumanTask | None, shown: Callable[[HumanTask, dict[str, Any], str], dict[str, Any]]
) -> dict[str, Any]:
    """An audit event with a decision's comment in its detail as the reader may see it."""
    comment = event["detail"].get(access.COMMENT)
    if task is None or not comment:
        return event
    return {**event, "detail": {**event["detail"], access.COMMENT: shown(task, {}, comment)[access.COMMENT]}}


def _masked(row: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    """A decision or approval row with its data and comment as the reader may see them."""
    comment = shown.pop(access.COMMENT)
    return {**row, "data": shown, "comment": comment}


def find_persons(*, session: Session, actor: str, name: str) -> list[tuple[int, str, str]]:
    """(person id, name, case ref) of the persons called exactly `name` in cases `actor` may see."""
    visible = access.case_programmes(session=session, actor=actor)
    rows = session.exec(
        select(Person, Case).join(Case, col(Case.id) == col(Person.case_id)).where(Person.full_name == name)
    )
    return [(p.id or 0, p.full_name, c.ref) for p, c in rows if visible is None or c.programme in visible]
