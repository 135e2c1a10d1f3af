"""The new-case page: any registered programme opened from its case file, and refusals that store nothing."""

import json
from typing import Any

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from models import Case, CaseStatus
from passage.core import prefect_bridge
from passage.core.db import get_engine
from passage.core.i18n import catalog
from passage.programme.registry import all_programmes
from passage.services.cases import list_cases, persons_of
from passage.services.users import set_language
from tests.ui.conftest import OpenApp, assert_clean
from ui.i18n import isolated

NEW_CASE = "pages/new_case.py"
RESETTLEMENT = all_programmes()["resettlement-nl"]
WITH_EXAMPLES = [slug for slug, programme in all_programmes().items() if programme.examples]


def stored() -> list[tuple[Case, list[str]]]:
    """Every case with its persons' names, read afresh (the page wrote them in its own session)."""
    with Session(get_engine()) as session:
        return [
            (case, [p.full_name for p in persons_of(session=session, case_id=case.id or 0)])
            for case in list_cases(session=session, actor="system")
        ]


def new_case(user: str, app: OpenApp, slug: str) -> AppTest:
    at = app(user, page=NEW_CASE)
    at.selectbox(key="new-case-programme").set_value(slug).run()
    assert_clean(at)
    return at


def submit(at: AppTest, slug: str, case_file: str | None = None) -> AppTest:
    if case_file is not None:
        at.text_area(key=f"case-file-{slug}").set_value(case_file)
    at.button(key="open-case").click().run()
    assert_clean(at)
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_the_page_offers_every_registered_programme_with_its_first_example(db: Session, app: OpenApp) -> None:
    at = app("cw.amal", page=NEW_CASE)
    assert_clean(at)
    assert at.selectbox(key="new-case-programme").options == [p.title for p in all_programmes().values()]
    editor = at.text_area(key="case-file-resettlement-nl").value
    assert json.loads(editor or "") == RESETTLEMENT.examples[0].case_file
    assert "محمد الأحمد" in (editor or "")  # shown in its script, not as \u escapes


@pytest.mark.parametrize("slug", WITH_EXAMPLES)
def test_a_case_worker_opens_a_case_from_the_prefilled_example(db: Session, app: OpenApp, slug: str) -> None:
    programme = all_programmes()[slug]
    at = submit(new_case("cw.amal", app, slug), slug)
    assert errors(at) == []
    [(case, names)] = stored()
    assert (case.programme, case.opened_by, case.status, case.flow_run_id) == (slug, "cw.amal", CaseStatus.NEW, None)
    example = programme.intake.model_validate(programme.examples[0].case_file)
    assert names == [person["full_name"] for person in example.people()]
    assert case.data == example.model_dump(mode="json")
    expected = f"Case `{case.ref}` opened: {case.title}; Prefect did not answer, the reconciler will start its flow."
    assert [s.value for s in at.success] == [expected]
    at.button(key="go-to-case").click().run()
    assert_clean(at)
    assert at.query_params["case"] == case.ref
    assert at.query_params["as"] == "cw.amal"
    assert [t.value for t in at.title] == [isolated(case.title)]


def test_the_page_says_when_the_flow_has_started(db: Session, app: OpenApp, monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_case("cw.amal", app, RESETTLEMENT.slug)
    monkeypatch.setattr(prefect_bridge, "start_run", lambda **_: "run-1")  # Prefect answers this time
    submit(at, RESETTLEMENT.slug)
    [(case, _names)] = stored()
    assert (case.status, case.flow_run_id) == (CaseStatus.ACTIVE, "run-1")
    assert [s.value for s in at.success] == [f"Case `{case.ref}` opened: {case.title}; its flow has started."]


def test_names_in_arabic_script_are_stored_exactly_as_submitted(db: Session, app: OpenApp) -> None:
    case_file: dict[str, Any] = {**RESETTLEMENT.examples[0].case_file}
    case_file["persons"] = [
        {"full_name": "عبد الرحمن الشامي", "nationality": "SY", "birth_date": "1980-01-01", "is_principal": True},
        {"full_name": "ذبیح‌الله احمدی", "nationality": "AF", "birth_date": "2010-05-05"},  # Dari, with a ZWNJ
    ]
    at = submit(new_case("cw.pieter", app, RESETTLEMENT.slug), RESETTLEMENT.slug, json.dumps(case_file))
    assert errors(at) == []
    [(_case, names)] = stored()
    assert names == ["عبد الرحمن الشامي", "ذبیح‌الله احمدی"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{\n  "unhcr_ref": "LEB-24-001337",\n}',
            "The case file is not valid JSON: Expecting property name enclosed in double quotes at line 3, column 1.",
        ),
        ("[]", "The case file must be a JSON object ({...}), not an array."),
    ],
)
def test_a_case_file_that_is_not_a_json_object_is_refused_with_where(
    db: Session, app: OpenApp, text: str, message: str
) -> None:
    at = submit(new_case("cw.amal", app, RESETTLEMENT.slug), RESETTLEMENT.slug, text)
    assert errors(at) == [message]
    assert len(at.success) == 0
    assert stored() == []


