"""Approving several tasks of one gate at once: tick rows, confirm once, read the outcome row by row.

Offered only when the list is filtered to one step and that gate's form asks nothing per case (its
approval is valid with the form left empty, e.g. "accept for selection" with its default priority).
A gate whose form asks for a date, a reference or a choice is decided one task at a time.
"""

import streamlit as st

from passage.core.errors import PassageError
from passage.services.human_tasks import TaskRow
from passage.services.inbox import BulkRow, bulk_approvable, bulk_approve
from passage.services.task_filters import TaskFilter
from ui.export import table
from ui.i18n import explain_reason, t
from ui.state import session
from ui.text import explain_md

CONFIRM, RESULT = "bulk-confirm", "bulk-result"


def offered(filters: TaskFilter, rows: list[TaskRow]) -> bool:
    """Rows get a checkbox when the list shows one step of a gate that may be approved in bulk."""
    if not filters.step or not rows:
        return False
    if bulk_approvable(rows[0].form_type):
        return True
    st.caption(t("This gate's form asks for values per case: open each task to decide it."))
    return False


def actions(user: str, rows: list[TaskRow]) -> None:
    """'Approve selected', then one confirmation naming how many, with an optional shared comment."""
    chosen = [row.id for row in rows if st.session_state.get(f"select-{row.id}")]
    if st.button(t("Approve selected ({n})", n=len(chosen)), key="bulk-approve", disabled=not chosen):
        st.session_state[CONFIRM] = chosen
    pending: list[int] = st.session_state.get(CONFIRM, [])
    if not pending:
        return
    st.warning(t("Approve {n} task(s)? Each is recorded as your own decision and audited.", n=len(pending)))
    comment = st.text_input(t("Comment for all (optional)"), key="bulk-comment")
    confirm, cancel = st.columns(2)
    if cancel.button(t("Cancel"), key="bulk-cancel"):
        st.session_state.pop(CONFIRM, None)
        st.rerun()
    if not confirm.button(t("Confirm approval"), type="primary", key="bulk-confirm-button"):
        return
    try:
        with session() as s:
            outcome = bulk_approve(session=s, actor=user, task_ids=pending, comment=comment)
    except PassageError as exc:  # mixed gates or a form that asks for values: nothing was decided
        st.error(explain_md(exc))
        return
    st.session_state.pop(CONFIRM, None)
    for task_id in pending:
        st.session_state.pop(f"select-{task_id}", None)
    st.session_state[RESULT] = [row.model_dump() for row in outcome]
    st.rerun()


def results() -> None:
    """The last bulk approval's outcome: how many, and each refusal with its case and reason."""
    stored = st.session_state.pop(RESULT, None)
    if stored is None:
        return
    rows = [BulkRow.model_validate(row) for row in stored]
    done, refused = [r for r in rows if r.ok], [r for r in rows if not r.ok]
    st.success(t("{n} task(s) approved; their cases move on within seconds.", n=len(done)))
    if refused:
        st.error(t("{n} task(s) not approved:", n=len(refused)))
    table(
        [
            {
                t("case"): r.case_ref or f"#{r.task_id}",
                t("outcome"): t("approved") if r.ok else t("not approved"),
                t("reason"): explain_reason(r.reason),
            }
            for r in rows
        ],
        hide_index=True,
    )
