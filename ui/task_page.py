"""One task: the case beside the gate's form, earlier decisions, claim / unclaim / reassign, approve / reject."""

from collections.abc import Callable
from functools import partial

import streamlit as st

from models import Decision, HumanTask, Outcome, TaskStatus
from passage.core.errors import FormInvalid, PassageError
from passage.programme.registry import get_form
from passage.services import assignment, expiry
from passage.services.decisions import decide
from passage.services.human_tasks import TaskView, task_view
from passage.services.timeline import case_view
from ui import forms, views
from ui.gate_text import review, title
from ui.i18n import case_title, explain_reason, format_datetime, isolated, t
from ui.state import session
from ui.text import explain_md, plain, t_md


def back_to_inbox() -> None:
    """Leave the task; the inbox's filters stay in the URL."""
    del st.query_params["task"]
    st.rerun()


def render(user: str, task_id: int) -> None:
    if st.button(t("← Inbox"), key="back"):
        back_to_inbox()
    try:
        with session() as s:
            detail = task_view(session=s, task_id=task_id, actor=user)
            view = case_view(session=s, ref=detail.case_ref, actor=user)
    except PassageError as exc:  # a stale or mistyped link, or a task of another programme
        st.error(explain_md(exc))
        return
    task = detail.task
    st.title(plain(title(task.title)))
    st.caption(
        t_md(
            "for {role} · due {due} · requested by {who}",
            role=t(task.role.value.replace("_", " ")),
            due=format_datetime(task.due_at),
            who=task.requested_by,
        )
    )
    case_col, form_col = st.columns([3, 2])
    with case_col:
        st.subheader(plain(isolated(case_title(view.title))))
        views.case_summary(view)
        if detail.context:
            st.markdown(f"**{t('To review')}**")
            st.markdown("  \n".join(plain(isolated(line)) for line in review(detail.context)))
        st.markdown(f"**{t('Previous decisions')}**")
        views.decisions(view)
        with st.expander(t("Process")):
            views.process(view)
    with form_col:
        if task.status == TaskStatus.EXPIRED:
            reopen_form(user, task)
        elif task.status != TaskStatus.OPEN:
            st.info(closed_note(task, detail.decision))
        elif view.held_at is not None:
            st.warning(t("This case is on hold: its tasks are decided once a programme manager resumes it."))
        else:
            assignment_bar(user, detail)
            decision_form(user, task.id or 0, task.form_type)


def reopen_form(user: str, task: HumanTask) -> None:
    """An expired task: say so, and let a programme manager re-open it (the service checks the role)."""
    ran_out = format_datetime(task.expires_at)
    st.warning(t("Nobody decided this task before its wait ran out on {when}.", when=ran_out))
    days = st.number_input(t("Due in (days)"), min_value=1, max_value=365, value=5, step=1, key="reopen-days")
    if not st.button(t("Re-open the task"), key="reopen", type="primary"):
        return
    try:
        with session() as s:
            expiry.reopen(session=s, task_id=task.id or 0, actor=user, days=int(days))
    except PassageError as exc:
        st.error(explain_md(exc))
        return
    st.rerun()


def assignment_bar(user: str, detail: TaskView) -> None:
    """Who works on the task, N-of-M progress, and claim / unclaim / reassign."""
    task = detail.task
    if task.approvals_required > 1:
        who = ", ".join(detail.approvals) or t("nobody yet")
        st.caption(
            t_md(
                "Needs {n} approvals by different people; approved so far: {who}",
                n=task.approvals_required,
                who=who,
            )
        )
    st.caption(t_md("Claimed by {who}", who=task.assignee) if task.assignee else t("Not claimed"))
    claim, hand_over = st.columns(2)
    act: Callable[..., object] | None = None
    if task.assignee is None and claim.button(t("Claim"), key="claim"):
        act = partial(assignment.claim, task_id=task.id or 0, actor=user)
    if task.assignee is not None and claim.button(t("Unclaim"), key="unclaim"):
        act = partial(assignment.unclaim, task_id=task.id or 0, actor=user)
    try:
        with session() as s:
            colleagues = assignment.colleagues(session=s, task_id=task.id or 0, actor=user)
    except PassageError:  # decided or withdrawn since the page was drawn: no one to hand it to
        colleagues = []
    to = hand_over.selectbox(t("Reassign to"), colleagues, index=None, placeholder=t("Choose"), key="reassign-to")
    if hand_over.button(t("Reassign"), key="reassign", disabled=not colleagues) and to:
        act = partial(assignment.reassign, task_id=task.id or 0, actor=user, to=to)
    if act is None:
        return
    try:
        with session() as s:
            act(session=s)
    except PassageError as exc:
        st.error(explain_md(exc))
        return
    st.rerun()


def closed_note(task: HumanTask, decision: Decision | None) -> str:
    if decision is None:
        return t_md("This task is {status}: it is no longer open.", status=t(task.status.value))
    verdict = t("approved") if decision.outcome == Outcome.APPROVE else t("rejected")
    return t_md(
        "This task is no longer open: {verdict} by {who} on {when}.",
        verdict=verdict,
        who=decision.decided_by,
        when=format_datetime(decision.decided_at),
    )


def _show_errors(errors: dict[str, str], own: set[str]) -> None:
    """Errors of the form as a whole (a rule across fields) or of a list item have no widget of their own."""
    for name, reason in errors.items():
        if name not in own:
            st.error(plain(explain_reason(reason)) if name == "form" else f"{name}: {plain(explain_reason(reason))}")


def decision_form(user: str, task_id: int, form_type: str) -> None:
    form = get_form(form_type)
    errors: dict[str, str] = st.session_state.get(f"errors-{task_id}", {})
    st.subheader(t("Decision"))
    if form.description():  # its Dutch in gates.toml
        st.caption(plain(t(form.description())))
    data = forms.render(form, key=f"task-{task_id}", errors=errors)
    comment = st.text_area(t("Comment (required to reject)"), key=f"comment-{task_id}")
    if "comment" in errors:
        st.error(f"comment: {plain(explain_reason(errors['comment']))}")
    _show_errors(errors, {*form.field_names(), "comment"})
    approve, reject = st.columns(2)
    choice = True if approve.button(t("Approve"), type="primary", key="approve") else None
    choice = False if reject.button(t("Reject"), key="reject") else choice
    if choice is None:
        return
    try:
        with session() as s:
            decision = decide(session=s, task_id=task_id, actor=user, approve=choice, comment=comment, data=data)
    except FormInvalid as exc:
        st.session_state[f"errors-{task_id}"] = exc.fields
        st.rerun()
    except PassageError as exc:
        st.error(explain_md(exc))
        return
    st.session_state.pop(f"errors-{task_id}", None)
    st.session_state["flash"] = (
        t("Task {id} approved; the case moves on.", id=task_id)
        if decision is not None and choice
        else t("Task {id} rejected; the case moves on.", id=task_id)
        if decision is not None
        else t("Your approval of task {id} is recorded; it waits for more approvals.", id=task_id)
    )
    back_to_inbox()
