"""Dutch and English: every text the pages pass to t() has a Dutch entry; a Dutch user reads Dutch."""

import ast
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from models import User
from models.common import utcnow
from passage import prefect_bridge
from passage.services import auth, errors
from passage.services.errors import TaskNotOpen
from passage.services.users import set_language
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, markdown
from ui.i18n import catalog, explain, isolated

UI = Path(__file__).resolve().parents[2] / "ui"


def texts_given_to_t() -> dict[str, str]:
    """Every literal first argument of a call to `t(...)` in ui/, with where it is."""
    found: dict[str, str] = {}
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(UI.parent)}:{node.lineno}")
    return found


# The refusals a user may read: PassageError and its subclasses, wherever they are declared.
REFUSALS = {
    name
    for module in (errors, auth, prefect_bridge)
    for name, value in vars(module).items()
    if isinstance(value, type) and issubclass(value, errors.PassageError)
}


def refusal_templates() -> dict[str, str]:
    """Every literal template a PassageError (or a subclass) is raised or returned with in passage/."""
    found: dict[str, str] = {}
    for path in sorted((UI.parent / "passage").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in REFUSALS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(UI.parent)}:{node.lineno}")
    return found


def test_every_refusal_of_the_services_has_a_dutch_entry() -> None:
    templates = refusal_templates()
    assert len(templates) > 40  # the scan finds the services' refusals
    assert {text: where for text, where in templates.items() if text not in catalog("nl")} == {}


def test_a_dutch_reader_reads_a_refusal_in_dutch_with_its_values(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="pm.anna", language="nl")
    at = app("pm.anna", task="424242")
    assert_clean(at)
    assert [e.value for e in at.error] == ["geen taak 424242"]
    assert explain(TaskNotOpen("task {task} is {status}", task=7, status="decided")) == "task 7 is decided"  # English


def test_every_text_given_to_t_has_a_dutch_entry() -> None:
    texts = texts_given_to_t()
    assert len(texts) > 50  # the scan finds the pages' texts
    missing = {text: where for text, where in texts.items() if text not in catalog("nl")}
    assert missing == {}


def test_a_dutch_user_reads_the_inbox_in_dutch_with_dutch_dates(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="pm.anna", language="nl")
    due = utcnow() - timedelta(days=2)
    open_gate(session=db, case_id=new_case(session=db), due_at=due)
    at = app("pm.anna")
    assert_clean(at)
    assert [t.value for t in at.title] == ["Inbox"]
    assert at.caption[0].value == "1 open taak/taken voor pm.anna"
    assert list(at.selectbox(key="filter-due").options)[1] == "Te laat (1)"
    assert any(f"te laat sinds {due:%d-%m-%Y}" in m for m in markdown(at))
    assert [b.label for b in at.button if b.key == "logout"] == ["Uitloggen"]


def test_the_language_switch_saves_the_choice_and_the_page_follows(db: Session, app: OpenApp) -> None:
    at = app("pm.joost")
    assert at.caption[0].value == "0 open task(s) for pm.joost"
    at.sidebar.selectbox(key="language").set_value("nl").run()
    assert_clean(at)
    assert at.caption[0].value == "0 open taak/taken voor pm.joost"
    db.expire_all()
    assert db.get(User, "pm.joost").language == "nl"  # type: ignore[union-attr]


def test_the_case_page_in_dutch_words_the_timeline_and_its_dates_in_dutch(db: Session, app: OpenApp) -> None:
    due = utcnow() + timedelta(days=5)
    open_gate(session=db, case_id=new_case(session=db), due_at=due)
    at = app("pm.anna", page="pages/cases.py", case="RST-00001")
    assert at.subheader[0].value == "Process"
    # Switched on the case page itself: AppTest formats a rerun's selectbox values outside the page's
    # session, in English, so a rerun of the Dutch inbox's filters would not find them (a browser sends indices).
    at.sidebar.selectbox(key="language").set_value("nl").run()
    assert_clean(at)
    assert [s.value for s in at.subheader] == ["Procesverloop", "Tijdlijn", "Audittrail"]
    timeline = at.dataframe[1].value
    assert list(timeline.columns) == ["wanneer (UTC)", "wat", "wie", "duur", "toelichting", "formulier"]
    assert timeline["toelichting"].tolist()[1] == f"voor programmamanager, uiterlijk {due:%d-%m-%Y}"
    assert timeline["wanneer (UTC)"].tolist()[0].startswith(f"{utcnow():%d-%m-%Y} ")


def test_a_name_in_arabic_script_is_isolated_so_the_text_around_it_keeps_its_order() -> None:
    assert isolated("احمد نوری (+2) from PK, ISB-2026-0117") == "\u2068احمد نوری\u2069 (+2) from PK, ISB-2026-0117"
    assert isolated("Rania Example and زینب‌احمدی") == "Rania Example and \u2068زینب‌احمدی\u2069"
    assert isolated("Zoë Ångström, 王秀英") == "Zoë Ångström, 王秀英"  # left-to-right scripts: unchanged


def test_the_inbox_shows_an_arabic_name_isolated(db: Session, app: OpenApp) -> None:
    person = {"full_name": "احمد نوری", "nationality": "AF", "birth_date": "1980-01-01", "is_principal": True}
    open_gate(session=db, case_id=new_case(session=db, persons=[person]))
    at = app("pm.anna")
    assert_clean(at)
    assert any("\u2068احمد نوری\u2069" in text for text in markdown(at))
