"""A login's cookie (auth.open_session / resume): the token works until it expires, the user logs out, or an
administrator disables the user; the table holds only the token's hash."""

from datetime import timedelta

from sqlmodel import Session, select

from models import LoginSession
from models.common import utcnow
from passage.core.settings import get_settings
from passage.services import auth
from passage.services.staff import set_active


def cookie_of(db: Session, username: str) -> tuple[str, auth.Ticket]:
    ticket = auth.login(session=db, username=username, password=get_settings().demo_password, source="test")
    return auth.open_session(session=db, ticket=ticket)


def test_a_cookie_resumes_its_login_with_the_users_name_and_language(db: Session) -> None:
    token, ticket = cookie_of(db, "cw.amal")
    resumed = auth.resume(session=db, token=token)
    assert resumed is not None
    assert (resumed.username, resumed.expires_at, resumed.session_key) == (
        "cw.amal",
        ticket.expires_at,
        ticket.session_key,
    )
    assert auth.still_valid(session=db, ticket=resumed)


def test_the_table_keeps_the_tokens_hash_not_the_token(db: Session) -> None:
    token, _ticket = cookie_of(db, "cw.amal")
    [row] = db.exec(select(LoginSession)).all()
    assert row.token_hash == auth.token_hash(token) and token not in row.token_hash
    assert auth.resume(session=db, token=row.token_hash) is None  # a copy of the table opens nothing


def test_a_cookie_opens_nothing_after_it_expires(db: Session) -> None:
    token, ticket = cookie_of(db, "cw.amal")
    minutes = get_settings().session_minutes
    assert abs(ticket.expires_at - (utcnow() + timedelta(minutes=minutes))) < timedelta(minutes=1)  # the setting
    just_before = ticket.expires_at - timedelta(seconds=1)
    assert auth.resume(session=db, token=token, now=just_before) is not None
    assert auth.resume(session=db, token=token, now=ticket.expires_at) is None
    assert not auth.still_valid(session=db, ticket=ticket, now=ticket.expires_at)


def test_logging_out_ends_the_cookie_in_every_tab(db: Session) -> None:
    token, ticket = cookie_of(db, "cw.amal")
    other_tab = auth.resume(session=db, token=token)
    assert other_tab is not None
    auth.end_session(session=db, ticket=ticket)
    assert auth.resume(session=db, token=token) is None
    assert not auth.still_valid(session=db, ticket=other_tab)


def test_disabling_the_user_ends_their_cookies_for_good(db: Session) -> None:
    token, ticket = cookie_of(db, "cw.amal")
    set_active(session=db, actor="admin", username="cw.amal", active=False)
    assert auth.resume(session=db, token=token) is None
    assert not auth.still_valid(session=db, ticket=ticket)
    set_active(session=db, actor="admin", username="cw.amal", active=True)
    assert auth.resume(session=db, token=token) is None  # enabled again, they log in again


def test_a_token_this_server_never_made_opens_nothing(db: Session) -> None:
    cookie_of(db, "cw.amal")
    for token in ["", "not-a-token", "x" * 5000]:
        assert auth.resume(session=db, token=token) is None


def test_expired_rows_go_at_the_next_login(db: Session) -> None:
    token, ticket = cookie_of(db, "cw.amal")
    row = db.get(LoginSession, ticket.session_key)
    assert row is not None
    row.expires_at = row.created_at
    db.add(row)
    db.commit()
    cookie_of(db, "pm.anna")
    assert db.get(LoginSession, auth.token_hash(token)) is None
