"""What every page shares: the database (created once per server) and the logged-in user.

Login is always required. With `PASSAGE_LOGIN=password` (the embedded default) the form checks the
password against the bcrypt hash in the app database, throttled per username and per client address; with
`PASSAGE_LOGIN=oidc` Streamlit's `st.login` asks the organisation's identity provider and the
e-mail it vouches for names the Passage user. Either way the verified login becomes a `Ticket` in
the browser session (server-side: the browser cannot forge it) that expires after
PASSAGE_SESSION_MINUTES; `sign_in` is the one function that stores it, for the cookie and for tests.

The password form is a plain HTML form that posts to the inbox's server (ui/session_cookie.py): only an
HTTP response can set the cookie that keeps the login over a reload and a link opened in a new tab. Each
new browser session resumes the login from that cookie (`logged_in`); logging out deletes it server-side.
With OIDC, Streamlit's own login cookie does the same.
"""

import html
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urlencode

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from models import Role
from passage.core.db import get_engine, init_db
from passage.core.errors import PassageError
from passage.core.i18n import LANGUAGES
from passage.core.settings import get_settings
from passage.services import access, audit, auth, users
from ui import session_cookie
from ui.i18n import LANGUAGE_KEY, current_language, set_language, t
from ui.text import explain_md, plain

TICKET = "passage.ticket"
ENDED = "passage.session-ended"
HERE = "passage.page"  # the URL path of the page being run (ui/app.py), where the login form returns to
DATABASE_DOWN = (
    "The database is busy or cannot be reached, so this page could not be shown or saved."
    " Nothing was stored half-way; please try again in a minute."
)


def client_address() -> str:
    """The browser's address, for the login throttle and the audit trail.

    Behind the proxy (deploy/nginx.conf, PASSAGE_TRUST_FORWARDED_FOR=true) the TCP peer is the proxy, and the
    client is the last address the proxy appended to X-Forwarded-For (earlier ones are the client's own word).
    Streamlit gives no address for a browser on this machine (nor a string under AppTest), hence "localhost".
    """
    if get_settings().trust_forwarded_for:
        forwarded = ",".join(st.context.headers.get_all("X-Forwarded-For")).split(",")
        if last := forwarded[-1].strip():
            return last
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "localhost"


@st.cache_resource
def engine() -> Engine:
    """The app's one engine; the database migrated on first use."""
    init_db()
    return get_engine()


@contextmanager
def session() -> Iterator[Session]:
    """A session for one page action; a database that is locked too long or unreachable is said, not traced.

    A decision is stored in one transaction with its audit event, so an action stopped here stored nothing.
    """
    try:
        with Session(engine()) as s:
            yield s
    except OperationalError:
        st.error(t(DATABASE_DOWN))
        st.stop()


def sign_in(ticket: auth.Ticket, state: dict[str, object] | None = None) -> None:
    """Start the browser session of a verified login (`state`: AppTest's session state in page tests)."""
    target = st.session_state if state is None else state
    target[TICKET] = ticket.model_dump(mode="json")
    target[LANGUAGE_KEY] = ticket.language  # the inbox speaks the user's language from the first page


def sign_out(ticket: auth.Ticket) -> None:
    """Log out: the login's cookie opens nothing any more, in this tab or any other (auth.end_session)."""
    with session() as s:
        auth.end_session(session=s, ticket=ticket)
    st.session_state.pop(TICKET, None)
    if get_settings().login == "oidc" and st.user.is_logged_in:
        st.logout()


def login_cookie() -> str:
    """The login cookie's token as the browser sent it when this session began ("" when none)."""
    try:
        return str(st.context.cookies.get(session_cookie.COOKIE) or "")
    except (AttributeError, RuntimeError):  # no browser request behind this session (a page test)
        return ""


def logged_in() -> auth.Ticket | None:
    """The browser session's valid login: its ticket, or the one its cookie resumes; None when neither holds.

    A ticket that no longer holds (expired, the user disabled, logged out in another tab) is dropped, and the
    login page says the session has ended.
    """
    stored = st.session_state.get(TICKET)
    if stored is not None:
        ticket = auth.Ticket.model_validate(stored)
        with session() as s:
            if auth.still_valid(session=s, ticket=ticket):
                return ticket
        st.session_state.pop(TICKET, None)
        st.session_state[ENDED] = True
        return None
    token = login_cookie()
    if not token:
        return None
    with session() as s:
        resumed = auth.resume(session=s, token=token)
    if resumed is not None:
        sign_in(resumed)
    return resumed


def roles(username: str) -> frozenset[Role]:
    """A user's roles in any programme, own or delegated (what ui/app.py offers pages by)."""
    with session() as s:
        return frozenset(g.role for g in access.grants(session=s, username=username))


