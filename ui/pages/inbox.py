"""The inbox: tasks waiting for the current user's roles, and the task form to decide one."""

from collections.abc import Callable
from functools import partial

import streamlit as st

from models import Decision, HumanTask, Outcome, TaskStatus
from passage.programmes import all_programmes, get_form
from passage.services import assignment
from passage.services.decisions import decide
from passage.services.errors import FormInvalid, PassageError
from passage.services.human_tasks import TaskRow, TaskView, list_tasks, task_view
from passage.services.timeline import case_view
from ui import forms, views
from ui.state import current_user, session


def task_list(user: str) -> None:
    st.title("Inbox")
    if flash := st.session_state.pop("flash", None):
        st.success(flash)
    left, middle, right = st.columns(3)
    programmes = ["", *all_programmes()]
    programme = left.selectbox("Programme", programmes, format_func=lambda s: s or "all programmes")
    with session() as s:
        rows = list_tasks(session=s, actor=user, programme=programme or None)
    steps = ["", *sorted({row.step for row in rows})]
    step = middle.selectbox("Step", steps, format_func=lambda s: s or "all steps")
    overdue = right.toggle("Overdue only")
    rows = [r for r in rows if (not step or r.step == step) and (not overdue or r.overdue)]
    st.caption(f"{len(rows)} open task(s) for {user}, earliest due first")
    for row in rows:
        task_row(row)


def task_row(row: TaskRow) -> None:
    ref, title, due, action = st.columns([2, 5, 2, 1])
    ref.markdown(f"`{row.case_ref}`")
    title.markdown(f"**{row.title}** — {row.case_title}")
    when = f":red[overdue {row.due_at:%Y-%m-%d}]" if row.overdue else f"due {row.due_at:%Y-%m-%d}"
    due.markdown(when + (f" · claimed by {row.assignee}" if row.assignee else ""))
    if action.button("Open", key=f"open-{row.id}"):
        st.query_params["task"] = str(row.id)
        st.rerun()


def task_page(user: str, task_id: int) -> None:
    if st.button("← Inbox"):
        del st.query_params["task"]
        st.rerun()
    try:
        with session() as s:
            detail = task_view(session=s, task_id=task_id, actor=user)
            view = case_view(session=s, ref=detail.case_ref, actor=user)
    except PassageError as exc:  # a stale or mistyped link, or a task of another programme
        st.error(str(exc))
        return
    task = detail.task
    st.title(task.title)
    role = task.role.value.replace("_", " ")
    st.caption(f"for {role} · due {task.due_at:%Y-%m-%d %H:%M} UTC · requested by {task.requested_by}")
    case_col, form_col = st.columns([3, 2])
    with case_col:
        st.subheader(view.title)
        views.case_summary(view)
        if detail.context:
            st.markdown("**To review**")
            st.json(detail.context)
        st.markdown("**Timeline**")
        views.timeline(view)
    with form_col:
        if task.status != TaskStatus.OPEN:
            st.info(closed_note(task, detail.decision))
        else:
            assignment_bar(user, detail)
            decision_form(user, task.id or 0, task.form_type)


def assignment_bar(user: str, detail: TaskView) -> None:
    """Who works on the task, N-of-M progress, and claim / unclaim / reassign."""
    task = detail.task
    if task.approvals_required > 1:
        who = ", ".join(detail.approvals) or "nobody yet"
        st.caption(f"Needs {task.approvals_required} approvals by different people; approved so far: {who}")
    st.caption(f"Claimed by {task.assignee}" if task.assignee else "Not claimed")
    claim, hand_over = st.columns(2)
    act: Callable[..., object] | None = None
    if task.assignee is None and claim.button("Claim", key="claim"):
        act = partial(assignment.claim, task_id=task.id or 0, actor=user)
    if task.assignee is not None and claim.button("Unclaim", key="unclaim"):
        act = partial(assignment.unclaim, task_id=task.id or 0, actor=user)
    to = hand_over.text_input("Reassign to (username)", key="reassign-to")
    if hand_over.button("Reassign", key="reassign") and to.strip():
        act = partial(assignment.reassign, task_id=task.id or 0, actor=user, to=to.strip())
    if act is None:
        return
    try:
        with session() as s:
            act(session=s)
    except PassageError as exc:
        st.error(str(exc))
        return
    st.rerun()


def closed_note(task: HumanTask, decision: Decision | None) -> str:
    if decision is None:
        return f"This task is {task.status.value}: it is no longer open."
    verdict = "approved" if decision.outcome == Outcome.APPROVE else "rejected"
    when = f"{decision.decided_at:%Y-%m-%d %H:%M} UTC"
    return f"This task is no longer open: {verdict} by {decision.decided_by} on {when}."


def decision_form(user: str, task_id: int, form_type: str) -> None:
    form = get_form(form_type)
    errors: dict[str, str] = st.session_state.get(f"errors-{task_id}", {})
    st.subheader("Decision")
    if form.__doc__:
        st.caption(form.__doc__)
    data = forms.render(form, key=f"task-{task_id}", errors=errors)
    comment = st.text_area("Comment (required to reject)", key=f"comment-{task_id}")
    if "comment" in errors:
        st.error(f"comment: {errors['comment']}")
    # Errors of the form as a whole (a rule across fields) or of a list item have no widget of their own.
    for name, reason in errors.items():
        if name not in {*form.field_names(), "comment"}:
            st.error(reason if name == "form" else f"{name}: {reason}")
    approve, reject = st.columns(2)
    choice = True if approve.button("Approve", type="primary", key="approve") else None
    choice = False if reject.button("Reject", key="reject") else choice
    if choice is None:
        return
    try:
        with session() as s:
            decision = decide(
                session=s,
                task_id=task_id,
                actor=user,
                approve=choice,
                comment=comment,
                data=data,
            )
    except FormInvalid as exc:
        st.session_state[f"errors-{task_id}"] = exc.fields
        st.rerun()
    except PassageError as exc:
        st.error(str(exc))
        return
    st.session_state.pop(f"errors-{task_id}", None)
    st.session_state["flash"] = (
        f"Task {task_id} {'approved' if choice else 'rejected'}; the case moves on."
        if decision is not None
        else f"Your approval of task {task_id} is recorded; it waits for more approvals."
    )
    del st.query_params["task"]
    st.rerun()


user = current_user()
if user is not None:
    # Statements, not a conditional expression: Streamlit's magic would print the expression's value (None).
    selected = st.query_params.get("task")
    if selected and selected.isdigit():
        task_page(user, int(selected))
    else:
        task_list(user)
