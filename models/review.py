"""A decision to look at again: an amendment changed a person it concerns (passage/services/reviews.py)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import optional_time_field, time_field


class DecisionReview(SQLModel, table=True):
    """The decision stands (the flow keeps it) until a programme manager has looked at it and cleared this."""

    __tablename__ = "decision_review"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    # The amendment's audit event: what changed, for whom (a person id) and why.
    event_id: int = Field(foreign_key="audit_event.id")
    flagged_at: datetime = time_field()
    cleared_by: str | None = Field(default=None, max_length=60)
    cleared_at: datetime | None = optional_time_field()
