"""The task list: filters kept in the URL with a count beside each choice, sorting, pages, bulk approval.

The URL is the one place the filters live (`?programme=…&due=overdue`): each widget's change writes
it, each run reads it back through the service's `TaskFilter`, so a shared link or a reload shows the
same list, and a link with a bad value says which one instead of failing.
"""

from collections.abc import Callable
from typing import Any

import streamlit as st

from passage.core.errors import FormInvalid
from passage.core.i18n import plural
from passage.programme.registry import all_programmes
from passage.services.human_tasks import TaskRow, list_tasks
from passage.services.inbox import TaskCounts, count_tasks
from passage.services.task_filters import ANYONE, ME, PAGE_SIZE, UNASSIGNED, Due, Sort, TaskFilter, from_query, to_query
from ui import bulk
from ui.export import export_buttons
from ui.gate_text import title
from ui.i18n import case_title, current_language, explain_reason, format_date, isolated, t
from ui.state import session
from ui.text import code, plain, t_md

DUE_LABELS = {Due.ALL: "All due dates", Due.OVERDUE: "Overdue", Due.TODAY: "Due today", Due.WEEK: "Due this week"}
SORT_LABELS = {Sort.DUE: "Due date, earliest first", Sort.PRIORITY: "Priority, most urgent first"}
PRIORITY_BADGE = {2: ":red-badge[{}]", 1: ":orange-badge[{}]"}
# The "all programmes / all steps" choice: a selectbox shows None as an empty "Choose an option".
ALL = ""


def read_filters() -> TaskFilter | None:
    """The URL's filters, or None after saying which parameter of the link is wrong."""
    try:
        return from_query(st.query_params.to_dict())
    except FormInvalid as exc:
        for field, reason in exc.fields.items():
            st.error(
                t_md("This link's filter “{field}” is not valid: {reason}", field=field, reason=explain_reason(reason))
            )
        if st.button(t("Clear filters"), key="clear-filters"):
            write_filters(TaskFilter())
            st.rerun()
        return None


def write_filters(filters: TaskFilter) -> None:
    for name in TaskFilter.model_fields:
        st.query_params.pop(name, None)
    st.query_params.update(to_query(filters))


def _changed(field: str) -> None:
    """A filter widget's callback: the new choice into the URL, back to page 1 (a new programme: any step)."""
    current = from_query(st.query_params.to_dict())
    chosen = st.session_state[f"filter-{field}"]
    update: dict[str, Any] = {field: None if chosen == ALL else chosen, "page": 1}
    if field == "programme":
        update["step"] = None
    write_filters(current.model_copy(update=update))


def _choice(label: str, field: str, options: list[Any], shown: Callable[[Any], str], where: Any) -> None:
    """A selectbox whose value is the URL's (set before it renders) and whose change goes to the URL.

    Labels are made here, not in format_func: AppTest formats a chosen value outside the page's run,
    where the reader's language is not known.
    """
    value = getattr(from_query(st.query_params.to_dict()), field)
    st.session_state[f"filter-{field}"] = ALL if value is None else value
    labels = {option: shown(option) for option in options}
    where.selectbox(
        label, options, format_func=labels.__getitem__, key=f"filter-{field}", on_change=_changed, args=(field,)
    )


def _counted(label: str, count: int) -> str:
    return f"{label} ({count})"


