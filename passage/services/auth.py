"""Logging in: passwords checked with bcrypt, failures throttled per username and per source address,
every attempt audited with its source.

No hard lock (five wrong passwords used to lock any name, the administrator's too, so anyone could keep
everyone out). Instead each username (as typed, known or not) and each source address counts its recent
failures in the database (`LoginThrottle`, so every inbox process sees them): after the free failures,
each failure doubles the wait before that name or address may try again, up to a cap. The right password
after the wait works; an administrator can clear a name's count at once (`unlock`). Unknown names and
wrong passwords get the same words, cost the same bcrypt work, and are throttled alike, so neither the
answer nor its timing tells a stranger which names exist. A login yields a `Ticket` that expires after
`session_minutes`; the inbox keeps it server-side in the browser session.

A login also outlives the browser tab (a reload, a link from a notification opened in a new tab): the inbox
sets a cookie holding a random token (`open_session`), and this table keeps only the token's SHA-256
(`LoginSession`), so neither a copy of the database nor its administrator holds a working cookie, and no
server secret has to be kept or rotated. `resume` turns the cookie back into a ticket while the row is
there, unexpired, and its user active; logging out (`end_session`) and disabling the user (`end_sessions`)
delete the rows, so the cookie stops working on the server at once, whatever the browser keeps.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import bcrypt
from pydantic import BaseModel
from sqlalchemy import case, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models import LoginSession, LoginThrottle, User, UserKind
from models.common import utcnow
from passage.core.errors import PassageError
from passage.core.settings import get_settings
from passage.services import audit
from passage.services.users import hash_password

ANONYMOUS = "anonymous"
NAME, SOURCE = "name", "source"
KEY_LENGTH = 100  # a username or address longer than a column holds is still counted, by its first 100 characters
UNKNOWN_SOURCE = "unknown"


class LoginRefused(PassageError):
    """Wrong username or password (the same words for both: names are not confirmed to strangers)."""


class LoginThrottled(LoginRefused):
    """Too many recent failures for this name or this address: the same words whether the name exists."""

    def __init__(self, retry_at: datetime) -> None:
        super().__init__("too many failed logins: try again after {retry_at:%H:%M:%S}", retry_at=retry_at)
        self.retry_at = retry_at


class Ticket(BaseModel):
    username: str
    full_name: str
    expires_at: datetime
    language: str = "en"  # the inbox's language from the first page after login
    session_key: str = ""  # the hash of its cookie's token (`open_session`); "" for a login held by one tab only


@cache
def _dummy_hash() -> bytes:
    """A hash of no one's password, made as users' hashes are (same cost), so an unknown name costs the
    same bcrypt work as a known one."""
    return hash_password("no such user").encode("ascii")


def _check(password: str, password_hash: str) -> bool:
    """bcrypt's verdict; a user without a password (OIDC only) is checked against the dummy hash, so the
    refusal takes as long as any other."""
    stored = password_hash.encode("utf-8") if password_hash.startswith("$2") else _dummy_hash()
    try:
        return bcrypt.checkpw(password.encode("utf-8"), stored) and stored is not _dummy_hash()
    except ValueError:  # a password over bcrypt's 72 bytes, or a damaged hash
        return False


def _ticket(user: User) -> Ticket:
    expires = utcnow() + timedelta(minutes=get_settings().session_minutes)
    return Ticket(username=user.username, full_name=user.full_name, expires_at=expires, language=user.language)


def name_key(username: str) -> str:
    """How the throttle counts a name: as typed, trimmed and case-folded (so "Admin" and "admin" count as one)."""
    return username.strip().casefold()[:KEY_LENGTH]


def source_key(source: str) -> str:
    return source.strip()[:KEY_LENGTH] or UNKNOWN_SOURCE


def _retry_at(row: LoginThrottle | None, free: int, now: datetime) -> datetime | None:
    """When `row`'s name or address may try again: after its free failures, each one doubles the wait."""
    settings = get_settings()
    if row is None or row.last_failure_at <= now - timedelta(minutes=settings.login_forget_minutes):
        return None
    beyond = row.failures - free
    if beyond < 0:
        return None
    wait = min(settings.login_delay_seconds * 2 ** min(beyond, 40), settings.login_delay_max_seconds)
    return row.last_failure_at + timedelta(seconds=wait)


def _count_failure(session: Session, scope: str, key: str, source: str, now: datetime) -> None:
    """One more failure for `key`, as one statement: two inbox processes failing at once both count, and
    a count older than `login_forget_minutes` starts again at one."""
    forgotten = now - timedelta(minutes=get_settings().login_forget_minutes)
    dialect_insert: Any = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(LoginThrottle).values(
        scope=scope, key=key, failures=1, last_failure_at=now, last_source=source
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["scope", "key"],
            set_={
                "failures": case(
                    (col(LoginThrottle.last_failure_at) <= forgotten, 1), else_=col(LoginThrottle.failures) + 1
                ),
                "last_failure_at": now,
                "last_source": source,
            },
        )
    )


def retry_at(*, session: Session, username: str, now: datetime | None = None) -> datetime | None:
    """When a username may next try to log in, if it must wait (the admin page shows it as 'locked')."""
    now = now or utcnow()
    row = session.get(LoginThrottle, (NAME, name_key(username)))
    retry = _retry_at(row, get_settings().login_free_failures, now)
    return retry if retry is not None and retry > now else None


