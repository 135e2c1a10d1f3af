"""The case page's comments: shown as typed (never Markdown or HTML), added from the page, refused by field,
a medical note masked for those who may not read it."""

import re

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from models import CaseComment
from passage.services.comments import add_comment
from tests.factories import new_case
from tests.ui.conftest import OpenApp, assert_clean, markdown
from tests.ui.test_text import assert_shown_as_text
from ui.text import plain

CASES = "pages/cases.py"
REF = "RST-00001"
MARKUP = "**bold** <b>x</b>\n[link](javascript:alert(1)) ![x](https://attacker.example.org/p.png)"


def add_button(at: AppTest) -> Button:
    return next(b for b in at.button if b.label == "Add comment")


def test_a_comment_shows_as_plain_text_with_its_asterisks(db: Session, app: OpenApp) -> None:
    new_case(session=db)
    add_comment(session=db, actor="cw.amal", case_ref=REF, text=MARKUP)
    at = app("pm.anna", page=CASES, case=REF)
    assert_clean(at)
    shown = markdown(at)
    assert plain(MARKUP).replace("\n", "  \n") in shown  # every sign escaped: the asterisks show
    assert not [m for m in shown if "**bold**" in m or "<b>" in m or re.search(r"(?<!\\)\]\(", m)]
    assert any(m.startswith("**cw.amal** · ") for m in shown)
    assert_shown_as_text(at, "**bold** <b>x</b>")  # as rendered: the asterisks and the tag read as typed, no link


def test_a_case_worker_adds_a_comment_and_an_empty_one_is_refused_under_the_field(db: Session, app: OpenApp) -> None:
    new_case(session=db)
    at = app("cw.amal", page=CASES, case=REF)
    assert_clean(at)
    assert [c for c in at.checkbox if c.key == "comment-medical"] == []  # only medical officers mark a note medical
    add_button(at).click().run()
    assert_clean(at)
    assert [e.value for e in at.error] == ["String should have at least 1 character"]
    at.text_area(key="comment-text").input("Family asked about the flight date @pm.anna")
    add_button(at).click().run()
    assert_clean(at)
    assert at.error.len == 0 and at.text_area(key="comment-text").value == ""
    assert plain("Family asked about the flight date @pm.anna") in markdown(at)
    assert db.exec(select(CaseComment.text)).all() == ["Family asked about the flight date @pm.anna"]


def test_a_medical_officer_writes_a_medical_note_the_manager_reads_only_that_it_exists(
    db: Session, app: OpenApp
) -> None:
    new_case(session=db)
    at = app("mo.sara", page=CASES, case=REF)
    at.text_area(key="comment-text").input("TB treatment until March")
    at.checkbox(key="comment-medical").check()
    add_button(at).click().run()
    assert_clean(at)
    assert "TB treatment until March" in markdown(at)
    manager = app("pm.anna", page=CASES, case=REF)
    assert_clean(manager)
    assert not [m for m in markdown(manager) if "TB treatment" in m]
    assert "A medical note: only medical officers read it." in [c.value for c in manager.caption]
