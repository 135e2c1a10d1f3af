"""Decisions reach the flow exactly once, even when Prefect is down or two people click at once."""

import os
import subprocess
import sys
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import Session, select

from models import Decision, HumanTask
from passage.core.db import get_engine
from passage.core.settings import get_settings
from passage.orchestration.stack import child_env
from passage.services.decisions import decide
from tests.flows.driver import start, task_at

DEAD_API = "http://127.0.0.1:9/api"  # the discard port: nothing listens there


def resumes(flow_run_id: str) -> int:
    """How many times Prefect resumed the run."""
    with get_client(sync_client=True) as client:
        states = client.read_flow_run_states(UUID(flow_run_id))
    return sum(1 for state in states if state.name == "Resuming")


def decision_of(task_id: int) -> Decision | None:
    with Session(get_engine()) as session:
        return session.exec(select(Decision).where(Decision.task_id == task_id)).first()


def test_decision_made_while_prefect_is_down_is_delivered_by_the_reconciler(
    db: Session, runner: int, caplog: pytest.LogCaptureFixture
) -> None:
    case = start()
    task = task_at(case.id or 0, "accept-for-selection")
    with temporary_settings(updates={PREFECT_API_URL: DEAD_API}):
        decide(session=db, task_id=task.id or 0, actor="pm.anna", approve=True)
    assert "not delivered: PrefectUnavailable" in caplog.text
    assert decision_of(task.id or 0) is not None  # recorded although Prefect did not answer
    task_at(case.id or 0, "ind-decision")  # the runner's reconciler delivered it
    delivered = decision_of(task.id or 0)
    assert delivered is not None and delivered.delivered_at is not None and delivered.applied_at is not None
    assert resumes(task.flow_run_id) == 1


def test_two_people_deciding_at_once_give_one_decision_and_one_resume(db: Session, runner: int) -> None:
    case = start()
    task = task_at(case.id or 0, "accept-for-selection")
    env = child_env(get_settings())
    deciders = [
        subprocess.Popen(
            [sys.executable, "-m", "passage.cli", "tasks", "decide", str(task.id), "--approve", "--as", actor],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for actor in ("pm.anna", "pm.joost")
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in deciders]
    assert sorted(code for code, _ in results) == [0, 1], results
    refusal = next(err for code, err in results if code == 1)
    assert "already decided by pm." in refusal
    task_at(case.id or 0, "ind-decision")
    assert len(db.exec(select(Decision)).all()) == 1
    assert resumes(task.flow_run_id) == 1
    reopened = db.exec(select(HumanTask).where(HumanTask.case_id == case.id)).all()
    assert [t.step for t in reopened] == ["accept-for-selection", "ind-decision"]
    assert os.environ["PASSAGE_HOME"] in env["PASSAGE_HOME"]
