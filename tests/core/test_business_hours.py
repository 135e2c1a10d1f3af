"""Business-hour arithmetic, table-driven: office hours 09:00-17:00 Europe/Amsterdam, Monday to Friday."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from passage.core.business_hours import (
    OfficeHours,
    add_business_hours,
    business_hours_between,
    due_threshold,
    is_office_time,
    next_office_time,
)

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = OfficeHours()


def ams(text: str) -> datetime:
    """'2026-01-09 15:00' in Amsterdam, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        ("2026-01-09 15:00", 8, "2026-01-12 15:00"),  # Friday + one office day = Monday, across the weekend
        ("2026-01-09 15:00", 2, "2026-01-09 17:00"),  # up to closing time, not beyond
        ("2026-01-09 15:00", 2.5, "2026-01-12 09:30"),
        ("2026-01-09 15:00", -8, "2026-01-08 15:00"),  # one office day before: Thursday
        ("2026-01-12 10:00", -8, "2026-01-09 10:00"),  # Monday minus a day: the Friday before
        ("2026-01-10 12:00", 1, "2026-01-12 10:00"),  # from a Saturday: the clock starts on Monday
        ("2026-01-08 22:00", 0.5, "2026-01-09 09:30"),  # from the night
        ("2026-01-09 15:00", 40, "2026-01-16 15:00"),  # five office days: a week later
        ("2026-03-27 15:00", 8, "2026-03-30 15:00"),  # across the spring DST change (29 March)
        ("2026-10-23 16:00", 16, "2026-10-27 16:00"),  # across the autumn DST change (25 October)
    ],
)
def test_adding_business_hours(start: str, amount: float, expected: str) -> None:
    assert add_business_hours(ams(start), amount, HOURS) == ams(expected).astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-01-09 15:00", "2026-01-12 15:00", 8),
        ("2026-01-09 18:00", "2026-01-12 08:00", 0),  # a weekend counts nothing
        ("2026-01-12 15:00", "2026-01-09 15:00", -8),
        ("2026-03-27 09:00", "2026-03-30 17:00", 16),  # DST: wall-clock office days stay 8 hours
    ],
)
def test_business_hours_between(start: str, end: str, hours: float) -> None:
    assert business_hours_between(ams(start), ams(end), HOURS) == hours


@pytest.mark.parametrize(
    ("at", "open_now", "next_open"),
    [
        ("2026-01-09 08:59", False, "2026-01-09 09:00"),
        ("2026-01-09 09:00", True, "2026-01-09 09:00"),
        ("2026-01-09 16:59", True, "2026-01-09 16:59"),
        ("2026-01-09 17:00", False, "2026-01-12 09:00"),  # Friday evening: Monday morning
        ("2026-01-11 12:00", False, "2026-01-12 09:00"),  # Sunday
        ("2026-01-12 03:00", False, "2026-01-12 09:00"),  # the night
    ],
)
def test_office_time(at: str, open_now: bool, next_open: str) -> None:
    assert is_office_time(ams(at), HOURS) is open_now
    assert next_office_time(ams(at), HOURS) == ams(next_open)


@pytest.mark.parametrize(
    ("now", "offset", "latest_due"),
    [
        ("2026-01-12 15:00", 8, "2026-01-09 15:00"),  # Monday 15:00: tasks due by Friday 15:00 are a day late
        ("2026-01-08 15:00", -8, "2026-01-09 15:00"),  # Thursday: tasks due by Friday 15:00 are due in a day
        ("2026-01-12 09:00", 0, "2026-01-12 09:00"),  # "at the due date" never fires before it
        ("2026-01-12 09:30", 8, "2026-01-09 09:30"),
    ],
)
def test_due_threshold(now: str, offset: float, latest_due: str) -> None:
    assert due_threshold(ams(now), offset, HOURS) == ams(latest_due).astimezone(UTC)


def test_office_hours_must_close_after_they_open() -> None:
    with pytest.raises(ValueError, match="close after"):
        OfficeHours(open=OfficeHours().close, close=OfficeHours().open)
