"""A flow run's process killed in the middle of a step: the run is brought back and the step happens once.

The step is caught mid-way by holding the app database's write lock: the step's transaction waits for
it, the test kills the process (SIGKILL, the worker survives), then lets go of the lock.
"""

import os
import signal

from sqlmodel import Session, col, select

from models import AuditEvent, Notification, StepRun
from passage.core import prefect_bridge
from passage.orchestration import stack
from passage.programme.registry import get_programme
from passage.services import cases
from passage.services.recovery import RECOVERED
from tests.conftest import wait_for
from tests.factories import referral
from tests.flows.driver import task_at
from tests.reliability.conftest import Figures, state_names, task_run_states, writes_locked

STEP = "referral-check"


def test_a_flow_process_killed_in_a_step_is_brought_back_and_the_step_happens_once(
    db: Session, runner: int, figures: Figures
) -> None:
    case = cases.open_case(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    with writes_locked():
        run_id = prefect_bridge.start_run(
            deployment=get_programme("resettlement-nl").deployment,
            programme="resettlement-nl",
            case_ref=case.ref,
            case_uid=case.uid,
        )
        wait_for(lambda: "Running" in task_run_states(run_id, STEP), timeout=120, what=f"{STEP} running")
        (child,) = wait_for(lambda: stack.flow_processes(runner), what="the run's process")
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: child not in stack.flow_processes(runner), what="the killed process gone")

    task = task_at(case.id or 0, "accept-for-selection", timeout=180)
    wait_for(lambda: (prefect_bridge.run_state(run_id) or prefect_bridge.RunState(type="", name="")).is_paused)
    history = state_names(run_id)
    assert "Crashed" in history and "Recovering" in history, history
    db.expire_all()
    trail = db.exec(select(AuditEvent).where(col(AuditEvent.case_id) == case.id)).all()
    assert [e.detail.get("state") for e in trail if e.action == RECOVERED] == ["Crashed"], "the case trail says so"
    done = [e for e in trail if e.action == "step.done" and e.detail.get("step") == STEP]
    steps = db.exec(select(StepRun).where(StepRun.case_id == case.id, StepRun.step == STEP)).all()
    told = db.exec(select(Notification.key).where(Notification.task_id == task.id)).all()
    assert len(done) == len(steps) == 1
    assert sorted(told) == [f"assigned:{task.id}:pm.anna", f"assigned:{task.id}:pm.joost"]
    figures.record(cases=1, processes_killed=1, lost=0, duplicates=len(done) - 1, recoveries=1)
