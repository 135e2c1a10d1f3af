"""Task priority (from the case's vulnerability flags, for the inbox's sort and filter).

Tasks opened before this revision get 0 (none): their priority was never computed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:39:52.105241
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(batch_op.f("ix_human_task_priority"), ["priority"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_priority"))
        batch_op.drop_column("priority")
