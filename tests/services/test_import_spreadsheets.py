"""Excel both ways: what the exports and templates write, the import reads back, as Excel or as a Windows-1252
CSV that a Dutch Excel saves; the import says how it read a file, and a letter lost to '?' is caught."""

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from models import Case, Person
from passage.core.spreadsheet import CP1252, UTF8, UTF8_BOM
from passage.core.tabular import to_csv, to_xlsx
from passage.programme.registry import all_programmes, get_programme
from passage.services.importing import FileFormat, import_template, open_imported, read_import, template_rows

LAYOUTS = sorted(slug for slug, spec in all_programmes().items() if spec.import_layout is not None)
DUTCH = ("Chloë Daniëlle Example", "René Example", "Anaïs Example")


def as_dutch_excel_saves(rows: list[dict[str, object]]) -> bytes:
    """Our CSV export opened in a Dutch Excel and saved as "CSV (gescheiden door lijstscheidingsteken)":
    ';' between cells, Windows-1252, no byte-order mark."""
    return to_csv(rows).decode("utf-8-sig").encode("cp1252", errors="replace")


def same_case_file(programme: str, case_file: dict[str, Any]) -> dict[str, Any]:
    """A case file as the programme validates it (typed), to compare what was read with what was written."""
    return get_programme(programme).intake.model_validate(case_file).model_dump()


def names_of(session: Session, ref: str) -> list[str]:
    query = select(Person.full_name).join(Case).where(Case.ref == ref).order_by(col(Person.id))
    return list(session.exec(query))


def dutch_family() -> list[dict[str, object]]:
    """The resettlement example with Dutch names: letters Windows-1252 holds."""
    rows = template_rows("resettlement-nl")
    return [{**row, "full_name": name} for row, name in zip(rows, DUTCH, strict=True)]


@pytest.mark.parametrize("programme", LAYOUTS)
def test_an_exported_workbook_of_cases_round_trips_through_the_import(programme: str) -> None:
    rows = template_rows(programme)
    assert rows, "each programme with an import has an example case"
    plan = read_import(content=to_xlsx({"cases": rows}), filename="cases.xlsx", programme=programme)
    assert plan.ok, plan.errors
    assert (plan.read_as, plan.encoding, plan.separator) == (FileFormat.XLSX, None, None)
    (case,) = plan.cases
    example = get_programme(programme).examples[0].case_file
    assert same_case_file(programme, case.case_file) == same_case_file(programme, example)


def test_arabic_names_reach_the_database_intact_through_an_exported_workbook(db: Session) -> None:
    content = to_xlsx({"cases": template_rows("resettlement-nl")})
    result = open_imported(
        session=db, plan=read_import(content=content, filename="c.xlsx", programme="resettlement-nl"), actor="cw.amal"
    )
    assert names_of(db, result.refs[0]) == ["محمد الأحمد", "فاطمة الأحمد", "ليلى الأحمد"]


def test_a_windows_1252_csv_from_a_dutch_excel_round_trips_and_says_how_it_was_read(db: Session) -> None:
    content = as_dutch_excel_saves(dutch_family())
    assert "ë".encode("cp1252") in content and b"\xef\xbb\xbf" not in content  # really Windows-1252
    plan = read_import(content=content, filename="referrals.csv", programme="resettlement-nl")
    assert plan.ok, plan.errors
    assert (plan.read_as, plan.encoding, plan.separator) == (FileFormat.CSV, CP1252, ";")
    assert [person["full_name"] for person in plan.cases[0].case_file["persons"]] == list(DUTCH)
    result = open_imported(session=db, plan=plan, actor="cw.amal")
    assert names_of(db, result.refs[0]) == list(DUTCH)


