"""Importing cases from CSV and Excel: every row checked, errors by row and column, all cases or none."""

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from models import AuditEvent, Case, CaseStatus, Person
from passage.core.errors import NotPermitted, PassageError
from passage.core.settings import get_settings
from passage.services import cases as case_service
from passage.services import importing
from passage.services.cases import cases_to_launch
from passage.services.importing import RowError, mark_already_opened, open_imported, read_import

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
HEADER = "unhcr_ref,country_of_asylum,quota_year,vulnerabilities,full_name,nationality,birth_date,is_principal"
YEAR = date.today().year
BAD = f"""{HEADER}
LEB-26-000901,LB,{YEAR},,Nadia Example,SY,1990-01-01,yes
LEB-26-000902,LB,{YEAR},,Karim Example,sy,1991-02-02,yes
LEB-26-000902,LX,{YEAR},tall,Sami Example,SY,2999-01-01,no
LEB-26-000903,LB,{YEAR},,Rami Example,SY,1992-03-03,yes
LEB-26-000903,LB,{YEAR},,Lina Example,SY,1993-04-04,yes
,LB,{YEAR},,Nobody Example,SY,,no
"""


def referrals(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Case)).one())


def plan_of(text: str, name: str = "referrals.csv", programme: str = "resettlement-nl") -> importing.ImportPlan:
    return read_import(content=text.encode(), filename=name, programme=programme)


def test_a_good_file_opens_every_case_for_the_reconciler_to_start(db: Session) -> None:
    plan = read_import(
        content=(SAMPLES / "unhcr_referrals.csv").read_bytes(),
        filename="unhcr_referrals.csv",
        programme="resettlement-nl",
    )
    assert plan.ok and plan.rows == 4
    assert [(c.key, c.rows) for c in plan.cases] == [
        ("LEB-26-000201", [2, 3]),
        ("JOR-26-000305", [4]),
        ("TUR-26-000412", [5]),
    ]
    result = open_imported(session=db, plan=plan, actor="cw.amal")
    assert result.refs == ["RST-00001", "RST-00002", "RST-00003"]
    family = db.exec(select(Case).where(Case.ref == "RST-00001")).one()
    assert family.status == CaseStatus.NEW and set(family.flags) - {"minor"} == {"medical_needs"}  # Omar: a minor
    assert family.data["quota_year"] == 2026
    names = db.exec(select(Person.full_name, Person.is_principal).where(Person.case_id == family.id)).all()
    assert names == [("Rania Example", True), ("Omar Example", False)]
    assert [c.ref for c in cases_to_launch(session=db)] == result.refs
    opened = db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.opened")).one()
    assert opened == 3


def sample(name: str, programme: str) -> importing.ImportPlan:
    return read_import(content=(SAMPLES / name).read_bytes(), filename=name, programme=programme)


@pytest.mark.parametrize(
    ("name", "programme", "column"),
    [("unhcr_referrals.csv", "resettlement-nl", "unhcr_ref"), ("ind_requests.csv", "family-reunification", "ind_ref")],
)
def test_a_file_imported_twice_opens_its_cases_once(db: Session, name: str, programme: str, column: str) -> None:
    first = open_imported(session=db, plan=sample(name, programme), actor="cw.amal")
    again = mark_already_opened(session=db, plan=sample(name, programme))
    assert again.valid_cases == []
    assert [(e.row, e.column) for e in again.errors] == [(case.rows[0], column) for case in again.cases]
    assert [e.message.split(":")[0] for e in again.errors] == [f"already opened as case {ref}" for ref in first.refs]
    assert referrals(db) == len(first.refs)


def test_a_preview_made_before_another_import_opens_nothing(db: Session) -> None:
    stale = mark_already_opened(session=db, plan=sample("unhcr_referrals.csv", "resettlement-nl"))
    open_imported(session=db, plan=sample("unhcr_referrals.csv", "resettlement-nl"), actor="cw.amal")
    with pytest.raises(PassageError, match=r"already opened, nothing imported: LEB-26-000201 \(RST-00001\)"):
        open_imported(session=db, plan=stale, actor="cw.pieter")
    assert referrals(db) == 3


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(db: Session) -> None:
    plan = plan_of(BAD)
    assert [(e.row, e.column) for e in plan.errors] == [
        (3, "nationality"),
        (4, "birth_date"),
        (4, "country_of_asylum"),
        (4, "vulnerabilities"),
        (5, ""),  # two principals: the case as a whole, at its first row
        (7, "unhcr_ref"),
    ]
    assert "differs from row 3" in plan.errors[2].message
    assert "exactly one person must be the principal" in plan.errors[4].message
    assert [c.key for c in plan.valid_cases] == ["LEB-26-000901"]
    assert referrals(db) == 0


