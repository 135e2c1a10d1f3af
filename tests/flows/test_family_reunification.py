"""Family reunification: DNA per member, a member leaving the journey, an escorted minor, rejections."""

from datetime import date
from functools import partial
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from flows.family_reunification import Journey, needs_escort
from flows.family_reunification_forms import DnaResult, FamilyMember, MemberFitness, MemberNeeds
from models import CaseStatus, HumanTask, Person, StepRun, TaskStatus
from passage.core import prefect_bridge
from passage.core.db import get_engine
from passage.services import amend
from tests.conftest import wait_for
from tests.factories import DEPARTURE
from tests.flows.driver import closed, decide_at, start, task_at

TODAY = date.today().isoformat()
FORMS: dict[str, dict[str, Any]] = {
    "dna-appointment": {"site": "ethiopia", "appointment_on": TODAY},
    "dna-sample": {"sample_id": "MHAC-ADD-0001", "consent_recorded": True, "collected_on": TODAY},
    "dna-result": {"relationship": "confirmed", "ind_reference": "IND-DNA-77"},
    "visa": {"visa_reference": "MVV-2026-9", "issued_on": TODAY},
    "needs": {},
    "fitness": {"fitness": "fit"},
    "escort": {"escort_kind": "child_protection", "escort_reference": "ESC-4"},
    "travel": {"flight": "ET714", "departure_on": DEPARTURE},
    "arrival": {"arrived_on": TODAY, "sponsor_informed": True, "informed_by": "phone"},
}
decide = partial(decide_at, forms=FORMS)
SPONSOR = {"full_name": "Yonas Tesfaye", "nationality": "ER", "birth_date": "1986-05-14", "municipality": "Utrecht"}
CHILDREN = [
    {"full_name": "Selam Yonas", "nationality": "ER", "birth_date": "2011-03-02", "relationship": "child"},
    {"full_name": "ዳዊት ዮናስ", "nationality": "ER", "birth_date": "2014-10-19", "relationship": "child"},
]


