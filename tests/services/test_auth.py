"""Login: bcrypt passwords, failures throttled per username and per source address in the database with
growing waits (never a hard lock), unlock by an administrator, the same answer and the same work for
unknown names, every attempt audited with its source, sessions that expire."""

import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from models import AuditEvent, LoginThrottle, User
from models.common import utcnow
from passage.core.errors import NotFound, NotPermitted
from passage.core.i18n import local
from passage.core.settings import get_settings
from passage.services import auth, staff

DEMO = get_settings().demo_password
# Addresses from the documentation ranges (RFC 5737): only strings here, nothing is sent to them.
ATTACKER, OFFICE, OTHER = "203.0.113.66", "198.51.100.7", "192.0.2.10"


class Clock:
    """The clock the login throttle reads, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """A clock the test moves, and a throttle that starts sooner and caps lower than the defaults, so
    that a test reaches its cap in few bcrypt checks (each costs a good part of a second)."""
    monkeypatch.setenv("PASSAGE_LOGIN_FREE_FAILURES", "2")
    monkeypatch.setenv("PASSAGE_LOGIN_SOURCE_FREE_FAILURES", "4")
    monkeypatch.setenv("PASSAGE_LOGIN_DELAY_MAX_SECONDS", "64")
    get_settings.cache_clear()
    fixed = Clock()
    monkeypatch.setattr(auth, "utcnow", fixed)
    yield fixed
    get_settings.cache_clear()


def attempt(db: Session, username: str, password: str, source: str) -> str:
    """One login; what the person at the form is told ("ok" when it worked)."""
    try:
        auth.login(session=db, username=username, password=password, source=source)
    except auth.LoginRefused as exc:
        return str(exc)
    return "ok"


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def test_the_right_password_gives_a_ticket_that_expires(db: Session) -> None:
    ticket = auth.login(session=db, username="pm.anna", password=DEMO, source=OFFICE)
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
        auth.login(session=db, username=username, password="not the password", source=OFFICE)


def test_a_known_and_an_unknown_name_are_answered_alike_through_the_waits(db: Session, clock: Clock) -> None:
    """The words and the times to try again are the same, so neither tells a stranger that a name exists."""

    def answers(username: str, source: str) -> list[str]:
        start, said = clock.now, []
        for _ in range(9):
            said.append(attempt(db, username, "guess", source))
            clock.advance(1)
        clock.now = start  # both names tried at the same moments
        return said

    known, unknown = answers("cw.amal", OFFICE), answers("cw.nobody", OTHER)
    assert known == unknown
    assert known[:2] == ["wrong username or password"] * 2
    assert any(a.startswith("too many failed logins: try again after ") for a in known)


def test_waits_grow_after_the_free_failures_and_the_right_password_works_after_the_wait(
    db: Session, clock: Clock
) -> None:
    settings = get_settings()
    for _ in range(settings.login_free_failures):
        assert attempt(db, "cw.amal", "guess", OFFICE) == "wrong username or password"
    waits = []
    for _ in range(4):
        with pytest.raises(auth.LoginThrottled) as refused:  # even the right password waits
            auth.login(session=db, username="cw.amal", password=DEMO, source=OFFICE)
        waits.append((refused.value.retry_at - clock.now).total_seconds())
        assert str(refused.value) == f"too many failed logins: try again after {local(refused.value.retry_at):%H:%M:%S}"
        clock.advance_to(refused.value.retry_at)
        assert attempt(db, "cw.amal", "guess", OFFICE) == "wrong username or password"
    base = settings.login_delay_seconds
    assert waits == [base, 2 * base, 4 * base, 8 * base]
    clock.advance(16 * base)
    assert attempt(db, "cw.amal", DEMO, OFFICE) == "ok"
    # A login that worked forgets the name's failures (not the address's): the next typo costs no wait.
    assert attempt(db, "cw.amal", "typo", OTHER) == "wrong username or password"
    assert attempt(db, "cw.amal", DEMO, OTHER) == "ok"


def test_an_attacker_hammering_admin_cannot_keep_the_administrator_out(db: Session, clock: Clock) -> None:
    settings = get_settings()
    for _ in range(300):  # one a second for five minutes; each guess that is checked doubles the wait
        attempt(db, "admin", "guess", ATTACKER)
        clock.advance(1)
    row = db.get(LoginThrottle, (auth.NAME, "admin"))
    retry = auth.retry_at(session=db, username="admin")
    assert row is not None and retry is not None
    assert retry - row.last_failure_at == timedelta(seconds=settings.login_delay_max_seconds)  # the cap
    assert len(events(db, "login.failed")) < 20  # the waits bound the guesses: 300 tries, few checked
    assert attempt(db, "admin", DEMO, OFFICE).startswith("too many failed logins")
    # No hard lock: once the name's wait has passed, the administrator logs in from the office.
    clock.advance_to(retry)
    assert attempt(db, "admin", DEMO, OFFICE) == "ok"


def test_one_address_trying_many_names_waits_for_every_name(db: Session, clock: Clock) -> None:
    settings = get_settings()
    for n in range(settings.login_source_free_failures):
        assert attempt(db, f"user{n}", "guess", ATTACKER) == "wrong username or password"
    assert attempt(db, "pm.anna", DEMO, ATTACKER).startswith("too many failed logins")
    assert attempt(db, "pm.anna", DEMO, OFFICE) == "ok"  # another address is not held up


def test_failures_older_than_the_forget_window_count_no_more(db: Session, clock: Clock) -> None:
    settings = get_settings()
    for _ in range(settings.login_free_failures):
        attempt(db, "cw.amal", "guess", OFFICE)
    assert auth.retry_at(session=db, username="cw.amal") is not None
    clock.advance(settings.login_forget_minutes * 60 + 1)
    assert auth.retry_at(session=db, username="cw.amal") is None
    assert attempt(db, "cw.amal", "guess", OFFICE) == "wrong username or password"
    assert attempt(db, "cw.amal", DEMO, OFFICE) == "ok"  # the count began again at one, not at six


def test_an_administrator_unlocks_a_user_at_once_audited(db: Session, clock: Clock) -> None:
    for _ in range(6):
        attempt(db, "cw.amal", "guess", ATTACKER)
        clock.advance(1)
    assert [r.locked for r in staff.user_rows(session=db, actor="admin") if r.username == "cw.amal"] == [True]
    with pytest.raises(NotPermitted):
        staff.unlock(session=db, actor="pm.anna", username="cw.amal")
    with pytest.raises(NotFound):
        staff.unlock(session=db, actor="admin", username="nobody")
    staff.unlock(session=db, actor="admin", username="cw.amal")
    assert [r.locked for r in staff.user_rows(session=db, actor="admin") if r.username == "cw.amal"] == [False]
    assert attempt(db, "cw.amal", DEMO, OFFICE) == "ok"
    [unlocked] = events(db, "user.unlocked")
    assert (unlocked.actor, unlocked.detail) == ("admin", {"username": "cw.amal", "had_failures": True})


def test_every_attempt_is_audited_with_its_source(db: Session, clock: Clock) -> None:
    for _ in range(get_settings().login_free_failures):
        attempt(db, "cw.amal", "guess", ATTACKER)
    attempt(db, "cw.amal", DEMO, ATTACKER)  # refused: the name must wait
    attempt(db, "nobody", "guess", OTHER)
    attempt(db, "pm.anna", DEMO, OFFICE)
    seen = [
        (e.action, e.actor, e.detail["username"], e.detail["source"])
        for e in db.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("login.")))
    ]
    assert seen == [
        *[("login.failed", "cw.amal", "cw.amal", ATTACKER)] * 2,
        ("login.refused", "cw.amal", "cw.amal", ATTACKER),
        ("login.failed", "anonymous", "nobody", OTHER),
        ("login.ok", "pm.anna", "pm.anna", OFFICE),
    ]
    assert DEMO not in str([e.detail for e in events(db, "login.refused")])


def test_an_unknown_name_costs_the_same_bcrypt_work_as_a_wrong_password(db: Session) -> None:
    """Timing does not tell which names exist: both refusals do one bcrypt check of the same cost."""

    def fastest(username: str) -> float:
        def once(n: int) -> float:
            start = time.perf_counter()
            attempt(db, username, f"guess {n}", f"192.0.2.{n}")
            return time.perf_counter() - start

        return min(once(n) for n in range(3))  # the least disturbed of three (the machine is shared)

    attempt(db, "warm-up", "guess", "192.0.2.200")  # the dummy hash is made once, on first use
    known, unknown = fastest("cw.amal"), fastest("no.such.user")
    assert 1 / 3 < unknown / known < 3, (known, unknown)


def test_a_disabled_user_cannot_log_in_and_their_session_ends(db: Session) -> None:
    ticket = auth.login(session=db, username="mv.tom", password=DEMO, source=OFFICE)
    staff.set_active(session=db, actor="admin", username="mv.tom", active=False)
    assert not auth.still_valid(session=db, ticket=ticket)
    with pytest.raises(auth.LoginRefused, match="^wrong username or password$"):
        auth.login(session=db, username="mv.tom", password=DEMO, source=OFFICE)


def test_the_throttle_holds_across_processes_because_it_is_in_the_database(db: Session, clock: Clock) -> None:
    """Another inbox process has its own session and memory: it reads the same counts."""
    for _ in range(get_settings().login_free_failures):
        attempt(db, "cw.amal", "guess", OFFICE)
    with Session(db.get_bind()) as second:
        assert attempt(second, "cw.amal", DEMO, OTHER).startswith("too many failed logins")
