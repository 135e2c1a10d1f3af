"""A resume sent straight to Prefect, with no decision in Passage, leaves the gate waiting: no failure, no recovery."""

from uuid import UUID

from prefect.client.orchestration import get_client
from sqlmodel import Session, select

from models import AuditEvent
from tests.conftest import wait_for
from tests.flows.driver import decide_at, start, task_at
from tests.flows.test_gate_grace import state_names
from tests.flows.test_recovery import waiting_at

GATE = "accept-for-selection"


def noted(db: Session, case_id: int) -> bool:
    db.expire_all()
    query = select(AuditEvent).where(
        AuditEvent.case_id == case_id, AuditEvent.action == "gate.resumed-without-decision"
    )
    return [e.detail for e in db.exec(query)] == [{"step": GATE}]


def test_a_resume_without_a_decision_suspends_again_at_the_gate(db: Session, runner: int) -> None:
    case = start()
    case_id = case.id or 0
    task = task_at(case_id, GATE)
    wait_for(lambda: waiting_at(task.flow_run_id, GATE), timeout=60, what="the run to suspend at its gate")
    with get_client(sync_client=True) as client:
        client.resume_flow_run(UUID(task.flow_run_id))  # what anyone holding Prefect's API could send
    wait_for(
        lambda: noted(db, case_id) and waiting_at(task.flow_run_id, GATE),
        timeout=90,
        what="the run to wait at its gate again, the trail saying why",
    )
    names = state_names(task.flow_run_id)
    assert not {"Failed", "Crashed", "Recovering"} & set(names), names
    decide_at(case_id, GATE)
    task_at(case_id, "ind-decision")  # the real decision still moves the case on
