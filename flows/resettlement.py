"""Resettlement to the Netherlands under the national quota, with the Syrian sub-quota (docs/procedures.md §1).

The flow body is the written procedure, step by step. Steps marked *assumption* are not spelled
out by the source pages; they are what a resettlement office would do.
"""

from datetime import date
from typing import Annotated, TypedDict

from prefect import flow
from pydantic import BaseModel, Field
from sqlmodel import Session

from flows.forms_common import Fitness
from flows.resettlement_forms import (
    IMPORT_LAYOUT,
    AcceptForSelection,
    Arrival,
    EscortArranged,
    FitToTravel,
    IndDecision,
    MovementPlan,
    MovementPlanApproval,
    OrientationAttended,
    PreEmbarkationCheck,
    Referral,
    TravelDocuments,
    TravelHealthNeed,
)
from models import Case, CaseStatus, Role
from passage.core.errors import QuotaExceeded
from passage.programme import Example, Gate, Programme
from passage.services import cases, quota
from tasks import CaseInfo, CaseOutcome, Done, agreed, finish, gate, load_case, step

ACCEPT = Gate(
    "accept-for-selection",
    "Accept for selection mission",
    AcceptForSelection,
    Role.PROGRAMME_MANAGER,
)
IND = Gate("ind-decision", "Record IND decision", IndDecision, Role.CASE_WORKER)
HEALTH = Gate(
    "fit-to-travel",
    "Health assessment: fit to travel",
    FitToTravel,
    Role.MEDICAL_OFFICER,
)
ORIENTATION = Gate(
    "orientation",
    "Pre-departure orientation attended",
    OrientationAttended,
    Role.CASE_WORKER,
)
DOCUMENTS = Gate(
    "travel-documents",
    "Travel documents and exit permits",
    TravelDocuments,
    Role.CASE_WORKER,
)
ESCORT = Gate("escort", "Arrange escort", EscortArranged, Role.MOVEMENT_OFFICER)
PLAN = Gate("movement-plan", "Propose movement plan", MovementPlan, Role.MOVEMENT_OFFICER)
PLAN_OK = Gate(
    "movement-plan-approval",
    "Approve movement plan",
    MovementPlanApproval,
    Role.PROGRAMME_MANAGER,
)
BOARDING = Gate(
    "pre-embarkation",
    "Pre-embarkation fitness check",
    PreEmbarkationCheck,
    Role.MEDICAL_OFFICER,
)
ARRIVAL = Gate("arrival", "Arrival and hand-over to COA", Arrival, Role.CASE_WORKER)
PLAN_ROUNDS = 3  # assumption: a plan sent back is re-proposed at most twice before the case stops
# A plan that moves a traveller with a medical escort is approved by two programme managers (N-of-M).
ESCORTED_PLAN_APPROVALS = 2


class Check(BaseModel):
    ok: bool
    reason: str = ""


def _referral(case: Case) -> Referral:
    return Referral.model_validate(case.data)


class QuotaRequest(TypedDict):
    """What the quota service asks of a case: its quota year, its people's nationalities, how many."""

    year: int
    nationalities: set[str]
    persons: int


def _quota_request(session: Session, case: Case) -> QuotaRequest:
    persons = cases.persons_of(session=session, case_id=case.id or 0)
    return {
        "year": _referral(case).quota_year,
        "nationalities": {p.nationality for p in persons},
        "persons": len(persons),
    }


@step("referral-check", "Referral check: completeness and quota")
def referral_check(session: Session, case: Case) -> Check:
    """Refuse a referral the quota cannot take, before anyone spends time on it."""
    try:
        quota.check(session=session, **_quota_request(session, case))
    except QuotaExceeded as exc:
        return Check(ok=False, reason=str(exc))
    return Check(ok=True)


@step("quota-reserved", "Places reserved in the quota")
def reserve_places(session: Session, case: Case) -> Check:
    """Take the family's places at acceptance, atomically with recording this step."""
    try:
        lines = quota.reserve(session=session, case_id=case.id, **_quota_request(session, case))
    except QuotaExceeded as exc:
        return Check(ok=False, reason=str(exc))
    return Check(ok=True, reason=", ".join(f"{line.label} {line.period}" for line in lines))


@step("departure", "Departure and transit assistance")
def depart(_session: Session, case: Case) -> Done:
    """Record the departure; the movement officer's escorts assist in transit (assumption: no form)."""
    return Done(note=f"{case.ref} departed; transit assistance provided")


def needs_escort(case: CaseInfo, health: FitToTravel) -> bool:
    """Vulnerability flags, a minor in the family or the health assessment add the escort step.

    The flags are the case's as this run segment loaded them: a minor added by an amendment while the case
    waited counts when the flow reaches the step.
    """
    return bool(case.flags) or health.fitness == Fitness.FIT_WITH_ESCORT


