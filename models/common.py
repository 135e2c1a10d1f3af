"""Column helpers shared by the tables."""

import re
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Dialect, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field

# Unicode's control characters (Cc) but tab and line breaks, which belong in a comment: the others (NUL,
# escape...) are never typed on purpose and PostgreSQL cannot store NUL in text. Lone surrogates (Cs, which
# JSON's "\ud800" gives) cannot be encoded as UTF-8 at all. A regex, not a loop: a megabyte is checked at once.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
MAX_ID = 2**31 - 1  # the largest row id every backend holds (PostgreSQL INTEGER); a larger one names no row


def clean_text(value: Any) -> Any:
    """A before-validator for every field of a form: strings stripped, control characters refused.

    Reuse it as `_text = field_validator("*", mode="before")(clean_text)`; other values pass through.
    """
    if not isinstance(value, str):
        return value
    found = _FORBIDDEN.search(value)
    if found is None:
        return value.strip()
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"U+{code:04X} is not a character (text not saved as UTF-8?); save or type it as UTF-8")
    raise ValueError(f"control character U+{code:04X} is not allowed; remove it")


def plausible_date(value: Any) -> Any:
    """An after-validator for every field of a form: a date must lie between 1900 and 2100."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"a date must lie between {FIRST_DATE.year} and {LAST_DATE.year}")
    return value


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
