"""Resettlement from the Netherlands to a third country (docs/procedures.md §5).

First the ten eligibility conditions, each evaluated and recorded on its own (the data ones checked
automatically, the judgement ones as gates), then the services of the page. Steps marked
*assumption* are not spelled out by the source pages (docs/procedures.md).
"""

from datetime import date, timedelta
from typing import Annotated

from prefect import flow
from pydantic import Field
from sqlmodel import Session

from flows.third_country_eligibility import (
    JUDGEMENTS,
    PROCEDURES,
    Condition,
    Eligibility,
    Verdict,
    data_checks,
    not_eligible,
)
from flows.third_country_forms import (
    ArrivalAllowance,
    ConditionJudgement,
    Counselling,
    ExtraSupport,
    ThirdCountryApplication,
    ThirdCountryTravel,
    VisaAssistance,
    VisaCosts,
    VisaCostsApproval,
)
from models import Case, CaseStatus, Role
from passage.programme import Example, Gate, Programme
from passage.services.budget import Budget
from tasks import CaseInfo, CaseOutcome, Done, budget_left, finish, gate, load_case, record, spend_once, step

# Assumption: visa costs are reimbursed from one yearly budget (whole euros); PASSAGE_BUDGETS overrides it.
VISA_BUDGET = Budget("third-country-visa-costs", "Third-country visa-cost reimbursement budget", 20_000)

COUNSELLING = Gate("counselling", "Counselling in the applicant's language", Counselling, Role.CASE_WORKER)
VISA = Gate("visa", "Visa for the destination country", VisaAssistance, Role.CASE_WORKER, due=timedelta(days=30))
VISA_COSTS = Gate("visa-costs", "Visa costs to reimburse", VisaCosts, Role.CASE_WORKER)
VISA_COSTS_OK = Gate(
    "visa-costs-approval", "Approve the visa-cost reimbursement", VisaCostsApproval, Role.PROGRAMME_MANAGER
)
SUPPORT = Gate("extra-support", "Extra support for the journey", ExtraSupport, Role.CASE_WORKER)
TRAVEL = Gate("travel", "Ticket and travel assistance", ThirdCountryTravel, Role.MOVEMENT_OFFICER)
ALLOWANCE = Gate("arrival-allowance", "Approve the arrival allowance", ArrivalAllowance, Role.PROGRAMME_MANAGER)


def judgement(condition: Condition, role: Role) -> Gate[ConditionJudgement]:
    return Gate(
        f"condition-{condition.key}", f"Eligibility ({condition.number}): {condition.text}", ConditionJudgement, role
    )


# One gate per condition that needs a person's judgement, by condition key.
JUDGEMENT_GATES = {condition.key: judgement(condition, role) for condition, role in JUDGEMENTS}


@step("eligibility-data", "Eligibility: the conditions the data decides")
def check_data(_session: Session, case: Case) -> Eligibility:
    """Country list, five-year rule, travel document, permanent residence at destination."""
    return data_checks(ThirdCountryApplication.model_validate(case.data), date.today())


@step("departure", "Departure, transit and arrival assistance")
def depart(_session: Session, case: Case) -> Done:
    """Record the departure (assumption: the assistance itself needs no form)."""
    return Done(note=f"{case.ref} departed")


def judge(case: CaseInfo, application: ThirdCountryApplication) -> list[Verdict]:
    """Ask every judgement condition (all of them, so a refusal names every failed one)."""
    verdicts = []
    for condition, _role in JUDGEMENTS:
        if condition == PROCEDURES and not application.pending_permit_procedures:
            verdicts.append(Verdict.of(condition, True, "not applicable: no pending procedure or permit"))
            continue
        decision = gate(case, JUDGEMENT_GATES[condition.key], requested_by=case.opened_by)
        verdicts.append(Verdict.of(condition, decision.approved, decision.comment or decision.evidence))
    return verdicts


def reimburse_visa_costs(case: CaseInfo) -> tuple[int, str | None]:
    """The visa costs from the receipts, approved by the manager and paid from the budget: (euros, refusal)."""
    costs = gate(case, VISA_COSTS)
    if not costs.approved or costs.amount_euros == 0:
        return 0, None
    year = date.today().year
    context = {**costs.data(), "budget_left_euros": budget_left(VISA_BUDGET, year)}
    if not gate(case, VISA_COSTS_OK, requested_by=costs.decided_by, context=context).approved:
        return 0, None  # assumption: a reimbursement refused on its merits does not stop the journey
    paid = spend_once(case, VISA_BUDGET, "visa-costs-paid", "Visa costs reimbursed", year, costs.amount_euros)
    return paid.euros, None if paid.ok else paid.reason


