"""A Dutch user reads a case's stored English words in Dutch: its title, its outcome, what a task gives to review."""

import pytest
from sqlmodel import Session

from models import Case, CaseStatus
from passage.core.i18n import case_title_in, reason_in
from passage.services.cases import close_case
from passage.services.users import set_language
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, markdown

# Each programme's title as its intake's summary() stores it (flows/*_forms.py), and as a Dutch reader reads it.
TITLES = [
    ("Amina Yusuf (+2) from LB, KBL-7", "Amina Yusuf (+2) uit Libanon, KBL-7"),
    ("Ali Hassan (+1) to US", "Ali Hassan (+1) naar Verenigde Staten"),
    ("Reza Karimi returning to IQ", "Reza Karimi keert terug naar Irak"),
    ("Dr. Ngozi at University of Lagos (NG, physical)", "Dr. Ngozi bij University of Lagos (Nigeria, ter plaatse)"),
    ("LEARN network session: Hiring (2026-03-01)", "LEARN netwerksessie: Hiring (2026-03-01)"),
    ("LEARN report to SZW, 2026-01-01–2026-03-31", "LEARN rapportage aan SZW, 2026-01-01–2026-03-31"),
]


@pytest.mark.parametrize(("stored", "dutch"), TITLES)
def test_a_stored_case_title_reads_dutch_and_stays_as_stored_in_english(stored: str, dutch: str) -> None:
    assert case_title_in("nl", stored) == dutch
    assert case_title_in("en", stored) == stored


@pytest.mark.parametrize("typed", ["Trip to Paris", "Amal Haddad, LEB-24-000101", "Ali to Z1", "Ali Hassan from L…"])
def test_a_title_no_template_knows_stays_as_it_is(typed: str) -> None:
    """Typed by hand, a programme whose title has no English words, a code that is no country, cut short."""
    assert case_title_in("nl", typed) == typed


def test_a_closed_cases_outcome_reads_dutch_with_its_comment_as_typed() -> None:
    refused = "identity not verified: papers unreadable"
    assert reason_in("nl", refused) == "identiteit niet vastgesteld: papers unreadable"
    assert reason_in("nl", "withdrawn: no-show") == "ingetrokken: niet verschenen"
    arrived = "2 of 3 family members arrived 2026-02-01, sponsor informed; left the journey: Sara"
    assert reason_in("nl", arrived) == (
        "2 van 3 gezinsleden aangekomen 2026-02-01, referent geïnformeerd; uit de reis gegaan: Sara"
    )


def _titled(db: Session, title: str) -> int:
    """A case whose stored title is another programme's English one."""
    case_id = new_case(session=db)
    case = db.get(Case, case_id)
    assert case is not None
    case.title = title
    db.add(case)
    db.commit()
    return case_id


def test_a_dutch_user_reads_the_case_title_in_the_inbox_the_task_and_the_case_list(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="pm.anna", language="nl")
    task_id = open_gate(session=db, case_id=_titled(db, TITLES[0][0]))
    inbox = app("pm.anna")
    assert_clean(inbox)
    assert any(TITLES[0][1] in line for line in markdown(inbox)), markdown(inbox)
    assert not any(TITLES[0][0] in line for line in markdown(inbox))
    task = app("pm.anna", task=str(task_id))
    assert_clean(task)
    assert [s.value for s in task.subheader][0] == TITLES[0][1]
    cases = app("pm.anna", page="pages/cases.py")
    assert any(TITLES[0][1] in line for line in markdown(cases)), markdown(cases)


def test_a_dutch_user_reads_a_closed_cases_title_and_outcome_in_dutch(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="pm.anna", language="nl")
    case_id = _titled(db, TITLES[2][0])
    close_case(session=db, case_id=case_id, status=CaseStatus.REJECTED, outcome="not fit to travel")
    at = app("pm.anna", page="pages/cases.py", case="RST-00001")
    assert_clean(at)
    assert [t.value for t in at.title] == [TITLES[2][1]]
    assert any("niet reisgeschikt" in line for line in markdown(at)), markdown(at)
    timeline = at.dataframe[1].value
    assert "niet reisgeschikt" in timeline["toelichting"].tolist()
    english = app("pm.joost", page="pages/cases.py", case="RST-00001")
    assert [t.value for t in english.title] == [TITLES[2][0]]
    assert any("not fit to travel" in line for line in markdown(english))


def test_what_a_task_gives_to_review_reads_with_the_forms_labels(db: Session, app: OpenApp) -> None:
    context = {"medical_needs_reported": True, "fitness": "fit_with_escort", "members": ["Sara", "Omar"]}
    task_id = open_gate(session=db, case_id=new_case(session=db), context=context)
    english = app("pm.joost", task=str(task_id))
    assert_clean(english)
    assert not english.json, "the context is shown as lines, not as JSON"
    shown = "\n".join(markdown(english))
    assert "Medical needs reported: yes" in shown and "Members: Sara, Omar" in shown, shown
    set_language(session=db, actor="pm.anna", language="nl")
    dutch = "\n".join(markdown(app("pm.anna", task=str(task_id))))
    assert "Gemelde medische behoeften: ja" in dutch and "medical_needs_reported" not in dutch, dutch
