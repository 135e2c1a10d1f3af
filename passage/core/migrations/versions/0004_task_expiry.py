"""Task expiry: when a gate's wait runs out (tasks opened before this revision never expire).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_human_task_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_expires_at"))
        batch_op.drop_column("expires_at")
