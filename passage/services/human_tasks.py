"""Human tasks: opened idempotently by a gate, listed for the people who may decide them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy import select as sql_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Approval, Case, Decision, HumanTask, Role, TaskStatus
from models.common import MAX_ID, utcnow
from passage.core.errors import CaseNotOpen, NotFound
from passage.services import access, audit, notifications, task_filters
from passage.services.task_filters import Due, TaskFilter, priority_of
from passage.services.users import ANY_PROGRAMME


class TaskRequest(BaseModel):
    """What a gate asks for: the task's identity is (case_id, step)."""

    case_id: int
    programme: str
    step: str
    title: str
    form_type: str
    role: Role
    flow_run_id: str
    requested_by: str
    due_at: datetime
    context: dict[str, Any] = {}
    approvals_required: int = 1
    expires_at: datetime | None = None


class TaskRow(BaseModel):
    """A task as the inbox and the CLI list it."""

    id: int
    case_ref: str
    case_title: str
    programme: str
    step: str
    title: str
    form_type: str
    role: Role
    status: TaskStatus
    due_at: datetime
    requested_by: str
    overdue: bool
    assignee: str | None = None
    approvals_required: int = 1
    priority: int = 0
    on_hold: bool = False  # its case is on hold: the inbox shows it, nobody can decide it until resumed


class TaskView(BaseModel):
    """One task as a person may see it: its context masked for their roles, who approved so far."""

    task: HumanTask
    case_ref: str
    context: dict[str, Any]
    decision: Decision | None
    approvals: list[str]


def _find(session: Session, case_id: int, step: str) -> HumanTask | None:
    """The case's task at `step`, not one set aside when the case was reopened."""
    query = select(HumanTask).where(
        HumanTask.case_id == case_id, HumanTask.step == step, col(HumanTask.set_aside_at).is_(None)
    )
    return session.exec(query).first()


def open_task(*, session: Session, request: TaskRequest) -> HumanTask:
    """Record the task once; a re-run finds the same row (and points it at the live run).

    A closed case opens nothing (CaseNotOpen): its run was still going when the case was withdrawn. A task
    cancelled by a withdrawal opens again when the reopened case's run comes back to its gate.
    """
    task = _find(session, request.case_id, request.step)
    case = session.get(Case, request.case_id)
    if case is not None and case.closed_at is not None:
        raise CaseNotOpen("case {ref} is {status}: no task opens for it", ref=case.ref, status=case.status.value)
    if task is not None and task.status == TaskStatus.CANCELLED:
        _open_again(session, task, request)
    if task is None:
        task = HumanTask(**request.model_dump(), priority=priority_of(case.flags if case else []))
        session.add(task)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return open_task(session=session, request=request)
        audit.record(
            session=session,
            actor=request.requested_by,
            action="task.opened",
            case_id=request.case_id,
            task_id=task.id,
            detail={
                "step": request.step,
                "role": request.role.value,
                "due_at": request.due_at.isoformat(),
                "approvals_required": request.approvals_required,
            },
        )
        # Enqueued in the task's own transaction; the outbox's sender sends it later (a notifier down blocks nothing).
        notifications.enqueue_assignment(session=session, task=task)
    elif task.status == TaskStatus.OPEN and task.flow_run_id != request.flow_run_id:
        task.flow_run_id = request.flow_run_id  # a replacement run took over the case
    if case is not None:
        case.current_step = request.step
    session.commit()
    session.refresh(task)
    return task


def _open_again(session: Session, task: HumanTask, request: TaskRequest) -> None:
    """A task cancelled by a withdrawal, asked again by the reopened case's run: open, due afresh, announced."""
    task.status, task.flow_run_id = TaskStatus.OPEN, request.flow_run_id
    task.due_at, task.expires_at, task.created_at = request.due_at, request.expires_at, utcnow()
    audit.record(
        session=session,
        actor=request.requested_by,
        action="task.opened-again",
        case_id=task.case_id,
        task_id=task.id,
        detail={"step": task.step, "due_at": request.due_at.isoformat()},
    )
    notifications.enqueue_assignment(session=session, task=task, stamp=f"{task.created_at:%Y%m%d%H%M%S}")


# The tasks whose run still waits at them: open, or expired for a manager to re-open.
WAITING = (TaskStatus.OPEN, TaskStatus.EXPIRED)


def cancel_waiting(*, session: Session, task: HumanTask, actor: str, detail: dict[str, Any] | None = None) -> bool:
    """Cancel `task` if it still waits as it was read (audited; the caller commits); False when it was decided
    this very moment: its decision stays (a guarded UPDATE, not the row as loaded, decides which came first)."""
    guarded = session.execute(
        update(HumanTask)
        .where(col(HumanTask.id) == task.id, col(HumanTask.status) == task.status, col(HumanTask.status).in_(WAITING))
        .values(status=TaskStatus.CANCELLED)
    )
    if guarded.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(task)
    audit.record(
        session=session,
        actor=actor,
        action="task.cancelled",
        case_id=task.case_id,
        task_id=task.id,
        detail={"step": task.step, **(detail or {})},
    )
    return True


def get_task(*, session: Session, task_id: int) -> HumanTask:
    task = session.get(HumanTask, task_id) if 0 < task_id <= MAX_ID else None
    if task is None:
        raise NotFound("no task {task_id}", task_id=task_id)
    return task


