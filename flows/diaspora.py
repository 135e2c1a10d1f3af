"""Diaspora assignments, CD4D (docs/procedures.md §7).

An expert of the diaspora in the Netherlands works with an institution in Afghanistan, Iraq, Nigeria
or Somalia in a priority sector, there or online. The page names the programme only; the steps are
*assumptions*: the match confirmed by the manager, the institution's agreement, for a physical
assignment a security clearance and travel, then the assignment completed with its final report.
"""

from datetime import date, timedelta
from typing import Annotated

from prefect import flow
from pydantic import Field

from flows.diaspora_forms import (
    AssignmentCompleted,
    AssignmentTravel,
    DiasporaAssignment,
    ExpertMatch,
    InstitutionAgreement,
    SecurityClearance,
)
from models import CaseStatus, Role
from passage.programme import Example, Gate, Programme
from tasks import CaseOutcome, finish, gate, load_case

MATCH = Gate("match", "Confirm the expert's match with the institution", ExpertMatch, Role.PROGRAMME_MANAGER)
AGREEMENT = Gate("institution-agreement", "Record the institution's agreement", InstitutionAgreement, Role.CASE_WORKER)
SECURITY = Gate("security-clearance", "Security clearance for travel", SecurityClearance, Role.MOVEMENT_OFFICER)
TRAVEL = Gate("travel", "Book the expert's travel", AssignmentTravel, Role.MOVEMENT_OFFICER)
COMPLETED = Gate("completed", "Assignment completed", AssignmentCompleted, Role.CASE_WORKER, due=timedelta(weeks=60))


@flow(name="diaspora-assignment", log_prints=False)
def diaspora_assignment(case_ref: Annotated[str, Field(pattern=r"^[A-Z]+-\d+$")]) -> CaseOutcome:
    """One diaspora expert's assignment with an institution in the country of origin."""
    case = load_case(case_ref)
    assignment = DiasporaAssignment.model_validate(case.data)
    where = {"institution": assignment.institution, "country": assignment.country, "sector": assignment.sector.value}
    # 1. The match of expert and institution, confirmed by the programme manager.
    match = gate(case, MATCH, requested_by=case.opened_by, context=where)
    if not match.approved:
        return finish(case, CaseStatus.REJECTED, f"match not confirmed: {match.comment}")
    # 2. The institution agrees to the terms of reference.
    agreement = gate(case, AGREEMENT, context={"terms_of_reference": match.terms_of_reference})
    if not agreement.approved:
        return finish(case, CaseStatus.REJECTED, f"institution did not agree: {agreement.comment}")
    # 3. A physical assignment needs a security clearance and travel; an online one neither.
    if assignment.mode == "physical":
        clearance = gate(case, SECURITY, context={**where, "start_on": match.start_on.isoformat()})
        if not clearance.approved:
            reason = f"no security clearance ({clearance.risk_level} risk): {clearance.comment}"
            return finish(case, CaseStatus.REJECTED, reason)
        gate(case, TRAVEL, context=where)
    # 4. The assignment done, with its final report.
    done = gate(case, COMPLETED, context={"weeks": assignment.weeks})
    if not done.approved:
        return finish(case, CaseStatus.REJECTED, f"assignment not completed: {done.comment}")
    return finish(
        case,
        CaseStatus.CLOSED,
        f"{assignment.mode} assignment at {assignment.institution} ({assignment.country},"
        f" {assignment.sector.value.replace('_', ' ')}) completed {done.completed_on}, report {done.final_report}",
    )


EXAMPLES = (
    Example(
        {
            "expert": {"full_name": "Dr. Hodan Ali", "nationality": "NL", "birth_date": "1978-09-12"},
            "country": "SO",
            "institution": "Ministry of Health, Mogadishu",
            "sector": "health",
            "mode": "physical",
            "weeks": 6,
        },
        decided=((MATCH, {"terms_of_reference": "CD4D-TOR-31", "start_on": date.today().isoformat()}),),
        overdue=AGREEMENT,
    ),
    Example(
        {
            "expert": {"full_name": "Chinedu Eze", "nationality": "NL", "birth_date": "1985-03-30"},
            "country": "NG",
            "institution": "University of Lagos",
            "sector": "education",
            "mode": "online",
            "weeks": 10,
        }
    ),
)

PROGRAMME = Programme(
    slug="diaspora",
    title="Diaspora assignments (CD4D)",
    ref_prefix="DSP",  # a case ref is letters-digits, so not "CD4D"
    flow=diaspora_assignment,
    intake=DiasporaAssignment,
    gates=(MATCH, AGREEMENT, SECURITY, TRAVEL, COMPLETED),
    examples=EXAMPLES,
)
