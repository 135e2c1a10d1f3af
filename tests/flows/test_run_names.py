"""A case's flow run is named by its case reference and tagged by programme and case, in every segment.

Operators find a case's run in Prefect's UI by its reference (`RST-00003`), not by a generated
"peculiar-adder"; the name and the tags are identifiers only (test_prefect_holds_nothing_personal scans them).
"""

from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from sqlmodel import Session

from passage.core import prefect_bridge
from tests.conftest import wait_for
from tests.flows.driver import decide_at, start, task_at
from tests.flows.test_recovery import waiting_at

GATE = "accept-for-selection"


def flow_run(flow_run_id: str) -> FlowRun:
    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(flow_run_id))


def test_a_cases_run_keeps_its_reference_as_name_and_its_tags_through_a_recovery_and_a_resume(
    db: Session, runner: int
) -> None:
    case = start()
    run_id = case.flow_run_id or ""
    expected_tags = {"programme:resettlement-nl", f"case:{case.ref}"}
    first = flow_run(run_id)
    assert (first.name, set(first.tags)) == (case.ref, expected_tags)

    task_at(case.id or 0, GATE)
    wait_for(lambda: waiting_at(run_id, GATE), timeout=60, what="the run to suspend at its gate")
    assert prefect_bridge.crash(run_id, "process exited with status 255 after suspending")
    wait_for(lambda: waiting_at(run_id, GATE) and flow_run(run_id).run_count > 1, timeout=120, what="the recovery")
    decide_at(case.id or 0, GATE)
    task_at(case.id or 0, "ind-decision")  # the decision resumed the recovered run, a third segment

    last = flow_run(run_id)
    assert last.run_count >= 2, "the run went through more than one segment"
    assert (last.name, set(last.tags)) == (case.ref, expected_tags)
