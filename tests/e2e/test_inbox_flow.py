"""The inbox in a real browser against `passage up`: log in, decide a task, see the case move on."""

from playwright.sync_api import expect

from tests.conftest import wait_for
from tests.e2e.harness import LiveStack
from tests.e2e.pages import Inbox

# A demo case (passage/demo.py) waiting at the programme manager's first gate.
CASE = "RST-00002"
NEXT_STEP = "waiting at Record IND decision"


def test_a_manager_approves_a_task_and_the_case_moves_on(live: LiveStack, inbox: Inbox) -> None:
    inbox.log_in("pm.anna", live.password)
    inbox.shows_inbox()
    inbox.open_task(CASE)
    expect(inbox.main().get_by_text("waiting at Accept for selection mission")).to_be_visible()

    inbox.decide(approve=True)
    expect(inbox.main().get_by_text("approved; the case moves on")).to_be_visible()
    expect(inbox.task_rows().filter(has_text=CASE)).to_have_count(0)

    def moved_on() -> bool:
        try:
            inbox.open_case(CASE)
            inbox.settled()
        except AssertionError:  # under load a click can land while the page reruns, and is lost: go again
            return False
        return inbox.main().get_by_text(NEXT_STEP).count() > 0

    try:
        wait_for(moved_on, timeout=300, what=f"{CASE} to wait at its next gate")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; `passage up` printed:\n{live.log_tail()}") from None
    expect(inbox.main().get_by_text("Accept for selection mission").first).to_be_visible()


def test_a_wrong_password_is_refused_with_the_reason(live: LiveStack, inbox: Inbox) -> None:
    inbox.log_in("mv.tom", "not-" + live.password)
    expect(inbox.page.get_by_role("alert").filter(has_text="wrong username or password")).to_be_visible()
    expect(inbox.heading("Inbox")).to_have_count(0)
    expect(inbox.page.get_by_role("button", name="Log in")).to_be_visible()