def test_confirming_opens_only_the_valid_cases(db: Session) -> None:
    result = open_imported(session=db, plan=plan_of(BAD), actor="cw.amal")
    assert result.refs == ["RST-00001"]
    assert db.exec(select(Case.title)).all() == ["Nadia Example, LEB-26-000901"]


def test_a_failure_midway_writes_none_of_the_cases(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = case_service.record_case, []

    def second_fails(**kwargs: Any) -> Case:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(case_service, "record_case", second_fails)
    plan = read_import(
        content=(SAMPLES / "unhcr_referrals.csv").read_bytes(), filename="r.csv", programme="resettlement-nl"
    )
    with pytest.raises(RuntimeError):
        open_imported(session=db, plan=plan, actor="cw.amal")
    assert referrals(db) == 0
    assert db.exec(select(func.count()).select_from(Person)).one() == 0


def test_only_a_case_worker_of_the_programme_may_import(db: Session) -> None:
    plan = plan_of(BAD)
    with pytest.raises(NotPermitted):
        open_imported(session=db, plan=plan, actor="cw.other")
    assert referrals(db) == 0


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_file_reads_like_its_csv_dates_and_numbers_included() -> None:
    content = xlsx(
        [
            HEADER.split(","),
            ["LEB-26-000201", "LB", 2026, "medical_needs", "Rania Example", "SY", datetime(1985, 4, 12), True],
            ["LEB-26-000201", "LB", 2026.0, "medical_needs", "Omar Example", "SY", date(2014, 9, 30), False],
        ]
    )
    plan = read_import(content=content, filename="Referrals.XLSX", programme="resettlement-nl")
    assert plan.ok, plan.errors
    (case,) = plan.cases
    assert case.case_file["quota_year"] == "2026"
    assert case.case_file["persons"][0] == {
        "full_name": "Rania Example",
        "nationality": "SY",
        "birth_date": "1985-04-12",
        "is_principal": "true",
    }


def test_ind_requests_repeat_the_sponsor_and_a_sponsor_error_names_its_column() -> None:
    text = (SAMPLES / "ind_requests.csv").read_text(encoding="utf-8")
    assert plan_of(text, programme="family-reunification").ok
    broken = text.replace("Zwolle", "Z")
    errors = plan_of(broken, programme="family-reunification").errors
    assert [(e.row, e.column) for e in errors] == [(4, "sponsor_municipality")]


def test_a_semicolon_separated_file_from_a_dutch_excel_is_read() -> None:
    text = (SAMPLES / "unhcr_referrals.csv").read_text(encoding="utf-8")
    text = text.replace("women_and_children_at_risk;unaccompanied_minor", "women_and_children_at_risk").replace(
        ",", ";"
    )
    plan = plan_of("\ufeff" + text)
    assert plan.ok, plan.errors
    assert len(plan.cases) == 3


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (
            b"",
            "r.csv",
            RowError(row=0, column="", message="the file is empty: expected a header row and at least one row of data"),
        ),
        (b"\n\n", "r.csv", "the file is empty"),
        (b"unhcr_ref,naam\nX", "r.csv", "unknown column; the expected header is: unhcr_ref, country_of_asylum"),
        (b"PK\x03\x04 not really a workbook", "r.xlsx", "not a readable Excel workbook"),
        (f"{HEADER}\nna\u00efve\x81".encode("latin-1"), "r.csv", "neither UTF-8 nor Windows-1252 text (line 2)"),
        (HEADER.encode(), "r.csv", "the file has a header row but no data"),
        (b"a,b", "referrals.pdf", "neither a .csv nor an .xlsx file"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_error(content: bytes, name: str, expected: RowError | str) -> None:
    plan = read_import(content=content, filename=name, programme="resettlement-nl")
    assert plan.cases == []
    if isinstance(expected, RowError):
        assert plan.errors == [expected]
    else:
        assert expected in plan.errors[0].message


def test_a_missing_required_column_is_named() -> None:
    plan = plan_of(HEADER.replace(",is_principal", "") + "\nLEB-26-000901,LB,2026,,Nadia Example,SY,1990-01-01\n")
    assert [(e.row, e.column) for e in plan.errors] == [(1, "is_principal")]
    assert plan.errors[0].message.startswith("missing column")


def test_a_file_over_the_limits_is_refused_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSAGE_IMPORT_MAX_ROWS", "3")
    get_settings.cache_clear()
    try:
        rows = "\n".join(f"LEB-26-00{n:04d},LB,2026,,Person {n},SY,,yes" for n in range(4))
        (error,) = plan_of(f"{HEADER}\n{rows}\n").errors
        assert error.message == "the file has 4 rows; at most 3 can be imported at once"
        huge = read_import(content=b"x" * 5_000_001, filename="r.csv", programme="resettlement-nl")
        assert huge.errors[0].message == "the file has 5,000,001 bytes; at most 5 MB can be imported at once"
    finally:
        get_settings.cache_clear()
