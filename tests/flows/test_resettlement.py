"""The resettlement flow on a real Prefect server, served as `passage up` serves it."""

from datetime import date

from sqlmodel import Session, select

from models import AuditEvent, CaseStatus, HumanTask, StepRun
from passage.core import prefect_bridge
from passage.core.db import get_engine
from passage.orchestration import stack
from passage.services import amend, quota
from tests.conftest import wait_for
from tests.flows.driver import closed, decide_at, start, task_at


def test_case_waits_at_its_first_gate_holding_no_process(db: Session, runner: int) -> None:
    case = start()
    task = task_at(case.id or 0, "accept-for-selection")
    assert task.role == "programme_manager" and task.requested_by == "cw.amal"
    state = wait_for(lambda: (s := prefect_bridge.run_state(task.flow_run_id)) and s.is_paused and s, what="paused run")
    assert state.pause_key == "accept-for-selection"
    wait_for(lambda: stack.flow_processes(runner) == [], what="the runner to hold no flow process")


def test_decision_moves_the_case_on_without_repeating_earlier_steps(db: Session, runner: int) -> None:
    case = start(quota_year=2014)  # a Syrian family: national and Syrian sub-quota
    decide_at(case.id or 0, "accept-for-selection")
    decide_at(case.id or 0, "ind-decision")
    task_at(case.id or 0, "fit-to-travel")
    # The flow re-ran from the top twice; the quota was reserved once and each step ran once.
    used = {(line.rule, line.period): line.used for line in quota.usage(session=db)}
    assert used == {("national", "2014"): 2, ("syrian", "2013-2014"): 2}
    steps = [s.step for s in db.exec(select(StepRun).where(StepRun.case_id == case.id))]
    assert steps == ["referral-check", "quota-reserved"]
    done = db.exec(select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "step.done")).all()
    assert len(done) == 2


def test_rejection_ends_the_case_with_the_reason(db: Session, runner: int) -> None:
    case = start()
    decide_at(case.id or 0, "accept-for-selection", approve=False, comment="outside the mission's profile")
    ended = closed(case.id or 0)
    assert ended.status == CaseStatus.REJECTED
    assert ended.outcome == "not accepted for selection: outside the mission's profile"


def test_referral_past_the_quota_is_refused_with_the_reason(db: Session, runner: int) -> None:
    quota.reserve(session=db, year=2014, nationalities={"SY"}, persons=249)
    db.commit()
    case = start(quota_year=2014)
    ended = closed(case.id or 0)
    assert ended.status == CaseStatus.REFUSED
    assert ended.outcome == "Syrian sub-quota 2013-2014 (2013-2014) has 1 of 250 places left; this case needs 2"
    assert db.exec(select(HumanTask).where(HumanTask.case_id == case.id)).all() == []


def test_whole_procedure_to_arrival(db: Session, runner: int) -> None:
    case = start(vulnerabilities=["unaccompanied_minor"])
    case_id = case.id or 0
    for step in ["accept-for-selection", "ind-decision", "fit-to-travel", "orientation", "travel-documents", "escort"]:
        decide_at(case_id, step)
    decide_at(case_id, "movement-plan")
    decide_at(case_id, "movement-plan-approval", approve=False, comment="flight too early for the escort")
    plan = decide_at(case_id, "movement-plan-2", flight="KL568")
    # The escort is medical (FORMS["escort"]): two managers approve the plan, the flow waits for the second.
    approval = decide_at(case_id, "movement-plan-approval-2")
    decide_at(case_id, "movement-plan-approval-2", actor="pm.joost")
    decide_at(case_id, "pre-embarkation")
    decide_at(case_id, "arrival")
    ended = closed(case_id)
    assert ended.status == CaseStatus.CLOSED
    assert ended.outcome is not None and ended.outcome.endswith("handed over to COA COA Ter Apel")
    assert approval.requested_by == "mv.tom" and plan.role == "movement_officer"
    assert approval.context["flight"] == "KL568"


def test_a_newborn_added_while_the_case_waits_takes_a_place_and_brings_the_escort(db: Session, runner: int) -> None:
    adult = {"full_name": "Rahim Ahmadi", "nationality": "AF", "is_principal": True}  # no minor, no flag
    case = start(persons=[adult])
    case_id = case.id or 0
    decide_at(case_id, "accept-for-selection")
    task_at(case_id, "ind-decision")  # the family's one place is reserved
    newborn = {"full_name": "Baby Ahmadi", "nationality": "AF", "birth_date": date.today().isoformat()}
    with Session(get_engine()) as session:
        done = amend.add_person(session=session, ref=case.ref, actor="cw.amal", person=newborn, reason="born in Beirut")
    assert [(line.rule, line.held, line.holds) for line in done.places] == [("national", 1, 2)]
    assert [line.used for line in quota.usage(session=db)] == [2]
    for step in ["ind-decision", "fit-to-travel", "orientation", "travel-documents"]:
        decide_at(case_id, step)
    # The flow read the case afresh when it reached the step: a minor travels now, so an escort is arranged.
    assert task_at(case_id, "escort").role == "movement_officer"
