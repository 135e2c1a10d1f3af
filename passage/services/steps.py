"""Automated steps run exactly once per case: the (case, step) row is the idempotency key."""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Case, StepRun
from models.common import utcnow
from passage.services import audit


def find_step(*, session: Session, case_id: int, step: str) -> StepRun | None:
    return session.exec(select(StepRun).where(StepRun.case_id == case_id, StepRun.step == step)).first()


def run_once(
    *,
    session: Session,
    case: Case,
    step: str,
    title: str,
    action: Callable[[Session, Case], dict[str, Any]],
) -> dict[str, Any]:
    """Run `action` and record the step in one transaction, or return the recorded result."""
    done = find_step(session=session, case_id=case.id or 0, step=step)
    if done is not None:
        return done.result
    started = utcnow()
    try:
        result = action(session, case)
        session.add(
            StepRun(
                case_id=case.id or 0,
                step=step,
                title=title,
                result=result,
                started_at=started,
            )
        )
        audit.record(
            session=session,
            actor="system",
            action="step.done",
            case_id=case.id,
            detail={"step": step},
        )
        session.commit()
    except IntegrityError:
        # Another process recorded the step first: its result stands, ours is rolled back.
        session.rollback()
        done = find_step(session=session, case_id=case.id or 0, step=step)
        if done is None:
            raise
        return done.result
    return result


def steps_of(*, session: Session, case_id: int) -> Sequence[StepRun]:
    return session.exec(select(StepRun).where(StepRun.case_id == case_id).order_by(col(StepRun.id))).all()


def results_of(*, session: Session, case_id: int) -> dict[str, dict[str, Any]]:
    """Every recorded step of the case and its result: what a re-running flow replays without redoing."""
    return {row.step: row.result for row in steps_of(session=session, case_id=case_id)}
