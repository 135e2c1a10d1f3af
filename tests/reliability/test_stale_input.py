"""Stale input: a decision for a task no longer open to its sender, a resume for a run no longer waiting.

Each is refused with a reason the person can act on, and changes nothing: the database and the
audit trail are the same before and after.
"""

from typing import Any
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.states import Paused
from sqlmodel import Session, select

from models import Approval, AuditEvent, Decision, HumanTask, Notification, TaskStatus
from passage.core import prefect_bridge
from passage.core.errors import NotPermitted, PassageError, TaskNotOpen
from passage.services import assignment
from passage.services.decisions import decide
from passage.services.delivery import deliver_decision
from tests.factories import new_case, open_gate
from tests.reliability.conftest import state_names

FORM = {"priority": "normal"}


def snapshot(session: Session) -> dict[str, Any]:
    """Every row a decision could touch, read afresh."""
    session.expire_all()
    return {
        table.__name__: [row.model_dump() for row in session.exec(select(table))]
        for table in (HumanTask, Decision, Approval, AuditEvent, Notification)
    }


def refused(session: Session, task_id: int, actor: str, error: type[PassageError]) -> str:
    """Try to decide as `actor`; assert the refusal changed nothing and return its message."""
    before = snapshot(session)
    with pytest.raises(error) as raised:
        decide(session=session, task_id=task_id, actor=actor, approve=True, data=FORM, deliver=False)
    session.rollback()
    assert snapshot(session) == before
    return str(raised.value)


def test_a_decision_for_a_task_reassigned_to_someone_else_is_refused(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    assignment.reassign(session=db, task_id=task_id, actor="pm.anna", to="pm.joost")
    assert refused(db, task_id, "pm.anna", NotPermitted) == f"task {task_id} is claimed by pm.joost"


def test_a_decision_for_a_cancelled_task_is_refused(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    task = db.get(HumanTask, task_id)
    assert task is not None
    task.status = TaskStatus.CANCELLED
    db.commit()
    assert refused(db, task_id, "pm.anna", TaskNotOpen) == f"task {task_id} is cancelled"


def test_a_second_decision_for_a_decided_task_is_refused_naming_the_first(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, data=FORM, deliver=False)
    message = refused(db, task_id, "pm.joost", TaskNotOpen)
    assert message.startswith(f"task {task_id} was already decided by pm.anna at ") and message.endswith("(approve)")


@flow(name="stale-input-probe")
def probe() -> None:
    """Never runs: its flow run only carries the states the test sets."""


def run_paused_at(step: str) -> str:
    """A flow run suspended at `step` as a gate leaves it (no process, waiting for input)."""
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(probe)
        client.set_flow_run_state(run.id, Paused(pause_key=step, reschedule=True), force=True)
    return str(run.id)


def test_a_resume_for_a_run_that_waits_elsewhere_is_refused_and_changes_nothing(
    db: Session, prefect_server: str
) -> None:
    run_id = run_paused_at("ind-decision")  # the run has moved on to the next gate
    history = state_names(run_id)
    with pytest.raises(prefect_bridge.RunNotWaiting, match="is not waiting at accept-for-selection"):
        prefect_bridge.resume(run_id, step="accept-for-selection")
    task_id = open_gate(session=db, case_id=new_case(session=db), flow_run_id=run_id)
    decision = decide(session=db, task_id=task_id, actor="pm.anna", approve=True, data=FORM, deliver=False)
    assert decision is not None
    assert deliver_decision(session=db, decision=decision) == "waiting"
    assert decision.delivered_at is None
    assert state_names(run_id) == history, "no resume reached the run"


def test_a_resume_for_a_run_that_no_longer_exists_is_refused(db: Session, prefect_server: str) -> None:
    missing = str(UUID(int=7))
    with pytest.raises(prefect_bridge.RunNotWaiting, match=f"flow run {missing} is not waiting"):
        prefect_bridge.resume(missing, step="accept-for-selection")
