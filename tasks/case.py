"""The case as a flow sees it, and the tasks that load and close it."""

from typing import Any

from prefect import get_run_logger
from pydantic import BaseModel

from models import CaseStatus
from passage.core.db import session_scope
from passage.services import cases, decisions, steps
from passage.services.access import SYSTEM
from tasks.base import durable_task


class CaseInfo(BaseModel):
    """A read-only snapshot of a case for the flow body."""

    id: int
    ref: str
    programme: str
    opened_by: str
    data: dict[str, Any]
    flags: list[str]
    nationalities: list[str]
    persons: int
    # Each person's number in the case (persons in the case file's order): a gate asked per person is numbered
    # by it, which an amendment removing someone else does not change.
    numbers: list[int] = []
    # What the case has done and been decided so far, read in one go when the run (re)starts: a
    # resumed flow runs from the top again, and replaying these from memory instead of one Prefect
    # task run each keeps a resume cheap however far the case has come.
    done: dict[str, dict[str, Any]] = {}
    decided: dict[str, dict[str, Any]] = {}


class CaseOutcome(BaseModel):
    """What a programme flow returns."""

    ref: str
    status: CaseStatus
    outcome: str


@durable_task
def load_case(case_ref: str) -> CaseInfo:
    """Read the case this run works on."""
    with session_scope() as session:
        case = cases.get_case(session=session, ref=case_ref, actor=SYSTEM)
        persons = cases.persons_of(session=session, case_id=case.id or 0)
        return CaseInfo(
            id=case.id or 0,
            ref=case.ref,
            programme=case.programme,
            opened_by=case.opened_by,
            data=case.data,
            flags=case.flags,
            nationalities=sorted({p.nationality for p in persons}),
            persons=len(persons),
            numbers=[p.number for p in persons],
            done=steps.results_of(session=session, case_id=case.id or 0),
            decided=decisions.take_decisions(session=session, case_id=case.id or 0),
        )


@durable_task
def finish(case: CaseInfo, status: CaseStatus, outcome: str) -> CaseOutcome:
    """Close the case with its outcome (closing again keeps the first one)."""
    with session_scope() as session:
        closed = cases.close_case(session=session, case_id=case.id, status=status, outcome=outcome)
        # The outcome itself stays in Passage: it can name people and quote a decision's comment.
        get_run_logger().info("case %s %s", case.ref, closed.status.value)
        return CaseOutcome(ref=closed.ref, status=closed.status, outcome=closed.outcome or outcome)
