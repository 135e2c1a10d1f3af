"""LEARN and other labour-inclusion projects with SZW, EU-funded (docs/procedures.md §4).

A case is one Learning Network session or work-study programme: planned, held with employers,
educators, municipalities and permit holders, its good practices and recommendations written up,
signed off by SZW and published. VOORwerk, Skills2Work and Includ-EU take the same path. The
periodic report to the funder is its own flow (`flows/funder_report.py`).
"""

from datetime import date, timedelta
from typing import Annotated

from prefect import flow
from pydantic import Field
from sqlmodel import Session

from flows.labour_inclusion_forms import (
    ActivityHeld,
    ActivityPlan,
    GoodPractices,
    LearningActivity,
    Recommendations,
    SzwSignOff,
)
from models import Case, CaseStatus, Role
from passage.programme import Example, Gate, Programme
from tasks import CaseInfo, CaseOutcome, Done, agreed, finish, gate, load_case, step

PLAN = Gate("plan", "Approve the activity plan", ActivityPlan, Role.PROGRAMME_MANAGER)
HELD = Gate("held", "Record the activity and its participants", ActivityHeld, Role.CASE_WORKER, due=timedelta(days=3))
PRACTICES = Gate("good-practices", "Record the good practices", GoodPractices, Role.CASE_WORKER, due=timedelta(days=10))
DRAFT = Gate("recommendations", "Draft the recommendations", Recommendations, Role.CASE_WORKER, due=timedelta(days=20))
# Assumption: SZW answers within four weeks; its sign-off is recorded by a second case worker.
SIGN_OFF = Gate("szw-sign-off", "Record SZW's sign-off", SzwSignOff, Role.CASE_WORKER, due=timedelta(weeks=4))
ROUNDS = 3  # assumption: recommendations SZW sends back are redrafted at most twice


@step("published", "Recommendations published")
def publish(_session: Session, case: Case) -> Done:
    """Record the publication (assumption: the communications team publishes; Passage records it)."""
    return Done(note=f"{case.ref}: recommendations published")


def signed_recommendations(case: CaseInfo, practices: GoodPractices) -> tuple[Recommendations, SzwSignOff] | None:
    """Draft, SZW signs off or sends back; a draft sent back is redrafted."""
    return agreed(case, DRAFT, SIGN_OFF, rounds=ROUNDS, context=practices.data())


@flow(name="labour-inclusion", log_prints=False)
def labour_inclusion(case_ref: Annotated[str, Field(pattern=r"^[A-Z]+-\d+$")]) -> CaseOutcome:
    """One Learning Network session or work-study programme, from plan to published recommendations."""
    case = load_case(case_ref)
    activity = LearningActivity.model_validate(case.data)
    # 1. The plan, approved by the programme manager.
    plan = gate(case, PLAN, requested_by=case.opened_by, context={"groups": [g.value for g in activity.groups]})
    if not plan.approved:
        return finish(case, CaseStatus.REJECTED, f"plan not approved: {plan.comment}")
    # 2. Held, with its participants by group.
    held = gate(case, HELD, context={"planned_on": activity.planned_on.isoformat(), "location": activity.location})
    if not held.approved:
        return finish(case, CaseStatus.REJECTED, f"not held: {held.comment}")
    # 3-4. Good practices collected; recommendations drafted and signed off by SZW.
    practices = gate(case, PRACTICES, context={"participants": held.participants()})
    signed = signed_recommendations(case, practices)
    if signed is None:
        return finish(case, CaseStatus.REJECTED, f"SZW did not sign off after {ROUNDS} drafts")
    draft, sign_off = signed
    # 5. Published.
    publish(case)
    return finish(
        case,
        CaseStatus.CLOSED,
        f"held {held.held_on} with {held.participants()} participants; "
        f"{draft.document_ref} signed off by SZW ({sign_off.szw_reference}) and published",
    )


IN_TWO_WEEKS = (date.today() + timedelta(days=14)).isoformat()
EXAMPLES = (
    Example(
        {
            "project": "learn",
            "kind": "network_session",
            "topic": "Scaling up work-study programmes in logistics",
            "planned_on": IN_TWO_WEEKS,
            "location": "Utrecht",
            "groups": ["employers", "educators", "municipalities", "permit_holders"],
        },
        decided=((PLAN, {"expected_participants": 40}),),
    ),
    Example(
        {
            "project": "includ_eu",
            "kind": "network_session",
            "topic": "Refugee Advisory Board, Hart van Brabant",
            "planned_on": date.today().isoformat(),
            "location": "Tilburg",
            "groups": ["municipalities", "permit_holders"],
        },
        overdue=PLAN,
    ),
)

PROGRAMME = Programme(
    slug="labour-inclusion",
    title="LEARN and labour-inclusion projects",
    ref_prefix="LRN",
    flow=labour_inclusion,
    intake=LearningActivity,
    gates=(PLAN, HELD, PRACTICES, DRAFT, SIGN_OFF),
    examples=EXAMPLES,
)
