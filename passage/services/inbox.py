"""The inbox's counts per filter value, and approving several tasks of one gate at once."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from models import Case, HumanTask
from models.common import utcnow
from passage.core.errors import PassageError
from passage.programme.registry import get_form, step_title
from passage.services.decisions import decide
from passage.services.human_tasks import visible
from passage.services.task_filters import UNASSIGNED, Due, TaskFilter, conditions, due_before

BULK_LIMIT = 200  # one confirmation for more than this many decisions is more than a person checks


class TaskCounts(BaseModel):
    """How many open tasks each filter value would show, the other filters kept (\"Overdue (12)\")."""

    total: int = 0
    programme: dict[str, int] = {}
    step: dict[str, int] = {}
    step_titles: dict[str, str] = {}
    assignee: dict[str, int] = {}  # usernames and "unassigned"
    due: dict[Due, int] = {}
    vulnerable: int = 0


class BulkRow(BaseModel):
    """One task of a bulk decision: decided, or why not."""

    task_id: int
    case_ref: str
    ok: bool
    reason: str = ""


def _grouped(session: Session, condition: Any, column: Any) -> list[tuple[Any, int]]:
    query = select(column, func.count()).where(condition).group_by(column)
    return list(session.exec(query).all())


def _due_counts(session: Session, condition: Any, now: datetime) -> dict[Due, int]:
    """One GROUP BY over the narrowest window each task falls in; the windows nest, so they add up."""
    narrow = [d for d in Due if d != Due.ALL]  # overdue, today, week: narrowest first
    bucket = case(*((col(HumanTask.due_at) < due_before(d, now), d.value) for d in narrow), else_=Due.ALL.value)
    found = dict(_grouped(session, condition, bucket))
    counts: dict[Due, int] = {}
    running = 0
    for d in [*narrow, Due.ALL]:
        running += found.get(d.value, 0)
        counts[d] = running
    return counts


def count_tasks(*, session: Session, actor: str, filters: TaskFilter, now: datetime | None = None) -> TaskCounts:
    """Counts per value of each filter (its own choice ignored, the others applied): a few GROUP BYs, no rows."""
    base = visible(session=session, actor=actor)
    if base is None:
        return TaskCounts(due=dict.fromkeys(Due, 0))
    now = now or utcnow()

    def where(facet: str | None = None) -> Any:
        return base & conditions(filters.without(facet) if facet else filters, actor=actor, now=now)

    # The titles come from the registry, not the rows: a task's title is not in the covering index, and
    # reading it made this one count cost more than all the others together (150 ms at 100,000 tasks).
    steps = dict(_grouped(session, where("step"), HumanTask.step))
    return TaskCounts(
        total=session.exec(select(func.count()).select_from(HumanTask).where(where())).one(),
        programme=dict(_grouped(session, where("programme"), HumanTask.programme)),
        step=steps,
        step_titles={step: step_title(step) for step in steps},
        assignee={a or UNASSIGNED: n for a, n in _grouped(session, where("assignee"), HumanTask.assignee)},
        due=_due_counts(session, where("due"), now),
        vulnerable=session.exec(
            select(func.count()).select_from(HumanTask).where(where("vulnerable"), col(HumanTask.priority) > 0)
        ).one(),
    )


def bulk_approvable(form_type: str) -> bool:
    """A gate may be approved in bulk only when its form approved with nothing filled in is valid.

    A form that asks for a value (a date, a reference, a choice without default) needs each case's own
    answer, so it is decided one task at a time.
    """
    try:
        get_form(form_type).model_validate({"approved": True, "comment": "", "decided_by": "bulk"})
    except ValidationError:
        return False
    return True


def _targets(session: Session, task_ids: Sequence[int]) -> list[tuple[int, str, str, str]]:
    query = (
        select(HumanTask.id, HumanTask.programme, HumanTask.form_type, Case.ref)
        .join(Case, col(Case.id) == col(HumanTask.case_id))
        .where(col(HumanTask.id).in_(task_ids))
        .order_by(col(HumanTask.id))
    )
    return [(task_id or 0, programme, form_type, ref) for task_id, programme, form_type, ref in session.exec(query)]


def bulk_approve(*, session: Session, actor: str, task_ids: Sequence[int], comment: str = "") -> list[BulkRow]:
    """Approve tasks of one gate, each through `decide` (permissions, four-eyes, audit).

    Refused as a whole when the tasks are of different gates or the gate's form asks for values;
    otherwise every task is tried and each refusal is reported on its own row. The decisions are only
    recorded here; the reconciler resumes their runs on its next pass (PASSAGE_RECONCILE_SECONDS), one
    after another. Why not at once: resuming is a call to Prefect per decision, about a second each on
    a busy embedded server, so a page of 200 would keep its approver waiting minutes and start 200 runs
    in a burst; recorded first, 500 approvals take seconds and the runs follow at Prefect's pace.
    """
    if not 0 < len(task_ids) <= BULK_LIMIT:
        raise PassageError("select between 1 and {limit} tasks", limit=BULK_LIMIT)
    targets = _targets(session, task_ids)
    if len({(programme, form_type) for _i, programme, form_type, _r in targets}) > 1:
        raise PassageError("select tasks of one gate (same programme and step) to approve them together")
    if targets and not bulk_approvable(targets[0][2]):
        raise PassageError("this gate's form asks for values per case: decide its tasks one at a time")
    found = {task_id for task_id, *_rest in targets}
    rows = [BulkRow(task_id=i, case_ref="", ok=False, reason=f"no task {i}") for i in task_ids if i not in found]
    for task_id, _programme, _form, ref in targets:
        try:
            decision = decide(
                session=session, task_id=task_id, actor=actor, approve=True, comment=comment, deliver=False
            )
        except PassageError as exc:
            session.rollback()
            rows.append(BulkRow(task_id=task_id, case_ref=ref, ok=False, reason=str(exc)))
        else:
            waits = "" if decision is not None else "approval recorded; the task waits for more approvals"
            rows.append(BulkRow(task_id=task_id, case_ref=ref, ok=True, reason=waits))
    return rows