def filter_bar(filters: TaskFilter, counts: TaskCounts, user: str) -> None:
    programme, step, assignee = st.columns(3)
    titles = {slug: t(p.title) for slug, p in all_programmes().items()}
    _choice(
        t("Programme"),
        "programme",
        [ALL, *titles],
        lambda p: _counted(titles[p], counts.programme.get(p, 0)) if p else t("All programmes"),
        programme,
    )
    steps = sorted({*counts.step, *([filters.step] if filters.step else [])})
    _choice(
        t("Step"),
        "step",
        [ALL, *steps],
        lambda s: _counted(title(counts.step_titles.get(s, s)), counts.step.get(s, 0)) if s else t("All steps"),
        step,
    )
    people = sorted({*counts.assignee, filters.assignee} - {ME, UNASSIGNED, ANYONE, user})
    scope = {ANYONE: t("Anyone"), ME: t("Me"), UNASSIGNED: t("Unassigned")}
    mine = {ANYONE: sum(counts.assignee.values()), ME: counts.assignee.get(user, 0)}
    _choice(
        t("Assignee"),
        "assignee",
        [ANYONE, ME, UNASSIGNED, *people],
        lambda a: _counted(scope.get(a, a), mine.get(a, counts.assignee.get(a, 0))),
        assignee,
    )
    due, sort, vulnerable = st.columns(3)
    _choice(t("Due"), "due", list(Due), lambda d: _counted(t(DUE_LABELS[d]), counts.due.get(d, 0)), due)
    _choice(t("Sort by"), "sort", list(Sort), lambda s: t(SORT_LABELS[s]), sort)
    _choice(
        t("Vulnerability"),
        "vulnerable",
        [False, True],
        lambda v: _counted(t("Vulnerable cases only"), counts.vulnerable) if v else t("All cases"),
        vulnerable,
    )


def task_row(row: TaskRow, selectable: bool) -> None:
    # The whole line is one button that opens the task: a row of columns (a box each for the tick, the
    # text and an "Open" button) made the first page's 50 rows seven elements each, most of what the
    # browser had to draw (bench/inbox_render.py). Columns only where a tick box is offered (bulk).
    if selectable:
        pick, line = st.columns([1, 30], vertical_alignment="center")
        pick.checkbox(t("Select"), key=f"select-{row.id}", label_visibility="collapsed")
    else:
        line = st.container()
    if line.button(row_label(row), key=f"open-{row.id}", type="tertiary"):
        st.query_params["task"] = str(row.id)
        st.rerun()


def row_label(row: TaskRow) -> str:
    """One line: reference, step, case (with its urgency badge), due date, who has claimed it."""
    badge = (
        PRIORITY_BADGE[row.priority].format(plain(t("urgent" if row.priority == 2 else "vulnerable")))
        if row.priority
        else ""
    )
    when = (
        f":red[{t('overdue {date}', date=format_date(row.due_at))}]"
        if row.overdue
        else t("due {date}", date=format_date(row.due_at))
    )
    claimed = " · " + t_md("claimed by {who}", who=row.assignee) if row.assignee else ""
    if row.on_hold:  # its case waits: nobody can decide it until a programme manager resumes it
        badge += f" :gray-badge[{plain(t('on hold'))}]"
    case = f"{plain(isolated(case_title(row.case_title)))} {badge}".rstrip()
    return f"{code(row.case_ref)} **{plain(title(row.title))}** — {case} · {when}{claimed}"


def pager(filters: TaskFilter, total: int) -> None:
    first = (filters.page - 1) * PAGE_SIZE
    st.caption(
        t(
            "Showing {first}–{last} of {total}",
            first=min(first + 1, total),
            last=min(first + PAGE_SIZE, total),
            total=total,
        )
    )
    back, forward = st.columns(2)
    if filters.page > 1 and back.button(t("Previous page"), key="page-back"):
        write_filters(filters.model_copy(update={"page": filters.page - 1}))
        st.rerun()
    if first + PAGE_SIZE < total and forward.button(t("Next page"), key="page-next"):
        write_filters(filters.model_copy(update={"page": filters.page + 1}))
        st.rerun()


def render(user: str) -> None:
    st.title(t("Inbox"))
    if flash := st.session_state.pop("flash", None):
        st.success(flash)
    filters = read_filters()
    if filters is None:
        return
    with session() as s:
        counts = count_tasks(session=s, actor=user, filters=filters)
        rows = list_tasks(session=s, actor=user, filters=filters, limit=PAGE_SIZE)
    filter_bar(filters, counts, user)
    caption = ("{count} open task for {user}", "{count} open tasks for {user}")
    st.caption(plural(current_language(), counts.total, *caption, user=plain(user)))
    selectable = bulk.offered(filters, rows)
    with st.container(key="task-list"):  # the e2e tests and the render benchmark find the rows here
        for row in rows:
            task_row(row, selectable)
    export_buttons(rows, name="inbox")  # the tasks of this page, as listed
    if selectable:
        bulk.actions(user, rows)
    bulk.results()
    if counts.total > PAGE_SIZE:
        pager(filters, counts.total)
