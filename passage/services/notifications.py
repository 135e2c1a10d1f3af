"""The notification outbox: enqueue once (a unique key per message), then claim, send, retry, report."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from pydantic import BaseModel
from sqlalchemy import and_, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, func, select

from models import (
    Case,
    HumanTask,
    Notification,
    NotificationKind,
    NotificationStatus,
    NotifyPreference,
    RoleGrant,
    User,
)
from models.common import utcnow
from passage.core import messages
from passage.core.business_hours import OfficeHours, next_office_time
from passage.core.notify import Delivery, Notifier, routing
from passage.core.settings import get_settings
from passage.services import audit
from passage.services.users import ANY_PROGRAMME

STALE_CLAIM = timedelta(minutes=10)  # a sender that crashed mid-send: its rows are taken up again
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Recipient:
    username: str
    language: str
    digest: bool


class SendResult(BaseModel):
    """What one sender pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def office_hours() -> OfficeHours:
    """The office's hours and working days, as configured (PASSAGE_OFFICE_*, PASSAGE_HOLIDAY_*)."""
    settings = get_settings()
    return OfficeHours(
        open=settings.office_open,
        close=settings.office_close,
        timezone=settings.office_timezone,
        holiday_country=settings.holiday_country,
        holiday_subdivision=settings.holiday_subdivision,
        closed_days=frozenset(settings.office_closed_days),
    )


def user_tag(username: str) -> str:
    return f"user:{username}"


def role_tag(role: str) -> str:
    return f"role:{role.replace('_', '-')}"


def message(
    *, key: str, kind: NotificationKind, tags: list[str], title: str, body: str, now: datetime, **extra: Any
) -> dict[str, Any]:
    """A complete outbox row as a plain dict (a bulk insert applies no model defaults).

    Nothing goes out at night or at weekends: the first attempt waits for the office to open.
    """
    return {
        "key": key,
        "kind": kind,
        "tags": " ".join(tags),
        "title": title,
        "body": body,
        "status": NotificationStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": next_office_time(now, office_hours()),
        "delivered_to": [],
        "created_at": now,
        "recipient": extra.get("recipient"),
        "language": extra.get("language", "en"),
        "task_id": extra.get("task_id"),
    }


def personal_message(
    person: Recipient,
    *,
    key: str,
    kind: NotificationKind,
    title: str,
    body: str,
    now: datetime,
    task_id: int | None = None,
) -> dict[str, Any]:
    """An outbox row for one person: tagged with their name and in their language."""
    return message(
        key=key,
        kind=kind,
        tags=[user_tag(person.username)],
        title=title,
        body=body,
        now=now,
        recipient=person.username,
        language=person.language,
        task_id=task_id,
    )


def dialect_insert(session: Session, table: type[SQLModel]) -> Any:
    """INSERT with ON CONFLICT for the session's database (SQLite and PostgreSQL spell it the same)."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)

    return sqlite_insert(table)


def enqueue(*, session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the rows whose key is new; a key already there (an earlier or concurrent sweep) is skipped."""
    if not rows:
        return
    session.execute(dialect_insert(session, Notification).on_conflict_do_nothing(index_elements=["key"]), rows)


def recipients(*, session: Session, role: str, programme: str) -> list[Recipient]:
    """The active users holding `role` in `programme` (or in every programme), with their language and choice."""
    query = (
        select(User.username, User.language, NotifyPreference.digest)
        .join(RoleGrant, col(RoleGrant.username) == col(User.username))
        .outerjoin(NotifyPreference, col(NotifyPreference.username) == col(User.username))
        .where(
            col(User.active),
            RoleGrant.role == role,
            col(RoleGrant.programme).in_([programme, ANY_PROGRAMME]),
        )
        .distinct()
        .order_by(col(User.username))
    )
    return [Recipient(name, language, bool(digest)) for name, language, digest in session.exec(query).all()]


def task_facts(task: HumanTask, ref: str) -> messages.TaskFacts:
    return messages.TaskFacts(
        task_id=task.id or 0,
        ref=ref,
        step=task.title,
        role=task.role.value,
        programme=task.programme,
        due_at=task.due_at,
    )


def _facts_of(session: Session, task: HumanTask) -> messages.TaskFacts:
    """What a message about `task` says of it, with its case's reference."""
    case = session.get(Case, task.case_id)
    return task_facts(task, case.ref if case is not None else f"case {task.case_id}")


