"""`passage cases start` and `import` with duplicates: the same file twice is one case, likely duplicates listed."""

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, func, select

from models import AuditEvent, Case
from passage.services.cases import open_case
from tests.cli.test_cli import Passage
from tests.factories import referral
from tests.services.test_duplicates import LATIN_TWIN, SAME_BIRTHDAY, transfer

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "unhcr_referrals.csv"
MATCH_KEYS = ["new_name", "case_ref", "programme", "status", "name", "birth_date"]


def write(tmp_path: Path, name: str, content: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_start_names_the_case_a_file_opened_and_lists_likely_duplicates(
    db: Session, passage: Passage, tmp_path: Path
) -> None:
    referral_file = write(tmp_path, "referral.json", referral())
    start = ("cases", "start", "resettlement-nl", "--file", referral_file, "--as", "cw.amal")
    assert passage(*start).code == 0
    again = passage(*start)
    assert (again.code, again.out) == (0, "already opened as RST-00001 (new)\n")
    other = write(tmp_path, "other.json", referral(persons=[{**SAME_BIRTHDAY, "is_principal": True}]))
    refused = passage("cases", "start", "resettlement-nl", "--file", other, "--as", "cw.amal")
    assert refused.err == "error: LEB-24-000101 is already case RST-00001, with other data: a referral is opened once\n"

    twin = ("cases", "start", "afghan-transfer", "--file", write(tmp_path, "twin.json", transfer(LATIN_TWIN)))
    warned = passage(*twin, "--as", "cw.amal")
    assert warned.code == 1
    assert warned.out == "RST-00001  resettlement-nl  new  محمد الأحمد  1984-03-02  (like Mohammed Al-Ahmad)\n"
    hint = "error: 1 possible duplicate(s) found: check them, then rerun with --open-anyway to open the case\n"
    assert warned.err == hint
    as_json = passage(*twin, "--as", "cw.amal", "--json")
    assert as_json.code == 1 and [list(match) for match in json.loads(as_json.out)] == [MATCH_KEYS]
    opened = passage(*twin, "--as", "cw.amal", "--open-anyway")
    assert (opened.code, opened.out.split(" ")[0]) == (0, "AFG-00002")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "case.opened_despite_duplicates")).one()


def test_an_import_lists_likely_duplicates_by_row_and_opens_them_only_when_confirmed(
    db: Session, passage: Passage
) -> None:
    rania = {"full_name": "RANIA EXAMPLE", "nationality": "SY", "birth_date": "1985-04-12", "is_principal": True}
    open_case(session=db, programme="afghan-transfer", case_file=transfer(rania), actor="cw.amal")
    command = ("cases", "import", str(SAMPLE), "--programme", "resettlement-nl", "--as", "cw.amal")
    listed = passage(*command)
    assert listed.code == 1
    assert listed.err.splitlines() == [
        "possible duplicate: row(s) 2, 3, Rania Example: AFG-00001  afghan-transfer  new  RANIA EXAMPLE  1985-04-12",
        "error: 1 possible duplicate(s): check them, then rerun with --open-anyway",
    ]
    assert "opened 3 case(s): RST-00002, RST-00003, RST-00004" in passage(*command, "--open-anyway").out
    assert passage(*command, "--open-anyway").code == 1  # the same file again: every row already opened
    assert db.exec(select(func.count()).select_from(Case)).one() == 4
