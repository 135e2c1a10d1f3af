"""Quota counters: one row per rule and period, incremented by a guarded UPDATE."""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class QuotaUsage(SQLModel, table=True):
    __tablename__ = "quota_usage"
    __table_args__ = (UniqueConstraint("rule", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    rule: str
    period: str = Field(description="'2024' for a yearly rule, '2013-2014' for a span")
    limit: int
    used: int = 0
