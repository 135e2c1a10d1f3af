"""CSV export: a header from the first row, values as text, names in any script kept, formulas defused."""

from datetime import UTC, date, datetime

import pytest
from pydantic import BaseModel

from models import CaseStatus
from passage.core.tabular import to_csv


class Row(BaseModel):
    ref: str
    status: CaseStatus
    due: date | None


def test_rows_become_csv_with_their_header_and_plain_values() -> None:
    rows: list[dict[str, object]] = [
        {
            "ref": "RST-00001",
            "name": "محمد الأحمد",
            "status": CaseStatus.ACTIVE,
            "at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        },
        {"ref": "RST-00002", "name": 'Anna "Nan", Example', "status": CaseStatus.CLOSED, "at": None},
    ]
    assert to_csv(rows) == (
        "ref,name,status,at\n"
        "RST-00001,محمد الأحمد,active,2026-01-02T03:04:00+00:00\n"
        'RST-00002,"Anna ""Nan"", Example",closed,\n'
    )


def test_pydantic_rows_export_their_fields() -> None:
    assert to_csv([Row(ref="FAM-00003", status=CaseStatus.NEW, due=date(2026, 2, 1))]) == (
        "ref,status,due\nFAM-00003,new,2026-02-01\n"
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+2", "'=1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("+31 20", "'+31 20"), ("-3", "-3"), ("3-4", "3-4")],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text(value: str, cell: str) -> None:
    assert to_csv([{"v": value}]) == f"v\n{cell}\n"


def test_nothing_to_export_is_an_empty_file() -> None:
    assert to_csv([]) == ""
