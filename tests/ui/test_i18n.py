"""Dutch and English: every text the pages pass to t() has a Dutch entry; a Dutch user reads Dutch."""

import ast
import tomllib
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from models import User
from models.common import utcnow
from passage.core import errors, prefect_bridge
from passage.core.errors import TaskNotOpen
from passage.core.i18n import catalog, reason_in
from passage.services import auth
from passage.services.users import set_language
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, markdown
from tests.ui.test_inbox import IND_DECISION, fill
from ui.i18n import explain, isolated

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


# Where the sentences of a refused field are written: the forms' validators, the models' checks, the import.
REASON_SOURCES = ("flows", "models", "passage/services", "passage/core/json_text.py", "passage/core/spreadsheet.py")
# Calls and class attributes whose literal text a user reads as the reason a field or a file was refused.
REASON_CALLS = {"ValueError", "SheetError", "not_past", "RowError", "_refused"}


def _sample(node: ast.expr) -> str | None:
    """The text of a literal, or of an f-string with each value as "7"; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(part.value) if isinstance(part, ast.Constant) else "7" for part in node.values)
    return None


def field_reasons() -> dict[str, str]:
    """Every literal reason the validators and the import give (f-strings with their values as "7")."""
    found: dict[str, str] = {}
    root = UI.parent
    files = [
        f
        for source in REASON_SOURCES
        for f in ([root / source] if source.endswith(".py") else (root / source).rglob("*.py"))
    ]
    for path in sorted(files):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.stmt | ast.expr):
                continue
            texts: list[ast.expr] = []
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REASON_CALLS:
                texts = [*node.args, *(keyword.value for keyword in node.keywords)]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(
                    isinstance(target, ast.Name) and target.id.endswith(("_error", "message")) for target in targets
                ):
                    texts = [node.value]
            for text in filter(None, map(_sample, texts)):
                found.setdefault(text, f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_reason_a_field_is_refused_for_reads_dutch() -> None:
    reasons = field_reasons()
    assert len(reasons) > 40  # the scan finds the validators' sentences
    assert {text: where for text, where in reasons.items() if reason_in("nl", text) == text} == {}


def test_pydantic_sentences_read_dutch_with_their_values() -> None:
    assert reason_in("nl", "String should have at most 200 characters") == "Vul hoogstens 200 tekens in"
    date_error = "Input should be a valid date or datetime, month value is outside expected range of 1-12"
    assert reason_in("nl", date_error) == "Vul een datum in: de maand ligt niet tussen 1 en 12"
    assert (
        reason_in("nl", "Input should be 'fit', 'fit_with_escort' or 'unfit'")
        == "Kies 'fit', 'fit_with_escort' of 'unfit'"
    )
    # A validator's sentence keeps the field's name; a located reason keeps its path.
    assert (
        reason_in("nl", "persons: the same person is listed twice") == "persons: dezelfde persoon staat er twee keer in"
    )
    assert reason_in("nl", "members.1.birth_date: Field required") == "members.1.birth_date: Dit veld is verplicht"
    assert reason_in("en", "Field required") == "Field required"


def test_a_dutch_reader_reads_a_refusal_in_dutch_with_its_values(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="pm.anna", language="nl")
    at = app("pm.anna", task="424242")
    assert_clean(at)
    assert [e.value for e in at.error] == ["geen taak 424242"]
    assert explain(TaskNotOpen("task {task} is {status}", task=7, status="decided")) == "task 7 is decided"  # English


def test_a_dutch_reader_reads_why_a_field_was_refused_in_dutch(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="cw.pieter", language="nl")
    task_id = open_gate(session=db, case_id=new_case(session=db), **IND_DECISION)
    at = app("cw.pieter", task=str(task_id))
    fill(at, task_id, {"ind_reference": "IND-2026-42", "decided_on": date.today() + timedelta(days=3)})
    at.button(key="approve").click().run()
    assert_clean(at)
    assert "decided_on: deze datum kan niet in de toekomst liggen" in [e.value for e in at.error]
    at.button(key="reject").click().run()
    assert "comment: een afwijzing heeft een reden nodig" in [e.value for e in at.error]


def test_each_dutch_entry_is_defined_in_one_file() -> None:
    """Two files with the same key: the later silently wins, and the two could come to disagree."""
    seen: dict[str, str] = {}
    twice = []
    for path in sorted((UI.parent / "passage" / "core" / "locales" / "nl").glob("*.toml")):
        for key in tomllib.loads(path.read_text(encoding="utf-8")):
            if key in seen:
                twice.append(f"{key!r} in {seen[key]} and {path.name}")
            seen[key] = path.name
    assert twice == []


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


def test_a_dutch_user_filters_the_inbox_cases_and_dashboard_by_their_dutch_choices(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="pm.anna", language="nl")
    open_gate(session=db, case_id=new_case(session=db), due_at=utcnow() - timedelta(days=2))
    inbox = app("pm.anna")
    inbox.selectbox(key="filter-due").set_value("overdue").run()
    assert_clean(inbox)
    assert (inbox.selectbox(key="filter-due").value, inbox.query_params["due"]) == ("overdue", "overdue")
    assert [str(b.key) for b in inbox.button if str(b.key).startswith("open-")] != []
    for page in ("pages/cases.py", "pages/dashboard.py"):
        at = app("pm.anna", page=page)
        chooser = at.selectbox[0]
        assert "Hervestiging naar Nederland" in chooser.options, chooser.options
        chooser.set_value("resettlement-nl").run()
        assert_clean(at)
        assert at.selectbox[0].value == "resettlement-nl"


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
