"""A gate's wait that runs out: expired once, the programme's managers told once, re-opened by a manager."""

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from models import AuditEvent, HumanTask, Notification, NotificationKind, Role, TaskStatus
from models.common import utcnow
from passage.core.errors import FormInvalid, NotPermitted, TaskNotOpen
from passage.services import notifications
from passage.services.decisions import decide
from passage.services.expiry import expire_due, reopen
from tests.factories import new_case, open_gate


def expired_task(db: Session) -> int:
    task_id = open_gate(session=db, case_id=new_case(session=db), expires_at=utcnow() - timedelta(minutes=1))
    assert expire_due(session=db) == 1
    return task_id


def actions(db: Session, task_id: int) -> list[str]:
    return [
        e.action for e in db.exec(select(AuditEvent).where(AuditEvent.task_id == task_id).order_by(col(AuditEvent.id)))
    ]


def told(db: Session) -> list[str]:
    query = select(Notification).where(Notification.kind == NotificationKind.EXPIRED)
    return sorted(n.recipient or "" for n in db.exec(query))


def test_an_open_task_past_its_wait_expires_once_and_every_manager_is_told_once(db: Session) -> None:
    task_id = expired_task(db)
    waiting = open_gate(session=db, case_id=new_case(session=db, unhcr_ref="LEB-24-000102"))

    assert expire_due(session=db, now=utcnow() + timedelta(minutes=5)) == 0  # a second pass finds nothing new
    assert db.get(HumanTask, task_id).status == TaskStatus.EXPIRED  # type: ignore[union-attr]
    assert db.get(HumanTask, waiting).status == TaskStatus.OPEN  # type: ignore[union-attr]
    assert actions(db, task_id) == ["task.opened", "task.expired"]
    managers = notifications.recipients(session=db, role=Role.PROGRAMME_MANAGER.value, programme="resettlement-nl")
    assert told(db) == sorted(p.username for p in managers) and len(managers) >= 1


def test_an_expired_task_cannot_be_decided_and_says_who_can_reopen_it(db: Session) -> None:
    task_id = expired_task(db)
    with pytest.raises(TaskNotOpen, match="expired .* a programme manager can re-open it"):
        decide(session=db, task_id=task_id, actor="pm.anna", approve=True, deliver=False)
    assert actions(db, task_id) == ["task.opened", "task.expired"]


def test_a_manager_reopens_it_and_it_can_be_decided(db: Session) -> None:
    task_id = expired_task(db)
    task = reopen(session=db, task_id=task_id, actor="pm.anna", days=3)
    assert task.status == TaskStatus.OPEN
    assert task.due_at > utcnow() + timedelta(days=2) and task.expires_at is not None and task.expires_at > task.due_at
    decide(session=db, task_id=task_id, actor="pm.joost", approve=True, deliver=False)
    assert actions(db, task_id) == ["task.opened", "task.expired", "task.reopened", "task.approved"]


@pytest.mark.parametrize(
    ("actor", "days", "refusal"),
    [("cw.amal", 3, NotPermitted), ("pm.anna", 0, FormInvalid), ("pm.anna", 366, FormInvalid)],
)
def test_only_a_manager_reopens_and_only_for_a_sensible_time(
    db: Session, actor: str, days: int, refusal: type[Exception]
) -> None:
    task_id = expired_task(db)
    with pytest.raises(refusal):
        reopen(session=db, task_id=task_id, actor=actor, days=days)
    assert db.get(HumanTask, task_id).status == TaskStatus.EXPIRED  # type: ignore[union-attr]
    assert actions(db, task_id) == ["task.opened", "task.expired"]


def test_a_task_that_has_not_expired_is_not_reopened(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    with pytest.raises(TaskNotOpen, match="not expired"):
        reopen(session=db, task_id=task_id, actor="pm.anna", days=3)
