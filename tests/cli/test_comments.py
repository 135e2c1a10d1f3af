"""`passage cases comment` and `passage cases comments`: write, read (a medical note masked), refusals as one line."""

import json

from sqlmodel import Session, select

from models import AuditEvent, Notification
from tests.cli.test_cli import Passage
from tests.factories import new_case, open_gate

HEALTH = "TB treatment until March"


def test_a_comment_written_and_read_back_with_a_medical_note_masked_for_the_manager(
    db: Session, passage: Passage
) -> None:
    new_case(session=db)
    said = passage("cases", "comment", "RST-00001", "--text", "**Flight** <b>moved</b> @mo.sara", "--as", "cw.amal")
    assert (said.code, said.out) == (0, "comment 1 added to RST-00001\n"), said.err
    medical = passage("cases", "comment", "RST-00001", "--text", HEALTH, "--medical", "--as", "mo.sara", "--json")
    assert medical.code == 0, medical.err
    assert json.loads(medical.out)["medical"] is True
    read = passage("cases", "comments", "RST-00001", "--as", "pm.anna")
    assert read.code == 0, read.err
    assert "  **Flight** <b>moved</b> @mo.sara\n" in read.out  # as typed
    assert HEALTH not in read.out and "(only medical officers read it)" in read.out
    [plain, masked] = json.loads(passage("cases", "comments", "RST-00001", "--as", "pm.anna", "--json").out)
    assert (plain["author"], masked["text"], masked["withheld"]) == ("cw.amal", None, True)
    assert HEALTH in passage("cases", "comments", "RST-00001", "--as", "mo.sara").out
    assert [n.recipient for n in db.exec(select(Notification)).all()] == ["mo.sara"]
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "comment.added")).all()) == 2


def test_a_comment_written_on_a_task_carries_its_step(db: Session, passage: Passage) -> None:
    task = open_gate(session=db, case_id=new_case(session=db), step="fit-to-travel", title="Fit to travel")
    said = passage("cases", "comment", "RST-00001", "--text", "x", "--task", str(task), "--as", "pm.anna", "--json")
    assert said.code == 0, said.err
    assert {k: json.loads(said.out)[k] for k in ("task_id", "step")} == {"task_id": task, "step": "fit-to-travel"}
    wrong = passage("cases", "comment", "RST-00001", "--text", "x", "--task", str(task + 1), "--as", "pm.anna")
    assert (wrong.code, wrong.err) == (1, f"error: no task {task + 1} on case RST-00001\n")


def test_refusals_are_one_error_line(db: Session, passage: Passage) -> None:
    new_case(session=db)
    outsider = passage("cases", "comments", "RST-00001", "--as", "cw.other")
    assert (outsider.code, outsider.err) == (1, "error: cw.other has no role in resettlement-nl\n")
    medical = passage("cases", "comment", "RST-00001", "--text", HEALTH, "--medical", "--as", "pm.anna")
    assert medical.code == 1 and medical.err.startswith("error: pm.anna may not write a medical note")
    empty = passage("cases", "comment", "RST-00001", "--text", "  ", "--as", "pm.anna")
    assert empty.code == 1 and empty.err.startswith("error: text: String should have at least 1 character")
