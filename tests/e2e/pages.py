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

    def search_cases(self, text: str) -> None:
        """Type into the Cases page's search box and submit it (Enter), as a person does."""
        box = self.main().get_by_role("textbox", name="Search")
        box.fill(text)
        box.press("Enter")
        self.settled()

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


class PersonsTable:
    """An editable table of a form (st.data_editor, drawn on a canvas), filled from the keyboard as a person
    does: a click on the empty row at its foot adds a row; each cell is typed into its editor (Enter opens
    it) and left with Tab for the cell to its right."""

    def __init__(self, inbox: Inbox, table: Locator) -> None:
        self.inbox = inbox
        self.table = table
        self.editor = inbox.page.locator("#portal .gdg-clip-region")  # the open cell's editor

    def add_row(self) -> None:
        grid = self.table.locator("table[role=grid]")  # the canvas's accessible copy: header, rows, foot
        rows = int(grid.get_attribute("aria-rowcount") or 0)
        box = self.table.bounding_box()
        assert box is not None
        self.table.click(position={"x": 100, "y": box["height"] - 18})  # the foot row, 35 px high
        expect(grid).to_have_attribute("aria-rowcount", str(rows + 1))
        # The new row's first cell opens as the row is added; closed, the cell stays selected, and Tab from an
        # editor that Enter opened moves on to the next cell.
        expect(self.editor).to_be_visible()
        self.inbox.page.keyboard.press("Escape")
        expect(self.editor).to_have_count(0)

    def _open(self) -> Locator:
        self.inbox.page.keyboard.press("Enter")
        expect(self.editor).to_be_visible()
        return self.editor

    def _next(self) -> None:
        self.inbox.page.keyboard.press("Tab")
        expect(self.editor).to_have_count(0)

    def text(self, value: str) -> None:
        self._open().locator("textarea").fill(value)
        self._next()

    def choose(self, typed: str) -> None:
        """The option a select cell offers first for `typed` (Tab chooses it)."""
        self._open().get_by_role("combobox").fill(typed)
        self._next()

    def date(self, day: str) -> None:
        """A date cell's date picker, given the date as YYYY-MM-DD (what a browser's date input takes)."""
        self._open().locator("input[type=date]").fill(day)
        self._next()

    def tick(self) -> None:
        self.inbox.page.keyboard.press("Space")
