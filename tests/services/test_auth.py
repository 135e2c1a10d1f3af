"""Login: bcrypt passwords, failures rate-limited per username in the database, sessions that expire."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models import AuditEvent, User
from models.common import utcnow
from passage.core.settings import get_settings
from passage.services import auth, staff

DEMO = get_settings().demo_password


def test_the_right_password_gives_a_ticket_that_expires(db: Session) -> None:
    ticket = auth.login(session=db, username="pm.anna", password=DEMO)
    assert ticket.username == "pm.anna"
    minutes = get_settings().session_minutes
    assert timedelta(minutes=minutes - 1) < ticket.expires_at - utcnow() <= timedelta(minutes=minutes)
    assert auth.still_valid(session=db, ticket=ticket)
    assert not auth.still_valid(session=db, ticket=ticket.model_copy(update={"expires_at": utcnow()}))


def test_passwords_are_stored_as_bcrypt_hashes(db: Session) -> None:
    user = db.get(User, "pm.anna")
    assert user is not None and user.password_hash.startswith("$2") and DEMO not in user.password_hash


@pytest.mark.parametrize("username", ["pm.anna", "nobody"])
def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(db: Session, username: str) -> None:
    with pytest.raises(auth.LoginRefused, match="^wrong username or password$"):
        auth.login(session=db, username=username, password="not the password")


def test_five_failures_lock_the_username_even_for_the_right_password(db: Session) -> None:
    for _ in range(get_settings().login_max_failures):
        with pytest.raises(auth.LoginRefused):
            auth.login(session=db, username="cw.amal", password="guess")
    with pytest.raises(auth.LoginLocked, match="too many failed logins"):
        auth.login(session=db, username="cw.amal", password=DEMO)
    assert auth.login(session=db, username="pm.anna", password=DEMO)  # the lock is per username
    user = db.get(User, "cw.amal")
    assert user is not None and user.locked_until is not None
    user.locked_until = utcnow() - timedelta(seconds=1)  # the lock period has passed
    db.commit()
    assert auth.login(session=db, username="cw.amal", password=DEMO).username == "cw.amal"
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.actor == "cw.amal"))]
    assert actions.count("login.failed") == 5 and "login.locked" in actions and "login.refused" in actions


def test_a_disabled_user_cannot_log_in_and_their_session_ends(db: Session) -> None:
    ticket = auth.login(session=db, username="mv.tom", password=DEMO)
    staff.set_active(session=db, actor="admin", username="mv.tom", active=False)
    assert not auth.still_valid(session=db, ticket=ticket)
    with pytest.raises(auth.LoginRefused):
        auth.login(session=db, username="mv.tom", password=DEMO)