def enqueue_assignment(*, session: Session, task: HumanTask, now: datetime | None = None, stamp: str = "") -> None:
    """A gate opened: tell each person of its role in its programme (not those who chose the digest).

    Called in the transaction that records the task, so the message exists exactly when the task does.
    `stamp` tells apart a task opened again (its case reopened) from its first opening, which was told.
    """
    now, settings, zone = now or utcnow(), get_settings(), office_hours().zone
    facts, rows = _facts_of(session, task), []
    suffix = f":{stamp}" if stamp else ""
    for person in recipients(session=session, role=task.role.value, programme=task.programme):
        if person.digest:
            continue
        title, body = messages.assigned(facts, person.language, zone, settings.inbox_url)
        rows.append(
            personal_message(
                person,
                key=f"assigned:{task.id}:{person.username}{suffix}",
                kind=NotificationKind.ASSIGNED,
                title=title,
                body=body,
                now=now,
                task_id=task.id,
            )
        )
    enqueue(session=session, rows=[*rows, *_channel_message(task, facts, now, suffix)])


def enqueue_cancellation(*, session: Session, task: HumanTask, now: datetime | None = None) -> None:
    """A task was cancelled (its case withdrawn): tell whoever it waited for, its assignee or its role's people.

    Digest readers too: their next digest just no longer lists it, which says nothing. The message names
    the case and the gate, never the reason for the withdrawal (it can be a person's health or death).
    """
    now, settings, zone = now or utcnow(), get_settings(), office_hours().zone
    facts = _facts_of(session, task)
    people = recipients(session=session, role=task.role.value, programme=task.programme)
    if task.assignee is not None:
        people = [p for p in people if p.username == task.assignee] or [
            Recipient(task.assignee, settings.notify_language, False)
        ]
    rows = []
    for person in people:
        title, body = messages.cancelled(facts, person.language, zone, settings.inbox_url)
        rows.append(
            personal_message(
                person,
                key=f"cancelled:{task.id}:{person.username}:{now:%Y%m%d%H%M%S}",
                kind=NotificationKind.CANCELLED,
                title=title,
                body=body,
                now=now,
                task_id=task.id,
            )
        )
    enqueue(session=session, rows=rows)


def channel_tags(task: HumanTask) -> list[str]:
    """The shared channels a gate is posted to: its role's, and its programme's."""
    return [role_tag(task.role.value), f"programme:{task.programme}"]


def _channel_message(task: HumanTask, facts: messages.TaskFacts, now: datetime, suffix: str) -> list[dict[str, Any]]:
    """One post for the shared channels (a team's Teams or Slack hook) of the gate, where the routing has any."""

    settings, tags = get_settings(), channel_tags(task)
    if not routing(settings.notify_config_path).has_route(tags, any_of=True):
        return []
    title, body = messages.assigned(facts, settings.notify_language, office_hours().zone, settings.inbox_url)
    key = f"assigned:{task.id}:channel{suffix}"
    return [
        message(key=key, kind=NotificationKind.ASSIGNED, tags=tags, title=title, body=body, now=now, task_id=task.id)
    ]


def _claim(session: Session, token: str, now: datetime, limit: int) -> Sequence[Notification]:
    """Take up to `limit` due rows for this sender alone: a guarded UPDATE, so two senders never share one."""
    ready = or_(
        and_(col(Notification.status) == NotificationStatus.PENDING, col(Notification.next_attempt_at) <= now),
        and_(col(Notification.status) == NotificationStatus.SENDING, col(Notification.claimed_at) < now - STALE_CLAIM),
    )
    ids = session.exec(select(Notification.id).where(ready).order_by(col(Notification.id)).limit(limit)).all()
    if not ids:
        return []
    session.execute(
        update(Notification)
        .where(col(Notification.id).in_(ids), ready)
        .values(
            status=NotificationStatus.SENDING,
            claimed_by=token,
            claimed_at=now,
            attempts=col(Notification.attempts) + 1,
        )
    )
    session.commit()
    return session.exec(select(Notification).where(Notification.claimed_by == token)).all()


