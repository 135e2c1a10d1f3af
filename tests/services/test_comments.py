"""Comments on a case through the service layer: who reads and writes, medical notes, audit, mentions."""

import inspect

import pytest
from sqlmodel import Session, col, select

from models import AuditEvent, CaseComment, Notification, NotificationKind, User
from models.comment import COMMENT_LENGTH
from passage.core.errors import FormInvalid, NotFound, NotPermitted
from passage.services import comments
from passage.services.comments import add_comment, case_comments
from tests.factories import new_case, open_gate

REF = "RST-00001"
HEALTH = "TB treatment until March; oxygen on the flight"


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))).all())


def told(db: Session) -> dict[str, Notification]:
    rows = db.exec(select(Notification).where(Notification.kind == NotificationKind.MENTIONED)).all()
    return {row.recipient or "": row for row in rows}


def test_anyone_with_a_role_in_the_programme_writes_and_reads_the_thread_oldest_first(db: Session) -> None:
    case_id = new_case(session=db)
    add_comment(session=db, actor="cw.amal", case_ref=REF, text="Family asked about the flight date")
    add_comment(session=db, actor="mv.tom", case_id=case_id, text="Flight options sent by mail")
    for reader in ("pm.anna", "cw.pieter", "mo.sara", "mv.tom"):
        thread = case_comments(session=db, actor=reader, case_ref=REF)
        assert [(c.author, c.text) for c in thread] == [
            ("cw.amal", "Family asked about the flight date"),
            ("mv.tom", "Flight options sent by mail"),
        ]


@pytest.mark.parametrize("outsider", ["cw.other", "admin", "nobody"])
def test_no_one_without_a_role_in_the_programme_reads_or_writes(db: Session, outsider: str) -> None:
    new_case(session=db)
    add_comment(session=db, actor="cw.amal", case_ref=REF, text="Seen")
    with pytest.raises((NotPermitted, NotFound)):
        case_comments(session=db, actor=outsider, case_ref=REF)
    with pytest.raises((NotPermitted, NotFound)):
        add_comment(session=db, actor=outsider, case_ref=REF, text="Let me in")
    assert len(db.exec(select(CaseComment)).all()) == 1


def test_a_medical_note_is_read_by_medical_officers_and_the_others_see_only_that_it_exists(db: Session) -> None:
    new_case(session=db)
    written = add_comment(session=db, actor="mo.sara", case_ref=REF, text=HEALTH, medical=True)
    before = len(events(db, "sensitive.read"))
    [masked] = case_comments(session=db, actor="pm.anna", case_ref=REF)
    assert (masked.author, masked.medical, masked.withheld, masked.text) == ("mo.sara", True, True, None)
    assert masked.created_at == written.created_at
    assert len(events(db, "sensitive.read")) == before  # nothing shown, nothing recorded
    [shown] = case_comments(session=db, actor="mo.sara", case_ref=REF)
    assert (shown.text, shown.withheld) == (HEALTH, False)
    [read] = events(db, "sensitive.read")[before:]
    assert (read.actor, read.detail["comments"], read.detail["where"]) == ("mo.sara", [shown.id], "comments")


def test_only_a_medical_officer_marks_a_comment_medical(db: Session) -> None:
    new_case(session=db)
    with pytest.raises(NotPermitted):
        add_comment(session=db, actor="pm.anna", case_ref=REF, text=HEALTH, medical=True)
    assert db.exec(select(CaseComment)).all() == []


def test_each_comment_is_an_audit_event_that_names_it_and_not_its_text(db: Session) -> None:
    case_id = new_case(session=db)
    task = open_gate(session=db, case_id=case_id, step="fit-to-travel", title="Fit to travel")
    medical = add_comment(session=db, actor="mo.sara", case_ref=REF, text=HEALTH, medical=True, task_id=task)
    plain = add_comment(session=db, actor="pm.anna", case_ref=REF, text="Waiting for the IND")
    added = events(db, "comment.added")
    assert [(e.actor, e.case_id, e.task_id, e.detail["comment"], e.detail["medical"]) for e in added] == [
        ("mo.sara", case_id, task, medical.id, True),
        ("pm.anna", case_id, None, plain.id, False),
    ]
    assert all(HEALTH not in str(e.detail) and "IND" not in str(e.detail) for e in added)
    assert medical.step == "fit-to-travel"  # written on the task: the task's step


