"""A screenshot of every inbox page, taken in Chromium against a fresh `passage up` with the demo data.

    make screenshots          # or: .venv/bin/python -m tests.e2e.screenshots docs/screenshots

Each page is shown to the person who works with it (a programme manager's inbox, a case worker's
new-case form, the administrator's pages). Writes one PNG per page into the folder given.
"""

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from playwright.sync_api import Browser, expect

from tests.e2e.harness import LiveStack, chromium, passage_up
from tests.e2e.pages import Inbox

WIDTH, MAX_HEIGHT = 1400, 2400
CASE = "RST-00001"  # a demo case some way along its procedure, so its timeline has something to show


def _full_height(inbox: Inbox) -> None:
    """Grow the window to the page's content: Streamlit scrolls inside its main area, not the document."""
    height = inbox.main().evaluate("main => main.scrollHeight")
    inbox.page.set_viewport_size({"width": WIDTH, "height": min(MAX_HEIGHT, max(900, int(height)))})


class Shot(NamedTuple):
    name: str  # of the PNG
    user: str | None  # who is logged in (None: nobody, the login page)
    heading: str  # what shows the page is there
    navigate: Callable[[Inbox], None] | None = None  # how to get there from the inbox


SHOTS = [
    Shot("login", None, "Passage"),
    Shot("inbox", "pm.anna", "Inbox"),
    Shot("task", "pm.anna", "Decision", lambda inbox: inbox.open_task("RST-00002")),
    Shot("cases", "pm.anna", "Cases", lambda inbox: inbox.go("Cases")),
    Shot("case", "pm.anna", "Audit trail", lambda inbox: inbox.open_case(CASE)),
    Shot("new-case", "cw.amal", "New case", lambda inbox: inbox.go("New case")),
    Shot("administration", "admin", "Administration", lambda inbox: inbox.go("Administration")),
    Shot("notifications", "admin", "Notifications", lambda inbox: inbox.go("Notifications")),
]


def take(browser: Browser, live: LiveStack, shot: Shot, folder: Path) -> Path:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    try:
        inbox = Inbox(context.new_page(), live.url)
        if shot.user is None:
            inbox.page.goto(live.url)
        else:
            inbox.log_in(shot.user, live.password)
            inbox.shows_inbox()
        if shot.navigate is not None:
            shot.navigate(inbox)
        expect(inbox.heading(shot.heading).first).to_be_visible(timeout=180_000)
        inbox.settled()
        _full_height(inbox)
        path = folder / f"{shot.name}.png"
        inbox.page.screenshot(path=path)
        return path
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=Path("docs/screenshots"))
    folder: Path = parser.parse_args().folder
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="passage-shots-") as home, passage_up(Path(home)) as live:
        with chromium() as browser:
            for shot in SHOTS:
                print(take(browser, live, shot, folder))  # noqa: T201 (a command-line tool says what it wrote)


if __name__ == "__main__":
    main()
