"""Case comments: a thread on each case, append-only, a comment optionally written on a task and marked medical.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=80), nullable=True),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("medical", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_case_comment_case_id"), "case_comment", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_comment_case_id"), table_name="case_comment")
    op.drop_table("case_comment")
