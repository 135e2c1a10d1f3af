"""A Dutch user reads Dutch: the inbox, a task page of each programme, a case page and the dashboard, in a real
browser against `passage up`, with every visible text checked against the catalogue (not by eye).

An English leftover is a visible text that is, or holds as a whole phrase, an English key of the catalogue whose
Dutch entry differs. Names, references and codes are not English text: the demo's case references, persons and
users are taken out of a text before it is checked. A case's title is checked: stored in English, it is shown
in the reader's language (passage.core.i18n.case_title_in).
"""

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, expect
from sqlmodel import col, func, select

from models import Case, Decision, HumanTask, Person, Role, TaskStatus, User
from passage.core.i18n import catalog, translate
from passage.programme.registry import all_programmes
from passage.services.users import Grant, UserCreate, create_user, hash_password
from tests.conftest import wait_for
from tests.e2e.harness import LiveStack, live_database
from tests.e2e.pages import FIRST_RUN_MS, Inbox

DUTCH = "nl.eva"  # a user of this test alone, with every deciding role: one login sees every programme's tasks
ROLES = (Role.PROGRAMME_MANAGER, Role.CASE_WORKER, Role.MEDICAL_OFFICER, Role.MOVEMENT_OFFICER)
# Every visible text of the page's content and sidebar, and the cells of its tables (drawn on a canvas, with an
# accessible copy in the page); widgets' labels and a select's chosen option are text nodes too.
VISIBLE_TEXT = """() => {
    const texts = [];
    const roots = document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebar]');
    for (const root of roots) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent.trim();
            const inGrid = node.parentElement && node.parentElement.closest('[role=grid]');
            if (text && (inGrid || node.parentElement.checkVisibility())) texts.push(text);
        }
    }
    return texts;
}"""


def nl(text: str) -> str:
    return translate("nl", text)


def _pattern(key: str) -> re.Pattern[str] | None:
    """A key as a whole phrase (its placeholders standing for any value); None for a key too short to be found
    inside other text (one word, or placeholders around a letter or two), which counts only as a whole text."""
    parts = re.split(r"\{\w+\}", key)
    literal = "".join(parts)
    if len(re.findall(r"[A-Za-z]{2,}", literal)) < 2:
        return None
    body = "[^\\n]+?".join(re.escape(part) for part in parts)
    return re.compile(rf"(?<![\w-]){body}(?![\w-])")


ENGLISH = {key: _pattern(key) for key, dutch in catalog("nl").items() if dutch != key}


def leftovers(texts: list[str], names: set[str]) -> list[tuple[str, str]]:
    """Each (text, English key) the page still shows in English; `names` are taken out of a text first."""
    found = []
    for text in texts:
        checked = text
        for name in sorted(names, key=len, reverse=True):
            checked = checked.replace(name, " ")
        for key, pattern in ENGLISH.items():
            if checked.strip() == key or (pattern is not None and pattern.search(checked)):
                found.append((text, key))
    return found


def add_dutch_user(live: LiveStack) -> None:
    with live_database(live.home) as session:
        user = UserCreate(
            username=DUTCH,
            full_name="Eva de Boer",
            email="nl.eva@example.org",
            language="nl",
            grants=[Grant(role=role) for role in ROLES],
        )
        create_user(session=session, user_create=user, password_hash=hash_password(live.password))
        session.commit()


def names_in(live: LiveStack) -> set[str]:
    """What the pages show that is data, not text: case refs, persons, users and their full names."""
    with live_database(live.home) as session:
        refs = session.exec(select(Case.ref)).all()
        persons = session.exec(select(Person.full_name)).all()
        users = session.exec(select(User.username, User.full_name)).all()
    return {value for row in users for value in row} | set(refs) | set(persons)


def open_task_per_programme(live: LiveStack) -> dict[str, str]:
    """One case ref with an open task, for every programme (the demo leaves each case waiting at a gate)."""
    with live_database(live.home) as session:
        rows = session.exec(
            select(HumanTask.programme, Case.ref)
            .join(Case, col(Case.id) == HumanTask.case_id)
            .where(HumanTask.status == TaskStatus.OPEN)
            .order_by(col(HumanTask.id))
        ).all()
    found: dict[str, str] = {}
    for programme, ref in rows:
        found.setdefault(programme, ref)
    return found


