"""One `passage up` and one Chromium for all the browser tests (a stack takes most of a minute to start); a fresh
browser context (so a fresh login) per test. A test that changes a case works on a case of its own.

Package scope, not session: Playwright's sync API runs an event loop in this thread while it is open, and
the flow tests that come after would find it there (Prefect's sync client then fails); the stack would idle
through the rest of the run too."""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.harness import LiveStack, MissingBrowser, chromium, passage_up
from tests.e2e.pages import Inbox


@pytest.fixture(scope="package")
def live() -> Iterator[LiveStack]:
    with tempfile.TemporaryDirectory(prefix="passage-e2e-") as home, passage_up(Path(home)) as stack:
        yield stack


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    try:
        with chromium() as launched:
            yield launched
    except MissingBrowser as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def inbox(live: LiveStack, browser: Browser) -> Iterator[Inbox]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield Inbox(context.new_page(), live.url)
    context.close()
