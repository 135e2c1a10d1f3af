"""Login sessions: the inbox's login survives a reload and a link opened in a new tab (a cookie whose token's
hash is stored here, so logging out or disabling the user ends it on the server).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_login_session_username"), "login_session", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_session_username"), table_name="login_session")
    op.drop_table("login_session")
