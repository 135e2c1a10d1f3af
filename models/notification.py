"""The notification outbox: every message is recorded here before it is sent, and marked sent or failed."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.common import enum_field, json_field, optional_time_field, time_field


class NotificationKind(StrEnum):
    ASSIGNED = "assigned"  # a gate opened: the people of its role are told
    REMINDER = "reminder"  # before or after the due date, at business-hour offsets
    ESCALATION = "escalation"  # still open after K reminders: the programme's lead is told, once
    DIGEST = "digest"  # one message a day per person who chose it, instead of one per task
    EXPIRED = "expired"  # a gate's wait ran out: the programme's managers are told, who may re-open it
    REPORT = "report"  # the weekly report of a programme is ready: its programme managers are told
    CANCELLED = "cancelled"  # a case was withdrawn: whoever its open tasks waited for is told they are cancelled
    MENTIONED = "mentioned"  # a comment names a person (@username): they are told who, on which case, not what


class NotificationStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (next_attempt_at)
    SENDING = "sending"  # claimed by one sender
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; an administrator can retry it


class Notification(SQLModel, table=True):
    """One message to one audience; `key` makes a second (or concurrent) enqueue insert nothing."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200, description="e.g. reminder:<task>:<n>:<user>")
    kind: NotificationKind = enum_field(NotificationKind, index=True)
    recipient: str | None = Field(default=None, index=True, description="a username; empty for a channel")
    tags: str = Field(max_length=400, description="Apprise tags the message goes to, all of them (AND)")
    language: str = Field(default="en", max_length=5)
    title: str
    body: str
    task_id: int | None = Field(default=None, index=True)
    status: NotificationStatus = enum_field(NotificationStatus, NotificationStatus.PENDING, index=True)
    attempts: int = 0
    next_attempt_at: datetime = time_field(index=True)
    claimed_by: str | None = Field(default=None, max_length=40)
    claimed_at: datetime | None = optional_time_field()
    # Targets (one per configured URL) that already took the message: a retry skips them.
    delivered_to: list[str] = json_field(list)
    last_error: str | None = None
    created_at: datetime = time_field()
    sent_at: datetime | None = optional_time_field()


class ReminderMark(SQLModel, table=True):
    """How far the reminder sweep got with a task: the highest reminder stage already handled."""

    __tablename__ = "reminder_mark"

    task_id: int = Field(foreign_key="human_task.id", primary_key=True)
    stage: int = 0


class NotifyPreference(SQLModel, table=True):
    """A person's choice: one daily digest instead of a message per task (no row: a message per task)."""

    __tablename__ = "notify_preference"

    username: str = Field(foreign_key="user.username", primary_key=True, max_length=60)
    digest: bool = False
