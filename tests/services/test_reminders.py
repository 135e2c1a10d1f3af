"""The reminder sweep and the digest on a frozen clock: business-hour offsets, escalation once, no duplicates.

Defaults: reminders at -8, +8, +24 and +40 office hours from the due date; escalation after 2 reminders;
office hours 09:00-17:00 Europe/Amsterdam, Monday to Friday.
"""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from models import Notification, NotificationKind, Role, User
from passage.core.db import get_engine
from passage.services.decisions import decide
from passage.services.notifications import send_due, set_digest
from passage.services.reminders import digest_sweep, reminder_sweep
from tests.factories import FORMS, new_case, open_gate
from tests.mailboxes import hook_server
from tests.services.test_notifications import routing

AMS = ZoneInfo("Europe/Amsterdam")
DUE = datetime(2026, 1, 9, 15, 0, tzinfo=AMS)  # a Friday afternoon


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


def keys(session: Session, *kinds: NotificationKind) -> list[str]:
    session.expire_all()
    query = select(Notification.key).where(col(Notification.kind).in_(kinds)).order_by(col(Notification.id))
    return list(session.exec(query).all())


@pytest.fixture
def task_id(db: Session) -> int:
    return open_gate(session=db, case_id=new_case(session=db), due_at=DUE)


# (when the sweep runs, what it adds); each row runs after the ones above it, on the same task.
TIMELINE = [
    ("2026-01-08 14:59", []),  # Thursday: not yet one office day before the due date
    ("2026-01-08 15:00", ["reminder:{t}:1:pm.anna", "reminder:{t}:1:pm.joost"]),
    ("2026-01-08 16:00", []),  # the same stage is not reminded again
    ("2026-01-09 16:00", []),  # due an hour ago: the next reminder is one office day after
    ("2026-01-10 12:00", []),  # Saturday: nothing is decided or sent at weekends
    ("2026-01-12 08:30", []),  # Monday before the office opens
    ("2026-01-12 14:59", []),
    ("2026-01-12 15:00", ["reminder:{t}:2:pm.anna", "reminder:{t}:2:pm.joost"]),  # 8 office hours late
    ("2026-01-14 15:00", ["reminder:{t}:3:pm.anna", "reminder:{t}:3:pm.joost", "escalation:{t}"]),
    ("2026-01-15 10:00", []),
    ("2026-01-16 15:00", ["reminder:{t}:4:pm.anna", "reminder:{t}:4:pm.joost"]),  # no second escalation
    ("2026-01-19 15:00", []),  # no stage after the last
]


def test_reminders_come_at_business_hour_offsets_across_a_weekend_and_escalate_once(db: Session, task_id: int) -> None:
    seen: list[str] = []
    for when, added in TIMELINE:
        reminder_sweep(session=db, now=at(when))
        now_keys = keys(db, NotificationKind.REMINDER, NotificationKind.ESCALATION)
        assert now_keys[len(seen) :] == [key.format(t=task_id) for key in added], when
        seen = now_keys


def test_the_escalation_goes_to_the_programmes_lead_with_its_count(db: Session, task_id: int) -> None:
    reminder_sweep(session=db, now=at("2026-01-14 15:00"))
    (escalation,) = db.exec(select(Notification).where(Notification.kind == NotificationKind.ESCALATION)).all()
    assert escalation.tags == "lead:resettlement-nl"
    assert (
        escalation.title
        == "[Passage] Escalation: Accept for selection mission (RST-00001) still open after 2 reminders"
    )
    assert "for the programme manager of resettlement-nl is still open after 2 reminders" in escalation.body
    # A sweep that comes late sends one reminder, for the latest stage, not the ones it missed.
    assert keys(db, NotificationKind.REMINDER) == [f"reminder:{task_id}:3:pm.anna", f"reminder:{task_id}:3:pm.joost"]


def test_an_overdue_reminder_says_so_in_each_language(db: Session, task_id: int) -> None:
    set_digest(session=db, username="pm.joost", digest=True)
    reminder_sweep(session=db, now=at("2026-01-12 15:00"))
    (english,) = db.exec(select(Notification).where(Notification.kind == NotificationKind.REMINDER)).all()
    assert english.title == "[Passage] Overdue: Accept for selection mission (RST-00001) was due 9 Jan 2026 15:00"
    db.delete(english)
    db.commit()
    anna = db.get(User, "pm.anna")
    assert anna is not None
    anna.language = "nl"
    db.commit()
    reminder_sweep(session=db, now=at("2026-01-14 15:00"))
    dutch = db.exec(select(Notification).where(Notification.kind == NotificationKind.REMINDER)).one()
    assert (
        dutch.title
        == "[Passage] Te laat: Accepteren voor selectiemissie (RST-00001), uiterste datum was 09-01-2026 15:00"
    )


