"""User text is shown as text: a name, title or comment written as Markdown or HTML is never rendered.

Every page's Markdown (st.markdown, titles, captions, alerts and the labels of buttons and other widgets)
is rendered here with a CommonMark parser (markdown-it, with GFM's tables and strikethrough), as the
browser's would: a hostile name must come out as its own text, with no image, link or HTML element.
The browser's own renderer, with GFM's link finder, is checked in tests/e2e/test_trust.py.
"""

import html
import re

import pytest
from markdown_it import MarkdownIt
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from passage.services.decisions import decide
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean
from ui.text import WORD_JOINER, code, plain

CASES = "pages/cases.py"
NAME = "![x](https://attacker.example.org/p.png)"
COMMENT = "[click](javascript:alert(1)) <img src=x> **loud** `code` &amp; $x$ ~~gone~~"
HOSTILE = [
    NAME,
    COMMENT,
    "<script>alert('x')</script><b>bold</b>",
    "# heading\n- item\n1. first\n+ plus\n> quoted\n===\n---\n    indented\n| a | b |\n|---|---|",
    "a\\b\\\\c \\*not emphasis\\*",
    "_under_ *star* __both__ [ref]: https://attacker.example.org",
    ":red[coloured] :orange-badge[badge] :material/home:",
    "www.attacker.example.org mail@attacker.example.org http://attacker.example.org",
    "محمد الأحمد (+1), LEB-24-000101",
]
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
ELEMENTS = re.compile(r"<(?!/?p>|br />)[a-z]")  # any element but the paragraph and a line break


def rendered(markdown: str) -> str:
    return str(MARKDOWN.render(markdown))


def text_of(markdown: str) -> str:
    """What a reader sees of `markdown`: its rendered HTML without paragraphs, line breaks and word joiners."""
    shown = re.sub(r"</?p>|<br />", "", rendered(markdown)).replace(WORD_JOINER, "")
    return html.unescape(shown)


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_renders_as_itself(text: str) -> None:
    markdown = plain(text)
    assert not ELEMENTS.search(rendered(markdown)), rendered(markdown)
    # Line breaks inside a paragraph become spaces or breaks; everything else reads as typed.
    assert re.sub(r"\s+", " ", text_of(markdown)).strip() == re.sub(r"\s+", " ", text).strip()


def test_without_plain_the_same_text_would_be_rendered() -> None:
    """The test's parser sees what the browser would: the raw name is an image, the raw comment a link."""
    assert '<img src="https://attacker.example.org/p.png"' in rendered(NAME)
    assert "<a href=" in rendered("[click](https://attacker.example.org)")


def test_addresses_get_a_word_joiner_that_gfms_link_finder_cannot_cross() -> None:
    """GFM finds `https://…`, `www.…` and `name@host` in the text after the parse, where backslashes are gone."""
    assert plain("https://a.example.org www.a.example.org a@b.example.org") == (
        f"https:{WORD_JOINER}//a.example.org www{WORD_JOINER}.a.example.org a@{WORD_JOINER}b.example.org"
    )


def test_plain_leaves_usernames_references_and_dates_as_they_read() -> None:
    for text in ("pm.anna", "RST-00001", "23-11-2026", "no case 'RST-09999'", "10:30", "(+1)", "ends_on"):
        assert plain(text) == text


@pytest.mark.parametrize("text", ["RST-00001", "a`b", "``x``", "`"])
def test_code_holds_any_text_in_one_code_span(text: str) -> None:
    assert rendered(code(text)) == f"<p><code>{html.escape(text, quote=False)}</code></p>\n"


def page_markdown(at: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown."""
    blocks = [*at.markdown, *at.title, *at.subheader, *at.caption, *at.error, *at.warning, *at.info, *at.success]
    labels = [*at.button, *at.checkbox, *at.expander, *at.text_area, *at.text_input, *at.selectbox]
    return [str(block.value) for block in blocks] + [str(widget.label) for widget in labels]


def assert_shown_as_text(at: AppTest, text: str) -> None:
    """`text` is on the page in some Markdown, and no Markdown of the page renders to an image or a link."""
    assert_clean(at)
    markdown = page_markdown(at)
    assert any(text in text_of(block) for block in markdown), markdown
    for block in markdown:
        assert "<img" not in rendered(block) and "<a " not in rendered(block), block


@pytest.fixture
def hostile_case(db: Session) -> int:
    """A case whose principal is named as a Markdown image, decided once with a comment of links and HTML;
    its next task waits for a programme manager."""
    persons = [
        {"full_name": NAME, "nationality": "SY", "birth_date": "1984-03-02", "is_principal": True},
        {"full_name": "زینب احمدی", "nationality": "SY", "birth_date": "2012-07-01"},
    ]
    case_id = new_case(session=db, persons=persons)
    accept = open_gate(session=db, case_id=case_id)
    decide(session=db, task_id=accept, actor="pm.anna", approve=True, comment=COMMENT, deliver=False)
    return open_gate(session=db, case_id=case_id, step="accept-for-selection-2", title="Review " + NAME)


def test_a_hostile_name_is_text_on_the_cases_page(db: Session, app: OpenApp, hostile_case: int) -> None:
    at = app("pm.anna", page=CASES)
    [row] = [button for button in at.button if (button.key or "").startswith("case-")]
    assert NAME in text_of(row.label) and "<img" not in rendered(row.label)
    assert_shown_as_text(at, NAME)


def test_a_hostile_name_and_comment_are_text_on_the_case_page(db: Session, app: OpenApp, hostile_case: int) -> None:
    at = app("pm.anna", page=CASES, case="RST-00001")
    assert_shown_as_text(at, NAME)
    assert NAME in text_of(at.title[0].value)
    persons, timeline, _trail = (frame.value for frame in at.dataframe)
    assert persons["name"].tolist()[0] == NAME  # a table's cell: exactly as stored
    assert COMMENT in timeline["note"].tolist()


def test_a_hostile_name_is_text_on_the_task_page(db: Session, app: OpenApp, hostile_case: int) -> None:
    at = app("pm.anna", task=str(hostile_case))
    assert_shown_as_text(at, NAME)
    assert NAME in text_of(at.title[0].value)  # the task's title names the person
    assert NAME in text_of(at.subheader[0].value)  # the case's title
    assert COMMENT in at.dataframe[1].value["note"].tolist()  # the earlier decision's comment, as typed


def test_a_hostile_name_is_text_in_the_inbox_list(db: Session, app: OpenApp, hostile_case: int) -> None:
    at = app("pm.anna")
    [row] = [button for button in at.button if (button.key or "").startswith("open-")]
    assert "Review " + NAME in text_of(row.label)
    assert_shown_as_text(at, NAME)