def clear(*, session: Session, username: str) -> bool:
    """Forget a username's failures (the caller audits and commits); whether there were any."""
    result = session.execute(
        delete(LoginThrottle).where(col(LoginThrottle.scope) == NAME, col(LoginThrottle.key) == name_key(username))
    )
    return bool(getattr(result, "rowcount", 0))


def login(*, session: Session, username: str, password: str, source: str) -> Ticket:
    """Check a username and password tried from `source` (the client's address, for the throttle and the
    audit trail). A name or address that must wait is refused before any password is looked at."""
    settings, now = get_settings(), utcnow()
    name, address = name_key(username), source_key(source)
    waits = [
        _retry_at(session.get(LoginThrottle, (NAME, name)), settings.login_free_failures, now),
        _retry_at(session.get(LoginThrottle, (SOURCE, address)), settings.login_source_free_failures, now),
    ]
    retry = max((w for w in waits if w is not None), default=None)
    user = session.get(User, username.strip())
    actor = user.username if user is not None else ANONYMOUS
    detail = {"username": username.strip()[:KEY_LENGTH], "source": address}
    if retry is not None and retry > now:
        audit.record(
            session=session,
            actor=actor,
            action="login.refused",
            detail={**detail, "reason": "throttled", "until": retry.isoformat()},
        )
        session.commit()
        raise LoginThrottled(retry)
    # The password is checked for every name, known or not, active or not: the same bcrypt work each time.
    right = _check(password, user.password_hash if user is not None else "")
    if user is None or not user.active or user.kind != UserKind.PERSON or not right:  # a service never logs in
        _count_failure(session, NAME, name, address, now)
        _count_failure(session, SOURCE, address, address, now)
        audit.record(session=session, actor=actor, action="login.failed", detail=detail)
        session.commit()
        raise LoginRefused("wrong username or password")
    clear(session=session, username=user.username)
    audit.record(session=session, actor=user.username, action="login.ok", detail={"via": "password", **detail})
    session.commit()
    return _ticket(user)


def login_external(*, session: Session, email: str, provider: str, source: str) -> Ticket:
    """An identity provider vouched for `email` (OIDC): the active user with that address, if any."""
    persons = select(User).where(col(User.kind) == UserKind.PERSON)  # a service account never logs in
    user = session.exec(persons.where(col(User.email) == email, col(User.active).is_(True))).first()
    detail = {"via": provider, "source": source_key(source)}
    if user is None:
        audit.record(session=session, actor=ANONYMOUS, action="login.failed", detail={"email": email, **detail})
        session.commit()
        raise LoginRefused("{email} is not a Passage user; ask an administrator", email=email)
    audit.record(session=session, actor=user.username, action="login.ok", detail=detail)
    session.commit()
    return _ticket(user)


def still_valid(*, session: Session, ticket: Ticket, now: datetime | None = None) -> bool:
    """A ticket holds until it expires, only while its user is active (disabling ends a session), and, when
    its login has a cookie, while that login's row is there (logging out in one tab ends it in every tab)."""
    user = session.get(User, ticket.username)
    if ticket.expires_at <= (now or utcnow()) or user is None or not user.active:
        return False
    return not ticket.session_key or session.get(LoginSession, ticket.session_key) is not None


def token_hash(token: str) -> str:
    """What the table keeps of a cookie's token: its SHA-256 (the token is 256 random bits, so no salt or
    slow hash is needed: nothing guessable is hashed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(*, session: Session, ticket: Ticket) -> tuple[str, Ticket]:
    """The cookie's token for a verified login, and the ticket that names its row. Expired rows go."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(LoginSession).where(col(LoginSession.expires_at) <= now))
    row = LoginSession(
        token_hash=token_hash(token), username=ticket.username, created_at=now, expires_at=ticket.expires_at
    )
    session.add(row)
    session.commit()
    return token, ticket.model_copy(update={"session_key": row.token_hash})


def resume(*, session: Session, token: str, now: datetime | None = None) -> Ticket | None:
    """The login a cookie's token stands for, while its row is there, unexpired, and its user active."""
    if not token or len(token) > 100:  # not a token this server made: not worth a look-up
        return None
    row = session.get(LoginSession, token_hash(token))
    if row is None or row.expires_at <= (now or utcnow()):
        return None
    user = session.get(User, row.username)
    if user is None or not user.active or user.kind != UserKind.PERSON:
        return None
    return Ticket(
        username=user.username,
        full_name=user.full_name,
        expires_at=row.expires_at,
        language=user.language,
        session_key=row.token_hash,
    )


def end_session(*, session: Session, ticket: Ticket) -> None:
    """Log out: the ticket's cookie opens nothing any more, in any tab (audited)."""
    if ticket.session_key:
        session.execute(delete(LoginSession).where(col(LoginSession.token_hash) == ticket.session_key))
    audit.record(session=session, actor=ticket.username, action="logout", detail={})
    session.commit()


def end_sessions(*, session: Session, username: str) -> None:
    """Every cookie of `username` opens nothing any more (the user is disabled; the caller commits)."""
    session.execute(delete(LoginSession).where(col(LoginSession.username) == username))