def medical_escort(health: FitToTravel, escort: EscortArranged | None) -> bool:
    """A medical escort travels: the health assessment asks for one, or the escort arranged is medical."""
    needed = health.fitness == Fitness.FIT_WITH_ESCORT or TravelHealthNeed.MEDICAL_ESCORT in health.needs
    return needed or (escort is not None and escort.escort_kind == "medical")


def agree_movement_plan(case: CaseInfo, *, approvals: int = 1) -> MovementPlan | None:
    """The movement officer proposes, the programme manager(s) approve; a plan sent back is redone.

    Four-eyes: the plan's author is the approval's requester, so they cannot approve it themselves.
    """
    agreement = agreed(case, PLAN, PLAN_OK.needing(approvals), rounds=PLAN_ROUNDS)
    return agreement[0] if agreement else None


@flow(name="resettlement-nl", log_prints=False)
def resettlement(
    case_ref: Annotated[str, Field(pattern=r"^[A-Z]+-\d+$")],
) -> CaseOutcome:
    """Resettlement of a UNHCR-referred family to the Netherlands."""
    case = load_case(case_ref)
    # 1-2. Referral received; checked for completeness and quota, then accepted by the manager.
    check = referral_check(case)
    if not check.ok:
        return finish(case, CaseStatus.REFUSED, check.reason)
    accept = gate(case, ACCEPT, requested_by=case.opened_by)
    if not accept.approved:
        return finish(case, CaseStatus.REJECTED, f"not accepted for selection: {accept.comment}")
    places = reserve_places(case)
    if not places.ok:
        return finish(case, CaseStatus.REFUSED, places.reason)
    # 3. Selection mission: IND decides.
    ind = gate(case, IND)
    if not ind.approved:
        return finish(
            case,
            CaseStatus.REJECTED,
            f"IND did not accept ({ind.ind_reference}): {ind.comment}",
        )
    # 4. Health assessment.
    health = gate(case, HEALTH)
    if not health.approved:
        return finish(case, CaseStatus.REJECTED, "not fit to travel")
    # 5-6. Orientation, then travel documents from the embassy.
    orientation = gate(case, ORIENTATION)
    if not orientation.approved:
        return finish(case, CaseStatus.REJECTED, f"orientation not attended: {orientation.comment}")
    documents = gate(case, DOCUMENTS)
    if not documents.approved:
        return finish(case, CaseStatus.REJECTED, f"travel documents not obtained: {documents.comment}")
    escort = gate(case, ESCORT) if needs_escort(case, health) else None
    # 7. Movement plan: two managers approve it when a medical escort travels.
    plan = agree_movement_plan(case, approvals=ESCORTED_PLAN_APPROVALS if medical_escort(health, escort) else 1)
    if plan is None:
        return finish(
            case,
            CaseStatus.REJECTED,
            f"no movement plan approved after {PLAN_ROUNDS} rounds",
        )
    # 8. Pre-embarkation check, departure, transit.
    if not gate(case, BOARDING).approved:
        return finish(case, CaseStatus.REJECTED, "not fit to board at pre-embarkation")
    depart(case)
    # 9. Arrival and hand-over to COA.
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
            "unhcr_ref": "LEB-24-001337",
            "country_of_asylum": "LB",
            "quota_year": date.today().year,
            "persons": [
                {"full_name": "محمد الأحمد", "nationality": "SY", "birth_date": "1984-03-02", "is_principal": True},
                {"full_name": "فاطمة الأحمد", "nationality": "SY", "birth_date": "1987-11-20"},
                {"full_name": "ليلى الأحمد", "nationality": "SY", "birth_date": "2015-06-09"},
            ],
            "vulnerabilities": ["medical_needs"],
        },
        decided=(
            (ACCEPT, {"priority": "urgent"}),
            (IND, {"ind_reference": "IND-2026-0101", "decided_on": TODAY}),
        ),
        overdue=HEALTH,
    ),
    Example(
        {
            "unhcr_ref": "TUR-24-004210",
            "country_of_asylum": "TR",
            "quota_year": date.today().year,
            "persons": [
                {"full_name": "Rahim Ahmadi", "nationality": "AF", "birth_date": "1992-01-15", "is_principal": True}
            ],
        }
    ),
    Example(
        {
            "unhcr_ref": "JOR-14-000250",
            "country_of_asylum": "JO",
            "quota_year": 2014,
            "persons": [
                {"full_name": "Omar Khalil", "nationality": "SY", "birth_date": "1979-08-30", "is_principal": True},
                {"full_name": "Hana Khalil", "nationality": "SY", "birth_date": "2009-02-14"},
            ],
            "vulnerabilities": ["women_and_children_at_risk"],
        },
        overdue=ACCEPT,
    ),
)

PROGRAMME = Programme(
    slug="resettlement-nl",
    title="Resettlement to the Netherlands",
    ref_prefix="RST",
    flow=resettlement,
    intake=Referral,
    gates=(ACCEPT, IND, HEALTH, ORIENTATION, DOCUMENTS, ESCORT, PLAN, PLAN_OK, BOARDING, ARRIVAL),
    examples=EXAMPLES,
    import_layout=IMPORT_LAYOUT,
)
