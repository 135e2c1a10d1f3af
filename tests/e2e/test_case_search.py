"""Finding a case in a real browser: a demo family recorded in Arabic script, found by its name typed in Latin."""

from playwright.sync_api import expect

from tests.e2e.harness import LiveStack
from tests.e2e.pages import Inbox

# The demo family reunification's sponsor (flows/family_reunification.py), recorded as رنا الخطيب.
SPONSOR = "رنا الخطيب"


def test_a_case_worker_finds_a_family_by_a_name_typed_in_latin_and_opens_it(live: LiveStack, inbox: Inbox) -> None:
    inbox.log_in("cw.amal", live.password)
    inbox.shows_inbox()
    inbox.go("Cases")
    expect(inbox.heading("Cases")).to_be_visible()
    inbox.search_cases("Rana al-Khatib")
    found = inbox.case_rows()
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text(SPONSOR)
    ref = found.first.inner_text().split()[0]
    found.first.click()
    expect(inbox.page.get_by_role("button", name="← Cases", exact=True)).to_be_visible()
    expect(inbox.main().get_by_text(ref, exact=True).first).to_be_visible()
    expect(inbox.main().get_by_text(SPONSOR).first).to_be_visible()
