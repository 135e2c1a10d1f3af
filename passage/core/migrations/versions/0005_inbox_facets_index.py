"""Covering index for the inbox's counts per filter value.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["status", "role", "programme", "step", "assignee", "due_at", "priority"]


def upgrade() -> None:
    op.create_index("ix_human_task_facets", "human_task", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_human_task_facets", table_name="human_task")
