"""The inbox as a person sees it: every selector the browser tests use, by visible text, label and role.

When a page changes its wording or layout, this is the one module to adapt.
"""

import re

from playwright.sync_api import Locator, Page, expect

# Streamlit reruns the page after each click; on a busy machine that can take seconds (Playwright's 5 s
# default failed tests for load, not for a bug), and the very first run of the app (importing Prefect
# and every programme) longer still.
TIMEOUT_MS = 120_000
FIRST_RUN_MS = 240_000
expect.set_options(timeout=TIMEOUT_MS)


class Inbox:
    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        page.set_default_timeout(TIMEOUT_MS)

    def log_in(self, username: str, password: str) -> None:
        self.page.goto(self.url)
        self.page.get_by_role("textbox", name="Username").fill(username, timeout=FIRST_RUN_MS)
        self.page.get_by_role("textbox", name="Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()

    def shows_inbox(self) -> None:
        """After logging in: the inbox (the first run after a login imports every programme: slow)."""
        expect(self.heading("Inbox")).to_be_visible(timeout=FIRST_RUN_MS)

    def heading(self, text: str | re.Pattern[str]) -> Locator:
        return self.page.get_by_role("heading", name=text)

    def main(self) -> Locator:
        """The page's own content, without the sidebar."""
        return self.page.get_by_test_id("stMain")

    def go(self, page_title: str) -> None:
        """Follow a link of the sidebar's navigation (the browser session, and so the login, stays)."""
        nav = self.page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name=re.compile(rf"{re.escape(page_title)}$")).click()

    def case_rows(self) -> Locator:
        """The case list's rows: each a button that opens its case."""
        return self.page.locator(".st-key-case-list").get_by_role("button")

    def task_rows(self) -> Locator:
        """The inbox's rows: each a button that opens its task."""
        return self.page.locator(".st-key-task-list").get_by_role("button")

    def open_task(self, case_ref: str) -> None:
        self.task_rows().filter(has_text=case_ref).click()
        expect(self.heading("Decision")).to_be_visible()

    def decide(self, approve: bool) -> None:
        self.page.get_by_role("button", name="Approve" if approve else "Reject", exact=True).click()

    def open_case(self, ref: str) -> None:
        back = self.page.get_by_role("button", name="← Cases", exact=True)
        if back.count():  # on a case page, the sidebar's "Cases" link is the page already shown
            back.click()
        else:
            self.go("Cases")
        expect(self.heading("Cases")).to_be_visible()
        self.case_rows().filter(has_text=ref).click()
        # The list shows the ref too: only the case page's own button says the click has been handled
        # (a next step taken on the list, while the case page is still coming, is lost).
        expect(self.page.get_by_role("button", name="← Cases", exact=True)).to_be_visible()
        expect(self.main().get_by_text(ref, exact=True).first).to_be_visible()

    def settled(self) -> None:
        """Wait until Streamlit has run the page and drawn it: no "running" indicator, no placeholder left
        for a widget whose code is still loading."""
        expect(self.page.get_by_test_id("stStatusWidget")).to_have_count(0)
        expect(self.page.get_by_test_id("stSkeleton")).to_have_count(0)

    def task_list_shown(self) -> None:
        """Wait until the inbox's page of tasks is all there: as many rows as its captions count.

        A paged list says "Showing 1–50 of 100000"; a short one only "5 open task(s)".
        """
        self.page.wait_for_function(
            """() => {
                const main = document.querySelector('[data-testid=stMain]');
                if (!main) return false;
                const captions = [...main.querySelectorAll('[data-testid=stCaptionContainer]')].map(c => c.innerText);
                const number = text => parseInt(text.replace(/[^\\d]/g, ''));
                const paged = captions.map(c => c.match(/(\\d[\\d,.]*)\\D+(\\d[\\d,.]*) of /)).find(Boolean);
                const total = captions.map(c => c.match(/(\\d[\\d,.]*) open task/)).find(Boolean);
                const expected = paged ? number(paged[2]) - number(paged[1]) + 1 : total && number(total[1]);
                if (!expected) return false;
                const rows = main.querySelectorAll('.st-key-task-list button');
                return rows.length >= expected;
            }""",
            polling="raf",
        )