def request(members: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    members = [{"country_of_stay": "ET", **m} for m in members]
    return {"ind_ref": "IND-FR-2026-0100", "sponsor": SPONSOR, "members": members, **overrides}


def member(**fields: Any) -> FamilyMember:
    return FamilyMember.model_validate({**CHILDREN[0], "country_of_stay": "ET", **fields})


def test_a_member_who_leaves_leaves_alone() -> None:
    # Numbered as in IND's request: member 2 was removed by an amendment, 4 joined later.
    journey = Journey({1: member(), 3: member(full_name="Dawit"), 4: member(full_name="Hana")})
    journey.leave(3, "relationship not confirmed by IND: no match")
    assert [n for n, _ in journey.going()] == [1, 4]
    assert journey.departures() == "Dawit (relationship not confirmed by IND: no match)"


@pytest.mark.parametrize(
    ("minor", "fitness", "escort"),
    [(False, None, False), (True, None, True), (False, "fit", False), (False, "fit_with_escort", True)],
)
def test_escort_for_unaccompanied_minors_and_members_fit_only_with_escort(
    minor: bool, fitness: str | None, escort: bool
) -> None:
    needs = MemberNeeds(approved=True, decided_by="cw.pieter", unaccompanied_minor=minor)
    fit = None if fitness is None else MemberFitness(approved=True, decided_by="mo.sara", fitness=fitness)
    assert needs_escort(needs, fit) is escort


def test_a_dna_result_stores_only_the_verdict_and_must_match_the_decision() -> None:
    assert set(DnaResult.field_names()) == {"relationship", "ind_reference"}
    with pytest.raises(ValidationError, match="approve means 'confirmed'"):
        DnaResult(approved=True, decided_by="cw.pieter", relationship="not_confirmed", ind_reference="IND-1")


def test_children_travel_alone_one_not_confirmed_the_other_escorted_home(db: Session, runner: int) -> None:
    case = start(request([{**c, "dna_requested": True} for c in CHILDREN]), programme="family-reunification")
    case_id = case.id or 0
    appointment = decide(case_id, "dna-appointment")
    decide(case_id, "dna-sample-1")
    decide(case_id, "dna-sample-2", sample_id="MHAC-ADD-0002")
    result = decide(case_id, "dna-result-1")
    decide(case_id, "dna-result-2", approve=False, comment="IND letter of 3 May", relationship="not_confirmed")
    visa = decide(case_id, "visa")
    decide(case_id, "needs-1", unaccompanied_minor=True)
    escort = decide(case_id, "escort-1")
    travel = decide(case_id, "travel")
    decide(case_id, "arrival")
    ended = closed(case_id)
    assert ended.status == CaseStatus.CLOSED
    assert ended.outcome == (
        f"1 of 2 family members arrived {TODAY}, sponsor informed;"
        " left the journey: ዳዊት ዮናስ (relationship not confirmed by IND)"
    )
    assert appointment.context == {"members": ["Selam Yonas", "ዳዊት ዮናስ"]} and result.title.endswith("Selam Yonas")
    assert result.context == {"sample_id": "MHAC-ADD-0001"} and visa.context == {"members": ["Selam Yonas"]}
    assert escort.role == "movement_officer" and escort.context == {"unaccompanied_minor": True}
    assert travel.context == {"travellers": ["Selam Yonas"], "escorted": ["Selam Yonas"], "missing_documents": {}}
    left = db.exec(select(StepRun).where(StepRun.case_id == case_id)).one()
    assert (left.step, left.result["note"]) == (
        "member-leaves-2",
        "ዳዊት ዮናስ: relationship not confirmed by IND",
    )
    persons = db.exec(select(Person).where(Person.case_id == case_id)).all()
    assert [(p.full_name, p.is_principal) for p in persons][0] == ("Yonas Tesfaye", True)


def test_member_unfit_to_travel_leaves_and_no_one_is_left_to_travel(db: Session, runner: int) -> None:
    spouse = {"full_name": "Miriam Haile", "nationality": "ER", "relationship": "spouse"}
    case = start(request([spouse]), programme="family-reunification")
    case_id = case.id or 0
    task_at(case_id, "visa")  # no DNA asked: the case starts at the visa
    decide(case_id, "visa")
    decide(case_id, "needs-1", medical_condition=True, missing_documents=["passport"])
    decide(case_id, "fitness-1", approve=False, comment="treatment first", fitness="unfit")
    ended = closed(case_id)
    assert (ended.status, ended.outcome) == (
        CaseStatus.REJECTED,
        "no family member travels; left the journey: Miriam Haile (not fit to travel)",
    )


def test_no_dna_appointment_ends_the_case_when_every_member_needed_one(db: Session, runner: int) -> None:
    case = start(request([{**CHILDREN[0], "dna_requested": True}]), programme="family-reunification")
    decide(case.id or 0, "dna-appointment", approve=False, comment="family unreachable for six weeks")
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (
        CaseStatus.REJECTED,
        "no family member travels; left the journey: Selam Yonas (no DNA sampling appointment:"
        " family unreachable for six weeks)",
    )


def test_a_member_who_stays_behind_no_longer_holds_the_family(db: Session, runner: int) -> None:
    case = start(request(CHILDREN), programme="family-reunification")
    case_id = case.id or 0
    visa = decide(case_id, "visa")
    waiting = task_at(case_id, "needs-1")  # Selam's needs: the family waits on her
    wait_for(lambda: (s := prefect_bridge.run_state(waiting.flow_run_id)) and s.pause_key == "needs-1", what="pause")
    selam = db.exec(select(Person).where(Person.case_id == case_id, Person.number == 2)).one()
    with Session(get_engine()) as session:
        done = amend.remove_person(
            session=session, ref=case.ref, actor="cw.amal", person_id=selam.id or 0, reason="stays with her mother"
        )
    assert (done.cancelled, done.for_review) == ([waiting.id], [visa.id])
    # Woken (now, or by the reconciler's next pass), the run reads the case again: Dawit keeps his number (his
    # gates stay his), and travels alone.
    decide(case_id, "needs-2")
    travel = decide(case_id, "travel")
    decide(case_id, "arrival")
    ended = closed(case_id)
    assert (ended.status, ended.outcome) == (
        CaseStatus.CLOSED,
        f"1 of 1 family members arrived {TODAY}, sponsor informed",
    )
    assert travel.context == {"travellers": ["ዳዊት ዮናስ"], "escorted": [], "missing_documents": {}}
    db.expire_all()
    assert db.get(HumanTask, waiting.id).status == TaskStatus.CANCELLED  # type: ignore[union-attr]
