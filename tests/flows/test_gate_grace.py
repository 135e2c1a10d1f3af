"""A gate decided while it is still warm goes on in the same process; one decided later suspends and resumes."""

from collections.abc import Iterator
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from sqlmodel import Session

from models import Decision
from passage.core import prefect_bridge
from passage.core.settings import get_settings
from tests.conftest import wait_for
from tests.flows.driver import decide_at, start, task_at
from tests.flows.test_delivery import decision_of, resumes


def state_names(flow_run_id: str) -> list[str]:
    with get_client(sync_client=True) as client:
        return [state.name or "" for state in client.read_flow_run_states(UUID(flow_run_id))]


@pytest.fixture
def grace(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[float]:
    """The grace period the runner's flow processes get (set before `runner` starts them)."""
    seconds = float(request.param)
    monkeypatch.setenv("PASSAGE_GATE_GRACE_SECONDS", str(seconds))
    get_settings.cache_clear()
    yield seconds
    get_settings.cache_clear()


@pytest.mark.parametrize("grace", [60], indirect=True)
def test_a_decision_while_the_gate_is_warm_goes_on_in_the_same_process(grace: float, db: Session, runner: int) -> None:
    case = start()
    task = decide_at(case.id or 0, "accept-for-selection")
    task_at(case.id or 0, "ind-decision")  # the run went on to its next gate
    names = state_names(task.flow_run_id)
    assert "Suspended" not in names and "Paused" not in names and resumes(task.flow_run_id) == 0, names
    taken = decision_of(task.id or 0)
    # Taken up by the gate itself: applied, never delivered through Prefect, and so not by the reconciler.
    assert isinstance(taken, Decision) and taken.applied_at is not None and taken.delivered_at is None


@pytest.mark.parametrize("grace", [1], indirect=True)
def test_a_gate_not_decided_within_its_grace_suspends_and_its_decision_resumes_it(
    grace: float, db: Session, runner: int
) -> None:
    case = start()
    task = task_at(case.id or 0, "accept-for-selection")

    def suspended() -> bool:
        state = prefect_bridge.run_state(task.flow_run_id)
        return state is not None and state.is_paused and state.pause_key == "accept-for-selection"

    wait_for(suspended, timeout=60, what="the run to suspend after its grace period")
    decide_at(case.id or 0, "accept-for-selection")
    task_at(case.id or 0, "ind-decision")
    assert resumes(task.flow_run_id) == 1
