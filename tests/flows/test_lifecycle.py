"""Withdraw and reopen a resettlement case on a real Prefect server, served as `passage up` serves it."""

from sqlmodel import Session, col, select

from models import Case, CaseStatus, HumanTask, StepRun, TaskStatus
from passage.core import prefect_bridge
from passage.services import lifecycle, quota
from passage.services.cases import close_case
from tests.conftest import wait_for
from tests.flows.driver import closed, decide_at, start, task_at

SYRIAN_2014 = {("national", "2014"), ("syrian", "2013-2014")}


def used(db: Session) -> dict[tuple[str, str], int]:
    db.expire_all()
    return {
        (line.rule, line.period): line.used
        for line in quota.usage(session=db)
        if (line.rule, line.period) in SYRIAN_2014
    }


def final_state(run_id: str) -> str:
    state = wait_for(
        lambda: (s := prefect_bridge.run_state(run_id)) and prefect_bridge.is_final(s) and s,
        what=f"run {run_id} to end",
    )
    return str(state.type)


def resumed(run_id: str, step: str) -> bool:
    """Resume the run at `step` as the delivery does, again while a loaded server answers "busy" (503)."""
    try:
        prefect_bridge.resume(run_id, step=step)
    except prefect_bridge.RunNotWaiting:
        return True  # an earlier try went through after all
    except prefect_bridge.PrefectUnavailable as exc:
        if not prefect_bridge.is_busy(exc):
            raise
        return False
    return True


def test_a_case_withdrawn_at_a_gate_ends_its_run_cancelled_gives_its_places_back_and_reopens_there(
    db: Session, runner: int
) -> None:
    case = start(quota_year=2014)  # a Syrian family of two: national quota and Syrian sub-quota
    case_id = case.id or 0
    decide_at(case_id, "accept-for-selection")
    waiting = task_at(case_id, "ind-decision")
    wait_for(lambda: (s := prefect_bridge.run_state(waiting.flow_run_id)) and s.is_paused, what="the run to suspend")
    assert used(db) == {("national", "2014"): 2, ("syrian", "2013-2014"): 2}

    lifecycle.withdraw(session=db, ref=case.ref, actor="cw.amal", reason="no-show")

    assert final_state(waiting.flow_run_id) == "CANCELLED"  # not left Paused
    db.expire_all()
    assert db.get(HumanTask, waiting.id).status == TaskStatus.CANCELLED  # type: ignore[union-attr]
    assert db.get(Case, case_id).run_to_cancel is None  # type: ignore[union-attr]
    assert used(db) == {("national", "2014"): 0, ("syrian", "2013-2014"): 0}

    lifecycle.reopen(session=db, ref=case.ref, actor="pm.anna", reason="the family was rebooked")

    again = task_at(case_id, "ind-decision")  # the same gate asked again, in a new run
    assert again.id == waiting.id and again.flow_run_id != waiting.flow_run_id
    assert used(db) == {("national", "2014"): 2, ("syrian", "2013-2014"): 2}  # taken again once, not twice
    accepts = db.exec(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.step == "accept-for-selection"))
    assert [t.status for t in accepts] == [TaskStatus.DECIDED]  # the earlier gate is not asked again
    steps = db.exec(select(StepRun.step).where(StepRun.case_id == case_id).order_by(col(StepRun.id))).all()
    assert steps == ["referral-check", "quota-reserved"]


def test_a_rejected_case_reopened_resumes_at_the_gate_that_rejected_it(db: Session, runner: int) -> None:
    case = start()
    case_id = case.id or 0
    decide_at(case_id, "accept-for-selection")
    rejected = decide_at(case_id, "ind-decision", approve=False, comment="IND asked for more documents")
    assert closed(case_id).status == CaseStatus.REJECTED

    lifecycle.reopen(session=db, ref=case.ref, actor="pm.anna", reason="the documents arrived")

    again = task_at(case_id, "ind-decision")
    assert again.id != rejected.id and again.status == TaskStatus.OPEN
    decide_at(case_id, "ind-decision")
    task_at(case_id, "fit-to-travel")
    tasks = db.exec(select(HumanTask.step).where(HumanTask.case_id == case_id).order_by(col(HumanTask.id))).all()
    assert tasks == ["accept-for-selection", "ind-decision", "ind-decision", "fit-to-travel"]


def test_a_run_going_on_after_its_case_was_withdrawn_ends_cancelled_and_changes_nothing(
    db: Session, runner: int
) -> None:
    case = start()
    case_id = case.id or 0
    waiting = task_at(case_id, "accept-for-selection")
    wait_for(lambda: (s := prefect_bridge.run_state(waiting.flow_run_id)) and s.is_paused, what="the run to suspend")
    # Withdrawn while Prefect could not be told (the case closed, its run not cancelled), and the run resumed.
    close_case(session=db, case_id=case_id, status=CaseStatus.WITHDRAWN, outcome="withdrawn: no-show")
    wait_for(
        lambda: resumed(waiting.flow_run_id, "accept-for-selection"), timeout=30, what="Prefect to take the resume"
    )

    assert final_state(waiting.flow_run_id) == "CANCELLED"
    db.expire_all()
    ended = db.get(Case, case_id)
    assert ended is not None and (ended.status, ended.outcome) == (CaseStatus.WITHDRAWN, "withdrawn: no-show")
    assert db.exec(select(HumanTask.step).where(HumanTask.case_id == case_id)).all() == ["accept-for-selection"]
