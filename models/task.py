"""Human tasks (gates waiting for a person) and the decisions that close them."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.common import enum_field, json_field, optional_time_field, time_field
from models.user import Role


class TaskStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # its wait ran out; a programme manager can re-open it (the run still waits)


class Outcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


# A task set aside (its case reopened) keeps its row and its decision; the gate opens a new task beside it.
LIVE_TASK = text("set_aside_at IS NULL")


class HumanTask(SQLModel, table=True):
    """One gate of one case; (case, step) is its idempotency key among the tasks not set aside."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index(
            "uq_human_task_live_step",
            "case_id",
            "step",
            unique=True,
            sqlite_where=LIVE_TASK,
            postgresql_where=LIVE_TASK,
        ),
        # The inbox: open tasks of a role, of every programme or of one, earliest due first.
        Index("ix_human_task_inbox", "status", "role", "due_at", "id"),
        Index("ix_human_task_inbox_programme", "status", "role", "programme", "due_at", "id"),
        # The inbox's counts per filter value: every column they group or filter on, so each count reads
        # this index alone, not the rows with their context JSON (1.7 s → 0.2 s at 100,000 open tasks).
        Index("ix_human_task_facets", "status", "role", "programme", "step", "assignee", "due_at", "priority"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    programme: str = Field(index=True, max_length=60)
    step: str = Field(max_length=80, description="pause key: [a-z0-9-]+")
    title: str
    form_type: str
    role: Role = enum_field(Role, index=True)
    status: TaskStatus = enum_field(TaskStatus, TaskStatus.OPEN, index=True)
    flow_run_id: str
    requested_by: str
    context: dict[str, Any] = json_field()
    due_at: datetime = time_field(index=True)
    created_at: datetime = time_field()
    # N-of-M: distinct approvals needed before the task closes approved (a single rejection closes it).
    approvals_required: int = Field(default=1, ge=1, le=5)
    # Claimed by (or reassigned to) one person: only they decide it until it is unclaimed.
    assignee: str | None = Field(default=None, index=True, max_length=60)
    # From the case's vulnerability flags when the task opens: 2 urgent, 1 vulnerable, 0 none (the inbox sorts by it).
    priority: int = Field(default=0, index=True, ge=0, le=2)
    # When the wait runs out: the task is marked expired and the programme's managers are told.
    # Passage's, not Prefect's: a Prefect suspend timeout would leave a run that can never resume.
    expires_at: datetime | None = optional_time_field(index=True)
    # The decision that ended the case, set aside when a manager reopened it: shown in the trail, never replayed.
    set_aside_at: datetime | None = optional_time_field()


class Approval(SQLModel, table=True):
    """One person's approval of an N-of-M task; the last of the N becomes the task's Decision."""

    __table_args__ = (UniqueConstraint("task_id", "username"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="human_task.id", index=True)
    username: str = Field(max_length=60)
    comment: str = ""
    data: dict[str, Any] = json_field()
    at: datetime = time_field()


class Decision(SQLModel, table=True):
    """A person's decision on a task; at most one per task, delivered to Prefect once."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="human_task.id", unique=True)
    outcome: Outcome = enum_field(Outcome)
    comment: str = ""
    data: dict[str, Any] = json_field()
    decided_by: str
    decided_at: datetime = time_field()
    delivered_at: datetime | None = optional_time_field()
    # Set by the gate when the flow run picked the decision up: until then the reconciler keeps trying.
    applied_at: datetime | None = optional_time_field(index=True)
    delivery_attempts: int = 0
    delivery_error: str | None = None
