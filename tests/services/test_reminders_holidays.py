"""Reminders and the outbox on the office's calendar: Dutch public holidays and the office's own closing days
are not working days (PASSAGE_HOLIDAY_COUNTRY, PASSAGE_OFFICE_CLOSED_DAYS)."""

import pytest
from sqlmodel import Session, col, select

from models import HumanTask, Notification, NotificationKind
from passage.core.settings import get_settings
from passage.services.notifications import enqueue_assignment, set_digest
from passage.services.reminders import digest_sweep, reminder_sweep
from tests.factories import new_case, open_gate
from tests.services.test_reminders import at, keys

DUE = at("2026-04-24 15:00")  # the Friday before King's Day (Monday 27 April 2026)


# (when the sweep runs, the reminder stage it adds); each row runs after the ones above it, on the same task.
TIMELINE = [
    ("2026-04-23 15:00", 1),  # one office day before the due date
    ("2026-04-27 15:00", None),  # King's Day: nothing is decided or sent
    ("2026-04-28 14:59", None),  # Monday was no working day: a day late only at 15:00 on Tuesday
    ("2026-04-28 15:00", 2),
]


def test_a_reminder_due_over_kings_day_comes_on_the_next_working_day(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db), due_at=DUE)
    seen: list[str] = []
    for when, stage in TIMELINE:
        reminder_sweep(session=db, now=at(when))
        now_keys = keys(db, NotificationKind.REMINDER)
        added = [f"reminder:{task_id}:{stage}:pm.anna", f"reminder:{task_id}:{stage}:pm.joost"] if stage else []
        assert now_keys[len(seen) :] == added, when
        seen = now_keys


def test_a_message_queued_on_christmas_waits_for_the_next_working_morning(db: Session) -> None:
    task = db.get(HumanTask, open_gate(session=db, case_id=new_case(session=db)))
    assert task is not None
    christmas = at("2026-12-25 10:00")
    enqueue_assignment(session=db, task=task, now=christmas, stamp="christmas")
    db.commit()
    query = select(Notification.next_attempt_at).where(col(Notification.key).endswith(":christmas"))
    assert set(db.exec(query).all()) == {at("2026-12-28 09:00")}


def test_no_digest_on_a_holiday_nor_on_the_offices_own_closing_day(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_digest(session=db, username="pm.joost", digest=True)
    open_gate(session=db, case_id=new_case(session=db), due_at=DUE)
    assert digest_sweep(session=db, now=at("2026-04-27 09:00")).digests == 0  # King's Day
    monkeypatch.setenv("PASSAGE_OFFICE_CLOSED_DAYS", '["2026-04-28"]')
    get_settings.cache_clear()
    assert digest_sweep(session=db, now=at("2026-04-28 09:00")).digests == 0
    reminder_sweep(session=db, now=at("2026-04-28 15:00"))
    assert keys(db, NotificationKind.REMINDER) == []  # nor reminders: the office is closed
    assert digest_sweep(session=db, now=at("2026-04-29 09:00")).digests == 1


def test_an_unknown_holiday_country_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSAGE_HOLIDAY_COUNTRY", "XX")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="Country XX not available"):
        get_settings()
    get_settings.cache_clear()
    monkeypatch.setenv("PASSAGE_HOLIDAY_COUNTRY", "NL")
    monkeypatch.setenv("PASSAGE_HOLIDAY_SUBDIVISION", "Atlantis")
    with pytest.raises(ValueError, match="does not have subdivision Atlantis"):
        get_settings()
    get_settings.cache_clear()
