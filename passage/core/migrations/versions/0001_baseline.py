"""baseline: the schema of release 0.1 (tables made by create_all)

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 13:30:41.137382
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case",
        sa.Column("programme", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum("new", "active", "closed", "rejected", "refused", name="casestatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("current_step", sa.String(), nullable=True),
        sa.Column("flow_run_id", sa.String(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("opened_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pseudonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_flow_run_id"), ["flow_run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_programme"), ["programme"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_ref"), ["ref"], unique=True)
        batch_op.create_index(batch_op.f("ix_case_status"), ["status"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "assigned", "reminder", "escalation", "digest", name="notificationkind", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(), nullable=True),
        sa.Column("tags", sa.String(length=400), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("pending", "sending", "sent", "failed", name="notificationstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=40), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_to", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_next_attempt_at"), ["next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_recipient"), ["recipient"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_task_id"), ["task_id"], unique=False)

    op.create_table(
        "quota_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("limit", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rule", "period"),
    )
    op.create_table(
        "user",
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegator", sa.String(), nullable=False),
        sa.Column("delegate", sa.String(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegate"],
            ["user.username"],
        ),
        sa.ForeignKeyConstraint(
            ["delegator"],
            ["user.username"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_delegate"), ["delegate"], unique=False)
        batch_op.create_index(batch_op.f("ix_delegation_delegator"), ["delegator"], unique=False)

    op.create_table(
        "human_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("programme", sa.String(length=60), nullable=False),
        sa.Column("step", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("form_type", sa.String(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "programme_manager",
                "case_worker",
                "medical_officer",
                "movement_officer",
                "administrator",
                name="role",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("open", "decided", "cancelled", name="taskstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("flow_run_id", sa.String(), nullable=False),
        sa.Column("requested_by", sa.String(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approvals_required", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "step"),
    )
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_human_task_assignee"), ["assignee"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_task_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_task_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_task_programme"), ["programme"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_task_role"), ["role"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_task_status"), ["status"], unique=False)

    op.create_table(
        "notify_preference",
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["user.username"],
        ),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "person",
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("is_principal", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_case_id"), ["case_id"], unique=False)

    op.create_table(
        "role_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "programme_manager",
                "case_worker",
                "medical_officer",
                "movement_officer",
                "administrator",
                name="role",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("programme", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["user.username"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "role", "programme"),
    )
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grant_username"), ["username"], unique=False)

    op.create_table(
        "steprun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "step"),
    )
    with op.batch_alter_table("steprun", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_steprun_case_id"), ["case_id"], unique=False)

    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("comment", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["human_task.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "username"),
    )
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_task_id"), ["task_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome", sa.Enum("approve", "reject", name="outcome", native_enum=False, length=40), nullable=False
        ),
        sa.Column("comment", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("delivery_error", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["human_task.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id"),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_applied_at"), ["applied_at"], unique=False)

    op.create_table(
        "reminder_mark",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["human_task.id"],
        ),
        sa.PrimaryKeyConstraint("task_id"),
    )


def downgrade() -> None:
    op.drop_table("reminder_mark")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_applied_at"))

    op.drop_table("decision")
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_task_id"))

    op.drop_table("approval")
    with op.batch_alter_table("steprun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_steprun_case_id"))

    op.drop_table("steprun")
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_grant_username"))

    op.drop_table("role_grant")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_case_id"))

    op.drop_table("person")
    op.drop_table("notify_preference")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_status"))
        batch_op.drop_index(batch_op.f("ix_human_task_role"))
        batch_op.drop_index(batch_op.f("ix_human_task_programme"))
        batch_op.drop_index(batch_op.f("ix_human_task_due_at"))
        batch_op.drop_index(batch_op.f("ix_human_task_case_id"))
        batch_op.drop_index(batch_op.f("ix_human_task_assignee"))

    op.drop_table("human_task")
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_delegator"))
        batch_op.drop_index(batch_op.f("ix_delegation_delegate"))

    op.drop_table("delegation")
    op.drop_table("user")
    op.drop_table("quota_usage")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_task_id"))
        batch_op.drop_index(batch_op.f("ix_notification_status"))
        batch_op.drop_index(batch_op.f("ix_notification_recipient"))
        batch_op.drop_index(batch_op.f("ix_notification_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_notification_kind"))

    op.drop_table("notification")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_status"))
        batch_op.drop_index(batch_op.f("ix_case_ref"))
        batch_op.drop_index(batch_op.f("ix_case_programme"))
        batch_op.drop_index(batch_op.f("ix_case_flow_run_id"))

    op.drop_table("case")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_case_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
