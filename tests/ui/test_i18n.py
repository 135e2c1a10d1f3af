"""Dutch and English: every text the pages pass to t() has a Dutch entry; a Dutch user reads Dutch."""

import ast
import json
import tomllib
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from models import User
from models.common import utcnow
from passage.core import errors, prefect_bridge
from passage.core.errors import TaskNotOpen
from passage.core.i18n import catalog, local, reason_in
from passage.core.settings import DEFAULT_QUOTAS
from passage.programme.registry import all_programmes
from passage.services import access, auth
from passage.services.dashboard import UNASSIGNED
from passage.services.users import set_language
from tests.factories import new_case, open_gate
from tests.services.test_dashboard import seed
from tests.ui.conftest import OpenApp, assert_clean, markdown
from tests.ui.test_inbox import IND_DECISION, fill
from ui.i18n import explain, isolated
from ui.intake_fields import are_countries, choices, field_label, is_country, item_type, option_label, unwrap

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


def gate_texts() -> dict[str, str]:
    """Every text a gate shows, as the inbox derives it: its title and description, each field's label and help,
    each choice's label (a country is named by CLDR; its help, the code's, is not shown)."""
    found: dict[str, str] = {}
    for slug, programme in all_programmes().items():
        for spec in programme.gates:
            where = f"{slug}: {spec.step}"
            found.setdefault(spec.title, f"{where} (title)")
            if spec.description:
                found.setdefault(spec.description, f"{where} (description)")
            for name in spec.form.field_names():
                field = spec.form.model_fields[name]
                found.setdefault(field_label(name, field), f"{where}: {name}")
                if field.description and not is_country(field):
                    found.setdefault(field.description, f"{where}: {name} (help)")
                annotation = unwrap(field.annotation)
                options = choices(item_type(annotation) or annotation) or []
                for value in [] if are_countries(options) else options:
                    found.setdefault(option_label(value), f"{where}: {name} = {value}")
    return found


# The calls in flows/ that name a step, and which of their arguments is its title: @step(key, title) and
# record(case, key, title, note). The case page lists these steps beside the gates.
STEP_CALLS = {"step": 1, "record": 2}


