"""Page tests: ui/app.py under AppTest, on the test's own database, with Prefect unreachable."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from passage.core.settings import get_settings
from passage.services import auth
from tests.offline import cut_off_prefect
from ui import session_cookie
from ui.state import sign_in

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"

OpenApp = Callable[..., AppTest]


def markdown(at: AppTest) -> list[str]:
    """Every Markdown text on the page: st.markdown's, and buttons' labels (an inbox row is a button)."""
    return [m.value for m in at.markdown] + [b.label for b in at.button]


def login_form_shown(at: AppTest) -> bool:
    """The password form is on the page (an HTML form that posts to the inbox's server: ui/state.py)."""
    return any(f'action="{session_cookie.LOGIN_PATH}"' in h.value for h in at.html)


def assert_clean(at: AppTest) -> None:
    """No traceback on the page, and no stray `None` that Streamlit's magic prints for a bare expression."""
    assert not at.exception, [e.value for e in at.exception]
    assert "`None`" not in markdown(at)


@pytest.fixture
def app(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenApp]:
    """`app(user, page=..., **query)`: the inbox (or `page`) as `user` (None: not logged in), after one run."""
    cut_off_prefect(monkeypatch)
    # st.cache_resource lives as long as the process: without this, the engine of an earlier
    # test's database would serve this test's pages (nor may the login endpoint's engine).
    st.cache_resource.clear()
    session_cookie._engine.cache_clear()

    def open_as(user: str | None, *, page: str | None = None, **query: str) -> AppTest:
        # A generous timeout: the first run imports Prefect and the flows, on a busy machine.
        at = AppTest.from_file(APP, default_timeout=60)
        if user is not None:
            # The login form's own path: the password checked by auth.login, the ticket stored by sign_in.
            ticket = auth.login(session=db, username=user, password=get_settings().demo_password, source="test")
            state: dict[str, object] = {}
            sign_in(ticket, state)
            for key, value in state.items():
                at.session_state[key] = value
        at.query_params.update(query)
        # The page opened as a link opens it, in the first run: not through the inbox, whose filters a rerun
        # would format outside the page's session, in English, and not find when the user reads Dutch.
        if page is not None:
            at.switch_page(page)
        return at.run()

    yield open_as
    st.cache_resource.clear()
    session_cookie._engine.cache_clear()


@pytest.fixture
def login_post(db: Session) -> Iterator[TestClient]:
    """The login form's endpoint (ui/session_cookie.py) as the inbox's server serves it: post to
    `session_cookie.LOGIN_PATH` and read the redirect and the cookie."""
    session_cookie._engine.cache_clear()
    with TestClient(Starlette(routes=session_cookie.routes), follow_redirects=False) as client:
        yield client
    session_cookie._engine.cache_clear()


def with_cookie(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    """The browser sends the login cookie `token` (AppTest has no cookies of its own)."""
    monkeypatch.setattr("ui.state.login_cookie", lambda: token)