def test_a_decided_task_is_not_reminded(db: Session, task_id: int) -> None:
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, data=FORMS["accept-for-selection"])
    assert reminder_sweep(session=db, now=at("2026-01-14 15:00")).tasks == 0
    assert keys(db, NotificationKind.REMINDER, NotificationKind.ESCALATION) == []


def test_two_sweeps_at_once_enqueue_each_reminder_once(db: Session) -> None:
    for _ in range(20):
        open_gate(session=db, case_id=new_case(session=db), due_at=DUE)
    barrier = threading.Barrier(2)

    def sweep() -> None:
        with Session(get_engine()) as session:
            barrier.wait()
            reminder_sweep(session=session, now=at("2026-01-14 15:00"))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    found = keys(db, NotificationKind.REMINDER, NotificationKind.ESCALATION)
    assert len(found) == 20 * 3 == len(set(found))
    with hook_server() as hook:
        notifier = routing({hook.url("anna"): "user:pm.anna", hook.url("joost"): "user:pm.joost"})
        notifier_with_lead = routing(
            {
                hook.url("anna"): "user:pm.anna",
                hook.url("joost"): "user:pm.joost",
                hook.url("lead"): "lead:resettlement-nl",
            }
        )
        assert notifier.has_route(["user:pm.anna"])
        send_due(session=db, notifier=notifier_with_lead, now=at("2026-01-14 15:00"))
    assert len(hook.posts) == 60


def test_the_digest_lists_each_persons_open_tasks_in_one_message_once_a_day(db: Session) -> None:
    set_digest(session=db, username="pm.joost", digest=True)
    set_digest(session=db, username="cw.pieter", digest=True)
    overdue = open_gate(session=db, case_id=new_case(session=db), due_at=at("2026-01-09 12:00"))
    later = open_gate(session=db, case_id=new_case(session=db), due_at=at("2026-01-16 12:00"))
    ind = {"step": "ind-decision", "form_type": "ind-decision", "title": "IND decision", "role": Role.CASE_WORKER}
    open_gate(session=db, case_id=new_case(session=db), due_at=at("2026-01-13 12:00"), **ind)
    assert digest_sweep(session=db, now=at("2026-01-12 09:00")).digests == 2
    assert digest_sweep(session=db, now=at("2026-01-12 11:00")).digests == 2  # offered again, inserted once
    digests = {
        n.recipient: n for n in db.exec(select(Notification).where(Notification.kind == NotificationKind.DIGEST))
    }
    assert sorted(name or "" for name in digests) == ["cw.pieter", "pm.joost"]
    joost = digests["pm.joost"]
    assert joost.title == "[Passage] Your tasks: 2 open, 1 overdue"
    lines = joost.body.splitlines()
    assert lines[2] == "- OVERDUE RST-00001 · Accept for selection mission · Due: 9 Jan 2026 12:00"
    assert lines[3].endswith(f"/?task={overdue}")
    assert lines[4] == "- RST-00002 · Accept for selection mission · Due: 16 Jan 2026 12:00"
    assert lines[5].endswith(f"/?task={later}")
    assert digests["cw.pieter"].title == "[Passage] Your tasks: 1 open, 0 overdue"
    assert digest_sweep(session=db, now=at("2026-01-13 09:00")).digests == 2
    assert len(keys(db, NotificationKind.DIGEST)) == 4
    assert digest_sweep(session=db, now=at("2026-01-17 09:00")).digests == 0  # Saturday
    # Digest readers get no message per task.
    assert all(n.recipient != "pm.joost" or n.kind == NotificationKind.DIGEST for n in db.exec(select(Notification)))


def test_a_digest_is_sent_in_dutch_for_a_dutch_reader(db: Session) -> None:
    joost = db.get(User, "pm.joost")
    assert joost is not None
    joost.language = "nl"
    db.commit()
    set_digest(session=db, username="pm.joost", digest=True)
    open_gate(session=db, case_id=new_case(session=db), due_at=at("2026-01-09 12:00"))
    digest_sweep(session=db, now=at("2026-01-12 09:00"))
    digest = db.exec(select(Notification).where(Notification.kind == NotificationKind.DIGEST)).one()
    assert digest.title == "[Passage] Uw taken: 1 open, 1 te laat"
    assert (
        digest.body.splitlines()[2]
        == "- TE LAAT RST-00001 · Accepteren voor selectiemissie · Uiterste datum: 09-01-2026 12:00"
    )
    assert digest.next_attempt_at == at("2026-01-12 09:00")
