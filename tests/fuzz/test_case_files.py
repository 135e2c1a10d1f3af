"""Case files of every programme, spoiled: the exact field named, no row written; good ones stored verbatim.

A case file reaches `start_case` from the CLI (`passage cases start --file`) and from the inbox's New case
page, both through a JSON reader that must turn any text into an object or a one-line reason.
"""

import json
from typing import Any
from uuid import uuid4

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from models import Case, Person
from passage.cli.common import read_json
from passage.core import json_text
from passage.core.db import get_engine
from passage.core.errors import FormInvalid, NotFound
from passage.programme import Programme
from passage.programme.registry import all_programmes
from passage.services.delivery import start_case
from tests.fuzz.harness import fuzz, row_counts, untranslated
from tests.fuzz.strategies import NAMES, bad_value, dotted, field_paths, replaced, visible_text
from tests.offline import cut_off_prefect

ACTOR = "cw.amal"  # a case worker of every programme in the demo staff
PROGRAMMES = [p for p in all_programmes().values() if p.examples]
PEOPLE = {"persons", "members"}  # the lists of persons in a case file that must hold no one twice


@pytest.fixture
def offline(db: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    """The test's database, with Prefect unreachable: a case that is accepted waits for the reconciler."""
    cut_off_prefect(monkeypatch)
    return db


@st.composite
def spoiled_case_file(draw: st.DrawFn) -> tuple[Programme, dict[str, Any], str]:
    """A programme's example case file with one field (nested ones included) given a bad value; its path."""
    programme = draw(st.sampled_from(PROGRAMMES))
    example = programme.examples[0].case_file
    path, field = draw(st.sampled_from(field_paths(programme.intake, example)))
    return programme, replaced(example, path, draw(bad_value(field))), dotted(path)


def refused(session: Session, programme: str, case_file: dict[str, Any]) -> FormInvalid:
    before = row_counts(get_engine())
    with pytest.raises(FormInvalid) as refusal:
        start_case(session=session, programme=programme, case_file=case_file, actor=ACTOR)
    assert row_counts(get_engine()) == before  # not a case, a person or an audit event
    return refusal.value


@fuzz(1000)
@given(case=spoiled_case_file())
def test_a_spoiled_field_is_the_one_named_and_nothing_is_written(offline: Session, case: Any) -> None:
    programme, case_file, path = case
    fields = refused(offline, programme.slug, case_file).fields
    assert fields and all(name == path or name.startswith(path + ".") for name in fields), (path, fields)
    assert untranslated(fields.values()) == []


@fuzz(200)
@given(programme=st.sampled_from(PROGRAMMES), key=st.text(min_size=1, max_size=20))
def test_an_unknown_key_is_refused_by_name(offline: Session, programme: Programme, key: str) -> None:
    """A mistyped optional field would otherwise be dropped without a word."""
    case_file = programme.examples[0].case_file
    if key in programme.intake.model_fields:
        return
    fields = refused(offline, programme.slug, {**case_file, key: "x"}).fields
    assert list(fields) == [key.encode("utf-8", "backslashreplace").decode()]


def _with_a_duplicate(programme: Programme) -> dict[str, Any] | None:
    case_file = programme.examples[0].case_file
    key = next((k for k in PEOPLE if k in case_file), None)
    if key is None:
        return None
    people = case_file[key]
    twin = {**people[-1], "is_principal": False} if "is_principal" in people[-1] else people[-1]
    return {**case_file, key: [*people, twin]}


@pytest.mark.parametrize("programme", [p for p in PROGRAMMES if _with_a_duplicate(p)], ids=lambda p: p.slug)
def test_the_same_person_listed_twice_is_refused(offline: Session, programme: Programme) -> None:
    case_file = _with_a_duplicate(programme)
    assert case_file is not None
    fields = refused(offline, programme.slug, case_file)
    assert "the same person is listed twice" in str(fields)


@fuzz(200)
@given(slug=st.text(max_size=40))
def test_an_unknown_programme_is_refused_with_the_known_ones(offline: Session, slug: str) -> None:
    if slug in all_programmes():
        return
    before = row_counts(get_engine())
    with pytest.raises(NotFound) as refused:
        start_case(session=offline, programme=slug, case_file={}, actor=ACTOR)
    assert str(refused.value).startswith(f"unknown programme {slug!r} (known: ") and "\n" not in str(refused.value)
    assert row_counts(get_engine()) == before


NAMED = [p for p in PROGRAMMES if any(path[-1] == "full_name" for path, _f in field_paths(p.intake))]


@fuzz(300)
@given(programme=st.sampled_from(NAMED), name=st.sampled_from(NAMES) | visible_text, title=visible_text)
def test_names_and_titles_in_any_script_are_stored_exactly(
    offline: Session, programme: Programme, name: str, title: str
) -> None:
    """Latin, Arabic, Cyrillic, CJK, Devanagari, Ge'ez, combining marks, emoji, HTML and SQL, as given."""
    case_file = programme.examples[0].case_file
    paths = [p for p, _f in field_paths(programme.intake, case_file) if p[-1] == "full_name"]
    for path in paths:
        case_file = replaced(case_file, path, name)
    # Each try is a case of its own: under a partner number of its own, and opened although its people
    # may be the last try's.
    number = programme.intake.model_validate(case_file).external_ref()
    if number is not None:
        case_file |= {field: f"FZ-{uuid4().hex[:12].upper()}" for field, value in case_file.items() if value == number}
    case = start_case(
        session=offline,
        programme=programme.slug,
        case_file={**case_file, "title": title},
        actor=ACTOR,
        open_anyway=True,
    )
    stored = [p.full_name for p in offline.exec(select(Person).where(Person.case_id == case.id))]
    assert offline.get(Case, case.id).title == title  # type: ignore[union-attr]
    assert stored.count(name) == len(paths)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
).map(json.dumps)
JSONISH = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["[" * 100_000, '{"a": NaN}', '{"a": -Infinity}', "1" * 5_000, '{"a": 1', "\ufeff{}", "null"]),
    json_values,
    json_values.map(lambda text: text[: len(text) // 2]),  # cut off, as a failed upload leaves it
)
"""Text a person may paste or upload as a case file: anything, and JSON broken in the usual ways."""


@fuzz(1000)
@given(text=JSONISH)
def test_any_text_is_an_object_or_a_one_line_reason(text: str) -> None:
    """The reader the CLI and the New case page share: a value, or a JSONDecodeError that says where and why."""
    try:
        value = json_text.loads(text)
    except json.JSONDecodeError as exc:
        value = None
        assert exc.msg.strip() and exc.lineno >= 1
    try:
        cli = read_json(text, "case.json")
    except typer.Exit as exc:
        cli = None
        assert exc.exit_code == 1
    assert cli == (value if isinstance(value, dict) else None)
