"""Transfer of at-risk Afghan nationals to the Netherlands, with the Dutch embassy (docs/procedures.md §2).

Most groups wait in Pakistan; the transit country is part of the request, not of this code.
Steps marked *assumption* are not spelled out by the source pages (docs/procedures.md).
"""

from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated

from prefect import flow
from pydantic import Field
from sqlmodel import Session

from flows.afghan_transfer_forms import (
    AccommodationCost,
    ExitPermit,
    IdentityVerified,
    MedicalScreening,
    TransferArrival,
    TransferFlight,
    TransferRequest,
    TransitAccommodation,
)
from models import Case, CaseStatus, Role
from passage.programme import Example, Gate, Programme
from passage.services.budget import Budget
from tasks import CaseInfo, CaseOutcome, Done, agreed, budget_left, finish, gate, load_case, spend_once, step

# Assumption: accommodation is paid from one yearly budget (whole euros); PASSAGE_BUDGETS overrides it.
ACCOMMODATION_BUDGET = Budget("afghan-accommodation", "Afghan transfer accommodation budget", 250_000)
ROUNDS = 3  # assumption: an accommodation sent back is re-proposed at most twice before the case stops

IDENTITY = Gate("identity", "Verify identity and documents", IdentityVerified, Role.CASE_WORKER)
STAY = Gate(
    "accommodation",
    "Book accommodation in the transit country",
    TransitAccommodation,
    Role.MOVEMENT_OFFICER,
    due=timedelta(days=2),  # assumption: people at risk should not wait long without a safe place
)
STAY_OK = Gate("accommodation-cost", "Approve accommodation and its cost", AccommodationCost, Role.PROGRAMME_MANAGER)
MEDICAL = Gate("medical", "Medical support and screening", MedicalScreening, Role.MEDICAL_OFFICER)
EXIT = Gate("exit-permit", "Exit permit of the transit country", ExitPermit, Role.CASE_WORKER, due=timedelta(days=14))
FLIGHT = Gate("flight", "Book the flight", TransferFlight, Role.MOVEMENT_OFFICER)
ARRIVAL = Gate("arrival", "Arrival and hand-over to COA", TransferArrival, Role.CASE_WORKER)


@step("departure", "Departure and transit assistance")
def depart(_session: Session, case: Case) -> Done:
    """Record the departure (assumption: transit assistance needs no form)."""
    return Done(note=f"{case.ref} departed; transit assistance provided")


def agree_accommodation(case: CaseInfo, country: str) -> TransitAccommodation | None:
    """The movement officer books, the programme manager approves the cost; a booking sent back is redone."""
    agreement = agreed(
        case,
        replace(STAY, title=f"{STAY.title} ({country})"),
        STAY_OK,
        rounds=ROUNDS,
        approval_context=lambda stay: {
            **stay.data(),
            "transit_country": country,
            "budget_left_euros": budget_left(ACCOMMODATION_BUDGET, stay.check_in_on.year),
        },
    )
    return agreement[0] if agreement else None


@flow(name="afghan-transfer", log_prints=False)
def afghan_transfer(case_ref: Annotated[str, Field(pattern=r"^[A-Z]+-\d+$")]) -> CaseOutcome:
    """Transfer of a group of Afghan nationals at risk, from the embassy's request to arrival."""
    case = load_case(case_ref)
    request = TransferRequest.model_validate(case.data)
    # 1-2. The embassy's request; identity and documents verified.
    identity = gate(case, IDENTITY, requested_by=case.opened_by)
    if not identity.approved:
        return finish(case, CaseStatus.REJECTED, f"identity not verified: {identity.comment}")
    # 3. Accommodation in the transit country, its cost approved and paid from the budget.
    stay = agree_accommodation(case, request.transit_country)
    if stay is None:
        return finish(case, CaseStatus.REJECTED, f"no accommodation approved after {ROUNDS} rounds")
    paid = spend_once(
        case, ACCOMMODATION_BUDGET, "accommodation-paid", "Accommodation paid", stay.check_in_on.year, stay.cost_euros
    )
    if not paid.ok:
        return finish(case, CaseStatus.REFUSED, paid.reason)
    # 4. Medical support and screening.
    medical = gate(case, MEDICAL, context={"medical_needs_reported": request.medical_needs})
    if not medical.approved:
        return finish(case, CaseStatus.REJECTED, "medical screening: not fit to travel")
    # 5. Exit permit of the transit country.
    permit = gate(case, EXIT, context={"transit_country": request.transit_country})
    if not permit.approved:
        return finish(case, CaseStatus.REJECTED, f"no exit permit from {request.transit_country}: {permit.comment}")
    # 6-7. Flight booked, with the travel needs the screening found; departure.
    flight = gate(case, FLIGHT, context={"fitness": medical.fitness.value, "needs": [n.value for n in medical.needs]})
    if not flight.approved:
        return finish(case, CaseStatus.REJECTED, f"flight not booked: {flight.comment}")
    depart(case)
    # 8. Arrival and hand-over to COA.
    arrival = gate(case, ARRIVAL)
    return finish(
        case,
        CaseStatus.CLOSED,
        f"arrived {arrival.arrived_on}, handed over to COA {arrival.reception_location}",
    )


TODAY = date.today().isoformat()
EXAMPLES = (
    Example(
        {
            "embassy_ref": "ISB-2026-0117",
            "transit_country": "PK",
            "persons": [
                {"full_name": "احمد نوری", "nationality": "AF", "birth_date": "1988-04-11", "is_principal": True},
                {"full_name": "مریم نوری", "nationality": "AF", "birth_date": "1991-09-30"},
                {"full_name": "سمیرا نوری", "nationality": "AF", "birth_date": "2017-02-03"},
            ],
            "medical_needs": True,
        },
        decided=(
            (IDENTITY, {"documents": ["tazkira", "embassy_letter"]}),
            (
                replace(STAY, title=f"{STAY.title} (PK)"),
                {"place": "Guesthouse, Islamabad", "check_in_on": TODAY, "nights": 30, "cost_euros": 2400},
            ),
        ),
    ),
    Example(
        {
            "embassy_ref": "TEH-2026-0031",
            "transit_country": "IR",
            "persons": [
                {"full_name": "Farid Rahimi", "nationality": "AF", "birth_date": "1979-12-01", "is_principal": True}
            ],
        },
        overdue=IDENTITY,
    ),
)

PROGRAMME = Programme(
    slug="afghan-transfer",
    title="Transfer of at-risk Afghan nationals",
    ref_prefix="AFG",
    flow=afghan_transfer,
    intake=TransferRequest,
    gates=(IDENTITY, STAY, STAY_OK, MEDICAL, EXIT, FLIGHT, ARRIVAL),
    examples=EXAMPLES,
)
