"""The app database locked or unreachable for a while: clear messages, retried steps, no half-written decision."""

import pytest
import streamlit as st
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from models import AuditEvent, Decision, HumanTask, StepRun, TaskStatus
from passage.core import prefect_bridge
from passage.core.db import get_engine
from passage.core.settings import get_settings
from passage.programme.registry import get_programme
from passage.services import cases
from passage.services.decisions import decide
from tests.conftest import wait_for
from tests.factories import new_case, open_gate, referral
from tests.flows.driver import task_at
from tests.reliability.conftest import Figures, task_run_states, writes_locked
from tests.ui.conftest import OpenApp
from ui.state import DATABASE_DOWN

FORM = {"priority": "normal"}
STEP = "referral-check"


def written(session: Session, task_id: int) -> tuple[TaskStatus, int, int]:
    """The task's status, its decisions and its decision events, read afresh."""
    session.expire_all()
    task = session.get(HumanTask, task_id)
    assert task is not None
    decisions = session.exec(select(Decision).where(Decision.task_id == task_id)).all()
    events = session.exec(
        select(AuditEvent).where(AuditEvent.task_id == task_id, col(AuditEvent.action).startswith("task.approved"))
    ).all()
    return task.status, len(decisions), len(events)


def test_a_decision_while_the_database_is_locked_is_all_or_nothing(db: Session, figures: Figures) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    with writes_locked(), Session(get_engine()) as session, pytest.raises(OperationalError, match="lock"):
        decide(session=session, task_id=task_id, actor="pm.anna", approve=True, data=FORM, deliver=False)
    assert written(db, task_id) == (TaskStatus.OPEN, 0, 0), "nothing half-written"
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, data=FORM, deliver=False)
    assert written(db, task_id) == (TaskStatus.DECIDED, 1, 1), "decision and its audit event together"
    figures.record(decisions=2, recorded=1, lost=0, duplicates=0)


def test_a_step_that_meets_a_locked_database_is_retried_and_done_once(db: Session, runner: int) -> None:
    case = cases.open_case(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    sqlite = get_engine().dialect.name == "sqlite"
    with writes_locked():
        run_id = prefect_bridge.start_run(
            deployment=get_programme("resettlement-nl").deployment,
            programme="resettlement-nl",
            case_ref=case.ref,
            case_uid=case.uid,
        )
        # SQLite gives up after its busy timeout (15 s) and Prefect retries the step; PostgreSQL waits for the lock.
        waited = "AwaitingRetry" if sqlite else "Running"
        wait_for(lambda: waited in task_run_states(run_id, STEP), timeout=180, what=f"{STEP} {waited}")
    task_at(case.id or 0, "accept-for-selection", timeout=120)
    db.expire_all()
    steps = db.exec(select(StepRun).where(StepRun.case_id == case.id, StepRun.step == STEP)).all()
    done = db.exec(select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "step.done")).all()
    assert len(steps) == 1 and [e.detail["step"] for e in done] == [STEP]
    assert task_run_states(run_id, STEP)[-1] == "Completed"


def test_the_inbox_says_the_database_is_unreachable_without_a_traceback(
    db: Session, app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = app("pm.anna")
    monkeypatch.setenv("PASSAGE_DATABASE_URL", f"sqlite:///{get_settings().home / 'no-such-dir' / 'passage.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    st.cache_resource.clear()
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    assert [e.value for e in page.error] == [DATABASE_DOWN]
