"""`passage cases list`: a page of the cases one may see, or those a search finds, as a table or JSON."""

import json

from sqlmodel import Session

from tests.cli.test_cli import Passage
from tests.factories import new_case, referral

ROW_KEYS = ["ref", "programme", "title", "status", "step", "opened_at"]


def test_a_search_lists_the_cases_found_as_json_with_stable_keys(db: Session, passage: Passage) -> None:
    new_case(session=db)  # محمد الأحمد
    other = referral(unhcr_ref="TUR-24-000002", persons=[{"full_name": "Omar Khalil", "nationality": "SY"}])
    other["persons"][0]["is_principal"] = True
    new_case(session=db, **other)
    ran = passage("cases", "list", "--search", "Mohammed Al-Ahmad", "--json", "--as", "cw.amal")
    assert ran.code == 0, ran.err
    found = json.loads(ran.out)
    assert list(found) == ["rows", "page", "page_size", "has_more"]
    assert [list(row) for row in found["rows"]] == [ROW_KEYS]
    assert (found["rows"][0]["ref"], found["rows"][0]["status"], found["has_more"]) == ("RST-00001", "new", False)
    everything = json.loads(passage("cases", "list", "--page-size", "1", "--json", "--as", "pm.anna").out)
    assert ([row["ref"] for row in everything["rows"]], everything["has_more"]) == (["RST-00002"], True)
    assert json.loads(passage("cases", "list", "--json", "--as", "cw.other").out)["rows"] == []


def test_the_table_has_a_header_a_line_per_case_and_says_whether_more_follow(db: Session, passage: Passage) -> None:
    new_case(session=db)
    ran = passage("cases", "list", "--search", "leb-24-000101", "--status", "new", "--as", "pm.anna")
    header, row, footer = ran.out.splitlines()
    assert header.split() == ["REF", "PROGRAMME", "STATUS", "STEP", "OPENED", "TITLE"]
    assert row.split()[:4] == ["RST-00001", "resettlement-nl", "new", "-"]
    assert row.endswith("محمد الأحمد (+1), LEB-24-000101")
    assert footer == "page 1: 1 case(s)"


def test_a_page_out_of_range_is_refused_by_its_option(db: Session, passage: Passage) -> None:
    ran = passage("cases", "list", "--page", "0", "--as", "pm.anna")
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.startswith("error: page: ") and ran.err.count("\n") == 1, ran.err
    assert passage("cases", "list", "--status", "lost", "--as", "pm.anna").code == 2  # typer names the choices
