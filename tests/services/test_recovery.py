"""Bringing broken runs back stops after a bound, and says so once."""

from sqlmodel import Session, col, select

from models import AuditEvent, Case
from passage.services import audit
from passage.services.recovery import ABANDONED, MAX_RECOVERIES, RECOVERED, recover_run
from tests.factories import new_case


def test_a_run_that_keeps_failing_is_left_to_an_operator_once(db: Session) -> None:
    case = db.get(Case, new_case(session=db))
    assert case is not None
    case.flow_run_id = "00000000-0000-0000-0000-000000000001"
    for _ in range(MAX_RECOVERIES):
        audit.record(session=db, actor="system", action=RECOVERED, case_id=case.id)
    db.commit()
    # No Prefect call is made past the bound: nothing listens at the test's Prefect address.
    assert recover_run(session=db, case=case, state="Crashed") is False
    assert recover_run(session=db, case=case, state="Crashed") is False
    actions = db.exec(select(AuditEvent.action).where(col(AuditEvent.case_id) == case.id)).all()
    assert actions.count(ABANDONED) == 1 and actions.count(RECOVERED) == MAX_RECOVERIES
