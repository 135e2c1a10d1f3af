"""The outbox: assignment messages enqueued with the task, real deliveries, retries, no duplicates."""

import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from models import AuditEvent, HumanTask, Notification, NotificationKind, NotificationStatus, User
from models.common import utcnow
from passage.core.business_hours import is_working_day
from passage.core.db import get_engine
from passage.core.notify import Notifier
from passage.core.settings import get_settings
from passage.services.notifications import (
    enqueue_assignment,
    list_outbox,
    office_hours,
    retry_failed,
    send_due,
    set_digest,
)
from tests.factories import new_case, open_gate
from tests.mailboxes import Hook, Mailbox, closed_port, hook_server

AMS = ZoneInfo("Europe/Amsterdam")


def next_monday_10() -> datetime:
    """Office hours after anything the tests enqueue at the real time (the next working day, should the
    Monday be a public holiday such as Easter Monday)."""
    today = utcnow().astimezone(AMS).date()
    day = today + timedelta(days=7 - today.weekday())
    while not is_working_day(day, office_hours()):
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=AMS)


MONDAY_10 = next_monday_10()
LATER = MONDAY_10 + timedelta(days=30)  # every backoff and quiet period is over by then


def routing(entries: dict[str, str]) -> Notifier:
    """A notifier whose routing file maps each URL to its tags."""
    lines = ["version: 1", "urls:"]
    for url, tags in entries.items():
        lines += [f"  - {url}:", f"      tag: {tags}"]
    return Notifier("\n".join(lines))


def managers(anna: str, joost: str) -> Notifier:
    """Routing for the two programme managers of the demo staff."""
    return routing({anna: "user:pm.anna", joost: "user:pm.joost"})


def rows(session: Session, kind: NotificationKind | None = None) -> list[Notification]:
    session.expire_all()
    query = select(Notification).order_by(col(Notification.id))
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(session.exec(query).all())


def test_a_gate_opening_tells_the_people_of_its_role_one_message_each(db: Session, mailbox: Mailbox) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db), due_at=datetime(2026, 1, 16, 17, 0, tzinfo=AMS))
    assigned = rows(db, NotificationKind.ASSIGNED)
    assert [(r.recipient, r.tags, r.task_id) for r in assigned] == [
        ("pm.anna", "user:pm.anna", task_id),
        ("pm.joost", "user:pm.joost", task_id),
    ]
    notifier = routing(
        {mailbox.url("pm.anna@example.org"): "user:pm.anna", mailbox.url("pm.joost@example.org"): "user:pm.joost"}
    )
    assert send_due(session=db, notifier=notifier, now=LATER).sent == 2
    (mail,) = mailbox.to("pm.anna@example.org")
    assert mail.subject == "[Passage] New task: Accept for selection mission (RST-00001)"
    body = mail.body.replace("\r\n", "\n")
    assert "A task for the programme manager is waiting in the inbox." in body
    assert "Case: RST-00001\nStep: Accept for selection mission\nDue: 16 Jan 2026 17:00" in body
    assert f"Open the task: {get_settings().inbox_url}/?task={task_id}\n" in body
    assert "The link only opens the task: you decide in the inbox." in body
    assert len(mailbox.to("pm.joost@example.org")) == 1
    assert {r.status for r in rows(db)} == {NotificationStatus.SENT}
    trail = db.exec(select(AuditEvent).where(AuditEvent.action == "notification.sent")).all()
    assert sorted((e.task_id, e.detail["to"]) for e in trail) == [(task_id, "pm.anna"), (task_id, "pm.joost")]


def test_the_message_is_in_the_recipients_language(db: Session, hook: Hook) -> None:
    anna = db.get(User, "pm.anna")
    assert anna is not None
    anna.language = "nl"
    db.commit()
    task_id = open_gate(session=db, case_id=new_case(session=db), due_at=datetime(2026, 1, 16, 17, 0, tzinfo=AMS))
    send_due(
        session=db, notifier=routing({hook.url("anna"): "user:pm.anna", hook.url("joost"): "user:pm.joost"}), now=LATER
    )
    by_path = {post["path"]: post for post in hook.posts}
    assert by_path["/anna"]["title"] == "[Passage] Nieuwe taak: Accepteren voor selectiemissie (RST-00001)"
    assert "Er wacht een taak voor de programmamanager in de inbox." in by_path["/anna"]["message"]
    assert (
        "Dossier: RST-00001\nStap: Accepteren voor selectiemissie\nUiterste datum: 16-01-2026 17:00"
        in by_path["/anna"]["message"]
    )
    assert f"Taak openen: {get_settings().inbox_url}/?task={task_id}" in by_path["/anna"]["message"]
    assert by_path["/joost"]["title"] == "[Passage] New task: Accept for selection mission (RST-00001)"


def test_people_who_chose_the_digest_get_no_message_per_task(db: Session) -> None:
    set_digest(session=db, username="pm.joost", digest=True)
    open_gate(session=db, case_id=new_case(session=db))
    assert [r.recipient for r in rows(db)] == ["pm.anna"]


def test_a_task_recorded_again_by_a_rerun_is_not_announced_again(db: Session) -> None:
    case_id = new_case(session=db)
    open_gate(session=db, case_id=case_id)
    open_gate(session=db, case_id=case_id)  # the replayed gate finds its row
    assert len(rows(db)) == 2


