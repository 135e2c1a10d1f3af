"""GET /api/v1/tasks (the inbox's filters), POST …/{id}/claim and …/{id}/decide: the inbox's services."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from models.common import MAX_ID
from passage.api.auth import Caller, acting
from passage.api.problems import PROBLEMS
from passage.services.assignment import claim
from passage.services.decisions import decide
from passage.services.human_tasks import TaskRow, approvals_of, get_task, list_tasks
from passage.services.inbox import count_tasks
from passage.services.task_filters import TaskFilter

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=PROBLEMS)
MAX_PAGE_SIZE = 200
TaskId = Annotated[int, Path(ge=1, le=MAX_ID, description="the task's number")]


class TaskQuery(TaskFilter):
    """The inbox's filters (a bad value refused by field), and how many tasks a page holds."""

    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


class TaskList(BaseModel):
    """One page of the open tasks the caller may decide, with how many match in all."""

    items: list[TaskRow]
    page: int
    page_size: int
    total: int


class Claimed(BaseModel):
    task_id: int
    assignee: str | None


class Decide(BaseModel):
    """A decision as the inbox's form takes it: approve or reject, a comment (a rejection needs one), the
    gate's form fields in `data`."""

    approve: bool
    comment: str = Field(default="", max_length=4000)
    data: dict[str, Any] = {}


class Decided(BaseModel):
    """What a decision did: `decided` once the task is decided; an N-of-M approval short of N says how many
    approvals the task has so far and how many it needs (as `passage tasks decide --json` does)."""

    task_id: int
    decided: bool
    outcome: str | None = None
    approvals: int = Field(description="the N-of-M approvals so far (none on a task that needs one decision)")
    approvals_required: int
    approved_by: list[str]


@router.get("", response_model=TaskList)
def tasks(actor: Caller, query: Annotated[TaskQuery, Query()]) -> TaskList:
    """The open tasks the caller may decide, with the inbox's filters, earliest due first (or by priority)."""
    filters = TaskFilter.model_validate(query.model_dump(exclude={"page_size"}))
    with acting(actor) as session:
        rows = list_tasks(session=session, actor=actor, filters=filters, limit=query.page_size)
        total = count_tasks(session=session, actor=actor, filters=filters).total
    return TaskList(items=rows, page=query.page, page_size=query.page_size, total=total)


@router.post("/{task_id}/claim", response_model=Claimed)
def claim_task(actor: Caller, task_id: TaskId) -> Claimed:
    """Take an open task of the caller's role: until given back, only the caller decides it."""
    with acting(actor) as session:
        task = claim(session=session, task_id=task_id, actor=actor)
        return Claimed(task_id=task_id, assignee=task.assignee)


@router.post("/{task_id}/decide", response_model=Decided)
def decide_task(actor: Caller, task_id: TaskId, body: Decide) -> Decided:
    """Decide a task as the inbox does: its form validated, four-eyes, audited, the waiting case resumed."""
    with acting(actor) as session:
        decision = decide(
            session=session, task_id=task_id, actor=actor, approve=body.approve, comment=body.comment, data=body.data
        )
        approved_by = [a.username for a in approvals_of(session=session, task_id=task_id)]
        return Decided(
            task_id=task_id,
            decided=decision is not None,
            outcome=decision.outcome.value if decision is not None else None,
            approvals=len(approved_by),
            approvals_required=get_task(session=session, task_id=task_id).approvals_required,
            approved_by=approved_by,
        )
