"""Logging in: passwords checked with bcrypt, failures rate-limited per username, every attempt audited.

The lock lives in the database (`User.failed_logins`, `User.locked_until`), so it holds across inbox
processes and restarts: after `login_max_failures` failures in a row the username is locked for
`login_lock_minutes`, whatever password is tried. A login yields a `Ticket` that expires after
`session_minutes`; the inbox keeps it server-side in the browser session.
"""

from datetime import datetime, timedelta

import bcrypt
from pydantic import BaseModel
from sqlmodel import Session, col, select

from models import User
from models.common import utcnow
from passage.core.errors import PassageError
from passage.core.settings import get_settings
from passage.services import audit

ANONYMOUS = "anonymous"


class LoginRefused(PassageError):
    """Wrong username or password (the same words for both: names are not confirmed to strangers)."""


class LoginLocked(LoginRefused):
    pass


class Ticket(BaseModel):
    username: str
    full_name: str
    expires_at: datetime
    language: str = "en"  # the inbox's language from the first page after login


def _check(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("utf-8"))
    except ValueError:  # not a bcrypt hash (no password set), or a password over bcrypt's 72 bytes
        return False


def _ticket(user: User) -> Ticket:
    expires = utcnow() + timedelta(minutes=get_settings().session_minutes)
    return Ticket(username=user.username, full_name=user.full_name, expires_at=expires, language=user.language)


def _fail(session: Session, user: User | None, username: str) -> LoginRefused:
    settings = get_settings()
    audit.record(
        session=session,
        actor=user.username if user else ANONYMOUS,
        action="login.failed",
        detail={"username": username},
    )
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = utcnow() + timedelta(minutes=settings.login_lock_minutes)
            user.failed_logins = 0
            audit.record(
                session=session,
                actor=user.username,
                action="login.locked",
                detail={"until": user.locked_until.isoformat()},
            )
        session.add(user)
    session.commit()
    return LoginRefused("wrong username or password")


def login(*, session: Session, username: str, password: str) -> Ticket:
    """Check a username and password; a locked username is refused before its password is looked at."""
    user = session.get(User, username.strip())
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        audit.record(session=session, actor=user.username, action="login.refused", detail={"reason": "locked"})
        session.commit()
        raise LoginLocked(
            "too many failed logins: try again after {locked_until:%H:%M} UTC", locked_until=user.locked_until
        )
    if user is None or not user.active or not _check(password, user.password_hash):
        raise _fail(session, user, username)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    audit.record(session=session, actor=user.username, action="login.ok", detail={"via": "password"})
    session.commit()
    return _ticket(user)


def login_external(*, session: Session, email: str, provider: str) -> Ticket:
    """An identity provider vouched for `email` (OIDC): the active user with that address, if any."""
    user = session.exec(select(User).where(col(User.email) == email, col(User.active).is_(True))).first()
    if user is None:
        audit.record(session=session, actor=ANONYMOUS, action="login.failed", detail={"email": email, "via": provider})
        session.commit()
        raise LoginRefused("{email} is not a Passage user; ask an administrator", email=email)
    audit.record(session=session, actor=user.username, action="login.ok", detail={"via": provider})
    session.commit()
    return _ticket(user)


def still_valid(*, session: Session, ticket: Ticket) -> bool:
    """A ticket holds until it expires, and only while its user is active (disabling ends a session)."""
    user = session.get(User, ticket.username)
    return ticket.expires_at > utcnow() and user is not None and user.active
