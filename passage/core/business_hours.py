"""Business-hour arithmetic: office hours on Monday to Friday, in the office's time zone (DST-safe).

Time is mapped onto a "business clock" that only runs during office hours: `clock(t)` is the number
of office seconds since a fixed Monday. Every question the reminders ask is a difference on that clock,
so the sweep compares plain numbers and turns them back into UTC thresholds once per run.
Public holidays are not known (an assumption: Monday to Friday are all working days).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EPOCH = date(2000, 1, 3)  # a Monday
WORKDAYS = 5


@dataclass(frozen=True)
class OfficeHours:
    open: time = time(9, 0)
    close: time = time(17, 0)
    timezone: str = "Europe/Amsterdam"

    def __post_init__(self) -> None:
        if self.close <= self.open:
            raise ValueError("office hours must close after they open")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def day_seconds(self) -> float:
        return _seconds(self.close) - _seconds(self.open)


def _seconds(value: time) -> float:
    return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6


def _workday(index: int) -> date:
    """The date of the `index`-th working day after EPOCH (0 is EPOCH itself)."""
    weeks, day = divmod(index, WORKDAYS)
    return EPOCH + timedelta(days=7 * weeks + day)


def clock(at: datetime, hours: OfficeHours) -> float:
    """Office seconds between EPOCH and `at`: it stands still at night and at weekends."""
    local = at.astimezone(hours.zone)
    weeks, weekday = divmod((local.date() - EPOCH).days, 7)
    done = weeks * WORKDAYS + min(weekday, WORKDAYS)
    today = 0.0
    if weekday < WORKDAYS:
        # Wall-clock seconds: DST changes happen at night, never inside office hours.
        wall = _seconds(local.time())
        today = min(max(wall - _seconds(hours.open), 0.0), hours.day_seconds)
    return done * hours.day_seconds + today


def latest_at(value: float, hours: OfficeHours) -> datetime:
    """The latest moment whose clock reads `value` (for a night or weekend: the next opening)."""
    index, into = divmod(value, hours.day_seconds)
    opening = datetime.combine(_workday(int(index)), hours.open, tzinfo=hours.zone)
    return (opening + timedelta(seconds=into)).astimezone(UTC)


def earliest_at(value: float, hours: OfficeHours) -> datetime:
    """The first moment whose clock reads `value` (at closing time rather than the next opening)."""
    index, into = divmod(value, hours.day_seconds)
    if into == 0 and index > 0:
        closing = datetime.combine(_workday(int(index) - 1), hours.close, tzinfo=hours.zone)
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
    return local.weekday() < WORKDAYS and hours.open <= local.time() < hours.close


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
