"""A gate whose wait runs out with a real run suspended at it: expired, re-opened, decided, the run goes on."""

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col
from typer.testing import CliRunner

from models import HumanTask, TaskStatus
from models.common import utcnow
from passage.cli import app
from passage.core import prefect_bridge
from passage.core.db import get_engine
from tests.conftest import wait_for
from tests.flows.driver import decide_at, start, task_at


def status_of(task_id: int) -> TaskStatus:
    with Session(get_engine()) as session:
        task = session.get(HumanTask, task_id)
        assert task is not None
        return task.status


def test_an_expired_gate_reopened_by_a_manager_resumes_its_run(db: Session, runner: int) -> None:
    case = start()
    task = task_at(case.id or 0, "accept-for-selection")
    with Session(get_engine()) as session:  # the wait runs out (90 days by default): move it to the past
        session.execute(
            update(HumanTask).where(col(HumanTask.id) == task.id).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()

    wait_for(lambda: status_of(task.id or 0) == TaskStatus.EXPIRED, timeout=60, what="the reconciler to expire it")
    state = prefect_bridge.run_state(task.flow_run_id)
    assert state is not None and state.type == "PAUSED" and state.pause_key == "accept-for-selection"

    reopened = CliRunner().invoke(app, ["tasks", "reopen", str(task.id), "--as", "pm.anna", "--days", "2"])
    assert reopened.exit_code == 0, reopened.output
    assert status_of(task.id or 0) == TaskStatus.OPEN

    decide_at(case.id or 0, "accept-for-selection")
    task_at(case.id or 0, "ind-decision")