def test_nothing_goes_out_at_night_or_at_weekends(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    task = db.get(HumanTask, task_id)
    assert task is not None
    for row in rows(db):
        db.delete(row)
    db.commit()
    saturday_night = datetime(2026, 1, 10, 23, 0, tzinfo=AMS)
    enqueue_assignment(session=db, task=task, now=saturday_night)
    db.commit()
    assert {r.next_attempt_at for r in rows(db)} == {datetime(2026, 1, 12, 9, 0, tzinfo=AMS)}
    assert send_due(session=db, notifier=routing({}), now=saturday_night).model_dump() == {
        "sent": 0,
        "retrying": 0,
        "failed": 0,
    }


def test_a_notifier_that_is_down_loses_nothing_and_delivers_once_when_back(db: Session) -> None:
    port = closed_port()
    notifier = routing(
        {f"json://127.0.0.1:{port}/anna": "user:pm.anna", f"json://127.0.0.1:{port}/joost": "user:pm.joost"}
    )
    open_gate(session=db, case_id=new_case(session=db))
    down = send_due(session=db, notifier=notifier, now=MONDAY_10)
    assert down.model_dump() == {"sent": 0, "retrying": 2, "failed": 0}
    waiting = rows(db)
    assert {r.status for r in waiting} == {NotificationStatus.PENDING}
    assert all(r.attempts == 1 and "Connection error" in (r.last_error or "") for r in waiting)
    assert all(r.next_attempt_at > MONDAY_10 for r in waiting)  # backing off
    assert send_due(session=db, notifier=notifier, now=MONDAY_10).sent == 0  # not before its next attempt
    with hook_server(port) as hook:
        assert send_due(session=db, notifier=notifier, now=LATER).sent == 2
        assert send_due(session=db, notifier=notifier, now=LATER + timedelta(days=1)).sent == 0
    assert sorted(post["path"] for post in hook.posts) == ["/anna", "/joost"]
    assert {(r.status, r.attempts, r.last_error) for r in rows(db)} == {(NotificationStatus.SENT, 2, None)}


def test_after_the_last_attempt_a_message_is_failed_with_its_reason_and_can_be_retried(
    db: Session, monkeypatch: pytest.MonkeyPatch, hook: Hook
) -> None:
    monkeypatch.setattr(get_settings(), "notify_max_attempts", 2)
    open_gate(session=db, case_id=new_case(session=db))
    nowhere = routing({hook.url(): "user:pm.anna"})  # nothing routes pm.joost
    send_due(session=db, notifier=nowhere, now=LATER)
    result = send_due(session=db, notifier=nowhere, now=LATER + timedelta(days=1))
    assert result.failed == 1
    failed = list_outbox(session=db, status=NotificationStatus.FAILED)
    assert [(r.recipient, r.attempts, r.last_error) for r in failed] == [
        ("pm.joost", 2, "no URL in notify.yml is tagged user:pm.joost")
    ]
    assert retry_failed(session=db, now=LATER) == 1
    fixed = routing({hook.url(): "user:pm.anna", hook.url("joost"): "user:pm.joost"})
    assert send_due(session=db, notifier=fixed, now=LATER + timedelta(days=2)).sent == 1
    assert sorted(post["path"] for post in hook.posts) == ["/hook", "/joost"]


def test_two_senders_at_once_send_each_message_once(db: Session, hook: Hook) -> None:
    for _ in range(10):
        open_gate(session=db, case_id=new_case(session=db))
    notifier = managers(hook.url("anna"), hook.url("joost"))
    barrier = threading.Barrier(2)

    def sender() -> None:
        with Session(get_engine()) as session:
            barrier.wait()
            send_due(session=session, notifier=notifier, now=LATER, limit=7)
            send_due(session=session, notifier=notifier, now=LATER, limit=20)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(hook.posts) == 20
    assert len({(post["path"], post["title"]) for post in hook.posts}) == 20
    assert {r.status for r in rows(db)} == {NotificationStatus.SENT}


def routing_file(path: Path, entries: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the routing file the services read (PASSAGE_NOTIFY_CONFIG) with each URL's tags."""
    lines = ["version: 1", "urls:"] + [f"  - {url}:\n      tag: {tags}" for url, tags in entries.items()]
    path.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("PASSAGE_NOTIFY_CONFIG", str(path))
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("channels", "posted_to"),
    [
        ({"managers": "role:programme-manager", "medics": "role:medical-officer"}, ["/managers"]),
        ({"team": "programme:resettlement-nl", "afghan": "programme:afghan-transfer"}, ["/team"]),
        ({"both": "role:programme-manager, programme:resettlement-nl"}, ["/both"]),  # once, not twice
        ({"medics": "role:medical-officer"}, []),  # no channel of this gate: nothing enqueued
    ],
)
def test_a_gate_is_posted_once_to_the_shared_channels_of_its_role_and_programme(
    db: Session,
    hook: Hook,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    channels: dict[str, str],
    posted_to: list[str],
) -> None:
    routes = {hook.url(name): tags for name, tags in channels.items()}
    routing_file(tmp_path / "notify.yml", routes, monkeypatch)
    task_id = open_gate(session=db, case_id=new_case(session=db))
    posts = [r for r in rows(db, NotificationKind.ASSIGNED) if r.recipient is None]
    assert [(r.key, r.task_id) for r in posts] == ([(f"assigned:{task_id}:channel", task_id)] if posted_to else [])
    send_due(session=db, notifier=routing({**routes, hook.url("anna"): "user:pm.anna"}), now=LATER)
    assert sorted(p["path"] for p in hook.posts if p["path"] != "/anna") == posted_to
    assert all(p["title"].startswith("[Passage] New task: Accept for selection mission") for p in hook.posts)