@pytest.mark.parametrize(
    ("content", "encoding", "separator"),
    [
        ("unhcr_ref,full_name\nX,Zoë".encode(), UTF8, ","),
        ("\ufeffunhcr_ref;full_name\r\nX;Zoë".encode(), UTF8_BOM, ";"),
        ("unhcr_ref;full_name\r\nX;Zoë".encode("cp1252"), CP1252, ";"),
        ("unhcr_ref,full_name\r\nX,Zoë".encode("cp1252"), CP1252, ","),
    ],
)
def test_the_import_says_which_encoding_and_separator_it_read(content: bytes, encoding: str, separator: str) -> None:
    plan = read_import(content=content, filename="r.csv", programme="resettlement-nl")
    assert (plan.encoding, plan.separator) == (encoding, separator)
    assert plan.errors[0].row == 1 and plan.errors[0].message.startswith("missing column")  # read as columns


def test_a_name_excel_could_not_write_in_windows_1252_is_refused_at_its_cell() -> None:
    """Arabic script in a Windows-1252 "CSV" becomes "?" (all ASCII then: it reads as UTF-8): refused, not opened."""
    content = as_dutch_excel_saves(template_rows("resettlement-nl"))
    assert b"??" in content
    plan = read_import(content=content, filename="referrals.csv", programme="resettlement-nl")
    assert plan.valid_cases == []
    assert [(error.row, error.column) for error in plan.errors] == [(row, "full_name") for row in (2, 3, 4)]
    assert "save the file as 'CSV UTF-8'" in plan.errors[0].message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"unhcr_ref\r\n\x81", "the file is neither UTF-8 nor Windows-1252 text (line 2); save it as UTF-8"),
        ("unhcr_ref\r\nX".encode("utf-16"), "the file is not CSV text (UTF-16 or binary)"),
    ],
)
def test_a_file_in_neither_encoding_is_one_clear_error(content: bytes, message: str) -> None:
    (error,) = read_import(content=content, filename="r.csv", programme="resettlement-nl").errors
    assert error.row == 0 and error.message.startswith(message)
    assert read_import(content=content, filename="r.csv", programme="resettlement-nl").read_as is None


@pytest.mark.parametrize("programme", LAYOUTS)
@pytest.mark.parametrize("file_format", list(FileFormat))
def test_each_layouts_template_is_its_header_and_imports_as_a_file_to_fill_in(
    programme: str, file_format: FileFormat
) -> None:
    layout = get_programme(programme).import_layout
    assert layout is not None
    content = import_template(programme=programme, file_format=file_format)
    plan = read_import(content=content, filename=f"template.{file_format.value}", programme=programme)
    (error,) = plan.errors
    assert (error.row, error.column) == (0, "")
    assert error.message == "the file has a header row but no data: add one row per person below the header"
    if file_format is FileFormat.CSV:
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        assert tuple(header) == layout.columns
        return
    cases, example = load_workbook(io.BytesIO(content)).worksheets
    assert (cases.title, example.title, cases.freeze_panes) == ("cases", "example", "A2")
    assert [[cell.value for cell in row] for row in cases.iter_rows()] == [list(layout.columns)]
    # The example sheet, saved as a file of its own, is a valid case of the programme.
    rows = [[cell.value for cell in row] for row in example.iter_rows()]
    assert rows[0] == list(layout.columns) and len(rows) == len(template_rows(programme)) + 1
    own = to_xlsx({"example": [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]})
    assert read_import(content=own, filename="example.xlsx", programme=programme).ok


def test_formula_like_names_stay_text_through_a_workbook() -> None:
    formula = '=HYPERLINK("https://attacker.example.org/","x")'
    rows = [{**row, "full_name": name} for row, name in zip(dutch_family(), (formula, "-Ali", "+31"), strict=True)]
    plan = read_import(content=to_xlsx({"cases": rows}), filename="c.xlsx", programme="resettlement-nl")
    assert plan.ok, plan.errors
    assert [p["full_name"] for p in plan.cases[0].case_file["persons"]] == [formula, "-Ali", "+31"]
