"""Amendments of a case's persons: each person's number in its case, and the decisions to review.

- `person.number`: the person's place in the case as opened, kept when an amendment removes another, so
  that a gate asked per person (`needs-3`) stays that person's. Existing persons get their place among
  their case's persons in the order they were recorded (the order of the case file).
- `decision_review`: a decision taken before an amendment changed a person it concerns, until a
  programme manager clears it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 20:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERSON = sa.table("person", sa.column("id", sa.Integer()), sa.column("case_id", sa.Integer()), sa.column("number"))


def _number_the_persons(connection: sa.Connection) -> None:
    """Each person's place in its case: how many of the case's persons were recorded up to it."""
    earlier = PERSON.alias("earlier")
    place = (
        sa.select(sa.func.count())
        .select_from(earlier)
        .where(earlier.c.case_id == PERSON.c.case_id, earlier.c.id <= PERSON.c.id)
        .scalar_subquery()
    )
    connection.execute(PERSON.update().values(number=place))


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=False, server_default="0"))
    _number_the_persons(op.get_bind())
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("number", server_default=None)
    op.create_table(
        "decision_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_by", sa.String(length=60), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["audit_event.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decision_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_review_decision_id"), ["decision_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_review_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decision_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_review_case_id"))
        batch_op.drop_index(batch_op.f("ix_decision_review_decision_id"))
    op.drop_table("decision_review")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("number")