def send_due(
    *, session: Session, notifier: Notifier | None = None, now: datetime | None = None, limit: int = 200
) -> SendResult:
    """One sender pass: send what is due, mark each sent, or back off (doubling), or failed after the last try."""

    settings, now = get_settings(), now or utcnow()
    notifier = notifier or Notifier.from_file(settings.notify_config_path, app_url=settings.inbox_url)
    result, token = SendResult(), uuid4().hex
    claimed = _claim(session, token, now, limit)
    addresses = _active_addresses(session, {row.recipient for row in claimed if row.recipient is not None})
    for row in claimed:
        # A person disabled since their message was queued gets nothing, now or on a retry.
        disabled = row.recipient is not None and row.recipient not in addresses
        delivery = _disabled(row) if disabled else _deliver(notifier, row, addresses.get(row.recipient or ""))
        row.delivered_to, row.last_error, row.claimed_by = delivery.delivered, delivery.error, None
        if delivery.ok:
            row.status, row.sent_at = NotificationStatus.SENT, utcnow()
            result.sent += 1
        elif disabled or row.attempts >= settings.notify_max_attempts:
            row.status = NotificationStatus.FAILED
            result.failed += 1
        else:
            backoff = timedelta(seconds=settings.notify_retry_seconds * 2 ** (row.attempts - 1))
            row.status, row.next_attempt_at = NotificationStatus.PENDING, now + min(backoff, MAX_BACKOFF)
            result.retrying += 1
        session.add(row)
        if row.status != NotificationStatus.PENDING:
            _audit_outcome(session, row)
        session.commit()  # row by row: a crash later in the pass never re-sends what went out
    return result


def _active_addresses(session: Session, usernames: set[str]) -> dict[str, str | None]:
    """The e-mail address (None: none given) of each of `usernames` who is active; the disabled are absent.

    Read when sending, never stored with the message: an address changed on the Administration page is
    the one used, and the outbox holds the username only.
    """
    if not usernames:
        return {}
    query = select(User.username, User.email).where(col(User.username).in_(usernames), col(User.active))
    return {name: email.strip() or None for name, email in session.exec(query).all()}


def _deliver(notifier: Notifier, row: Notification, email: str | None) -> Delivery:
    """A person's message goes where their tag is, else to their own address (the routing file's `mail:`);
    a channel post (no recipient) to every channel it names."""
    channel = row.recipient is None and row.kind == NotificationKind.ASSIGNED
    return notifier.deliver(
        tags=row.tags.split(), title=row.title, body=row.body, done=row.delivered_to, any_of=channel, email=email
    )


def _disabled(row: Notification) -> Delivery:
    return Delivery(ok=False, delivered=row.delivered_to, error=f"user:{row.recipient} is not an active user: not sent")


def _audit_outcome(session: Session, row: Notification) -> None:
    """Every message that went out (or finally failed) is in the audit trail, on its case where it has one."""
    task = session.get(HumanTask, row.task_id) if row.task_id is not None else None
    audit.record(
        session=session,
        actor="system",
        action=f"notification.{row.status.value}",
        case_id=task.case_id if task is not None else None,
        task_id=row.task_id,
        detail={"kind": row.kind.value, "to": row.recipient, "tags": row.tags, "error": row.last_error or ""},
    )


class OutboxRow(BaseModel):
    """A message as the administrator's outbox view shows it."""

    id: int
    kind: NotificationKind
    recipient: str
    title: str
    status: NotificationStatus
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime
    last_error: str | None


def list_outbox(*, session: Session, status: NotificationStatus | None = None, limit: int = 200) -> list[OutboxRow]:
    """The newest messages first, optionally of one status."""
    query = select(Notification).order_by(col(Notification.id).desc()).limit(limit)
    if status is not None:
        query = query.where(Notification.status == status)
    return [
        OutboxRow(
            id=row.id or 0,
            kind=row.kind,
            recipient=row.recipient or row.tags,
            title=row.title,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            sent_at=row.sent_at,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
        )
        for row in session.exec(query).all()
    ]


def outbox_counts(*, session: Session) -> dict[str, int]:
    query = select(Notification.status, func.count()).group_by(col(Notification.status))
    return {NotificationStatus(status).value: count for status, count in session.exec(query).all()}


def retry_failed(*, session: Session, now: datetime | None = None) -> int:
    """Give every failed message a fresh set of attempts (after the routing was fixed); returns how many."""
    result = session.execute(
        update(Notification)
        .where(col(Notification.status) == NotificationStatus.FAILED)
        .values(status=NotificationStatus.PENDING, attempts=0, next_attempt_at=now or utcnow())
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def set_digest(*, session: Session, username: str, digest: bool) -> None:
    """A person's choice: one daily digest (True) or a message per task (False)."""
    preference = session.get(NotifyPreference, username) or NotifyPreference(username=username)
    preference.digest = digest
    session.add(preference)
    session.commit()
