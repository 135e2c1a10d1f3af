"""Quota counters: one row per rule and period, incremented by a guarded UPDATE."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import optional_time_field, time_field


class QuotaUsage(SQLModel, table=True):
    __tablename__ = "quota_usage"
    __table_args__ = (UniqueConstraint("rule", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    rule: str
    period: str = Field(description="'2024' for a yearly rule, '2013-2014' for a span")
    limit: int
    used: int = 0


class Reservation(SQLModel, table=True):
    """What one case took from one counter (quota places or budget euros), so withdrawing it gives exactly that back.

    `released_at` is set by a guarded UPDATE: a withdrawal retried or racing another releases a row once.
    """

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    rule: str = Field(max_length=80)  # the counter's key: a quota rule, or "budget-<key>"
    period: str = Field(max_length=20)
    amount: int
    reserved_at: datetime = time_field()
    released_at: datetime | None = optional_time_field()
