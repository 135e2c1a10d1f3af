"""Business-hour arithmetic, table-driven and by property: office hours 09:00-17:00 Europe/Amsterdam, Monday
to Friday less the Dutch public holidays."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passage.core.business_hours import (
    OfficeHours,
    add_business_hours,
    business_hours_between,
    due_threshold,
    is_office_time,
    is_working_day,
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


# Dutch public holidays (the `holidays` package) close the office like a weekend.
@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        ("2026-04-24 15:00", 8, "2026-04-28 15:00"),  # Friday + a day: King's Day (Monday 27 April) is skipped
        ("2026-12-24 15:00", 8, "2026-12-28 15:00"),  # Christmas Day is a Friday in 2026
        ("2027-12-23 15:00", 8, "2027-12-24 15:00"),  # Christmas on a Saturday: Friday 24th is a working day
        ("2027-12-23 15:00", 16, "2027-12-27 15:00"),  # ... and no day in lieu on the Monday
        ("2026-04-02 15:00", 8, "2026-04-07 15:00"),  # Good Friday and Easter Monday
        ("2026-05-13 10:00", 8, "2026-05-15 10:00"),  # Ascension Day (Thursday 14 May)
        ("2026-05-22 10:00", 8, "2026-05-26 10:00"),  # Whit Monday (25 May)
        ("2026-04-28 10:00", -8, "2026-04-24 10:00"),  # backwards over King's Day and the weekend
        ("2025-05-02 15:00", 8, "2025-05-06 15:00"),  # Liberation Day in a lustrum year (Monday 5 May 2025)
        ("2026-05-04 15:00", 8, "2026-05-05 15:00"),  # ... and not in other years
    ],
)
def test_public_holidays_are_skipped(start: str, amount: float, expected: str) -> None:
    assert add_business_hours(ams(start), amount, HOURS) == ams(expected).astimezone(UTC)


@pytest.mark.parametrize(
    ("at", "open_now", "next_open"),
    [
        ("2026-04-27 10:00", False, "2026-04-28 09:00"),  # King's Day
        ("2026-12-24 18:00", False, "2026-12-28 09:00"),  # Christmas Eve's evening: Monday after Christmas
        ("2026-01-01 10:00", False, "2026-01-02 09:00"),  # New Year's Day
    ],
)
def test_no_office_time_on_a_public_holiday(at: str, open_now: bool, next_open: str) -> None:
    assert is_office_time(ams(at), HOURS) is open_now
    assert next_office_time(ams(at), HOURS) == ams(next_open)


def test_a_reminder_due_over_kings_day_comes_on_the_next_working_day() -> None:
    due = ams("2026-04-24 15:00")  # the Friday before King's Day
    # A day late: not on Monday, King's Day, but on Tuesday at the due time.
    assert due_threshold(ams("2026-04-27 15:00"), 8, HOURS) < due
    assert due_threshold(ams("2026-04-28 14:59"), 8, HOURS) < due
    assert due_threshold(ams("2026-04-28 15:00"), 8, HOURS) == due.astimezone(UTC)
    # A day before a due date just after Christmas: on Thursday the 24th, not on Christmas Day.
    assert due_threshold(ams("2026-12-24 10:00"), -8, HOURS) == ams("2026-12-28 10:00").astimezone(UTC)


def test_the_offices_own_closing_days_and_no_holidays_at_all() -> None:
    closed = OfficeHours(closed_days=frozenset({date(2026, 4, 28), date(2026, 5, 2)}))  # a Tuesday, a Saturday
    assert add_business_hours(ams("2026-04-24 15:00"), 8, closed) == ams("2026-04-29 15:00").astimezone(UTC)
    assert not is_working_day(date(2026, 4, 28), closed) and is_working_day(date(2026, 4, 29), closed)
    weekdays_only = OfficeHours(holiday_country="")
    assert add_business_hours(ams("2026-04-24 15:00"), 8, weekdays_only) == ams("2026-04-27 15:00").astimezone(UTC)
    assert business_hours_between(ams("2026-12-21 09:00"), ams("2026-12-28 09:00"), HOURS) == 8 * 4
    assert business_hours_between(ams("2026-12-21 09:00"), ams("2026-12-28 09:00"), weekdays_only) == 8 * 5


def test_dst_over_a_holiday_week_keeps_wall_clock_office_days() -> None:
    # Spring 2027: clocks go forward on Sunday 28 March, Good Friday is 26 March, Easter Monday 29 March.
    assert add_business_hours(ams("2027-03-25 16:00"), 8, HOURS) == ams("2027-03-30 16:00").astimezone(UTC)
    assert business_hours_between(ams("2027-03-25 09:00"), ams("2027-03-30 17:00"), HOURS) == 16


# Properties over any moment of 2000-2060, with the Dutch holidays and an office closing day of its own.
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 10), max_value=datetime(2060, 12, 31), timezones=st.just(AMS))
PROPERTY_HOURS = OfficeHours(closed_days=frozenset({date(2030, 5, 6), date(2026, 12, 24)}))


@given(MOMENTS, MOMENTS)
def test_the_clock_never_runs_backwards(a: datetime, b: datetime) -> None:
    early, late = sorted((a, b))
    assert business_hours_between(early, late, PROPERTY_HOURS) >= 0


@given(MOMENTS, st.floats(min_value=0.25, max_value=2000, allow_nan=False))
def test_adding_hours_lands_in_office_time_exactly_that_many_hours_on(at: datetime, amount: float) -> None:
    later = add_business_hours(at, amount, PROPERTY_HOURS)
    assert business_hours_between(at, later, PROPERTY_HOURS) == pytest.approx(amount)
    local = later.astimezone(AMS)
    assert is_working_day(local.date(), PROPERTY_HOURS)
    assert PROPERTY_HOURS.open < local.time() <= PROPERTY_HOURS.close


@given(MOMENTS)
def test_the_next_office_time_is_office_time_with_no_office_time_before_it(at: datetime) -> None:
    opening = next_office_time(at, PROPERTY_HOURS)
    assert opening >= at and is_office_time(opening, PROPERTY_HOURS)
    assert business_hours_between(at, opening, PROPERTY_HOURS) == 0


@given(MOMENTS, st.sampled_from([-8.0, 0.0, 8.0, 24.0, 40.0]), MOMENTS)
def test_the_threshold_is_the_one_range_scan_the_reminder_rule_asks_for(
    now: datetime, offset: float, due: datetime
) -> None:
    """A due date is at or before the threshold exactly when its reminder at `offset` has come by `now`."""
    threshold = due_threshold(now, offset, PROPERTY_HOURS)
    reached = business_hours_between(due, now, PROPERTY_HOURS) >= offset and (offset < 0 or due <= now)
    assert (due <= threshold) is reached
