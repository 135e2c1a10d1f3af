"""A notifier down for an hour (simulated time): the outbox backs off, loses nothing, sends each message once.

The notifier is a real HTTP endpoint (Apprise's json://, as a Teams or Slack relay), stopped and then
started again on the same port. (A refused SMTP connection costs Apprise ~5 s per try, so mail would
make this test minutes long for the same path through the outbox.)
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models import AuditEvent, Notification, NotificationStatus
from passage.core.notify import Notifier
from passage.services.notifications import send_due
from tests.factories import new_case, open_gate
from tests.mailboxes import closed_port, hook_server
from tests.reliability.conftest import Figures
from tests.services.test_notifications import MONDAY_10

GATES = 6
MANAGERS = ("pm.anna", "pm.joost")
DOWN = timedelta(hours=1)
SENDER_EVERY = timedelta(minutes=1)  # the sender's passes, as `passage serve` runs them (every few seconds)


def routing(port: int) -> Notifier:
    urls = [f"  - json://127.0.0.1:{port}/{name}:\n      tag: user:{name}" for name in MANAGERS]
    return Notifier("version: 1\nurls:\n" + "\n".join(urls))


def passes(notifier: Notifier, session: Session, start: datetime, length: timedelta) -> tuple[int, datetime]:
    """The sender's passes from `start` over `length` of simulated time; returns (sent, the clock after)."""
    sent, now = 0, start
    while now < start + length:
        sent += send_due(session=session, notifier=notifier, now=now).sent
        now += SENDER_EVERY
    return sent, now


def outbox(session: Session) -> list[Notification]:
    session.expire_all()
    return list(session.exec(select(Notification).order_by(col(Notification.id))))


def test_a_notifier_down_for_an_hour_delays_messages_and_loses_none(db: Session, figures: Figures) -> None:
    for n in range(GATES):
        open_gate(session=db, case_id=new_case(session=db, unhcr_ref=f"LEB-24-{n:06d}"))
    port = closed_port()
    notifier = routing(port)

    sent, clock = passes(notifier, db, MONDAY_10, DOWN)
    assert sent == 0
    waiting = outbox(db)
    assert len(waiting) == GATES * len(MANAGERS)
    assert {r.status for r in waiting} == {NotificationStatus.PENDING}, "backing off, not given up"
    # Backoff doubling from 30 s: tries at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 minutes; not one a minute.
    assert {r.attempts for r in waiting} == {7}

    with hook_server(port) as hook:
        sent, _ = passes(notifier, db, clock, timedelta(hours=1, minutes=5))
    delivered = outbox(db)
    assert sent == len(delivered)
    assert {(r.status, r.last_error) for r in delivered} == {(NotificationStatus.SENT, None)}
    received = [(post["path"], post["title"]) for post in hook.posts]
    for name in MANAGERS:
        titles = [title for path, title in received if path == f"/{name}"]
        assert len(titles) == GATES == len(set(titles)), "each message once"
    audited = db.exec(select(AuditEvent).where(AuditEvent.action == "notification.sent")).all()
    assert len(audited) == len(delivered)
    figures.record(
        messages=len(delivered),
        lost=len(delivered) - len(set(received)),
        duplicates=len(received) - len(set(received)),
        outage="1 h (simulated)",
    )
