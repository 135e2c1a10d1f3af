"""Business-hour arithmetic: office hours on working days, in the office's time zone (DST-safe).

Working days are Monday to Friday less the office's public holidays (the `holidays` package, e.g. the
Netherlands': King's Day, Easter Monday, Ascension, Whit Monday, Christmas) and its own closing days.
Time is mapped onto a "business clock" that only runs during office hours: `clock(t)` is the number
of office seconds since a fixed Monday. Every question the reminders ask is a difference on that clock,
so the sweep compares plain numbers and turns them back into UTC thresholds once per run.

The closed weekdays are one sorted array per calendar, so the clock and its inverse stay a bisection
each: monotonic (a closed day is a night long enough to last a day) and as fast as without holidays.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

EPOCH = date(2000, 1, 3)  # a Monday
WORKDAYS = 5
LAST_HOLIDAY_YEAR = 2199  # public holidays are known from EPOCH's year up to this one


@dataclass(frozen=True)
class OfficeHours:
    open: time = time(9, 0)
    close: time = time(17, 0)
    timezone: str = "Europe/Amsterdam"
    holiday_country: str = "NL"  # ISO 3166 code the `holidays` package knows; "" for none
    holiday_subdivision: str = ""
    closed_days: frozenset[date] = frozenset()  # the office's own closing days, beside the public holidays

    def __post_init__(self) -> None:
        if self.close <= self.open:
            raise ValueError("office hours must close after they open")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def day_seconds(self) -> float:
        return _seconds(self.close) - _seconds(self.open)


@dataclass(frozen=True)
class _Closed:
    """The closed weekdays as weekday numbers since EPOCH (`plain`), sorted, and the working days before each."""

    plain: tuple[int, ...]
    open_before: tuple[int, ...]  # plain[k] - k: non-decreasing, so the inverse is a bisection too

    def is_closed(self, weekday_number: int) -> bool:
        at = bisect_left(self.plain, weekday_number)
        return at < len(self.plain) and self.plain[at] == weekday_number


def public_holidays(country: str, subdivision: str = "") -> dict[date, str]:
    """The public holidays of `country` (and `subdivision`) from EPOCH's year to LAST_HOLIDAY_YEAR, by date."""
    if not country:
        return {}
    years = range(EPOCH.year, LAST_HOLIDAY_YEAR + 1)
    return dict(holidays.country_holidays(country, subdiv=subdivision or None, years=years).items())


@lru_cache(maxsize=16)
def _closed(country: str, subdivision: str, extra: frozenset[date]) -> _Closed:
    days = {*public_holidays(country, subdivision), *extra}
    plain = sorted(_weekdays_before(day) for day in days if day >= EPOCH and day.weekday() < WORKDAYS)
    return _Closed(tuple(plain), tuple(number - k for k, number in enumerate(plain)))


def _calendar(hours: OfficeHours) -> _Closed:
    return _closed(hours.holiday_country, hours.holiday_subdivision, hours.closed_days)


def _seconds(value: time) -> float:
    return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6


def _weekdays_before(day: date) -> int:
    """Mondays to Fridays from EPOCH up to `day`, not counting it: a weekday's own number since EPOCH."""
    weeks, weekday = divmod((day - EPOCH).days, 7)
    return weeks * WORKDAYS + min(weekday, WORKDAYS)


def _workday(index: int, hours: OfficeHours) -> date:
    """The date of the `index`-th working day after EPOCH (0 is the first working day from EPOCH on)."""
    closed = _calendar(hours)
    # Every closed weekday with at most `index` working days before it comes before the one wanted.
    weeks, day = divmod(index + bisect_right(closed.open_before, index), WORKDAYS)
    return EPOCH + timedelta(days=7 * weeks + day)


def is_working_day(day: date, hours: OfficeHours) -> bool:
    return day.weekday() < WORKDAYS and not _calendar(hours).is_closed(_weekdays_before(day))


def clock(at: datetime, hours: OfficeHours) -> float:
    """Office seconds between EPOCH and `at`: it stands still at night, at weekends and on closed days."""
    local = at.astimezone(hours.zone)
    number, closed = _weekdays_before(local.date()), _calendar(hours)
    done = number - bisect_left(closed.plain, number)
    today = 0.0
    if local.weekday() < WORKDAYS and not closed.is_closed(number):
        # Wall-clock seconds: DST changes happen at night, never inside office hours.
        wall = _seconds(local.time())
        today = min(max(wall - _seconds(hours.open), 0.0), hours.day_seconds)
    return done * hours.day_seconds + today


def latest_at(value: float, hours: OfficeHours) -> datetime:
    """The latest moment whose clock reads `value` (for a night, weekend or closed day: the next opening)."""
    index, into = divmod(value, hours.day_seconds)
    opening = datetime.combine(_workday(int(index), hours), hours.open, tzinfo=hours.zone)
    return (opening + timedelta(seconds=into)).astimezone(UTC)


def earliest_at(value: float, hours: OfficeHours) -> datetime:
    """The first moment whose clock reads `value` (at closing time rather than the next opening)."""
    index, into = divmod(value, hours.day_seconds)
    if into == 0 and index > 0:
        closing = datetime.combine(_workday(int(index) - 1, hours), hours.close, tzinfo=hours.zone)
        return closing.astimezone(UTC)
    return latest_at(value, hours)


def add_business_hours(at: datetime, amount: float, hours: OfficeHours) -> datetime:
    """When `amount` office hours have passed since `at` (negative: the latest moment that many before it)."""
    value = clock(at, hours) + amount * 3600
    return earliest_at(value, hours) if amount > 0 else latest_at(value, hours)


def business_hours_between(start: datetime, end: datetime, hours: OfficeHours) -> float:
    """Office hours from `start` to `end` (negative when `end` is earlier)."""
    return (clock(end, hours) - clock(start, hours)) / 3600


def is_office_time(at: datetime, hours: OfficeHours) -> bool:
    local = at.astimezone(hours.zone)
    return is_working_day(local.date(), hours) and hours.open <= local.time() < hours.close


def next_office_time(at: datetime, hours: OfficeHours) -> datetime:
    """`at` itself during office hours, else the next opening."""
    return at if is_office_time(at, hours) else latest_at(clock(at, hours), hours)


def due_threshold(now: datetime, offset_hours: float, hours: OfficeHours) -> datetime:
    """The latest due date whose reminder at `offset_hours` (from the due date) has come by `now`.

    A reminder at offset h is due when clock(due) + h <= clock(now). The set of such due dates is
    everything up to one moment, which is what a database index can answer in one range scan.
    """
    threshold = latest_at(clock(now, hours) - offset_hours * 3600, hours)
    # "At or after the due date" never fires before the due date itself (nights and weekends collapse).
    return min(threshold, now) if offset_hours >= 0 else threshold
