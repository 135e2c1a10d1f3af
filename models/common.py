"""Column helpers shared by the tables."""

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Dialect, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the tables use."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always reads back an aware datetime (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_field(default_factory: Any = dict) -> Any:
    """A JSON column (TEXT on SQLite, JSON on PostgreSQL)."""
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


def time_field(*, index: bool = False) -> Any:
    """A UTC timestamp column defaulting to now."""
    return Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime, index=index, nullable=False),
    )


def optional_time_field(*, index: bool = False) -> Any:
    """A UTC timestamp column that may be empty."""
    return Field(default=None, sa_column=Column(UTCDateTime, index=index, nullable=True))


def enum_field(enum: type[Enum], default: Any = ..., *, index: bool = False) -> Any:
    """An enum stored as its value (VARCHAR, no native type to migrate) and read back as a member."""
    column_type = SAEnum(
        enum,
        native_enum=False,
        length=40,
        values_callable=lambda e: [m.value for m in e],
    )
    return Field(default=default, sa_type=column_type, index=index)
