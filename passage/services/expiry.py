"""A gate's wait that runs out: the task expires, the programme's managers are told, a manager re-opens it.

The flow run stays suspended at the gate the whole time (Passage sets no Prefect timeout), so a
re-opened task decided later resumes the run like any other decision.
"""

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from models import Case, HumanTask, NotificationKind, Role, TaskStatus
from models.common import utcnow
from passage.core import messages
from passage.core.errors import FormInvalid, TaskNotOpen
from passage.core.settings import get_settings
from passage.services import access, audit, notifications
from passage.services.human_tasks import get_task


def expire_due(*, session: Session, now: datetime | None = None, limit: int = 500) -> int:
    """Mark open tasks whose wait has run out as expired; returns how many this pass expired.

    Each task is expired by a guarded UPDATE, so two passes at once expire (and announce) it once.
    """
    now = now or utcnow()
    query = (
        select(HumanTask)
        .join(Case, col(Case.id) == col(HumanTask.case_id))
        # A case on hold does not expire: its clock stopped, and resuming it moves the expiry on.
        .where(HumanTask.status == TaskStatus.OPEN, col(HumanTask.expires_at) <= now, col(Case.held_at).is_(None))
        .order_by(col(HumanTask.expires_at))
        .limit(limit)
    )
    expired = 0
    for task in session.exec(query).all():
        guarded = (
            update(HumanTask)
            .where(col(HumanTask.id) == task.id, col(HumanTask.status) == TaskStatus.OPEN)
            .values(status=TaskStatus.EXPIRED)
        )
        if session.execute(guarded).rowcount != 1:  # type: ignore[attr-defined]
            continue
        audit.record(
            session=session,
            actor="system",
            action="task.expired",
            case_id=task.case_id,
            task_id=task.id,
            detail={"step": task.step, "expires_at": task.expires_at.isoformat() if task.expires_at else None},
        )
        _tell_managers(session, task, now)
        session.commit()
        expired += 1
    return expired


def _tell_managers(session: Session, task: HumanTask, now: datetime) -> None:
    """One message per programme manager of the task's programme, digest or not: only they can re-open it."""
    settings, zone = get_settings(), notifications.office_hours().zone
    case = session.get(Case, task.case_id)
    facts = notifications.task_facts(task, case.ref if case is not None else f"case {task.case_id}")
    stamp = f"{task.expires_at:%Y%m%d%H%M}" if task.expires_at else "never"
    rows = []
    for person in notifications.recipients(
        session=session, role=Role.PROGRAMME_MANAGER.value, programme=task.programme
    ):
        title, body = messages.expired(facts, person.language, zone, settings.inbox_url)
        rows.append(
            notifications.personal_message(
                person,
                key=f"expired:{task.id}:{stamp}:{person.username}",  # a re-opened task that expires again: new key
                kind=NotificationKind.EXPIRED,
                title=title,
                body=body,
                now=now,
                task_id=task.id,
            )
        )
    notifications.enqueue(session=session, rows=rows)


def reopen(*, session: Session, task_id: int, actor: str, days: int, now: datetime | None = None) -> HumanTask:
    """A programme manager re-opens an expired task: due in `days`, its wait running out again after the
    programme's usual expiry. The case's run still waits at the gate, so nothing else needs restarting."""
    if not 1 <= days <= 365:
        raise FormInvalid({"days": "between 1 and 365"})
    now = now or utcnow()
    task = get_task(session=session, task_id=task_id)
    case = session.get(Case, task.case_id)
    if case is not None:
        access.require_case_access(session=session, actor=actor, case=case)
    access.require_role(session=session, actor=actor, role=Role.PROGRAMME_MANAGER, programme=task.programme)
    if task.status != TaskStatus.EXPIRED:
        raise TaskNotOpen(
            "task {task_id} is {status}, not expired: only an expired task is re-opened",
            task_id=task_id,
            status=task.status.value,
        )
    task.status = TaskStatus.OPEN
    task.due_at = now + timedelta(days=days)
    task.expires_at = task.due_at + timedelta(days=get_settings().gate_expiry_days)
    audit.record(
        session=session,
        actor=actor,
        action="task.reopened",
        case_id=task.case_id,
        task_id=task.id,
        detail={"due_at": task.due_at.isoformat(), "expires_at": task.expires_at.isoformat()},
    )
    session.commit()
    session.refresh(task)
    return task
