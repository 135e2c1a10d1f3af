"""Notifications by default from each person's e-mail address: one `mail:` line in the routing file.

Real deliveries to a local SMTP server (aiosmtpd); an entry for a person in the file replaces their e-mail;
a disabled person gets nothing; the address never lands in the outbox, the audit trail or a log line.
"""

import logging

import pytest
from sqlmodel import Session, select

from models import AuditEvent, NotificationStatus, User
from passage.core.notify import Notifier
from passage.services.notifications import send_due
from tests.factories import new_case, open_gate
from tests.mailboxes import Hook, Mailbox, closed_port, smtp_server
from tests.services.test_notifications import LATER, rows


def mail_routing(port: int, *entries: str) -> Notifier:
    """A routing file with the `mail:` setting for the SMTP server on `port`, and any other `urls:` lines."""
    text = f"version: 1\nmail: mailto://127.0.0.1:{port}?from=passage@example.org&format=text\n"
    return Notifier(text + ("urls:\n" + "\n".join(entries) if entries else ""))


def set_user(session: Session, username: str, **values: object) -> None:
    user = session.get(User, username)
    assert user is not None
    for name, value in values.items():
        setattr(user, name, value)
    session.commit()


def test_every_active_person_is_mailed_at_their_own_address_with_no_entry_of_their_own(
    db: Session, mailbox: Mailbox
) -> None:
    open_gate(session=db, case_id=new_case(session=db))
    assert send_due(session=db, notifier=mail_routing(mailbox.port), now=LATER).sent == 2
    assert sorted(address for mail in mailbox.mails for address in mail.to) == [
        "pm.anna@example.org",
        "pm.joost@example.org",
    ]
    (mail,) = mailbox.to("pm.anna@example.org")
    assert mail.subject == "[Passage] New task: Accept for selection mission (RST-00001)"
    assert {r.status for r in rows(db)} == {NotificationStatus.SENT}


def test_an_entry_for_a_person_replaces_their_e_mail(db: Session, mailbox: Mailbox, hook: Hook) -> None:
    open_gate(session=db, case_id=new_case(session=db))
    notifier = mail_routing(mailbox.port, f"  - {hook.url('anna-teams')}:\n      tag: user:pm.anna")
    assert send_due(session=db, notifier=notifier, now=LATER).sent == 2
    assert [post["path"] for post in hook.posts] == ["/anna-teams"]
    assert mailbox.to("pm.anna@example.org") == []
    assert len(mailbox.to("pm.joost@example.org")) == 1


def test_the_address_is_read_when_sending_so_a_changed_one_is_used(db: Session, mailbox: Mailbox) -> None:
    open_gate(session=db, case_id=new_case(session=db))
    set_user(db, "pm.anna", email="anna.new@example.org")
    send_due(session=db, notifier=mail_routing(mailbox.port), now=LATER)
    assert len(mailbox.to("anna.new@example.org")) == 1 and mailbox.to("pm.anna@example.org") == []


def test_a_disabled_person_gets_nothing(db: Session, mailbox: Mailbox, hook: Hook) -> None:
    set_user(db, "pm.joost", active=False)
    open_gate(session=db, case_id=new_case(session=db))
    assert [r.recipient for r in rows(db)] == ["pm.anna"]  # not queued for the disabled
    set_user(db, "pm.joost", active=True)
    open_gate(session=db, case_id=new_case(session=db))
    set_user(db, "pm.anna", active=False)  # disabled after the message was queued, with an entry of her own
    notifier = mail_routing(mailbox.port, f"  - {hook.url('anna')}:\n      tag: user:pm.anna")
    result = send_due(session=db, notifier=notifier, now=LATER)
    assert (result.sent, result.failed, result.retrying) == (1, 2, 0)
    assert hook.posts == [] and mailbox.to("pm.anna@example.org") == []
    assert len(mailbox.to("pm.joost@example.org")) == 1
    failed = [r for r in rows(db) if r.status == NotificationStatus.FAILED]
    assert {(r.recipient, r.attempts, r.last_error) for r in failed} == {
        ("pm.anna", 1, "user:pm.anna is not an active user: not sent")
    }


def test_a_person_without_an_address_or_entry_waits_and_says_why(db: Session, mailbox: Mailbox) -> None:
    set_user(db, "pm.joost", email="")
    open_gate(session=db, case_id=new_case(session=db))
    result = send_due(session=db, notifier=mail_routing(mailbox.port), now=LATER)
    assert (result.sent, result.retrying) == (1, 1)
    (waiting,) = [r for r in rows(db) if r.status == NotificationStatus.PENDING]
    assert waiting.last_error == "no URL in notify.yml is tagged user:pm.joost"


def test_the_address_is_in_no_outbox_row_audit_event_or_log_line(db: Session, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    port = closed_port()
    open_gate(session=db, case_id=new_case(session=db))
    down = send_due(session=db, notifier=mail_routing(port), now=LATER)
    assert down.retrying == 2
    errors = [r.last_error or "" for r in rows(db)]
    assert all(error.startswith("mailto://127.0.0.1") and "[e-mail]" in error for error in errors), errors
    with smtp_server(port) as box:
        assert send_due(session=db, notifier=mail_routing(port), now=LATER.replace(year=LATER.year + 1)).sent == 2
    assert len(box.mails) == 2
    kept = [
        *(f"{r.tags} {r.recipient} {r.title} {r.body} {r.last_error}" for r in rows(db)),
        *(str(event.detail) for event in db.exec(select(AuditEvent)).all()),
        # Every log line but the receiving server's (aiosmtpd's `mail.log`, the test's stand-in for the SMTP host).
        *(record.getMessage() for record in caplog.records if not record.name.startswith("mail.log")),
    ]
    assert any("Sent Email to [e-mail]" in line for line in kept)  # Apprise said it, without the address
    assert not [line for line in kept if "@example.org" in line.replace("passage@example.org", "")]
