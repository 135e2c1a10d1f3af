"""Screenshots of every inbox page in English and in Dutch, taken in Chromium against a fresh `passage up`.

    make screenshots          # or: .venv/bin/python -m tests.e2e.screenshots docs/screenshots

Each page, with the demo data, is shown to the person who works with it (a programme manager's inbox, a case
worker's new-case form, the administrator's pages), in their language: the user's saved language decides the
inbox's, the browser's locale the login page's. Writes one PNG per page into `<folder>/en/` and `<folder>/nl/`.
"""

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from playwright.sync_api import Browser, expect

from passage.core.i18n import translate
from passage.services.users import get_user, set_language
from tests.e2e.harness import LiveStack, chromium, live_database, passage_up
from tests.e2e.pages import FIRST_RUN_MS, Inbox

WIDTH, MAX_HEIGHT = 1400, 2400
CASE = "RST-00001"  # a demo case some way along its procedure, so its timeline has something to show
LOCALES = {"en": "en-GB", "nl": "nl-NL"}  # the browser's locale per language: it decides the login page's


class Visit(NamedTuple):
    """A page being shot: the browser on it and the language it is shown in."""

    inbox: Inbox
    language: str

    def t(self, text: str) -> str:
        return translate(self.language, text)


def _open_task(visit: Visit, ref: str) -> None:
    visit.inbox.task_rows().filter(has_text=ref).click()
    expect(visit.inbox.heading(visit.t("Decision"))).to_be_visible()


def _open_case(visit: Visit, ref: str) -> None:
    inbox = visit.inbox
    inbox.go(visit.t("Cases"))
    expect(inbox.heading(visit.t("Cases"))).to_be_visible()
    inbox.case_rows().filter(has_text=ref).click()
    # The list shows the ref too: only the case page's own button says the case page is there.
    expect(inbox.page.get_by_role("button", name=visit.t("← Cases"), exact=True)).to_be_visible()


def _go(title: str) -> Callable[[Visit], None]:
    return lambda visit: visit.inbox.go(visit.t(title))


class Shot(NamedTuple):
    name: str  # of the PNG
    user: str | None  # who is logged in (None: nobody, the login page)
    heading: str  # what shows the page is there (the catalogue's English key)
    navigate: Callable[[Visit], None] | None = None  # how to get there from the inbox


SHOTS = [
    Shot("login", None, "Passage"),
    Shot("inbox", "pm.anna", "Inbox"),
    Shot("task", "pm.anna", "Decision", lambda visit: _open_task(visit, "RST-00002")),
    Shot("cases", "pm.anna", "Cases", _go("Cases")),
    Shot("case", "pm.anna", "Audit trail", lambda visit: _open_case(visit, CASE)),
    Shot("new-case", "cw.amal", "New case", _go("New case")),
    Shot("administration", "admin", "Administration", _go("Administration")),
    Shot("notifications", "admin", "Notifications", _go("Notifications")),
]


def _full_height(inbox: Inbox) -> None:
    """Grow the window to the page's content: Streamlit scrolls inside its main area, not the document."""
    height = inbox.main().evaluate("main => main.scrollHeight")
    inbox.page.set_viewport_size({"width": WIDTH, "height": min(MAX_HEIGHT, max(900, int(height)))})


def _speak(live: LiveStack, user: str, language: str) -> None:
    """Save `language` as the user's, as the sidebar's switch does; their next login's inbox speaks it."""
    with live_database(live.home) as session:
        if get_user(session=session, username=user).language != language:
            set_language(session=session, actor=user, language=language)


def _log_in(visit: Visit, user: str, password: str) -> None:
    page = visit.inbox.page
    page.goto(visit.inbox.url)
    page.get_by_role("textbox", name=visit.t("Username")).fill(user, timeout=FIRST_RUN_MS)
    page.get_by_role("textbox", name=visit.t("Password")).fill(password)
    page.get_by_role("button", name=visit.t("Log in")).click()
    # The first run after a login imports every programme: slow.
    expect(visit.inbox.heading(visit.t("Inbox"))).to_be_visible(timeout=FIRST_RUN_MS)


def take(browser: Browser, live: LiveStack, shot: Shot, language: str, folder: Path) -> Path:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale=LOCALES[language])
    try:
        visit = Visit(Inbox(context.new_page(), live.url), language)
        if shot.user is None:
            visit.inbox.page.goto(live.url)
        else:
            _speak(live, shot.user, language)
            _log_in(visit, shot.user, live.password)
        if shot.navigate is not None:
            shot.navigate(visit)
        expect(visit.inbox.heading(visit.t(shot.heading)).first).to_be_visible(timeout=180_000)
        visit.inbox.settled()
        _full_height(visit.inbox)
        path = folder / language / f"{shot.name}.png"
        visit.inbox.page.screenshot(path=path)
        return path
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=Path("docs/screenshots"))
    folder: Path = parser.parse_args().folder
    for language in LOCALES:
        (folder / language).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="passage-shots-") as home, passage_up(Path(home)) as live:
        with chromium() as browser:
            for language in LOCALES:
                for shot in SHOTS:
                    # A command-line tool says what it wrote.
                    print(take(browser, live, shot, language, folder))  # noqa: T201


if __name__ == "__main__":
    main()
