"""Hold, resume and withdraw a case from its page in a real browser against `passage up`."""

import re

from playwright.sync_api import expect

from tests.e2e.harness import LiveStack
from tests.e2e.pages import Inbox

# Demo cases (passage/demo/seed.py) no other browser test changes: a diaspora and a voluntary-return case.
HELD = "DSP-00016"
WITHDRAWN = "AVR-00014"
ACTIONS = "Hold, withdraw or reopen the case"


def open_actions(inbox: Inbox, button: str) -> None:
    """Unfold the case's actions (unless they are open already) until `button` shows."""
    inbox.settled()
    if not inbox.page.get_by_role("button", name=button, exact=True).is_visible():
        inbox.main().get_by_text(ACTIONS).click()
    expect(inbox.page.get_by_role("button", name=button, exact=True)).to_be_visible()


def type_into(inbox: Inbox, label: str, text: str) -> None:
    box = inbox.page.get_by_role("textbox", name=label)
    box.fill(text)
    box.press("Enter")  # Streamlit takes a text input's value on Enter (or leaving it)
    inbox.settled()


def choose(inbox: Inbox, label: str, option: str) -> None:
    """Pick `option` of a select box; its list is opened again if a rerun closed it as it opened."""
    inbox.settled()
    wanted = inbox.page.get_by_role("option", name=option, exact=True)
    for _attempt in range(3):
        inbox.page.get_by_role("combobox", name=label).click()
        try:
            expect(wanted).to_be_visible(timeout=15_000)
            break
        except AssertionError:
            inbox.settled()
    wanted.click()
    inbox.settled()


def test_a_manager_holds_and_resumes_a_case_and_withdraws_another(live: LiveStack, inbox: Inbox) -> None:
    inbox.log_in("pm.anna", live.password)
    inbox.shows_inbox()

    inbox.open_case(HELD)
    open_actions(inbox, "Put on hold")
    type_into(inbox, "Reason for the hold", "security check by the embassy")
    inbox.page.get_by_role("button", name="Put on hold", exact=True).click()
    expect(inbox.main().get_by_text("Case put on hold")).to_be_visible()
    expect(inbox.main().get_by_text(re.compile(r"On hold since .* security check by the embassy"))).to_be_visible()

    open_actions(inbox, "Resume the case")
    inbox.page.get_by_role("button", name="Resume the case", exact=True).click()
    expect(inbox.main().get_by_text("Case resumed")).to_be_visible()
    expect(inbox.main().get_by_text(re.compile("On hold since"))).to_have_count(0)

    inbox.open_case(WITHDRAWN)
    open_actions(inbox, "Withdraw the case")
    choose(inbox, "Reason for withdrawing", "no-show")
    inbox.page.get_by_role("button", name="Withdraw the case", exact=True).click()
    expect(inbox.main().get_by_text("Case withdrawn")).to_be_visible()
    expect(inbox.main().get_by_text("withdrawn: no-show").first).to_be_visible()
    expect(inbox.page.get_by_role("button", name="Withdraw the case", exact=True)).to_have_count(0)
