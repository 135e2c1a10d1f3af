"""A run that Prefect marked Crashed after it had suspended at a gate is brought back and waits there again.

Seen in the 500-gate burst: the worker reported a run's process exit (status 255) a moment after the run
had suspended, and Prefect took Crashed over Suspended. The reconciler's forced reschedule kept the pause
keys the run had used, so its re-run could not suspend at the same gate again ("this suspend has already
fired"): Prefect went on without input and the run failed at every recovery, its case stuck.
"""

from sqlmodel import Session

from passage.core import prefect_bridge
from tests.conftest import wait_for
from tests.flows.driver import decide_at, start, task_at
from tests.flows.test_gate_grace import state_names

GATE = "accept-for-selection"


def waiting_at(flow_run_id: str, step: str) -> bool:
    state = prefect_bridge.run_state(flow_run_id)
    return state is not None and state.is_paused and state.pause_key == step


def test_a_run_crashed_after_suspending_is_recovered_to_the_same_gate_and_goes_on(db: Session, runner: int) -> None:
    case = start()
    task = task_at(case.id or 0, GATE)
    wait_for(lambda: waiting_at(task.flow_run_id, GATE), timeout=60, what="the run to suspend at its gate")
    assert prefect_bridge.crash(task.flow_run_id, "process exited with status 255 after suspending")

    def back_at_the_gate() -> bool:
        names = state_names(task.flow_run_id)
        assert "Failed" not in names, names
        return "Recovering" in names and waiting_at(task.flow_run_id, GATE)

    wait_for(back_at_the_gate, timeout=120, what="the reconciler to bring the run back to its gate")
    decide_at(case.id or 0, GATE)
    task_at(case.id or 0, "ind-decision")  # the decision resumed the recovered run
