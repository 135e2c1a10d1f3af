"""A case's procedure at a glance: the steps done, the one it waits at, and the gates still to come."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlmodel import Session

from models import Case, Decision, HumanTask, StepRun, TaskStatus
from models.common import utcnow
from passage.programme import split_numbered
from passage.programme.registry import gates_of
from passage.services import steps
from passage.services.human_tasks import gates_of_case


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


def _gate_steps(gates: Sequence[tuple[HumanTask, Decision | None]], now: datetime) -> list[ProcessStep]:
    found = []
    for task, decision in gates:
        is_open = task.status == TaskStatus.OPEN
        ended = decision.decided_at if decision is not None else (now if is_open else None)
        outcome = {"approve": "approved", "reject": "rejected"}[decision.outcome.value] if decision else ""
        if task.status == TaskStatus.CANCELLED:
            outcome = "cancelled"
        if task.set_aside_at is not None:
            outcome = "set aside"
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
    return any(split_numbered(key)[0] == gate_step for key in keys)


def process_of(
    *,
    session: Session,
    case: Case,
    gates: Sequence[tuple[HumanTask, Decision | None]] | None = None,
    done: Sequence[StepRun] | None = None,
) -> list[ProcessStep]:
    """Steps done and gates decided in the order they happened, then where it waits, then gates to come.

    What is still to come is the programme's gates not yet reached, in the order the programme declares
    them: some may not apply to this case (an escort only when one is needed). `gates` and `done`, where
    the caller has read them already (the case page), are not read again.
    """
    now, case_id = utcnow(), case.id or 0
    if gates is None:
        gates = gates_of_case(session=session, case_id=case_id)
    if done is None:
        done = steps.steps_of(session=session, case_id=case_id)
    finished = [
        ProcessStep(
            key=s.step,
            title=s.title,
            state=StepState.DONE,
            started_at=s.started_at,
            duration_seconds=(s.finished_at - s.started_at).total_seconds(),
        )
        for s in done
    ]
    history = sorted([*finished, *_gate_steps(gates, now)], key=lambda p: p.started_at or now)
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
