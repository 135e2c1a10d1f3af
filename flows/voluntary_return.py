"""Voluntary return and reintegration (docs/procedures.md §6).

The page names the programme only; the steps follow how a return office works and are all
*assumptions*: counselling and the applicant's confirmation, travel documents, a reintegration plan
of in-kind support (never cash) approved by the programme manager and paid from a yearly budget,
the return flight, and the partner's report that the support was delivered.
"""

from datetime import date, timedelta
from typing import Annotated

from prefect import flow
from pydantic import Field
from sqlmodel import Session

from flows.voluntary_return_forms import (
    InKindDelivered,
    ReintegrationPlan,
    ReintegrationPlanApproval,
    ReturnApplication,
    ReturnCounselling,
    ReturnDocuments,
    ReturnTravel,
)
from models import Case, CaseStatus, Role
from passage.programme import Example, Gate, Programme
from passage.services.budget import Budget
from tasks import CaseInfo, CaseOutcome, Done, agreed, budget_left, finish, gate, load_case, spend_once, step

# Assumption: in-kind support is paid from one yearly budget (whole euros); PASSAGE_BUDGETS overrides it.
IN_KIND_BUDGET = Budget("reintegration-in-kind", "Reintegration in-kind support budget", 150_000)
ROUNDS = 3  # a plan sent back is redrafted at most twice

COUNSELLING = Gate("counselling", "Return counselling; the applicant confirms", ReturnCounselling, Role.CASE_WORKER)
DOCUMENTS = Gate("travel-documents", "Travel documents", ReturnDocuments, Role.CASE_WORKER, due=timedelta(days=30))
PLAN = Gate("reintegration-plan", "Draft the reintegration plan", ReintegrationPlan, Role.CASE_WORKER)
PLAN_OK = Gate(
    "reintegration-plan-approval", "Approve the reintegration plan", ReintegrationPlanApproval, Role.PROGRAMME_MANAGER
)
TRAVEL = Gate("travel", "Book the return flight", ReturnTravel, Role.MOVEMENT_OFFICER)
DELIVERED = Gate(
    "in-kind-delivered", "In-kind support delivered", InKindDelivered, Role.CASE_WORKER, due=timedelta(days=90)
)


@step("departure", "Departure and arrival assistance")
def depart(_session: Session, case: Case) -> Done:
    return Done(note=f"{case.ref} departed")


def agree_plan(case: CaseInfo) -> ReintegrationPlan | None:
    """The case worker drafts, the programme manager approves the plan and its value; a plan sent back is redone."""
    agreement = agreed(
        case,
        PLAN,
        PLAN_OK,
        rounds=ROUNDS,
        approval_context=lambda plan: {
            **plan.data(),
            "budget_left_euros": budget_left(IN_KIND_BUDGET, date.today().year),
        },
    )
    return agreement[0] if agreement else None


@flow(name="voluntary-return", log_prints=False)
def voluntary_return(case_ref: Annotated[str, Field(pattern=r"^[A-Z]+-\d+$")]) -> CaseOutcome:
    """A voluntary return with reintegration support in the country of return."""
    case = load_case(case_ref)
    application = ReturnApplication.model_validate(case.data)
    country = application.country_of_return
    # 1. Counselling in the applicant's language; the applicant confirms the return.
    counselling = gate(case, COUNSELLING, requested_by=case.opened_by, context={"language": application.language})
    if not counselling.approved:
        return finish(case, CaseStatus.REJECTED, f"applicant withdrew: {counselling.comment}")
    # 2. Travel documents.
    documents = gate(case, DOCUMENTS, context={"country_of_return": country})
    if not documents.approved:
        return finish(case, CaseStatus.REJECTED, f"no travel document: {documents.comment}")
    # 3. Reintegration plan of in-kind support, approved and paid from the budget.
    plan = agree_plan(case)
    if plan is None:
        return finish(case, CaseStatus.REJECTED, f"no reintegration plan approved after {ROUNDS} drafts")
    year = date.today().year
    paid = spend_once(case, IN_KIND_BUDGET, "in-kind-committed", "In-kind support committed", year, plan.value_euros)
    if not paid.ok:
        return finish(case, CaseStatus.REFUSED, paid.reason)
    # 4. The return flight.
    travel = gate(case, TRAVEL, context={"country_of_return": country, "health_needs": application.health_needs})
    if not travel.approved:
        return finish(case, CaseStatus.REJECTED, f"return flight not booked: {travel.comment}")
    depart(case)
    # 5. The partner delivers the in-kind support.
    delivered = gate(case, DELIVERED, context={"partner": plan.partner, "support": [s.value for s in plan.support]})
    returned = f"returned to {country} on {travel.departure_on}"
    if not delivered.approved:
        return finish(case, CaseStatus.CLOSED, f"{returned}; in-kind support not delivered: {delivered.comment}")
    support = ", ".join(s.value.replace("_", " ") for s in plan.support)
    return finish(
        case,
        CaseStatus.CLOSED,
        f"{returned}; in-kind support ({support}, €{plan.value_euros}) delivered {delivered.delivered_on}",
    )


EXAMPLES = (
    Example(
        {
            "persons": [
                {"full_name": "كريم جبار", "nationality": "IQ", "birth_date": "1990-07-07", "is_principal": True}
            ],
            "country_of_return": "IQ",
            "language": "ar",
        },
        decided=(
            (COUNSELLING, {"held_on": date.today().isoformat(), "language": "ar"}),
            (DOCUMENTS, {"document": "laissez_passer", "document_reference": "LP-IQ-12"}),
        ),
        overdue=PLAN,
    ),
    Example(
        {
            "persons": [
                {"full_name": "Grace Okafor", "nationality": "NG", "birth_date": "1995-11-23", "is_principal": True}
            ],
            "country_of_return": "NG",
            "health_needs": True,
        }
    ),
)

PROGRAMME = Programme(
    slug="voluntary-return",
    title="Voluntary return and reintegration",
    ref_prefix="AVR",
    flow=voluntary_return,
    intake=ReturnApplication,
    gates=(COUNSELLING, DOCUMENTS, PLAN, PLAN_OK, TRAVEL, DELIVERED),
    examples=EXAMPLES,
)