def step_titles() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((UI.parent / "flows").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in STEP_CALLS:
                index = STEP_CALLS[node.func.id]
                if len(node.args) > index and (text := _sample(node.args[index])) is not None:
                    found.setdefault(text, f"{path.relative_to(UI.parent)}:{node.lineno}")
    return found


def chart_labels() -> dict[str, str]:
    """The texts the charts pass to `label` (their axes, legends and titles; f-strings with each value)."""
    path = UI.parent / "passage" / "services" / "charts.py"
    found: dict[str, str] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "label" and node.args:
            if isinstance(text := node.args[0], ast.Constant) and isinstance(text.value, str):
                found.setdefault(text.value, f"charts.py:{node.lineno}")
    for by in ("step", "person"):
        found[f"Overdue tasks by {by}"] = "charts.py (overdue_chart)"
    # Tooltips are titled by their field's name; the legends' words by the values they show.
    words = ("quota", "part", "places", "step", "cases", "waiting", "person", "tasks", "measure", "hours", "month")
    found |= dict.fromkeys(words, "charts.py (_tips)")
    found |= dict.fromkeys(("used", "remaining", "median", "90th percentile"), "charts.py (legend)")
    found |= dict.fromkeys(("opened", "completed", UNASSIGNED), "dashboard.py (funnel, overdue by person)")
    found |= {rule.label: "settings.py (a default quota)" for rule in DEFAULT_QUOTAS}
    return found


def test_every_gate_text_of_every_programme_has_a_dutch_entry() -> None:
    texts = gate_texts()
    assert len(texts) > 200  # the scan finds every programme's gates
    assert {text: where for text, where in texts.items() if text not in catalog("nl")} == {}


def test_every_step_title_of_the_flows_has_a_dutch_entry() -> None:
    titles = step_titles()
    assert "Referral check: completeness and quota" in titles
    assert {text: where for text, where in titles.items() if text not in catalog("nl")} == {}


def test_every_word_of_the_charts_and_of_a_masked_decision_has_a_dutch_entry() -> None:
    words = chart_labels() | dict.fromkeys([*access.SUMMARIES.values(), access.WITHHELD], "access.SUMMARIES")
    assert {text: where for text, where in words.items() if text not in catalog("nl")} == {}


def _strings(spec: object) -> list[str]:
    """Every string of a Vega-Lite spec: titles, tooltip titles, the values of its inline data."""
    if isinstance(spec, dict):
        return [
            text for key, value in spec.items() if key not in ("$schema", "field", "type") for text in _strings(value)
        ]
    if isinstance(spec, list):
        return [text for value in spec for text in _strings(value)]
    return [spec] if isinstance(spec, str) else []


def test_a_dutch_user_reads_the_charts_axes_legends_and_steps_in_dutch(db: Session, app: OpenApp) -> None:
    seed(db)
    set_language(session=db, actor="pm.anna", language="nl")
    at = app("pm.anna", page="pages/dashboard.py")
    assert_clean(at)
    specs = [json.loads(element.proto.spec) for element in at.get("vega_lite_chart")]
    assert len(specs) == 6
    shown = {text for spec in specs for text in _strings(spec)}
    assert {"Taken te laat per stap", "stap", "Accepteren voor selectiemissie"} <= shown  # (data is not in the spec)
    english = {key for key, dutch in catalog("nl").items() if dutch != key}
    assert shown & english == set()


def test_a_gates_title_and_its_decision_read_dutch_as_stored_in_english(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="cw.pieter", language="nl")
    gate = {**IND_DECISION, "title": "Record IND decision"}  # as the flow declares it
    task_id = open_gate(session=db, case_id=new_case(session=db), **gate)
    at = app("cw.pieter", task=str(task_id))
    assert_clean(at)
    assert [t.value for t in at.title] == ["IND-besluit vastleggen"]
    assert at.text_input(key=f"task-{task_id}-ind_reference").label == "IND-kenmerk"
    assert at.date_input(key=f"task-{task_id}-decided_on").label == "Besloten op"
    fill(at, task_id, {"ind_reference": "IND-2026-42", "decided_on": date(2026, 1, 5)})
    at.button(key="approve").click().run()
    assert_clean(at)
    case = app("cw.pieter", page="pages/cases.py", case="RST-00001")
    timeline = case.dataframe[1].value
    decided = timeline[timeline["wat"] == "IND-besluit vastleggen: goedgekeurd"]
    assert decided["formulier"].tolist() == ["IND-kenmerk: IND-2026-42, Besloten op: 05-01-2026"]


def test_a_dutch_user_reads_the_inbox_in_dutch_with_dutch_dates(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="pm.anna", language="nl")
    due = utcnow() - timedelta(days=2)
    open_gate(session=db, case_id=new_case(session=db), due_at=due)
    at = app("pm.anna")
    assert_clean(at)
    assert [t.value for t in at.title] == ["Inbox"]
    assert at.caption[0].value == "1 open taak voor pm.anna"
    assert list(at.selectbox(key="filter-due").options)[1] == "Te laat (1)"
    assert any(f"te laat sinds {local(due):%d-%m-%Y}" in m for m in markdown(at))
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
    assert at.caption[0].value == "0 open tasks for pm.joost"
    at.sidebar.selectbox(key="language").set_value("nl").run()
    assert_clean(at)
    assert at.caption[0].value == "0 open taken voor pm.joost"
    db.expire_all()
    assert db.get(User, "pm.joost").language == "nl"  # type: ignore[union-attr]


def test_the_case_page_in_dutch_words_the_timeline_and_its_dates_in_dutch(db: Session, app: OpenApp) -> None:
    due = utcnow() + timedelta(days=5)
    open_gate(session=db, case_id=new_case(session=db), due_at=due)
    at = app("pm.anna", page="pages/cases.py", case="RST-00001")
    assert at.subheader[0].value == "Process"
    at.sidebar.selectbox(key="language").set_value("nl").run()
    assert_clean(at)
    assert [s.value for s in at.subheader] == ["Procesverloop", "Tijdlijn", "Opmerkingen", "Audittrail"]
    timeline = at.dataframe[1].value
    assert list(timeline.columns) == ["wanneer", "wat", "wie", "duur", "toelichting", "formulier"]
    assert timeline["toelichting"].tolist()[1] == f"voor programmamanager, uiterlijk {local(due):%d-%m-%Y}"
    assert timeline["wanneer"].tolist()[0].startswith(f"{local(utcnow()):%d-%m-%Y} ")


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
