"""The navigation follows the login's roles: the login page alone before login, each role its own pages after it.

A page opened by its URL by a role that may not use it, and a page's URL before login, are tested in a real
browser (tests/e2e/test_login_session.py): AppTest runs a page named by its file without ui/app.py, as
Streamlit's "pages directory" navigation does (ui/server.py turns that off for the real server)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import streamlit as st
from sqlmodel import Session

from models import Role
from passage.core.settings import get_settings
from passage.services import auth
from passage.services.users import Grant, UserCreate, create_user, set_language
from tests.ui.conftest import OpenApp, assert_clean, login_form_shown, with_cookie

Shown = Callable[[], list[str]]


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Shown]:
    """The titles the last run's navigation shows (its visible pages), as st.navigation was handed them."""
    seen: list[list[str]] = []
    real = st.navigation

    def recording(pages: Any, **options: Any) -> Any:
        seen.append([page.title for page in pages if page.visibility == "visible"])
        return real(pages, **options)

    monkeypatch.setattr(st, "navigation", recording)
    yield lambda: seen[-1]


def test_before_login_the_navigation_holds_the_login_page_alone(db: Session, app: OpenApp, listed: Shown) -> None:
    at = app(None)
    assert_clean(at)
    assert listed() == ["Log in"]
    assert login_form_shown(at)


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        ("cw.amal", ["Inbox", "Cases", "New case", "Import cases", "Dashboards"]),
        ("pm.anna", ["Inbox", "Cases", "Dashboards"]),
        ("mo.sara", ["Inbox", "Cases", "Dashboards"]),
        ("admin", ["Inbox", "Administration", "Notifications"]),
    ],
)
def test_each_role_is_offered_its_own_pages(
    db: Session, app: OpenApp, listed: Shown, user: str, pages: list[str]
) -> None:
    at = app(user)
    assert_clean(at)
    assert listed() == pages


def test_an_administrator_who_is_also_a_case_worker_is_offered_both(db: Session, app: OpenApp, listed: Shown) -> None:
    admin = UserCreate(
        username="admin", full_name="Admin", email="admin@example.org", grants=[Grant(role=Role.CASE_WORKER)]
    )
    create_user(session=db, user_create=admin)
    db.commit()
    app("admin")
    assert listed() == ["Inbox", "Cases", "New case", "Import cases", "Dashboards", "Administration", "Notifications"]


def test_a_dutch_case_worker_reads_the_navigation_in_dutch(db: Session, app: OpenApp, listed: Shown) -> None:
    set_language(session=db, actor="cw.amal", language="nl")
    app("cw.amal")
    assert "Dossiers" in listed() and "Inbox" in listed()


def test_a_login_resumed_from_its_cookie_is_offered_the_same_pages(
    db: Session, app: OpenApp, listed: Shown, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = auth.login(session=db, username="cw.amal", password=get_settings().demo_password, source="test")
    token, _ticket = auth.open_session(session=db, ticket=ticket)
    with_cookie(monkeypatch, token)
    at = app(None)
    assert_clean(at)
    assert listed() == ["Inbox", "Cases", "New case", "Import cases", "Dashboards"]