def test_a_bad_field_is_shown_with_its_path_and_reason(db: Session, app: OpenApp) -> None:
    case_file = json.loads(json.dumps(RESETTLEMENT.examples[0].case_file))
    case_file["persons"][1]["birth_date"] = "20-11-1987"
    at = submit(new_case("cw.amal", app, RESETTLEMENT.slug), RESETTLEMENT.slug, json.dumps(case_file))
    first, *fields = errors(at)
    assert first == "The case file was not accepted; correct these fields and submit again."
    assert fields == ["`persons.1.birth_date`: Input should be a valid date or datetime, invalid character in year"]
    assert len(at.success) == 0
    assert stored() == []


@pytest.mark.parametrize(
    ("user", "reason"),
    [
        ("pm.anna", "pm.anna is not a case worker of resettlement-nl"),
        ("cw.other", "cw.other is not a case worker of resettlement-nl"),  # a case worker of another programme
    ],
)
def test_a_user_without_the_case_worker_role_of_the_programme_is_refused(
    db: Session, app: OpenApp, user: str, reason: str
) -> None:
    at = submit(new_case(user, app, RESETTLEMENT.slug), RESETTLEMENT.slug)
    expected = f"Refused: {reason}. Only a case worker of {RESETTLEMENT.title} can open its cases."
    assert errors(at) == [expected]
    assert len(at.success) == 0
    assert stored() == []


def test_a_dutch_case_worker_reads_the_page_and_its_refusals_in_dutch(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="cw.amal", language="nl")
    at = app("cw.amal", page=NEW_CASE)
    assert_clean(at)
    assert [t.value for t in at.title] == ["Nieuw dossier"]
    programme = at.selectbox(key="new-case-programme")
    assert (programme.label, programme.options[0]) == ("Programma", "Hervestiging naar Nederland")
    assert [c.value for c in at.caption] == ["Een voordracht van UNHCR: één gezin (of één persoon) dat samen reist."]
    assert at.text_area(key="case-file-resettlement-nl").label == "Dossierbestand (JSON)"
    assert at.button(key="open-case").label == "Dossier openen"
    submit(at, RESETTLEMENT.slug, '{\n  "unhcr_ref": "LEB-24-001337",\n}')
    expected = "veldnaam tussen dubbele aanhalingstekens verwacht op regel 3, kolom 1."
    assert errors(at) == [f"Het dossierbestand is geen geldige JSON: {expected}"]
    case_file = json.loads(json.dumps(RESETTLEMENT.examples[0].case_file))
    case_file["persons"][1]["birth_date"] = "20-11-1987"
    submit(at, RESETTLEMENT.slug, json.dumps(case_file))
    assert errors(at) == [
        "Het dossierbestand is niet geaccepteerd; verbeter deze velden en dien het opnieuw in.",
        "`persons.1.birth_date`: Vul een datum in: ongeldig teken in het jaar",
    ]
    assert stored() == []


def test_every_programme_is_named_and_described_in_dutch() -> None:
    texts = {text for programme in all_programmes().values() for text in (programme.title, programme.intake.__doc__)}
    assert {text for text in texts if text and text not in catalog("nl")} == set()
