"""The login in a real browser: it survives a reload and a link opened in a new tab, logging out ends it for the
cookie too, and the navigation holds what the login's roles may use."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Cookie, expect
from sqlmodel import col, select

from models import Role
from models.task import HumanTask, TaskStatus
from tests.e2e.harness import LiveStack, live_database
from tests.e2e.pages import FIRST_RUN_MS, Inbox
from ui.session_cookie import COOKIE


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport={"width": 1400, "height": 900})
    yield opened
    opened.close()


def login_cookie(context: BrowserContext) -> Cookie:
    [cookie] = [c for c in context.cookies() if c.get("name") == COOKIE]
    return cookie


def an_open_task(live: LiveStack, role: Role) -> int:
    """A demo task waiting for `role` (read only: this test decides nothing)."""
    with live_database(live.home) as session:
        query = select(HumanTask.id).where(HumanTask.status == TaskStatus.OPEN, HumanTask.role == role)
        return int(session.exec(query.order_by(col(HumanTask.id).desc())).first() or 0)


def shows_login(inbox: Inbox) -> None:
    expect(inbox.page.get_by_role("textbox", name="Username")).to_be_visible(timeout=FIRST_RUN_MS)
    expect(inbox.page.get_by_role("button", name="Log out")).to_have_count(0)


def nav_links(inbox: Inbox) -> list[str]:
    inbox.settled()
    return inbox.page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()


def test_a_login_survives_a_reload_and_a_new_tab_and_logging_out_ends_its_cookie(
    live: LiveStack, browser: Browser, context: BrowserContext
) -> None:
    inbox = Inbox(context.new_page(), live.url)
    inbox.log_in("pm.anna", live.password)
    inbox.shows_inbox()
    cookie = login_cookie(context)
    assert cookie.get("httpOnly") and cookie.get("sameSite") == "Lax"

    inbox.page.reload()
    inbox.shows_inbox()

    task = an_open_task(live, Role.PROGRAMME_MANAGER)
    tab = Inbox(context.new_page(), live.url)  # a link from a notification, opened in a new tab
    tab.page.goto(f"{live.url}/?task={task}")
    expect(tab.heading("Decision")).to_be_visible(timeout=FIRST_RUN_MS)

    inbox.page.get_by_role("button", name="Log out").click()
    shows_login(inbox)
    tab.page.reload()  # the other tab's login ended with it
    shows_login(tab)
    stranger = browser.new_context()  # the cookie's value, replayed elsewhere, opens nothing either
    try:
        stranger.add_cookies([{"name": COOKIE, "value": cookie.get("value", ""), "url": live.url}])
        replayed = Inbox(stranger.new_page(), live.url)
        replayed.page.goto(live.url)
        shows_login(replayed)
    finally:
        stranger.close()


def test_before_login_the_navigation_holds_the_login_alone_and_a_link_returns_after_it(
    live: LiveStack, context: BrowserContext
) -> None:
    inbox = Inbox(context.new_page(), live.url)
    inbox.page.goto(f"{live.url}/cases?case=RST-00001")
    shows_login(inbox)
    assert all(link.endswith("Log in") for link in nav_links(inbox))  # none at all, or the login's own
    inbox.page.get_by_role("textbox", name="Username").fill("cw.amal")
    inbox.page.get_by_role("textbox", name="Password").fill(live.password)
    inbox.page.get_by_role("button", name="Log in").click()
    expect(inbox.page.get_by_role("button", name="← Cases", exact=True)).to_be_visible(timeout=FIRST_RUN_MS)
    expect(inbox.main().get_by_text("RST-00001", exact=True).first).to_be_visible()


def test_a_case_worker_is_offered_no_administration_and_its_url_refuses(
    live: LiveStack, context: BrowserContext
) -> None:
    inbox = Inbox(context.new_page(), live.url)
    inbox.log_in("cw.amal", live.password)
    inbox.shows_inbox()
    links = nav_links(inbox)
    assert any(re.search("Inbox$", link) for link in links) and any(re.search("New case$", link) for link in links)
    assert not [link for link in links if "Administration" in link or "Notifications" in link]
    inbox.page.goto(f"{live.url}/admin")
    expect(inbox.page.get_by_role("alert").filter(has_text="cw.amal is not an administrator")).to_be_visible()
    expect(inbox.main().get_by_role("button", name="Disable")).to_have_count(0)


def test_a_dutch_browser_gets_the_login_page_in_dutch(live: LiveStack, browser: Browser) -> None:
    # Before login there is no user to take a language from: the browser's own (Accept-Language / navigator).
    dutch = browser.new_context(viewport={"width": 1400, "height": 900}, locale="nl-NL")
    try:
        page = dutch.new_page()
        page.goto(live.url)
        expect(page.get_by_role("textbox", name="Gebruikersnaam")).to_be_visible(timeout=FIRST_RUN_MS)
        expect(page.get_by_role("button", name="Inloggen")).to_be_visible()
    finally:
        dutch.close()
