"""`passage cases amend`: correct, add and remove a person; refusals one line per field; decisions to review."""

import json
from pathlib import Path

from sqlmodel import Session, select

from models import AuditEvent, Case, Person
from passage.services.decisions import decide
from tests.cli.test_cli import Passage
from tests.factories import new_case, open_gate


def names(db: Session, case_id: int) -> list[tuple[int, str, str | None]]:
    db.expire_all()
    rows = db.exec(select(Person).where(Person.case_id == case_id).order_by(Person.id)).all()  # type: ignore[arg-type]
    return [(p.number, p.full_name, p.birth_date.isoformat() if p.birth_date else None) for p in rows]


def test_correct_add_and_remove_a_person_from_the_command_line(db: Session, passage: Passage, tmp_path: Path) -> None:
    case_id = new_case(session=db)
    child = db.exec(select(Person).where(Person.case_id == case_id, Person.number == 2)).one()
    amend = ("cases", "amend", "RST-00001", "--as", "cw.amal")
    ran = passage(
        *amend, "--reason", "UNHCR: year", "--person", str(child.id), "--set", "birth_date=2001-07-01", "--json"
    )
    assert ran.code == 0, ran.err
    done = json.loads(ran.out)
    assert (done["change"], done["persons"], done["for_review"]) == ("corrected", {str(child.id): ["birth_date"]}, [])
    assert db.get(Case, case_id).flags == []  # type: ignore[union-attr]  # no minor left
    newborn = tmp_path / "newborn.json"
    newborn.write_text(json.dumps({"full_name": "طفل الأحمد", "nationality": "SY"}, ensure_ascii=False), "utf-8")
    ran = passage(*amend, "--reason", "born in Beirut", "--add-person", str(newborn))
    assert ran.code == 0, ran.err
    added = db.exec(select(Person).where(Person.case_id == case_id, Person.number == 3)).one()
    assert ran.out == f"RST-00001: person {added.id} added (person {added.id}: full_name, nationality)\n"
    ran = passage(*amend, "--reason", "stays in Lebanon", "--remove-person", str(child.id))
    assert (ran.code, ran.out) == (0, f"RST-00001: person {child.id} removed (person {child.id}: -)\n")
    assert names(db, case_id) == [(1, "محمد الأحمد", "1984-03-02"), (3, "طفل الأحمد", None)]
    trail = db.exec(select(AuditEvent.detail).where(AuditEvent.action == "case.amended")).all()
    assert [d["change"] for d in trail] == ["corrected", "added", "removed"]


def test_a_refused_amendment_is_one_line_per_field_and_writes_nothing(db: Session, passage: Passage) -> None:
    case_id = new_case(session=db)
    child = db.exec(select(Person).where(Person.case_id == case_id, Person.number == 2)).one()
    amend = ("cases", "amend", "RST-00001", "--as", "cw.amal", "--reason", "typo", "--person", str(child.id))
    ran = passage(*amend, "--set", "birth_date=2999-01-01", "--set", "nationality=sy")
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.splitlines() == [
        "error: nationality: use a two-letter ISO country code in capitals, e.g. SY",
        "error: birth_date: a birth date must lie between 1900 and today",
    ]
    both = passage(*amend, "--remove-person", str(child.id))
    assert both.err == (
        "error: amend one thing at a time: --person with --set, --add-person or --add, or --remove-person\n"
    )
    outsider = passage("cases", "amend", "RST-00001", "--as", "mo.sara", "--reason", "x", "--remove-person", "1")
    assert outsider.err == "error: mo.sara is not a case worker or programme manager of resettlement-nl\n"
    assert names(db, case_id) == [(1, "محمد الأحمد", "1984-03-02"), (2, "زینب احمدی", "2012-07-01")]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "case.amended")).first() is None


def test_a_decision_marked_for_review_is_listed_and_cleared_by_a_manager(db: Session, passage: Passage) -> None:
    case_id = new_case(session=db)
    task_id = open_gate(session=db, case_id=case_id)
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, deliver=False)
    ran = passage("cases", "amend", "RST-00001", "--as", "cw.amal", "--reason", "newborn", "--add", "full_name=Baby")
    assert ran.code == 1 and ran.err == "error: nationality: Field required\n"
    ran = passage(
        "cases",
        "amend",
        "RST-00001",
        "--as",
        "cw.amal",
        "--reason",
        "newborn",
        "--add",
        "full_name=Baby",
        "--add",
        "nationality=SY",
    )
    assert ran.code == 0, ran.err
    assert ran.out.splitlines()[1] == f"  decisions marked for review: tasks {task_id}"
    [review] = json.loads(passage("cases", "reviews", "RST-00001", "--as", "pm.anna", "--json").out)
    assert (review["task_id"], review["title"], review["reason"]) == (
        task_id,
        "Accept for selection mission",
        "newborn",
    )
    refused = passage("cases", "reviewed", str(review["id"]), "--as", "cw.amal")
    assert refused.err == "error: cw.amal is not a programme manager of resettlement-nl\n"
    assert passage("cases", "reviewed", str(review["id"]), "--as", "pm.anna").out == f"review {review['id']} cleared\n"
    assert passage("cases", "reviews", "RST-00001", "--as", "pm.anna").out == ""