def most_decided_case(live: LiveStack) -> str:
    """The case with the most decisions: the case page with the longest timeline of forms to word."""
    with live_database(live.home) as session:
        ref = session.exec(
            select(Case.ref)
            .join(HumanTask, col(HumanTask.case_id) == Case.id)
            .join(Decision, col(Decision.task_id) == HumanTask.id)
            .group_by(col(Case.ref))
            .order_by(func.count(col(Decision.id)).desc())
        ).first()
    assert ref is not None, "the demo decided no gate"
    return ref


def click_until(inbox: Inbox, target: Locator, shown: Locator, what: str) -> None:
    """Click `target` until `shown` appears: under load a click can land while the page reruns, and is lost."""

    def arrived() -> bool:
        inbox.settled()
        if shown.count():
            return True
        try:  # the target of a page being redrawn can be stale, or covered by the page that replaces it
            target.click(timeout=15_000)
            shown.first.wait_for(timeout=30_000)
        except PlaywrightError:
            return False
        return True

    wait_for(arrived, timeout=300, what=what)


def assert_dutch(inbox: Inbox, names: set[str], where: str) -> None:
    inbox.settled()
    texts: list[str] = inbox.page.evaluate(VISIBLE_TEXT)
    assert len(texts) > 5, f"{where}: the page shows almost nothing: {texts}"
    assert leftovers(texts, names) == [], f"English on {where}"


def test_leftovers_are_found_as_a_whole_text_or_a_whole_phrase() -> None:
    """The check itself: it must be able to fail."""
    assert leftovers(["Approve", "Goedkeuren"], set()) == [("Approve", "Approve")]
    assert leftovers(["3 open tasks for nl.eva"], set()) == [
        ("3 open tasks for nl.eva", "{count} open tasks for {user}")
    ]
    assert leftovers(["Taak: Record IND decision"], set()) == [("Taak: Record IND decision", "Record IND decision")]
    assert leftovers(["Wachtend bij stap", "Inbox", "RST-00002"], set()) == []  # Dutch, the same in both, a code
    assert leftovers(["Approve movement plan"], {"Approve movement plan"}) == []  # a name is not text


def test_a_dutch_user_reads_no_english_on_any_page(live: LiveStack, inbox: Inbox) -> None:
    add_dutch_user(live)
    names = names_in(live)
    waiting = open_task_per_programme(live)
    assert set(waiting) == set(all_programmes()), f"programmes with no open task in the demo: {waiting}"

    inbox.log_in(DUTCH, live.password)
    expect(inbox.heading(nl("Inbox"))).to_be_visible(timeout=FIRST_RUN_MS)
    expect(inbox.main().get_by_text(re.compile(rf"\d+ open ta(ak|ken) voor {DUTCH}"))).to_be_visible()
    assert_dutch(inbox, names, "the inbox")

    back = inbox.page.get_by_role("button", name=nl("← Inbox"), exact=True)
    for programme, ref in waiting.items():
        task = inbox.task_rows().filter(has_text=ref).first
        click_until(inbox, task, inbox.heading(nl("Decision")), f"the task of {ref}")
        assert_dutch(inbox, names, f"the task page of {programme} ({ref})")
        click_until(inbox, back, inbox.task_rows().first, "the inbox's list")

    ref = most_decided_case(live)
    inbox.go(nl("Cases"))
    expect(inbox.heading(nl("Cases"))).to_be_visible()
    click_until(inbox, inbox.case_rows().filter(has_text=ref), inbox.heading(nl("Timeline")), f"the case {ref}")
    assert_dutch(inbox, names, f"the case page of {ref}")

    inbox.go(nl("Dashboards"))
    expect(inbox.heading(nl("Dashboards"))).to_be_visible()
    expect(inbox.main().get_by_text(nl("Open cases"))).to_be_visible()
    assert_dutch(inbox, names, "the dashboard")
