"""The periodic report to the funder of a labour-inclusion project: drafted, approved, sent (docs/procedures.md §4).

A report is a case of its own: the figures are drafted from the project's activities in the period,
a case worker writes the narrative, the programme manager approves, the case worker records the sending.

Scheduling remains for the operators: a schedule (e.g. quarterly) should open the report's case
through `start_case` (so the case exists in Passage), not run this deployment bare.
"""

from datetime import date, timedelta
from typing import Annotated, Any

from prefect import flow
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session

from flows.forms_common import PastDate
from flows.labour_inclusion import HELD, PRACTICES
from flows.labour_inclusion import PROGRAMME as ACTIVITIES
from flows.labour_inclusion_forms import ActivityHeld, Project
from models import Case, CaseStatus, Role
from passage.programme import Example, Gate, GateForm, Intake, Programme
from passage.services import decisions
from tasks import CaseInfo, CaseOutcome, agreed, finish, gate, load_case, step


class FunderReport(Intake):
    """The report asked for: which project, which period, for which funder."""

    project: Project = Project.LEARN
    funder: str = Field(default="European Union", min_length=2, max_length=80)
    period_from: date
    period_to: date

    @model_validator(mode="after")
    def _period(self) -> "FunderReport":
        if self.period_to < self.period_from:
            raise ValueError("period_to: the period ends before it starts")
        return self

    def summary(self) -> str:
        return (
            self.title or f"{self.project.value.upper()} report to {self.funder}, {self.period_from}–{self.period_to}"
        )


class ReportNarrative(GateForm):
    """The report's narrative beside the drafted figures (case worker)."""

    narrative: str = Field(min_length=20, max_length=8000)
    on_track: bool = Field(default=True, description="the project's results are on track")


class ReportApproval(GateForm):
    """The programme manager approves the report (figures and narrative in the task's context)."""


class ReportSent(GateForm):
    """The approved report sent to the funder (case worker)."""

    sent_on: PastDate
    funder_reference: str = Field(default="", max_length=60)


class Figures(BaseModel):
    """What the project's activities of the period add up to."""

    activities: int = 0
    participants: dict[str, int] = {}
    good_practices: int = 0


NARRATIVE = Gate("report-narrative", "Write the report's narrative", ReportNarrative, Role.CASE_WORKER)
APPROVAL = Gate("report-approval", "Approve the report to the funder", ReportApproval, Role.PROGRAMME_MANAGER)
SENT = Gate("report-sent", "Send the report to the funder", ReportSent, Role.CASE_WORKER, due=timedelta(days=3))
ROUNDS = 3  # assumption: a report sent back is rewritten at most twice
GROUPS = ("employers", "educators", "municipalities", "permit_holders")


def _decided(session: Session, project: Project, step_key: str) -> list[tuple[Case, dict[str, Any]]]:
    """Approved decisions at `step_key` of the project's activities, with their case."""
    found = decisions.approved_at(session=session, programme=ACTIVITIES.slug, step=step_key)
    return [(case, data) for case, data in found if case.data.get("project") == project.value]


@step("report-figures", "Report figures drafted")
def draft_figures(session: Session, case: Case) -> Figures:
    """Count the activities held in the period, their participants by group and their good practices."""
    report = FunderReport.model_validate(case.data)
    held = {
        c.id: ActivityHeld.model_validate({**data, "approved": True, "decided_by": "report"})
        for c, data in _decided(session, report.project, HELD.step)
        if report.period_from <= date.fromisoformat(data["held_on"]) <= report.period_to
    }
    practices = sum(d["practices"] for c, d in _decided(session, report.project, PRACTICES.step) if c.id in held)
    return Figures(
        activities=len(held),
        participants={group: sum(getattr(h, group) for h in held.values()) for group in GROUPS},
        good_practices=practices,
    )


def approved_narrative(case: CaseInfo, figures: Figures) -> ReportNarrative | None:
    agreement = agreed(
        case,
        NARRATIVE,
        APPROVAL,
        rounds=ROUNDS,
        context=figures.model_dump(),
        approval_context=lambda narrative: {**figures.model_dump(), **narrative.data()},
    )
    return agreement[0] if agreement else None


@flow(name="funder-report", log_prints=False)
def funder_report(case_ref: Annotated[str, Field(pattern=r"^[A-Z]+-\d+$")]) -> CaseOutcome:
    """One periodic report to a project's funder."""
    case = load_case(case_ref)
    figures = draft_figures(case)
    if approved_narrative(case, figures) is None:
        return finish(case, CaseStatus.REJECTED, f"report not approved after {ROUNDS} drafts")
    sent = gate(case, SENT)
    if not sent.approved:
        return finish(case, CaseStatus.REJECTED, f"report not sent: {sent.comment}")
    return finish(
        case,
        CaseStatus.CLOSED,
        f"sent {sent.sent_on}: {figures.activities} activities, {sum(figures.participants.values())} participants",
    )


PROGRAMME = Programme(
    slug="funder-report",
    title="Periodic report to a project's funder",
    ref_prefix="RPT",
    flow=funder_report,
    intake=FunderReport,
    gates=(NARRATIVE, APPROVAL, SENT),
    examples=(
        Example(
            {"project": "learn", "period_from": f"{date.today().year}-01-01", "period_to": date.today().isoformat()}
        ),
    ),
)
