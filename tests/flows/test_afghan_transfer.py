"""The Afghan transfer flow: the whole transfer, the cost gate and its budget, rejections by kind of gate."""

from datetime import date
from functools import partial
from typing import Any

from sqlmodel import Session, select

from flows.afghan_transfer import ACCOMMODATION_BUDGET
from models import CaseStatus, StepRun
from passage.services import budget
from tests.factories import DEPARTURE
from tests.flows.driver import closed, decide_at, start

TODAY = date.today().isoformat()
FORMS: dict[str, dict[str, Any]] = {
    "identity": {"documents": ["passport", "tazkira"]},
    "accommodation": {"place": "Guesthouse, Islamabad", "check_in_on": TODAY, "nights": 14, "cost_euros": 1200},
    "accommodation-cost": {},
    "medical": {"fitness": "fit", "needs": []},
    "exit-permit": {"permit_reference": "EXIT-PK-77", "issued_on": TODAY},
    "flight": {"flight": "TK711", "departure_on": DEPARTURE},
    "arrival": {"arrived_on": TODAY, "reception_location": "COA Budel"},
}
decide = partial(decide_at, forms=FORMS)


def request(**overrides: Any) -> dict[str, Any]:
    """The embassy's request for a couple waiting in Pakistan; keyword arguments replace fields."""
    case = {
        "embassy_ref": "ISB-2026-0042",
        "transit_country": "PK",
        "persons": [
            {"full_name": "احمد نوری", "nationality": "AF", "birth_date": "1988-04-11", "is_principal": True},
            {"full_name": "مریم نوری", "nationality": "AF", "birth_date": "1991-09-30"},
        ],
    }
    return {**case, **overrides}


def test_whole_transfer_with_a_booking_sent_back_once(db: Session, runner: int) -> None:
    case = start(request(transit_country="IR", medical_needs=True), programme="afghan-transfer")
    case_id = case.id or 0
    decide(case_id, "identity")
    decide(case_id, "accommodation", cost_euros=9000)
    refused = decide(case_id, "accommodation-cost", approve=False, comment="too expensive for 14 nights")
    booking = decide(case_id, "accommodation-2", place="Hotel, Mashhad")
    approval = decide(case_id, "accommodation-cost-2")
    decide(case_id, "medical", fitness="fit_with_escort", needs=["medical_escort"])
    decide(case_id, "exit-permit")
    flight = decide(case_id, "flight", escorts=1)
    decide(case_id, "arrival")
    ended = closed(case_id)
    assert ended.status == CaseStatus.CLOSED
    assert ended.outcome == f"arrived {TODAY}, handed over to COA COA Budel"
    # The manager saw the cost and the budget; the transit country came from the request.
    assert refused.context["cost_euros"] == 9000 and refused.context["transit_country"] == "IR"
    assert approval.context["budget_left_euros"] == ACCOMMODATION_BUDGET.yearly_euros
    assert approval.requested_by == "mv.tom" and booking.title.endswith("(IR)")
    assert flight.context == {"fitness": "fit_with_escort", "needs": ["medical_escort"]}
    spent = budget.check(session=db, budget=ACCOMMODATION_BUDGET, year=date.today().year, euros=0)
    assert spent.spent == 1200
    steps = [s.step for s in db.exec(select(StepRun).where(StepRun.case_id == case_id))]
    assert steps == ["accommodation-paid", "departure"]


def test_accommodation_past_the_budget_is_refused_with_the_reason(db: Session, runner: int) -> None:
    year = date.today().year
    budget.spend(session=db, budget=ACCOMMODATION_BUDGET, year=year, euros=ACCOMMODATION_BUDGET.limit - 500)
    db.commit()
    case = start(request(), programme="afghan-transfer")
    decide(case.id or 0, "identity")
    decide(case.id or 0, "accommodation")
    decide(case.id or 0, "accommodation-cost")
    ended = closed(case.id or 0)
    assert ended.status == CaseStatus.REFUSED
    assert (
        ended.outcome == f"Afghan transfer accommodation budget {year} has €500 of €250000 left; this case needs €1200"
    )


def test_identity_not_verified_ends_the_transfer(db: Session, runner: int) -> None:
    case = start(request(), programme="afghan-transfer")
    decide(case.id or 0, "identity", approve=False, comment="tazkira does not match the embassy's list")
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (
        CaseStatus.REJECTED,
        "identity not verified: tazkira does not match the embassy's list",
    )


def test_unfit_at_medical_screening_ends_the_transfer(db: Session, runner: int) -> None:
    case = start(request(), programme="afghan-transfer")
    for step in ("identity", "accommodation", "accommodation-cost"):
        decide(case.id or 0, step)
    decide(case.id or 0, "medical", approve=False, comment="needs treatment first", fitness="unfit")
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (CaseStatus.REJECTED, "medical screening: not fit to travel")
