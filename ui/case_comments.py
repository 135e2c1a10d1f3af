"""The case page's comments: the thread, oldest first, and a box to add one (passage/services/comments.py).

A comment shows as typed: `plain` escapes every Markdown and HTML sign, so `**x**` reads with its asterisks
and `<b>` as the text `<b>`. A medical note the reader may not read shows who wrote it and when, not what.
"""

import streamlit as st

from models.comment import COMMENT_LENGTH
from passage.core.errors import FormInvalid, PassageError
from passage.programme.registry import step_title
from passage.services import comments
from passage.services.comments import CommentView
from passage.services.timeline import CaseView
from ui.gate_text import title
from ui.i18n import explain_reason, format_datetime, t
from ui.state import session
from ui.text import explain_md, plain, t_md

TEXT, MEDICAL = "comment-text", "comment-medical"
ERRORS = "passage.comments.errors"  # (case ref, field errors) of the last refused comment
CLEAR = "passage.comments.clear"  # a comment was added: the next run starts with an empty box


def thread(user: str, view: CaseView) -> None:
    """The comments of `view`'s case as `user` may read them, and the form to add one."""
    st.subheader(t("Comments"))
    try:
        with session() as s:
            shown = comments.case_comments(session=s, actor=user, case_ref=view.ref)
            may_medical = comments.may_write_medical(session=s, actor=user, programme=view.programme)
    except PassageError as exc:
        st.error(explain_md(exc))
        return
    for comment in shown:
        _comment(comment)
    if not shown:
        st.caption(t("No comments yet."))
    _form(user, view.ref, may_medical)


def _comment(comment: CommentView) -> None:
    step = f" · {plain(title(step_title(comment.step)))}" if comment.step else ""
    badge = f" :red-badge[{plain(t('medical note'))}]" if comment.medical else ""
    with st.container(border=True):
        st.markdown(
            t_md("**{author}** · {when}", author=comment.author, when=format_datetime(comment.created_at))
            + step
            + badge
        )
        if comment.text is None:
            st.caption(t("A medical note: only medical officers read it."))
        else:
            # A line break as typed: Markdown joins two lines unless the first ends in two spaces.
            st.markdown(plain(comment.text).replace("\n", "  \n"))


def _form(user: str, ref: str, may_medical: bool) -> None:
    if st.session_state.pop(CLEAR, False):
        st.session_state[TEXT], st.session_state[MEDICAL] = "", False  # before the widgets exist in this run
    refused = st.session_state.get(ERRORS)
    errors: dict[str, str] = refused[1] if refused and refused[0] == ref else {}
    with st.form(key="comment-form"):
        text = st.text_area(
            t("New comment"), max_chars=COMMENT_LENGTH, key=TEXT, help=t("Plain text. @username tells a colleague.")
        )
        for why in errors.values():
            st.error(plain(explain_reason(why)))
        medical = st.checkbox(t("Medical note (only medical officers read it)"), key=MEDICAL) if may_medical else False
        if not st.form_submit_button(t("Add comment")):
            return
    try:
        with session() as s:
            comments.add_comment(session=s, actor=user, case_ref=ref, text=text, medical=medical)
    except FormInvalid as exc:
        st.session_state[ERRORS] = (ref, exc.fields)
        st.rerun()
    except PassageError as exc:  # e.g. the user's role in the programme ended meanwhile
        st.error(explain_md(exc))
        return
    st.session_state.pop(ERRORS, None)
    st.session_state[CLEAR] = True
    st.rerun()
