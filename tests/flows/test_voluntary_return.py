"""Voluntary return: counselling to delivered in-kind support, the plan's four eyes, the in-kind budget."""

from datetime import date
from functools import partial
from typing import Any

from sqlmodel import Session

from flows.voluntary_return import IN_KIND_BUDGET
from models import CaseStatus
from passage.services import budget
from tests.factories import DEPARTURE
from tests.flows.driver import closed, decide_at, start

TODAY = date.today().isoformat()
FORMS: dict[str, dict[str, Any]] = {
    "counselling": {"held_on": TODAY, "language": "ar"},
    "travel-documents": {"document": "laissez_passer", "document_reference": "LP-IQ-7"},
    "reintegration-plan": {"support": ["business_start_up"], "value_euros": 1500, "partner": "Partner Erbil"},
    "reintegration-plan-approval": {},
    "travel": {"flight": "TK1952", "departure_on": DEPARTURE},
    "in-kind-delivered": {"delivered_on": TODAY, "partner_report": "ERB-55"},
}
decide = partial(decide_at, forms=FORMS)
APPLICATION = {
    "persons": [{"full_name": "كريم جبار", "nationality": "IQ", "birth_date": "1990-07-07", "is_principal": True}],
    "country_of_return": "IQ",
    "language": "ar",
}


def test_return_with_a_plan_sent_back_once_to_delivered_support(db: Session, runner: int) -> None:
    case = start(APPLICATION, programme="voluntary-return")
    case_id = case.id or 0
    for step in ("counselling", "travel-documents", "reintegration-plan"):
        decide(case_id, step)
    decide(case_id, "reintegration-plan-approval", approve=False, comment="add vocational training")
    decide(case_id, "reintegration-plan-2", support=["business_start_up", "education"], value_euros=1800)
    approval = decide(case_id, "reintegration-plan-approval-2")
    decide(case_id, "travel")
    decide(case_id, "in-kind-delivered")
    ended = closed(case_id)
    assert ended.status == CaseStatus.CLOSED
    assert ended.outcome == (
        f"returned to IQ on {DEPARTURE}; in-kind support (business start up, education, €1800) delivered {TODAY}"
    )
    assert approval.requested_by == "cw.pieter" and approval.context["value_euros"] == 1800
    assert budget.check(session=db, budget=IN_KIND_BUDGET, year=date.today().year, euros=0).spent == 1800


def test_applicant_who_withdraws_ends_the_case(db: Session, runner: int) -> None:
    case = start(APPLICATION, programme="voluntary-return")
    decide(case.id or 0, "counselling", approve=False, comment="wants to await the appeal")
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (CaseStatus.REJECTED, "applicant withdrew: wants to await the appeal")


def test_plan_past_the_in_kind_budget_is_refused_with_the_reason(db: Session, runner: int) -> None:
    year = date.today().year
    budget.spend(session=db, budget=IN_KIND_BUDGET, year=year, euros=IN_KIND_BUDGET.limit - 1000)
    db.commit()
    case = start(APPLICATION, programme="voluntary-return")
    for step in ("counselling", "travel-documents", "reintegration-plan", "reintegration-plan-approval"):
        decide(case.id or 0, step)
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (
        CaseStatus.REFUSED,
        f"Reintegration in-kind support budget {year} has €1000 of €150000 left; this case needs €1500",
    )
