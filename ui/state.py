"""What every page shares: the database (created once per server) and the logged-in user.

Login is always required. With `PASSAGE_LOGIN=password` (the embedded default) the form checks the
password against the bcrypt hash in the app database, throttled per username and per client address; with
`PASSAGE_LOGIN=oidc` Streamlit's `st.login` asks the organisation's identity provider and the
e-mail it vouches for names the Passage user. Either way the verified login becomes a `Ticket` in
the browser session (server-side: the browser cannot forge it) that expires after
PASSAGE_SESSION_MINUTES; `sign_in` is the one function that stores it, for the form and for tests.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from passage.core.db import get_engine, init_db
from passage.core.errors import PassageError
from passage.core.i18n import LANGUAGES
from passage.core.settings import get_settings
from passage.services import audit, auth, users
from ui.i18n import LANGUAGE_KEY, current_language, set_language, t
from ui.text import explain_md, plain

TICKET = "passage.ticket"
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


def sign_out() -> None:
    st.session_state.pop(TICKET, None)
    if get_settings().login == "oidc" and st.user.is_logged_in:
        st.logout()


def _login_form() -> None:
    st.title("Passage")
    with st.form("login"):
        username = st.text_input(t("Username"), key="login-username")
        password = st.text_input(t("Password"), type="password", key="login-password")
        submitted = st.form_submit_button(t("Log in"), type="primary")
    if get_settings().demo_mode:
        st.caption(t("Demo: users pm.anna, cw.amal, mo.sara, mv.tom, admin; the password is printed by `passage up`."))
    if not submitted:
        return
    try:
        with session() as s:
            ticket = auth.login(session=s, username=username, password=password, source=client_address())
    except auth.LoginRefused as exc:
        st.error(explain_md(exc))
        return
    sign_in(ticket)
    st.rerun()


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


def current_user() -> str | None:
    """The logged-in user, or None after showing the login (expired or disabled sessions log in again)."""
    stored = st.session_state.get(TICKET)
    audit.set_origin(origin=None)  # this session's thread may have run a page for a user since logged out
    if stored is not None:
        ticket = auth.Ticket.model_validate(stored)
        with session() as s:
            valid = auth.still_valid(session=s, ticket=ticket)
        if valid:
            # What this page records names the logged-in user as the operator, through the inbox.
            audit.set_origin(origin=audit.Origin(channel="inbox", operator=ticket.username))
            st.sidebar.markdown(f"**{plain(ticket.full_name)}** ({plain(ticket.username)})")
            language_switch(ticket.username)
            if st.sidebar.button(t("Log out"), key="logout"):
                sign_out()
                st.rerun()
            return ticket.username
        st.session_state.pop(TICKET, None)
        st.info(t("Your session has ended; please log in again."))
    if get_settings().login == "oidc":
        _oidc_login()
    else:
        _login_form()
    return None