def _return_path() -> str:
    """Where the login form sends the browser back to: the page and query it was opened with."""
    query = {
        k: v for k, v in st.query_params.to_dict().items() if k not in (session_cookie.NOTICE, session_cookie.UNTIL)
    }
    path = "/" + str(st.session_state.get(HERE, ""))
    return f"{path}?{urlencode(query)}" if query else path


def _login_notice() -> str | None:
    """Why the login page is shown again after the form was posted (ui/session_cookie.py)."""
    notice = st.query_params.get(session_cookie.NOTICE)
    if notice == session_cookie.THROTTLED:
        try:
            until = datetime.fromisoformat(st.query_params.get(session_cookie.UNTIL, ""))
        except ValueError:
            return None
        return explain_md(auth.LoginThrottled(until))
    if notice == session_cookie.REFUSED:
        return explain_md(auth.LoginRefused("wrong username or password"))
    if notice == session_cookie.UNAVAILABLE:
        return t(DATABASE_DOWN)
    return None


def _field(label: str, name: str, kind: str, autocomplete: str) -> str:
    return (
        f'<label for="login-{name}">{html.escape(label)}</label>'
        f'<input id="login-{name}" name="{name}" type="{kind}" autocomplete="{autocomplete}" required>'
    )


LOGIN_STYLE = """<style>
.passage-login { display: flex; flex-direction: column; gap: 0.4rem; max-width: 22rem; }
.passage-login input { font: inherit; padding: 0.45rem 0.6rem; border: 1px solid rgba(49, 51, 63, 0.3);
  border-radius: 0.5rem; }
.passage-login button { font: inherit; margin-top: 0.8rem; padding: 0.45rem 1rem; border: none;
  border-radius: 0.5rem; color: #fff; background: #1f5f8b; cursor: pointer; align-self: flex-start; }
</style>"""


def _login_form() -> None:
    """The password form: posted to the inbox's server, which sets the login cookie (ui/session_cookie.py)."""
    st.title("Passage")
    if notice := _login_notice():
        st.error(notice)
    fields = _field(t("Username"), "username", "text", "username") + _field(
        t("Password"), "password", "password", "current-password"
    )
    st.html(
        LOGIN_STYLE
        + f'<form class="passage-login" method="post" action="{session_cookie.LOGIN_PATH}">{fields}'
        + f'<input type="hidden" name="next" value="{html.escape(_return_path())}">'
        + f'<button type="submit">{html.escape(t("Log in"))}</button></form>'
    )
    if get_settings().demo_mode:
        st.caption(t("Demo: users pm.anna, cw.amal, mo.sara, mv.tom, admin; the password is printed by `passage up`."))


def _oidc_login() -> None:
    provider = get_settings().oidc_provider or None
    if not st.user.is_logged_in:
        st.title("Passage")
        if st.button(t("Log in with your organisation's account"), type="primary"):
            st.login(provider)
        return
    try:
        with session() as s:
            ticket = auth.login_external(
                session=s, email=str(st.user.get("email", "")), provider=provider or "oidc", source=client_address()
            )
    except auth.LoginRefused as exc:
        st.error(explain_md(exc))
        return
    sign_in(ticket)
    st.rerun()


def _save_language(username: str) -> None:
    """The switch's callback: the user's choice is saved, so their next login (and their messages) use it."""
    chosen = str(st.session_state["language"])
    try:
        with session() as s:
            users.set_language(session=s, actor=username, language=chosen)
    except PassageError as exc:
        st.session_state["language-error"] = explain_md(exc)
        return
    set_language(chosen)


def language_switch(username: str) -> None:
    st.session_state["language"] = current_language()
    st.sidebar.selectbox(
        t("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key="language",
        on_change=_save_language,
        args=(username,),
    )
    if error := st.session_state.pop("language-error", None):
        st.sidebar.error(error)


def login_page() -> None:
    """The one page before login (ui/app.py): the password form, or the organisation's login with OIDC."""
    if st.session_state.pop(ENDED, False):
        st.info(t("Your session has ended; please log in again."))
    if get_settings().login == "oidc":
        _oidc_login()
    else:
        _login_form()


def current_user() -> str | None:
    """The logged-in user (the sidebar says who, with the language switch and "Log out"), or None after
    showing the login."""
    ticket = logged_in()
    audit.set_origin(origin=None)  # this session's thread may have run a page for a user since logged out
    if ticket is None:
        login_page()
        return None
    # What this page records names the logged-in user as the operator, through the inbox.
    audit.set_origin(origin=audit.Origin(channel="inbox", operator=ticket.username))
    st.sidebar.markdown(f"**{plain(ticket.full_name)}** ({plain(ticket.username)})")
    language_switch(ticket.username)
    if st.sidebar.button(t("Log out"), key="logout"):
        sign_out(ticket)
        st.rerun()
    return ticket.username