def test_a_comment_on_a_task_of_another_case_is_refused(db: Session) -> None:
    new_case(session=db)
    other = open_gate(session=db, case_id=new_case(session=db))
    with pytest.raises(NotFound):
        add_comment(session=db, actor="pm.anna", case_ref=REF, text="Wrong task", task_id=other)


def test_comments_are_append_only_no_service_changes_or_deletes_one() -> None:
    functions = [name for name, value in inspect.getmembers(comments, inspect.isfunction) if not name.startswith("_")]
    changing = ("edit", "update", "change", "delete", "remove", "set_", "correct")
    assert [name for name in functions if name.startswith(changing)] == []


@pytest.mark.parametrize(
    "text",
    [
        "**bold** <b>x</b>",
        "<script>alert(1)</script>",
        "[link](javascript:alert(1))",
        "![x](https://example.org/p.png)",
    ],
)
def test_markdown_and_html_are_stored_verbatim(db: Session, text: str) -> None:
    new_case(session=db)
    add_comment(session=db, actor="cw.amal", case_ref=REF, text=text)
    assert db.exec(select(CaseComment.text)).one() == text
    assert [c.text for c in case_comments(session=db, actor="pm.anna", case_ref=REF)] == [text]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "at least 1"),
        ("   \n ", "at least 1"),
        ("red \x1b[31m alert", "control character U+001B"),
        ("x" * (COMMENT_LENGTH + 1), f"at most {COMMENT_LENGTH}"),
    ],
)
def test_an_empty_too_long_or_control_character_comment_is_refused_by_field(db: Session, text: str, why: str) -> None:
    new_case(session=db)
    with pytest.raises(FormInvalid) as refused:
        add_comment(session=db, actor="cw.amal", case_ref=REF, text=text)
    assert list(refused.value.fields) == ["text"] and why in refused.value.fields["text"]
    assert db.exec(select(CaseComment)).all() == []


def test_a_mention_tells_the_colleague_and_no_stranger(db: Session) -> None:
    new_case(session=db)
    disabled = db.get(User, "cw.pieter")
    assert disabled is not None
    disabled.active = False
    db.add(disabled)
    db.commit()
    text = "@mo.sara please look. @cw.other @admin @cw.pieter @nobody @pm.anna, mail ann@example.org"
    add_comment(session=db, actor="pm.anna", case_ref=REF, text=text)
    messages = told(db)
    assert list(messages) == ["mo.sara"]  # not the author, an outsider, the admin, the disabled, the unknown
    message = messages["mo.sara"]
    assert message.title == "[Passage] pm.anna mentioned you on RST-00001"
    assert "please look" not in message.title + message.body and "/cases?case=RST-00001" in message.body
    assert message.tags == "user:mo.sara"
    [event] = events(db, "comment.added")
    assert event.detail["mentioned"] == ["mo.sara"]


def test_a_medical_note_tells_only_those_who_may_read_it_and_never_what_it_says(db: Session) -> None:
    new_case(session=db)
    add_comment(session=db, actor="mo.sara", case_ref=REF, text=f"@pm.anna @mv.tom {HEALTH}", medical=True)
    assert told(db) == {}  # neither may read it: a message would point them at a note they cannot open
    add_comment(session=db, actor="pm.anna", case_ref=REF, text="@mo.sara see the medical note")
    assert list(told(db)) == ["mo.sara"]
    assert all(HEALTH not in row.title + row.body for row in db.exec(select(Notification)).all())


def test_mentions_are_read_once_each_and_a_full_stop_after_one_is_not_part_of_the_name() -> None:
    assert comments.mentions("@pm.anna and @mo.sara. Again @pm.anna; x@y.org (@mv.tom)") == [
        "pm.anna",
        "mo.sara",
        "mv.tom",
    ]
