"""Human tasks: opened idempotently by a gate, listed for the people who may decide them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Case, Decision, HumanTask, Role, TaskStatus
from models.common import utcnow
from passage.services import audit
from passage.services.errors import NotFound
from passage.services.users import ANY_PROGRAMME, grants_of


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


class TaskRow(BaseModel):
    """A task as the inbox and the CLI list it."""

    id: int
    case_ref: str
    case_title: str
    programme: str
    step: str
    title: str
    role: Role
    status: TaskStatus
    due_at: datetime
    requested_by: str
    overdue: bool


def _find(session: Session, case_id: int, step: str) -> HumanTask | None:
    return session.exec(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.step == step)).first()


def open_task(*, session: Session, request: TaskRequest) -> HumanTask:
    """Record the task once; a re-run finds the same row (and points it at the live run)."""
    task = _find(session, request.case_id, request.step)
    if task is None:
        task = HumanTask(**request.model_dump())
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
            },
        )
    elif task.status == TaskStatus.OPEN and task.flow_run_id != request.flow_run_id:
        task.flow_run_id = request.flow_run_id  # a replacement run took over the case
    case = session.get(Case, request.case_id)
    if case is not None:
        case.current_step = request.step
    session.commit()
    session.refresh(task)
    return task


def get_task(*, session: Session, task_id: int) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    return task


def decision_for(*, session: Session, task_id: int) -> Decision | None:
    return session.exec(select(Decision).where(Decision.task_id == task_id)).first()


def tasks_of_case(*, session: Session, case_id: int) -> Sequence[HumanTask]:
    return session.exec(select(HumanTask).where(HumanTask.case_id == case_id).order_by(col(HumanTask.id))).all()


def list_tasks(
    *,
    session: Session,
    username: str | None = None,
    role: Role | None = None,
    programme: str | None = None,
    step: str | None = None,
    overdue_only: bool = False,
    status: TaskStatus = TaskStatus.OPEN,
    limit: int = 500,
) -> list[TaskRow]:
    """Tasks by due date; with `username`, only those the user's roles may decide."""
    now = utcnow()
    query = (
        select(HumanTask, Case.ref, Case.title)
        .join(Case, col(Case.id) == col(HumanTask.case_id))
        .where(HumanTask.status == status)
        .order_by(col(HumanTask.due_at), col(HumanTask.id))
        .limit(limit)
    )
    if username is not None:
        grants = grants_of(session=session, username=username)
        if not grants:
            return []
        query = query.where(
            or_(
                *(
                    col(HumanTask.role) == g.role
                    if g.programme == ANY_PROGRAMME
                    else and_(col(HumanTask.role) == g.role, col(HumanTask.programme) == g.programme)
                    for g in grants
                )
            )
        )
    if role is not None:
        query = query.where(HumanTask.role == role)
    if programme:
        query = query.where(HumanTask.programme == programme)
    if step:
        query = query.where(HumanTask.step == step)
    if overdue_only:
        query = query.where(col(HumanTask.due_at) < now)
    return [
        TaskRow(
            id=task.id or 0,
            case_ref=ref,
            case_title=title,
            programme=task.programme,
            step=task.step,
            title=task.title,
            role=task.role,
            status=task.status,
            due_at=task.due_at,
            requested_by=task.requested_by,
            overdue=task.status == TaskStatus.OPEN and task.due_at < now,
        )
        for task, ref, title in session.exec(query).all()
    ]