def decision_for(*, session: Session, task_id: int) -> Decision | None:
    return session.exec(select(Decision).where(Decision.task_id == task_id)).first()


def approvals_of(*, session: Session, task_id: int) -> Sequence[Approval]:
    """The approvals of an N-of-M task so far, oldest first."""
    return session.exec(select(Approval).where(Approval.task_id == task_id).order_by(col(Approval.id))).all()


def task_view(*, session: Session, task_id: int, actor: str) -> TaskView:
    """The task, if `actor` may see its case; the person's opening of it is audited."""
    task = get_task(session=session, task_id=task_id)
    case = session.get(Case, task.case_id)
    if case is None:
        raise NotFound("no case {case_id}", case_id=task.case_id)
    access.require_case_access(session=session, actor=actor, case=case)
    context = access.reveal(session=session, actor=actor, case=case, data=task.context, where="task", task_id=task_id)
    if not access.is_service(session=session, actor=actor):
        audit.record(session=session, actor=actor, action="task.viewed", case_id=case.id, task_id=task_id)
    decision = decision_for(session=session, task_id=task_id)
    # Detached copies: the page reads them after this session has committed (which expires its rows).
    view = TaskView(
        task=HumanTask.model_validate(task.model_dump()),
        case_ref=case.ref,
        context=context,
        decision=Decision.model_validate(decision.model_dump()) if decision is not None else None,
        approvals=[a.username for a in approvals_of(session=session, task_id=task_id)],
    )
    session.commit()
    return view


def gates_of_case(*, session: Session, case_id: int) -> Sequence[tuple[HumanTask, Decision | None]]:
    """The case's tasks in the order they opened, each with its decision (None while undecided): one query."""
    query = (
        select(HumanTask, Decision)
        .outerjoin(Decision, col(Decision.task_id) == col(HumanTask.id))
        .where(HumanTask.case_id == case_id)
        .order_by(col(HumanTask.id))
    )
    return session.exec(query).all()


ROW_COLUMNS: tuple[Any, ...] = (
    col(HumanTask.id),
    col(Case.ref).label("case_ref"),
    col(Case.title).label("case_title"),
    col(HumanTask.programme),
    col(HumanTask.step),
    col(HumanTask.title),
    col(HumanTask.form_type),
    col(HumanTask.role),
    col(HumanTask.status),
    col(HumanTask.due_at),
    col(HumanTask.requested_by),
    col(HumanTask.assignee),
    col(HumanTask.approvals_required),
    col(HumanTask.priority),
    col(Case.held_at).is_not(None).label("on_hold"),
)


def decidable_by(session: Session, actor: str) -> Any:
    """The SQL condition 'a task `actor` may decide': their (and their delegators') roles, not claimed by others."""
    grants = access.grants(session=session, username=actor)
    if not grants:
        return None
    people = [actor, *access.delegators_of(session=session, username=actor)]
    return and_(
        or_(
            *(
                col(HumanTask.role) == g.role
                if g.programme == ANY_PROGRAMME
                else and_(col(HumanTask.role) == g.role, col(HumanTask.programme) == g.programme)
                for g in grants
            )
        ),
        or_(col(HumanTask.assignee).is_(None), col(HumanTask.assignee).in_(people)),
    )


def visible(*, session: Session, actor: str, status: TaskStatus = TaskStatus.OPEN) -> ColumnElement[bool] | None:
    """The SQL condition 'tasks of `status` that `actor` may decide' (the system sees all); None: none at all."""
    access.require_person(session=session, actor=actor)
    condition = col(HumanTask.status) == status
    if access.is_service(session=session, actor=actor):
        return condition
    decidable = decidable_by(session, actor)
    return None if decidable is None else and_(condition, decidable)


def list_tasks(
    *,
    session: Session,
    actor: str,
    role: Role | None = None,
    programme: str | None = None,
    step: str | None = None,
    overdue_only: bool = False,
    status: TaskStatus = TaskStatus.OPEN,
    filters: TaskFilter | None = None,
    limit: int = 500,
    now: datetime | None = None,
) -> list[TaskRow]:
    """Tasks `actor` may decide, earliest due first; with `filters`, page `filters.page` of `limit` rows.

    `programme`, `step` and `overdue_only` (the CLI's) apply when no `filters` is given.

    One query (tasks joined to their case's reference and title), whatever the number of rows.
    """
    condition = visible(session=session, actor=actor, status=status)
    if condition is None:
        return []
    now = now or utcnow()
    filters = filters or TaskFilter(programme=programme, step=step, due=Due.OVERDUE if overdue_only else Due.ALL)
    # The listed columns only: a whole task row would also read and parse its context JSON.
    query = (
        sql_select(*ROW_COLUMNS)
        .join(Case, col(Case.id) == col(HumanTask.case_id))
        .where(condition, task_filters.conditions(filters, actor=actor, now=now))
        .order_by(*task_filters.ordering(filters.sort))
        .offset((filters.page - 1) * limit)
        .limit(limit)
    )
    if role is not None:
        query = query.where(col(HumanTask.role) == role)
    # Built without validation: the columns are typed by the table (a page of 500 rows costs ~20 ms otherwise).
    return [
        TaskRow.model_construct(**row, overdue=row["status"] == TaskStatus.OPEN and row["due_at"] < now)
        for row in session.execute(query).mappings().all()
    ]
