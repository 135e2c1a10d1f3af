"""`passage cases import`: row errors on stderr and exit 1, nothing opened unless every row (or --valid-only)."""

import json
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from models import Case
from passage.cli import app
from passage.core.errors import NotPermitted

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "unhcr_referrals.csv"


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    """The sample with a third referral whose nationality is wrong (row 5)."""
    text = SAMPLE.read_text(encoding="utf-8").replace("Huda Sample,SY", "Huda Sample,Syria")
    path = tmp_path / "referrals.csv"
    path.write_text(text, encoding="utf-8")
    return path


def cases(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Case)).one())


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["cases", "import", *args, "--as", "cw.amal", "--programme", "resettlement-nl"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_a_good_file_opens_its_cases(db: Session) -> None:
    code, out, _err = invoke(str(SAMPLE))
    assert code == 0
    assert "opened 3 case(s): RST-00001, RST-00002, RST-00003" in out
    assert cases(db) == 3


def test_the_same_file_again_is_refused_by_row_and_opens_nothing(db: Session) -> None:
    invoke(str(SAMPLE))
    code, out, err = invoke(str(SAMPLE), "--valid-only")
    assert code == 1 and "3 case(s) in 4 row(s): 0 valid" in out
    first = "error: row 2, unhcr_ref: already opened as case RST-00001: a referral is imported once"
    assert err.splitlines()[0] == first
    assert cases(db) == 3


def test_a_dry_run_checks_every_row_and_opens_nothing(db: Session) -> None:
    code, out, _err = invoke(str(SAMPLE), "--dry-run")
    assert (code, cases(db)) == (0, 0)
    assert "3 case(s) in 4 row(s): 3 valid" in out and "dry run: nothing opened" in out


def test_a_wrong_row_is_printed_by_row_and_column_and_nothing_is_opened(db: Session, bad_file: Path) -> None:
    code, out, err = invoke(str(bad_file))
    assert code == 1
    assert err.splitlines() == ["error: row 4, nationality: String should have at most 2 characters"]
    assert "3 case(s) in 4 row(s): 2 valid" in out
    assert cases(db) == 0


def test_with_json_the_answer_holds_the_errors_by_row_and_what_was_opened(db: Session, bad_file: Path) -> None:
    code, out, _err = invoke(str(bad_file), "--json")
    answer = json.loads(out)
    assert code == 1 and cases(db) == 0
    assert answer["errors"] == [
        {"row": 4, "column": "nationality", "message": "String should have at most 2 characters"}
    ]
    assert (answer["read_as"], answer["cases"], answer["valid"], answer["opened"]) == ("csv", 3, 2, None)
    code, out, _err = invoke(str(bad_file), "--valid-only", "--json")
    assert code == 0 and json.loads(out)["opened"] == ["RST-00001", "RST-00002"] and cases(db) == 2


def test_valid_only_opens_the_valid_cases_and_still_prints_the_errors(db: Session, bad_file: Path) -> None:
    code, out, err = invoke(str(bad_file), "--valid-only")
    assert code == 0 and "row 4, nationality" in err
    assert "opened 2 case(s): RST-00001, RST-00002" in out
    assert cases(db) == 2


def test_an_unreadable_file_is_one_error(db: Session, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _out, err = invoke(str(empty))
    assert code == 1 and err.startswith(f"error: {empty}: the file is empty")
    missing_code, _out, missing_err = invoke(str(tmp_path / "nope.csv"))
    assert missing_code == 1 and "no such file" in missing_err


def test_someone_who_is_no_case_worker_of_the_programme_opens_nothing(db: Session) -> None:
    result = CliRunner().invoke(
        app, ["cases", "import", str(SAMPLE), "--programme", "resettlement-nl", "--as", "mo.sara"]
    )
    assert isinstance(result.exception, NotPermitted)
    assert cases(db) == 0


def test_the_import_says_how_it_read_the_file(db: Session, tmp_path: Path) -> None:
    _code, out, _err = invoke(str(SAMPLE), "--dry-run")
    assert out.splitlines()[0] == "read as CSV: UTF-8, separated by ','"
    dutch = tmp_path / "referrals.csv"  # as a Dutch Excel saves "CSV": Windows-1252, ';'
    text = SAMPLE.read_text(encoding="utf-8").replace("Omar Example", "Noël Example")
    dutch.write_bytes(text.replace("women_and_children_at_risk;", "").replace(",", ";").encode("cp1252"))
    code, out, _err = invoke(str(dutch))
    assert code == 0 and out.splitlines()[0] == "read as CSV: Windows-1252, separated by ';'"
    assert "opened 3 case(s)" in out


@pytest.mark.parametrize(("file_format", "start"), [("xlsx", b"PK\x03\x04"), ("csv", b"\xef\xbb\xbfunhcr_ref;")])
def test_a_template_is_written_once_and_imports_as_a_file_to_fill_in(
    db: Session, tmp_path: Path, file_format: str, start: bytes
) -> None:
    path = tmp_path / f"referrals.{file_format}"
    template = ["cases", "template", "resettlement-nl", "--format", file_format, "--output", str(path)]
    written = CliRunner().invoke(app, template)
    assert written.exit_code == 0 and written.stdout == f"wrote {path}\n"
    assert path.read_bytes().startswith(start)
    code, _out, err = invoke(str(path))
    assert (
        code == 1
        and err == f"error: {path}: the file has a header row but no data: add one row per person below the header\n"
    )
    again = CliRunner().invoke(app, template)  # a file of that name, filled in perhaps, is not overwritten
    assert again.exit_code == 1 and "exists: choose another --output" in again.stderr
