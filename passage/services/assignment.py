"""Who works on a task: claim, unclaim, reassign; and stand-ins while a colleague is on leave. All audited."""

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, model_validator
from sqlmodel import Session, col, select

from models import Case, Delegation, HumanTask, Role, TaskStatus
from passage.core.errors import NotFound, NotPermitted, PassageError, TaskNotOpen
from passage.services import access, audit
from passage.services.human_tasks import get_task
from passage.services.users import get_user, grants_of, list_users


def _open_task(session: Session, task_id: int) -> tuple[HumanTask, Case]:
    task = get_task(session=session, task_id=task_id)
    case = session.get(Case, task.case_id)
    if case is None:
        raise NotFound("no case {case_id}", case_id=task.case_id)
    if task.status != TaskStatus.OPEN:
        raise TaskNotOpen("task {task_id} is {status}", task_id=task_id, status=task.status.value)
    return task, case


def _assign(session: Session, task: HumanTask, actor: str, action: str, assignee: str | None) -> HumanTask:
    previous, task.assignee = task.assignee, assignee
    session.add(task)
    audit.record(
        session=session,
        actor=actor,
        action=action,
        case_id=task.case_id,
        task_id=task.id,
        detail={"step": task.step, "from": previous, "to": assignee},
    )
    session.commit()
    session.refresh(task)
    return task


def claim(*, session: Session, task_id: int, actor: str) -> HumanTask:
    """Take an open task: until unclaimed, only `actor` decides it."""
    task, _case = _open_task(session, task_id)
    access.require_role(session=session, actor=actor, role=task.role, programme=task.programme)
    if task.assignee not in (None, actor):
        raise NotPermitted("task {task_id} is claimed by {assignee}", task_id=task_id, assignee=task.assignee)
    return _assign(session, task, actor, "task.claimed", actor)


def unclaim(*, session: Session, task_id: int, actor: str) -> HumanTask:
    """Give a claimed task back to everyone of its role (its assignee or a programme manager)."""
    task, _case = _open_task(session, task_id)
    if task.assignee != actor:
        access.require_role(session=session, actor=actor, role=Role.PROGRAMME_MANAGER, programme=task.programme)
    return _assign(session, task, actor, "task.unclaimed", None)


def reassign(*, session: Session, task_id: int, actor: str, to: str) -> HumanTask:
    """Hand a task to a colleague of its role: by its assignee, or by a programme manager of the programme."""
    task, _case = _open_task(session, task_id)
    if task.assignee != actor:
        access.require_role(session=session, actor=actor, role=Role.PROGRAMME_MANAGER, programme=task.programme)
    access.require_role(session=session, actor=to, role=task.role, programme=task.programme)
    if to == task.requested_by:
        raise NotPermitted("four-eyes: {to} requested or prepared this task and cannot decide it", to=to)
    return _assign(session, task, actor, "task.reassigned", to)


def colleagues(*, session: Session, task_id: int, actor: str) -> list[str]:
    """Whom `actor` may offer to hand an open task to (the inbox's list, so no one types a username): every
    active person holding its role in its programme, own or delegated, but its assignee and who requested it."""
    task, case = _open_task(session, task_id)
    access.require_case_access(session=session, actor=actor, case=case)
    return [
        user.username
        for user in list_users(session=session)
        if user.active
        and user.username not in (task.assignee, task.requested_by)
        and task.role in access.roles_in(session=session, actor=user.username, programme=task.programme)
    ]


class DelegationCreate(BaseModel):
    delegator: str
    delegate: str
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _sensible(self) -> "DelegationCreate":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on: a delegation cannot end before it starts")
        if self.delegate == self.delegator:
            raise ValueError("delegate: delegate to someone else")
        return self


def _may_manage(session: Session, actor: str, delegator: str) -> None:
    if actor != delegator:
        access.require_admin(session=session, actor=actor)
    else:
        access.require_person(session=session, actor=actor)


def delegate(*, session: Session, actor: str, request: DelegationCreate) -> Delegation:
    """While `delegator` is on leave, `delegate` acts in their roles (set by themselves or an administrator)."""
    _may_manage(session, actor, request.delegator)
    get_user(session=session, username=request.delegator)
    get_user(session=session, username=request.delegate)
    if any(g.role == Role.ADMINISTRATOR for g in grants_of(session=session, username=request.delegator)):
        # Administration rights are granted by name, never passed on by a leave rota (assumption).
        raise PassageError("an administrator's rights are not delegated; grant the role instead")
    row = Delegation(**request.model_dump(), created_by=actor)
    session.add(row)
    session.flush()
    audit.record(session=session, actor=actor, action="delegation.created", detail=request.model_dump(mode="json"))
    session.commit()
    session.refresh(row)
    return row


def revoke_delegation(*, session: Session, actor: str, delegation_id: int) -> Delegation:
    row = session.get(Delegation, delegation_id)
    if row is None:
        raise NotFound("no delegation {delegation_id}", delegation_id=delegation_id)
    _may_manage(session, actor, row.delegator)
    row.revoked = True
    session.add(row)
    audit.record(session=session, actor=actor, action="delegation.revoked", detail={"id": delegation_id})
    session.commit()
    session.refresh(row)
    return row


def delegations(*, session: Session, actor: str) -> Sequence[Delegation]:
    """All delegations for an administrator; one's own (given or received) for anyone else."""
    query = select(Delegation).order_by(col(Delegation.starts_on).desc())
    try:
        access.require_admin(session=session, actor=actor)
    except NotPermitted:
        query = query.where((col(Delegation.delegator) == actor) | (col(Delegation.delegate) == actor))
    return session.exec(query).all()
