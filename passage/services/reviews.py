"""Decisions to look at again: taken before an amendment changed a person they concern.

Which decisions concern a person: a gate asked about one person is titled with their name (`Assess needs
for the journey: <name>`, Gate.numbered) and concerns them alone; any other gate was asked about the case
as a whole (accept the referral, the family's visa, the movement plan) and concerns every person in it.
So correcting a person marks their own decisions and the case-wide ones; adding or removing a person marks
the case-wide ones (they were taken about a different family). The decision stands and the flow keeps it;
a programme manager looks at it again and clears the mark (audited), or acts on the case.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, select

from models import AuditEvent, Case, Decision, DecisionReview, HumanTask, Role
from models.common import MAX_ID, utcnow
from passage.core.errors import NotFound
from passage.services import access, audit, cases
from passage.services.human_tasks import gates_of_case


class Review(BaseModel):
    """A decision marked for review, as the case page and the CLI list it."""

    id: int
    task_id: int
    step: str
    title: str
    decided_by: str
    decided_at: datetime
    flagged_at: datetime
    reason: str  # the amendment's


def asked_about(task: HumanTask, names: Iterable[str]) -> str | None:
    """The one person (of `names`) a gate was asked about, by its title; None for a gate about the case."""
    return next((name for name in names if task.title.endswith(f": {name}")), None)


def concerning(*, session: Session, case_id: int, names: set[str], about: set[str]) -> list[Decision]:
    """The case's decisions about any of `about` (names as the tasks were titled) or about the case as a
    whole; `names` are all the case's persons', so that a gate about someone else is told apart."""
    found = []
    for task, decision in gates_of_case(session=session, case_id=case_id):
        person = asked_about(task, names)
        if decision is not None and (person is None or person in about):
            found.append(decision)
    return found


def flag(*, session: Session, case_id: int, event_id: int, decisions: Sequence[Decision]) -> None:
    """Mark `decisions` for review by the amendment `event_id` (one open mark per decision; the caller commits)."""
    marked = under_review(session=session, case_id=case_id)
    for decision in decisions:
        if decision.id is not None and decision.id not in marked:
            session.add(DecisionReview(decision_id=decision.id, case_id=case_id, event_id=event_id))


def under_review(*, session: Session, case_id: int) -> set[int]:
    """The ids of the case's decisions marked for review and not cleared."""
    return set(session.exec(select(DecisionReview.decision_id).where(_open(case_id))).all())


def reviews_of(*, session: Session, ref: str, actor: str) -> list[Review]:
    """The case's decisions marked for review, oldest first, if `actor` may see the case."""
    case = cases.get_case(session=session, ref=ref, actor=actor)
    query = (
        select(DecisionReview, Decision, HumanTask, AuditEvent)
        .join(Decision, col(Decision.id) == col(DecisionReview.decision_id))
        .join(HumanTask, col(HumanTask.id) == col(Decision.task_id))
        .join(AuditEvent, col(AuditEvent.id) == col(DecisionReview.event_id))
        .where(_open(case.id or 0))
        .order_by(col(DecisionReview.id))
    )
    return [
        Review(
            id=review.id or 0,
            task_id=task.id or 0,
            step=task.step,
            title=task.title,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at,
            flagged_at=review.flagged_at,
            reason=str(event.detail.get("reason", "")),
        )
        for review, decision, task, event in session.exec(query).all()
    ]


def may_clear(*, session: Session, actor: str, programme: str) -> bool:
    """Whether `actor` clears the review marks of the programme's decisions (a programme manager)."""
    return Role.PROGRAMME_MANAGER in access.roles_in(session=session, actor=actor, programme=programme)


def clear(*, session: Session, review_id: int, actor: str) -> DecisionReview:
    """A programme manager has looked at the decision again: the mark is cleared (audited)."""
    review = session.get(DecisionReview, review_id) if 0 < review_id <= MAX_ID else None
    case = session.get(Case, review.case_id) if review is not None else None
    if review is None or case is None or review.cleared_at is not None:
        raise NotFound("no decision marked for review under {review_id}", review_id=review_id)
    access.require_role(session=session, actor=actor, role=Role.PROGRAMME_MANAGER, programme=case.programme)
    decision = session.get(Decision, review.decision_id)
    review.cleared_by, review.cleared_at = actor, utcnow()
    session.add(review)
    audit.record(
        session=session,
        actor=actor,
        action="decision.reviewed",
        case_id=case.id,
        task_id=decision.task_id if decision is not None else None,
        detail={"review_id": review_id, "amendment": review.event_id},
    )
    session.commit()
    session.refresh(review)
    return review


def _open(case_id: int) -> ColumnElement[bool]:
    return and_(col(DecisionReview.case_id) == case_id, col(DecisionReview.cleared_at).is_(None))
