"""Resettlement to a third country: the ten conditions one by one, the services, the visa-cost budget."""

from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from sqlmodel import Session, select

from flows.third_country import VISA_BUDGET
from flows.third_country_eligibility import data_checks
from flows.third_country_forms import ThirdCountryApplication
from models import CaseStatus, StepRun
from passage.services import budget
from tests.factories import DEPARTURE
from tests.flows.driver import closed, decide_at, start

TODAY = date.today()
FORMS: dict[str, dict[str, Any]] = {
    "condition-lacks-means": {"evidence": "no income, COA allowance"},
    "condition-no-objection": {"evidence": "DT&V letter"},
    "condition-no-false-pretences": {},
    "condition-cooperation": {},
    "condition-safe": {},
    "condition-ends-procedures": {"evidence": "signed withdrawal"},
    "counselling": {"held_on": TODAY.isoformat(), "language": "so", "interpreter": True},
    "visa": {"assistance_given": True, "visa_reference": "CA-PR-88"},
    "visa-costs": {"amount_euros": 350, "receipts_checked": True},
    "visa-costs-approval": {},
    "extra-support": {"measures": ["escort", "anti_trafficking_partner"], "partner_reference": "PARTNER-CA-3"},
    "travel": {"flight": "AC825", "departure_on": DEPARTURE, "transit_via": "Toronto"},
    "arrival-allowance": {"amount_euros": 600},
}
decide = partial(decide_at, forms=FORMS)
JUDGED = ["condition-lacks-means", "condition-no-objection", "condition-no-false-pretences", "condition-cooperation"]


def application(**overrides: Any) -> dict[str, Any]:
    case = {
        "persons": [
            {"full_name": "Abdi Warsame", "nationality": "SO", "birth_date": "1983-02-17", "is_principal": True}
        ],
        "destination_country": "CA",
        "residence_basis": "permanent_residence",
        "travel_document": "valid",
        "language": "so",
    }
    return {**case, **overrides}


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({}, []),
        ({"persons": [{"full_name": "Jan Smit", "nationality": "NL", "is_principal": True}]}, ["country-list"]),
        ({"residence_basis": "short_stay_visa"}, ["permanent-residence"]),
        ({"residence_basis": "investment_programme"}, ["permanent-residence"]),
        ({"residence_basis": "citizenship"}, []),
        ({"last_assisted_departure": TODAY - timedelta(days=4 * 365)}, ["five-year-rule"]),
        ({"last_assisted_departure": TODAY - timedelta(days=5 * 366)}, []),
        ({"travel_document": "obtainable"}, []),
        (
            {"travel_document": "none", "residence_basis": "temporary_residence"},
            ["permanent-residence", "travel-document"],
        ),
    ],
)
def test_data_conditions_are_each_evaluated(overrides: dict[str, Any], failed: list[str]) -> None:
    verdicts = data_checks(ThirdCountryApplication.model_validate(application(**overrides)), TODAY)
    assert [v.condition for v in verdicts.failed()] == failed
    assert len(verdicts.verdicts) == 4


def test_refused_on_data_names_every_failed_condition(db: Session, runner: int) -> None:
    left_before = TODAY - timedelta(days=700)
    case = start(
        application(residence_basis="short_stay_visa", last_assisted_departure=left_before.isoformat()),
        programme="third-country",
    )
    ended = closed(case.id or 0)
    assert ended.status == CaseStatus.REFUSED
    assert ended.outcome == (
        "not eligible, 2 condition(s) not met: (2) permanent residence guaranteed in the destination country,"
        " not a short-stay visa or an investment programme: short stay visa in the destination country;"
        f" (5) no departure with the assistance of IOM or the Dutch government in the last five years:"
        f" assisted departure on {left_before}"
    )


def test_judgement_conditions_not_met_are_all_named(db: Session, runner: int) -> None:
    case = start(application(), programme="third-country")
    case_id = case.id or 0
    decide(case_id, "condition-lacks-means", approve=False, comment="savings cover the ticket")
    for step in JUDGED[1:]:
        decide(case_id, step)
    decide(case_id, "condition-safe", approve=False, comment="no safe route while the airport is closed")
    ended = closed(case_id)
    assert ended.status == CaseStatus.REJECTED
    assert ended.outcome == (
        "not eligible, 2 condition(s) not met:"
        " (3) lacks the financial means to pay for the departure: savings cover the ticket;"
        " (9) the resettlement can be safely organised: no safe route while the airport is closed"
    )


def test_eligible_applicant_with_extra_support_departs_with_costs_and_allowance(db: Session, runner: int) -> None:
    case = start(
        application(pending_permit_procedures=True, support_needs=["trafficking_victim"]), programme="third-country"
    )
    case_id = case.id or 0
    for step in [*JUDGED, "condition-safe", "condition-ends-procedures", "counselling", "visa", "visa-costs"]:
        decide(case_id, step)
    approval = decide(case_id, "visa-costs-approval")
    support = decide(case_id, "extra-support")
    decide(case_id, "travel")
    decide(case_id, "arrival-allowance")
    ended = closed(case_id)
    assert ended.status == CaseStatus.CLOSED
    assert ended.outcome == f"departed {DEPARTURE} to CA (AC825); visa costs reimbursed €350; arrival allowance €600"
    assert approval.context == {"amount_euros": 350, "receipts_checked": True, "budget_left_euros": VISA_BUDGET.limit}
    assert support.context == {"needs": ["trafficking_victim"]}
    steps = {s.step: s.result for s in db.exec(select(StepRun).where(StepRun.case_id == case_id))}
    assert list(steps) == ["eligibility-data", "eligibility", "visa-costs-paid", "departure"]
    assert steps["eligibility"]["note"] == "; ".join(f"({n}) met" for n in (1, 2, 5, 6, 3, 4, 7, 8, 9, 10))


def test_visa_costs_past_the_budget_are_refused_with_the_reason(db: Session, runner: int) -> None:
    budget.spend(session=db, budget=VISA_BUDGET, year=TODAY.year, euros=VISA_BUDGET.limit - 100)
    db.commit()
    case = start(application(), programme="third-country")
    case_id = case.id or 0
    for step in [*JUDGED, "condition-safe", "counselling", "visa", "visa-costs", "visa-costs-approval"]:
        decide(case_id, step)
    ended = closed(case_id)
    assert (ended.status, ended.outcome) == (
        CaseStatus.REFUSED,
        f"Third-country visa-cost reimbursement budget {TODAY.year} has €100 of €20000 left; this case needs €350",
    )
