"""A case's procedure at a glance: the steps done, the one it waits at, and the gates still to come."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlmodel import Session, col, select

from models import Case, Decision, HumanTask, TaskStatus
from models.common import utcnow
from passage.programme.registry import gates_of
from passage.services import steps


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    TO_COME = "to come"


class ProcessStep(BaseModel):
    key: str
    title: str
    state: StepState
    started_at: datetime | None = None
    duration_seconds: float | None = None  # done: how long it took; current: how long it has waited
    outcome: str = ""  # a gate's: approved, rejected, cancelled


def _gate_steps(session: Session, case_id: int, now: datetime) -> list[ProcessStep]:
    query = (
        select(HumanTask, Decision)
        .join(Decision, col(Decision.task_id) == col(HumanTask.id), isouter=True)
        .where(col(HumanTask.case_id) == case_id)
    )
    found = []
    for task, decision in session.exec(query).all():
        is_open = task.status == TaskStatus.OPEN
        ended = decision.decided_at if decision is not None else (now if is_open else None)
        outcome = {"approve": "approved", "reject": "rejected"}[decision.outcome.value] if decision else ""
        if task.status == TaskStatus.CANCELLED:
            outcome = "cancelled"
        found.append(
            ProcessStep(
                key=task.step,
                title=task.title,
                state=StepState.CURRENT if is_open else StepState.DONE,
                started_at=task.created_at,
                duration_seconds=(ended - task.created_at).total_seconds() if ended else None,
                outcome=outcome,
            )
        )
    return found


def _seen(gate_step: str, keys: set[str]) -> bool:
    """A gate asked again (`movement-plan-2`) or per member (`dna-sample-2`) counts as the gate."""
    return any(
        key == gate_step or (key.startswith(f"{gate_step}-") and key[len(gate_step) + 1 :].isdigit()) for key in keys
    )


def process_of(*, session: Session, case: Case) -> list[ProcessStep]:
    """Steps done and gates decided in the order they happened, then where it waits, then gates to come.

    What is still to come is the programme's gates not yet reached, in the order the flow defines them:
    some may not apply to this case (an escort only when one is needed).
    """
    now, case_id = utcnow(), case.id or 0
    done = [
        ProcessStep(
            key=s.step,
            title=s.title,
            state=StepState.DONE,
            started_at=s.started_at,
            duration_seconds=(s.finished_at - s.started_at).total_seconds(),
        )
        for s in steps.steps_of(session=session, case_id=case_id)
    ]
    history = sorted([*done, *_gate_steps(session, case_id, now)], key=lambda p: p.started_at or now)
    if case.closed_at is not None:
        return history
    keys = {p.key for p in history}
    if case.current_step and case.current_step not in keys:  # an automated step under way
        history.append(ProcessStep(key=case.current_step, title=case.current_step, state=StepState.CURRENT))
        keys.add(case.current_step)
    to_come = [
        ProcessStep(key=g.step, title=g.title, state=StepState.TO_COME)
        for g in gates_of(case.programme)
        if not _seen(g.step, keys)
    ]
    return [*history, *to_come]
