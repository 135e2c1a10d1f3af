"""Hold, withdraw and reopen of a case: the case's hold and pending cancellation, the tasks set aside on
reopening, and what each case reserved from the quota and budget counters.

A reopened case asks again the gate whose decision ended it: that task is kept (with its decision, sealed
in the audit trail) and marked set aside, and a new task opens beside it. So (case, step) is unique
among the tasks not set aside only: a partial unique index replaces the table's unique constraint.

Cases that reserved places before this revision have no reservation rows: withdrawing one releases
nothing (the counters are corrected by hand, as before).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 20:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_TASK = sa.text("set_aside_at IS NULL")
# How SQLite's unnamed UNIQUE (case_id, step) is named for batch mode to drop it; PostgreSQL named it itself.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
OLD_UNIQUE = {"sqlite": "uq_human_task_case_id_step", "postgresql": "human_task_case_id_step_key"}


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("hold_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("run_to_cancel", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_run_to_cancel"), ["run_to_cancel"], unique=False)

    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("human_task", schema=None, naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.add_column(sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(OLD_UNIQUE[dialect], type_="unique")
    op.create_index(
        "uq_human_task_live_step",
        "human_task",
        ["case_id", "step"],
        unique=True,
        sqlite_where=LIVE_TASK,
        postgresql_where=LIVE_TASK,
    )

    op.create_table(
        "reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservation_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservation_case_id"))
    op.drop_table("reservation")

    op.drop_index("uq_human_task_live_step", table_name="human_task")
    # Tasks set aside would break the old constraint: a database reopened cases in cannot go back past here.
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_unique_constraint(OLD_UNIQUE[op.get_bind().dialect.name], ["case_id", "step"])
        batch_op.drop_column("set_aside_at")

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_run_to_cancel"))
        batch_op.drop_column("run_to_cancel")
        batch_op.drop_column("hold_reason")
        batch_op.drop_column("held_at")
