"""The bugs the fuzz tests found, each kept as a plain example (a traceback, a partial write, a NUL stored...)."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from models import Case
from passage.core import json_text
from passage.core.db import get_engine
from passage.core.errors import FormInvalid
from passage.programme.registry import all_programmes
from passage.services.cases import open_case
from passage.services.decisions import decide
from tests.cli.test_cli import Passage
from tests.factories import new_case, open_gate, referral
from tests.fuzz.harness import row_counts
from tests.fuzz.strategies import BROKEN_JSON

PRINCIPAL = {"full_name": "محمد الأحمد", "nationality": "SY", "birth_date": "1984-03-02", "is_principal": True}
TWINS = [PRINCIPAL, {**PRINCIPAL, "is_principal": False}]  # the same person listed twice


def example(slug: str, **overrides: Any) -> dict[str, Any]:
    return {**all_programmes()[slug].examples[0].case_file, **overrides}


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        # OverflowError: Python int too large to convert to SQLite INTEGER
        (["tasks", "decide", str(2**70), "--approve", "--as", "pm.anna"], 2, "Invalid value for 'task'"),
        (["tasks", "claim", "0", "--as", "pm.anna"], 2, "Invalid value for 'task'"),
        # ValueError: 'badrole' is not a valid Role
        (
            ["users", "add", "cw.new", "--name", "N", "--email", "n@example.org", "--role", "boss", "--as", "admin"],
            1,
            "error: grants.0.role: Input should be 'programme_manager', ",
        ),
        # ValueError: Invalid isoformat string
        (
            ["users", "delegate", "pm.anna", "--to", "pm.joost", "--from", "soon", "--until", "2026-12-01"]
            + ["--as", "admin"],
            2,
            "Invalid value for '--from'",
        ),
        # ValueError: invalid literal for int() with base 10: '²'
        (["privacy", "export", "²", "--as", "pm.anna"], 1, "error: no person called '²'"),
        (["privacy", "export", str(2**70), "--as", "pm.anna"], 1, f"error: no person {2**70}"),
        # UnicodeEncodeError: a lone surrogate (undecodable bytes in argv) reached SQLite as a username
        (["tasks", "list", "--as", "pm.\udcff"], 1, "error: --as: U+DCFF is not a character"),
        (["tasks", "list", "--as", "pm.\x00anna"], 1, "error: --as: control character U+0000 is not allowed"),
        # A name with a line break split its error over two lines
        (["tasks", "list", "--as", "pm.\nanna"], 1, "error: no active user 'pm.\\nanna'"),
        (["tasks", "list", "--as", "pm.anna", "--programme", "a\nb"], 1, "error: unknown programme 'a\\nb' (known: "),
    ],
)
def test_a_bad_argument_is_refused_in_one_line_not_a_traceback(
    db: Session, passage: Passage, args: list[str], code: int, error: str
) -> None:
    before = row_counts(get_engine())
    ran = passage(*args)
    assert ran.code == code and error in ran.err, ran
    assert code == 2 or ran.err.count("\n") == 1
    assert row_counts(get_engine()) == before


@pytest.mark.parametrize(
    ("slug", "case_file", "field"),
    [
        # NUL reached the database: PostgreSQL refuses it in text (a traceback), SQLite stored it
        ("resettlement-nl", referral(title="Family\x00A"), "title"),
        (
            "family-reunification",
            example("family-reunification", sponsor={**PRINCIPAL, "municipality": "Utrecht\x00"}),
            "sponsor.municipality",
        ),
        ("diaspora", example("diaspora", institution="Ministry\x1b[31m"), "institution"),
        # a lone surrogate (JSON's "\ud800") could not be encoded for the database at all
        ("diaspora", example("diaspora", institution="Ministry \ud800"), "institution"),
        # a title longer than its column (VARCHAR(200)): PostgreSQL refused it with a traceback
        ("resettlement-nl", referral(title="T" * 201), "title"),
        # blank once stripped, yet accepted by min_length
        ("diaspora", example("diaspora", institution="   "), "institution"),
        # the same person twice: refused by some programmes only
        ("third-country", example("third-country", persons=TWINS), "form"),
        ("voluntary-return", example("voluntary-return", persons=TWINS), "form"),
        # a mistyped key was dropped without a word: the birth date silently lost
        ("resettlement-nl", referral(persons=[{**PRINCIPAL, "birthdate": "1984-03-02"}]), "persons.0.birthdate"),
        ("resettlement-nl", referral(vulnerabilites=["medical_needs"]), "vulnerabilites"),
        # a date no one means: year 1 or 9999 in a field with no other bound
        ("labour-inclusion", example("labour-inclusion", planned_on="0001-01-01"), "planned_on"),
        ("funder-report", example("funder-report", period_to="9999-12-31"), "period_to"),
    ],
)
def test_a_bad_case_file_field_is_named_and_nothing_is_stored(
    db: Session, slug: str, case_file: dict[str, Any], field: str
) -> None:
    before = row_counts(get_engine())
    with pytest.raises(FormInvalid) as refused:
        open_case(session=db, programme=slug, case_file=case_file, actor="cw.amal")
    assert field in refused.value.fields, refused.value.fields
    assert row_counts(get_engine()) == before


def test_a_title_made_from_a_200_character_name_fits_its_column(db: Session) -> None:
    """The summary adds the reference to the name: 200 + 20 characters did not fit VARCHAR(200) on PostgreSQL."""
    case_id = new_case(session=db, persons=[{**PRINCIPAL, "full_name": "ن" * 200}])
    title = db.get(Case, case_id).title  # type: ignore[union-attr]
    assert len(title) == 200 and title.endswith("…")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ind_reference": "IND\x00-1", "decided_on": "2026-01-01"}, "ind_reference"),
        ({"ind_reference": "   ", "decided_on": "2026-01-01"}, "ind_reference"),
        ({"ind_reference": "IND-1", "decided_on": "0001-01-01"}, "decided_on"),
    ],
)
def test_a_bad_gate_form_field_is_named_and_nothing_is_stored(db: Session, data: dict[str, Any], field: str) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db), step="ind-decision", form_type="ind-decision")
    before = row_counts(get_engine())
    with pytest.raises(FormInvalid) as refused:
        decide(session=db, task_id=task_id, actor="pm.anna", approve=True, data=data, deliver=False)
    assert field in refused.value.fields
    assert row_counts(get_engine()) == before


def test_a_comment_with_a_nul_is_refused(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    with pytest.raises(FormInvalid) as refused:
        decide(session=db, task_id=task_id, actor="pm.anna", approve=False, comment="no\x00", deliver=False)
    assert list(refused.value.fields) == ["comment"]


def test_surrounding_whitespace_is_stripped_and_inner_text_kept(db: Session) -> None:
    case_id = new_case(session=db, title="  Family  of\tfour \n")
    assert db.get(Case, case_id).title == "Family  of\tfour"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "reason"),
    [pytest.param(text, reason, id=name) for name, (text, reason) in BROKEN_JSON.items()],
)
def test_json_that_broke_the_reader_is_one_reason_in_the_cli(
    db: Session, passage: Passage, tmp_path: Path, text: str, reason: str
) -> None:
    """The New case page reads with the same `json_text.loads` (tests/ui/test_new_case_bad_json.py)."""
    with pytest.raises(json.JSONDecodeError, match=re.escape(reason)):
        json_text.loads(text)
    file = tmp_path / "case.json"
    file.write_text(text, encoding="utf-8")
    before = row_counts(get_engine())
    ran = passage("cases", "start", "resettlement-nl", "--file", str(file), "--as", "cw.amal")
    assert ran.code == 1 and reason in ran.err and ran.err.count("\n") == 1
    assert row_counts(get_engine()) == before
