"""In a real browser: a case worker opens a resettlement case with the New case form, and reaches its page."""

import re

from playwright.sync_api import expect

from tests.e2e.harness import LiveStack
from tests.e2e.pages import Inbox, PersonsTable

# A UNHCR reference, and people, that no demo case has: no duplicate stops the case.
UNHCR_REF = "LEB-26-00E2E1"


def test_a_case_worker_opens_a_case_with_the_form_and_reaches_its_page(live: LiveStack, inbox: Inbox) -> None:
    inbox.log_in("cw.amal", live.password)
    inbox.shows_inbox()
    inbox.go("New case")
    expect(inbox.heading("New case")).to_be_visible()
    main, page = inbox.main(), inbox.page

    main.get_by_role("textbox", name="UNHCR ref").fill(UNHCR_REF)
    main.get_by_role("textbox", name="UNHCR ref").press("Enter")
    inbox.settled()
    main.get_by_role("combobox", name="Country of asylum").fill("Leban")
    page.get_by_role("option", name="Lebanon", exact=True).click()
    inbox.settled()
    main.get_by_role("spinbutton", name="Quota year").fill("2026")
    main.get_by_role("spinbutton", name="Quota year").press("Enter")
    inbox.settled()

    persons = PersonsTable(inbox, main.get_by_test_id("stDataFrame"))
    for name, born, principal in (("Nadia Karimi", "1990-04-12", True), ("Samir Karimi", "2015-09-03", False)):
        persons.add_row()
        persons.text(name)
        persons.choose("Afghan")  # Afghanistan
        persons.date(born)
        if principal:
            persons.tick()

    # The fields below the table, as a person goes on down the form (and the table sends its last edit).
    main.get_by_role("combobox", name="Vulnerabilities").click()
    page.get_by_role("option", name="Medical needs", exact=True).click()
    page.keyboard.press("Escape")  # the list stays open for more
    # Closed before the submit: a click while it is still open only closes it (seen under load in CI).
    expect(page.get_by_role("option", name="Medical needs", exact=True)).to_have_count(0)
    inbox.settled()
    main.locator(".st-key-open-case-form").get_by_role("button").click()
    opened = main.get_by_text(re.compile(r"Case RST-\d+ opened: Nadia Karimi \(\+1\), " + UNHCR_REF))
    expect(opened).to_be_visible()
    ref = re.search(r"RST-\d+", opened.inner_text())
    assert ref is not None
    main.get_by_role("button", name=f"Go to case {ref.group()}").click()

    expect(page.get_by_role("button", name="← Cases", exact=True)).to_be_visible()
    expect(main.get_by_text(ref.group(), exact=True).first).to_be_visible()
    expect(inbox.heading(f"Nadia Karimi (+1), {UNHCR_REF}")).to_be_visible()