@flow(name="third-country-resettlement", log_prints=False)
def third_country(case_ref: Annotated[str, Field(pattern=r"^[A-Z]+-\d+$")]) -> CaseOutcome:
    """Resettlement of a resident of the Netherlands to a third country that guarantees permanent residence."""
    case = load_case(case_ref)
    application = ThirdCountryApplication.model_validate(case.data)
    # Eligibility: the four data conditions, then the six that need judgement.
    checked = check_data(case)
    if checked.failed():
        return finish(case, CaseStatus.REFUSED, not_eligible(checked.failed()))
    eligibility = Eligibility(verdicts=[*checked.verdicts, *judge(case, application)])
    table = "; ".join(f"({v.number}) {'met' if v.met else 'NOT MET'}" for v in eligibility.verdicts)
    record(case, "eligibility", "Eligibility: the ten conditions", table)
    if eligibility.failed():
        return finish(case, CaseStatus.REJECTED, not_eligible(eligibility.failed()))
    # Services: counselling, the visa and its costs, extra support, travel, the arrival allowance.
    counselling = gate(case, COUNSELLING, context={"language": application.language})
    if not counselling.approved:
        return finish(case, CaseStatus.REJECTED, f"counselling: {counselling.comment}")
    visa = gate(case, VISA, context={"destination_country": application.destination_country})
    if not visa.approved:
        return finish(case, CaseStatus.REJECTED, f"no visa for {application.destination_country}: {visa.comment}")
    reimbursed, refusal = reimburse_visa_costs(case)
    if refusal is not None:
        return finish(case, CaseStatus.REFUSED, refusal)
    if application.support_needs:
        gate(case, SUPPORT, context={"needs": [n.value for n in application.support_needs]})
    travel = gate(case, TRAVEL, context={"destination_country": application.destination_country})
    if not travel.approved:
        return finish(case, CaseStatus.REJECTED, f"travel not arranged: {travel.comment}")
    depart(case)
    allowance = gate(case, ALLOWANCE, context={"persons": case.persons})
    paid = f"€{allowance.amount_euros}" if allowance.approved else f"none ({allowance.comment})"
    return finish(
        case,
        CaseStatus.CLOSED,
        f"departed {travel.departure_on} to {application.destination_country} ({travel.flight});"
        f" visa costs reimbursed €{reimbursed}; arrival allowance {paid}",
    )


EXAMPLES = (
    Example(
        {
            "persons": [
                {"full_name": "Abdi Warsame", "nationality": "SO", "birth_date": "1983-02-17", "is_principal": True}
            ],
            "destination_country": "CA",
            "residence_basis": "permanent_residence",
            "travel_document": "valid",
            "language": "so",
        },
        decided=tuple(
            (judgement(condition, role), {"evidence": "intake interview"})
            for condition, role in JUDGEMENTS
            if condition != PROCEDURES
        ),
    ),
    Example(
        {
            "persons": [
                {"full_name": "نادیا کریمی", "nationality": "AF", "birth_date": "1990-06-21", "is_principal": True},
                {"full_name": "آرش کریمی", "nationality": "AF", "birth_date": "2016-01-09"},
            ],
            "destination_country": "US",
            "residence_basis": "permanent_residence",
            "travel_document": "obtainable",
            "pending_permit_procedures": True,
            "language": "fa",
            "support_needs": ["health_needs"],
        },
        overdue=judgement(*JUDGEMENTS[0]),
    ),
)

PROGRAMME = Programme(
    slug="third-country",
    title="Resettlement from the Netherlands to a third country",
    ref_prefix="TCR",
    flow=third_country,
    intake=ThirdCountryApplication,
    gates=(*JUDGEMENT_GATES.values(), COUNSELLING, VISA, VISA_COSTS, VISA_COSTS_OK, SUPPORT, TRAVEL, ALLOWANCE),
    examples=EXAMPLES,
)
