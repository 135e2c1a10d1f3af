"""A resumed flow replays what its case already did from one read, without redoing or re-asking it."""

from typing import Any

from sqlmodel import Session, select

from flows.resettlement import ACCEPT, IND
from models import Case, HumanTask
from passage.services import decisions, delivery, steps
from tasks.case import CaseInfo, load_case
from tasks.gate import gate
from tasks.steps import Done, record, step
from tests.factories import new_case, open_gate


def snapshot(db: Session, case_id: int) -> CaseInfo:
    case = db.get(Case, case_id)
    assert case is not None
    return load_case.fn(case.ref)


def test_the_snapshot_holds_done_steps_and_every_decision_now_taken(db: Session) -> None:
    case_id = new_case(session=db)
    case = db.get(Case, case_id)
    assert case is not None
    steps.run_once(session=db, case=case, step="quota-reserved", title="Reserve", action=lambda _s, _c: {"n": 1})
    taken = open_gate(session=db, case_id=case_id)
    decisions.decide(session=db, task_id=taken, actor="pm.anna", approve=True, deliver=False)
    decisions.take_decision(session=db, case_id=case_id, step="accept-for-selection")
    waiting = open_gate(session=db, case_id=case_id, step="ind-decision", form_type="ind-decision")
    form = {"ind_reference": "IND-1", "decided_on": "2026-01-05"}
    decisions.decide(session=db, task_id=waiting, actor="pm.anna", approve=True, data=form, deliver=False)

    info = snapshot(db, case_id)

    assert info.done == {"quota-reserved": {"n": 1}}
    assert set(info.decided) == {"accept-for-selection", "ind-decision"}
    assert info.decided["ind-decision"] == {**form, "approved": True, "comment": "", "decided_by": "pm.anna"}
    # Loaded means taken: the reconciler has nothing left to deliver for this case.
    db.expire_all()
    assert delivery.unapplied(session=db) == []


def test_a_replayed_gate_returns_its_decision_without_recording_a_task(db: Session) -> None:
    info = snapshot(db, new_case(session=db))
    decided: dict[str, Any] = {"approved": False, "comment": "not in scope", "decided_by": "pm.joost"}
    info = info.model_copy(update={"decided": {ACCEPT.step: decided}})

    decision = gate(info, ACCEPT)

    assert (decision.approved, decision.comment, decision.decided_by) == (False, "not in scope", "pm.joost")
    assert db.exec(select(HumanTask).where(HumanTask.step == ACCEPT.step)).first() is None
    assert IND.step not in info.decided


def test_a_replayed_step_returns_its_result_without_running_again(db: Session) -> None:
    ran: list[int] = []

    @step("side-effect", "A step with a side effect")
    def side_effect(_session: Session, _case: Case) -> Done:
        ran.append(1)
        return Done(note="first")

    info = snapshot(db, new_case(session=db)).model_copy(update={"done": {"side-effect": {"note": "recorded"}}})

    assert side_effect(info).note == "recorded"
    assert record(info, "side-effect", "Recorded", "second").note == "recorded"
    assert ran == []
