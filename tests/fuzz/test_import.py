"""Spreadsheets of cases, spoiled one cell at a time: that row and column named, the other cases untouched.

A sample file of each programme with an import (docs/samples) is written back as CSV with one cell
replaced by a value its field must refuse; the import is then opened for real: only the valid cases,
all at once.
"""

import csv
import io
from itertools import count
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic.fields import FieldInfo
from sqlmodel import Session, func, select

from models import Case
from passage.programme import ImportLayout, Programme
from passage.programme.registry import get_programme
from passage.services.importing import ImportPlan, mark_already_opened, open_imported, read_import
from tests.fuzz.harness import fuzz, untranslated
from tests.fuzz.strategies import bad_value, field_paths, huge_text, with_control

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
FILES = {"resettlement-nl": "unhcr_referrals.csv", "family-reunification": "ind_requests.csv"}
Sheet = tuple[list[str], list[list[str]]]


def sample(programme: str) -> Sheet:
    header, *rows = csv.reader(io.StringIO((SAMPLES / FILES[programme]).read_text(encoding="utf-8")))
    return header, rows


def field_of(spec: Programme, layout: ImportLayout, column: str) -> FieldInfo:
    """The case file's field a column fills: a case column by its path, a member column in the first member."""
    example = spec.examples[0].case_file
    fields = dict(field_paths(spec.intake, example))
    if column in layout.case_columns:
        return fields[tuple(layout.case_columns[column].split("."))]
    return fields[(layout.members, 0, column)]


def _in_utf8(text: str) -> bool:
    """A lone surrogate cannot be written to a UTF-8 file (an unreadable file is tested in tests/services)."""
    return not any("\ud800" <= char <= "\udfff" for char in text)


def refused_cell(field: FieldInfo) -> st.SearchStrategy[str]:
    """Cell text the field must refuse: a control character, too long, or wrong for its type.

    The import strips each cell as a spreadsheet user expects, so a refused character sits inside the text
    (at an edge, a vertical tab is whitespace) and a typed value has no edge to strip; a blank cell means
    "not given", which an optional field accepts.
    """
    inside = with_control().map(lambda text: f"x{text}x")
    typed = bad_value(field).filter(lambda value: isinstance(value, str) and value and value == value.strip())
    return st.one_of(inside, huge_text, typed).filter(_in_utf8)


@st.composite
def spoiled_sheet(draw: st.DrawFn) -> tuple[str, Sheet, int, str]:
    """A sample with one cell spoiled; the programme, the sheet, and the row and column of that cell."""
    programme = draw(st.sampled_from(sorted(FILES)))
    spec = get_programme(programme)
    layout = spec.import_layout
    assert layout is not None
    header, rows = sample(programme)
    index = draw(st.integers(0, len(rows) - 1))
    column = draw(st.sampled_from([name for name in header if name != layout.key]))
    rows[index][header.index(column)] = draw(refused_cell(field_of(spec, layout, column)))
    return programme, (header, rows), index + 2, column  # row 1 is the header


def as_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([sheet[0], *sheet[1]])
    return out.getvalue().encode("utf-8")


def checked(programme: str, sheet: Sheet) -> ImportPlan:
    return read_import(content=as_csv(sheet), filename="referrals.csv", programme=programme)


@fuzz(1000)
@given(spoiled=spoiled_sheet())
def test_a_spoiled_cell_is_named_by_row_and_column_and_only_its_case_is_refused(spoiled: Any) -> None:
    programme, sheet, row, column = spoiled
    plan = checked(programme, sheet)
    assert (row, column) in {(error.row, error.column) for error in plan.errors}, plan.errors
    [spoiled_case] = [case for case in plan.cases if row in case.rows]
    assert {error.row for error in plan.errors} <= set(spoiled_case.rows), plan.errors
    assert [case.key for case in plan.cases if not case.valid] == [spoiled_case.key]
    assert untranslated(error.message for error in plan.errors) == []


_numbers = count(1)


def renumbered(programme: str, sheet: Sheet) -> Sheet:
    """The sheet with new case keys, so that every example imports cases not opened before."""
    header, rows = sheet
    key = header.index(get_programme(programme).import_layout.key)  # type: ignore[union-attr]
    fresh: dict[str, str] = {}
    for row in rows:
        row[key] = fresh.setdefault(row[key], f"FUZZ-{next(_numbers):08d}")
    return header, rows


def cases(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Case)).one())


@fuzz(200)
@given(spoiled=spoiled_sheet())
def test_confirming_a_spoiled_file_opens_exactly_its_valid_cases(db: Session, spoiled: Any) -> None:
    programme, sheet, _row, _column = spoiled
    plan = mark_already_opened(session=db, plan=checked(programme, renumbered(programme, sheet)))
    before = cases(db)
    result = open_imported(session=db, plan=plan, actor="cw.amal", open_anyway=True)  # same people each try
    assert len(result.refs) == len(plan.valid_cases) == len(plan.cases) - 1
    assert cases(db) == before + len(result.refs)
