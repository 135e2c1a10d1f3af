"""Inbox indexes: the open tasks of a role (in one programme or all), earliest due first.

Without them the inbox of a programme manager sorts every open task of the role on each page
(bench/inbox_query.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:57:42.711136
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index("ix_human_task_inbox", ["status", "role", "due_at", "id"], unique=False)
        batch_op.create_index(
            "ix_human_task_inbox_programme", ["status", "role", "programme", "due_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_inbox_programme")
        batch_op.drop_index("ix_human_task_inbox")
