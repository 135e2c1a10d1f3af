"""Prefect killed while cases wait at a gate: decisions taken meanwhile are kept and delivered once it is back."""

import subprocess
import sys
import time

from sqlmodel import Session, col, func, select

from models import AuditEvent, Decision, HumanTask
from passage.core import prefect_bridge
from passage.core.db import get_engine
from passage.orchestration.stack import child_env
from passage.services.decisions import decide
from passage.services.delivery import start_case
from tests.conftest import wait_for
from tests.factories import FORMS, referral
from tests.flows.driver import task_at
from tests.reliability.conftest import OUTAGE_CASES, Figures, OwnStack, state_names

GATE, NEXT = "accept-for-selection", "ind-decision"


def suspended_at(task: HumanTask, step: str) -> bool:
    state = prefect_bridge.run_state(task.flow_run_id)
    return state is not None and state.is_paused and state.pause_key == step


def all_suspended_at(tasks: list[HumanTask], step: str, timeout: float) -> None:
    wait_for(lambda: all(suspended_at(t, step) for t in tasks), timeout=timeout, what=f"every run suspended at {step}")


def parked(count: int) -> list[HumanTask]:
    """`count` resettlement cases started and suspended at their first gate."""
    with Session(get_engine()) as session:
        # A loaded server may answer 503 to a run's creation: the case is kept and the reconciler starts it.
        cases = [
            start_case(
                session=session,
                programme="resettlement-nl",
                case_file=referral(unhcr_ref=f"LEB-24-{n:06d}"),
                actor="cw.amal",
                open_anyway=True,  # one family under several references: likely duplicates
            ).id
            or 0
            for n in range(count)
        ]
    tasks = [task_at(case, GATE, timeout=120 + 10 * count) for case in cases]
    all_suspended_at(tasks, GATE, timeout=120 + 5 * count)
    return tasks


def decide_by_cli(task: HumanTask, own_stack: OwnStack) -> str:
    """Decide as a person at the terminal would; returns what the command said."""
    args = ["tasks", "decide", str(task.id), "--approve", "--data", '{"priority": "normal"}', "--as", "pm.anna"]
    done = subprocess.run(
        [sys.executable, "-m", "passage.cli", *args],
        env=child_env(own_stack.settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def count(session: Session, query: object) -> int:
    return int(session.exec(query).one())  # type: ignore[call-overload]


def test_decisions_taken_while_prefect_is_down_are_delivered_once_when_it_is_back(
    db: Session, own_stack: OwnStack, figures: Figures
) -> None:
    own_stack.start_server()
    own_stack.start_runner()
    tasks = parked(OUTAGE_CASES)

    own_stack.kill_server()
    down_at = time.monotonic()
    said = decide_by_cli(tasks[0], own_stack)
    assert "recorded; the flow picks it up shortly" in said
    for task in tasks[1:]:
        decide(session=db, task_id=task.id or 0, actor="pm.anna", approve=True, data=FORMS[GATE])
    with Session(get_engine()) as session:
        recorded = session.exec(select(Decision)).all()
        assert len(recorded) == OUTAGE_CASES
        assert all(d.delivered_at is None and d.delivery_error for d in recorded), "nothing reached Prefect"

    own_stack.start_server()  # the same home: the same Prefect database, the runs still suspended
    outage = time.monotonic() - down_at
    for task in tasks:
        task_at(task.case_id, NEXT, timeout=120 + 10 * OUTAGE_CASES)
    all_suspended_at(tasks, NEXT, timeout=120)

    with Session(get_engine()) as session:
        decisions = session.exec(select(Decision)).all()
        assert len(decisions) == OUTAGE_CASES and all(d.applied_at is not None for d in decisions)
        approved = count(session, select(func.count()).where(col(AuditEvent.action) == "task.approved"))
        assert approved == OUTAGE_CASES
    resumes = [state_names(task.flow_run_id).count("Resuming") for task in tasks]
    assert resumes == [1] * OUTAGE_CASES, "one resume per decision"
    figures.record(
        cases=OUTAGE_CASES,
        decisions=OUTAGE_CASES,
        lost=OUTAGE_CASES - sum(d.applied_at is not None for d in decisions),
        duplicates=sum(resumes) - OUTAGE_CASES,
        outage_seconds=round(outage, 1),
    )
