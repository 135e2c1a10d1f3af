"""Cases: open one from a validated case file, read it, move it along, close it."""

from collections.abc import Sequence
from functools import partial
from typing import Any, NamedTuple
from uuid import uuid4

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Case, CaseStatus, Person, Role
from models.case import TITLE_LENGTH
from models.common import utcnow
from passage.core.errors import FormInvalid, LikelyDuplicates, NotFound
from passage.programme import Intake, Programme
from passage.programme.registry import get_programme
from passage.services import access, audit, case_search, duplicates


def case_title(text: str) -> str:
    """`text` cut to the title column, visibly: a summary built from a 200-character name would not fit."""
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


class Opening(NamedTuple):
    """A case file taken in: its case, and whether this call opened it (False: the same file was opened before)."""

    case: Case
    new: bool


def open_case(
    *, session: Session, programme: str, case_file: dict[str, Any], actor: str, open_anyway: bool = False
) -> Case:
    """Validate a case file against its programme's intake model and record the case (see `open_case_file`)."""
    return open_case_file(
        session=session, programme=programme, case_file=case_file, actor=actor, open_anyway=open_anyway
    ).case


def open_case_file(
    *, session: Session, programme: str, case_file: dict[str, Any], actor: str, open_anyway: bool = False
) -> Opening:
    """Validate a case file and record its case (a case worker's); the same file again gives the same case.

    Refused (passage/services/duplicates.py): a file that does not validate (FormInvalid), an external
    reference that is another case's (DuplicateCase), and people like people of existing cases
    (LikelyDuplicates) unless the case worker confirms with `open_anyway`, which is audited.
    """
    spec = get_programme(programme)
    access.require_role(session=session, actor=actor, role=Role.CASE_WORKER, programme=spec.slug)
    try:
        intake = spec.intake.model_validate(case_file)
    except ValidationError as exc:
        raise FormInvalid.from_validation(exc) from None
    data, external_ref = intake.model_dump(mode="json"), intake.external_ref()
    earlier_case = partial(
        duplicates.already_opened,
        session=session,
        programme=spec.slug,
        data=data,
        external_ref=external_ref,
        actor=actor,
    )
    if (earlier := earlier_case()) is not None:
        return Opening(earlier, new=False)
    matches = duplicates.likely_duplicates(session=session, actor=actor, people=intake.people())
    if matches and not open_anyway:
        raise LikelyDuplicates(list(matches))
    try:
        case = record_case(session=session, spec=spec, intake=intake, actor=actor)
        if matches:
            duplicates.record_confirmed(session=session, actor=actor, case=case, matches=matches)
        session.commit()
    except IntegrityError:
        # Another session opened the same reference between the look above and this insert.
        session.rollback()
        if (earlier := earlier_case()) is None:
            raise
        return Opening(earlier, new=False)
    session.refresh(case)
    return Opening(case, new=True)


def record_case(*, session: Session, spec: Programme, intake: Intake, actor: str) -> Case:
    """Add a validated case, its persons and its audit event, uncommitted (an import commits them all at once)."""
    data = intake.model_dump(mode="json")
    case = Case(
        programme=spec.slug,
        title=case_title(intake.summary()),
        ref=uuid4().hex,  # replaced below once the row has its number
        data=data,
        external_ref=intake.external_ref(),
        intake_hash=duplicates.intake_hash(spec.slug, data),
        flags=intake.case_flags(),
        opened_by=actor,
    )
    session.add(case)
    session.flush()
    case.ref = f"{spec.ref_prefix}-{case.id:05d}"
    for number, person in enumerate(intake.people(), start=1):
        session.add(Person(case_id=case.id or 0, number=number, **person))
    case_search.index_case(session=session, case_id=case.id or 0)
    audit.record(
        session=session,
        actor=actor,
        action="case.opened",
        case_id=case.id,
        detail={"ref": case.ref},
    )
    return case


def get_case(*, session: Session, ref: str, actor: str) -> Case:
    """The case called `ref`, if `actor` may see it."""
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None:
        raise NotFound("no case '{ref}'", ref=ref)
    access.require_case_access(session=session, actor=actor, case=case)
    return case


def case_ref(*, session: Session, case_id: int) -> str:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("no case {case_id}", case_id=case_id)
    return case.ref


def persons_of(*, session: Session, case_id: int) -> Sequence[Person]:
    return session.exec(select(Person).where(Person.case_id == case_id).order_by(col(Person.id))).all()


def list_cases(*, session: Session, actor: str, programme: str | None = None, limit: int = 200) -> Sequence[Case]:
    """Newest first, only of the programmes where `actor` holds a case role."""
    access.require_person(session=session, actor=actor)
    query = select(Case).order_by(col(Case.id).desc()).limit(limit)
    if programme:
        query = query.where(Case.programme == programme)
    visible = access.case_programmes(session=session, actor=actor)
    if visible is not None:
        query = query.where(col(Case.programme).in_(visible))
    return session.exec(query).all()


def cases_to_launch(*, session: Session) -> Sequence[Case]:
    """Cases recorded while Prefect could not start their flow run."""
    return session.exec(select(Case).where(Case.status == CaseStatus.NEW, col(Case.flow_run_id).is_(None))).all()


def attach_run(*, session: Session, case_id: int, flow_run_id: str) -> None:
    """Record the case's flow run; a new case becomes active.

    Guarded UPDATEs, not the row as loaded before Prefect was asked: the run may already have moved the
    case on, even closed it, while Prefect answered, and a stale status written back would reopen it.
    """
    found = session.execute(update(Case).where(col(Case.id) == case_id).values(flow_run_id=flow_run_id))
    if found.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise NotFound("no case {case_id}", case_id=case_id)
    session.execute(
        update(Case).where(col(Case.id) == case_id, col(Case.status) == CaseStatus.NEW).values(status=CaseStatus.ACTIVE)
    )
    session.commit()


def set_current_step(*, session: Session, case_id: int, step: str) -> None:
    case = session.get(Case, case_id)
    # A closed case stays where it ended: a run that was still going when it was withdrawn moves it no more.
    if case is not None and case.closed_at is None and case.current_step != step:
        case.current_step = step
        session.commit()


def close_case(
    *,
    session: Session,
    case_id: int,
    status: CaseStatus,
    outcome: str,
    actor: str = "system",
) -> Case:
    """End a case with its outcome; closing twice keeps the first outcome."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("no case {case_id}", case_id=case_id)
    if case.closed_at is None:
        case.status, case.outcome, case.closed_at, case.current_step = (
            status,
            outcome,
            utcnow(),
            None,
        )
        audit.record(
            session=session,
            actor=actor,
            action=f"case.{status.value}",
            case_id=case.id,
            detail={"outcome": outcome},
        )
        session.commit()
    return case
