"""Cases: the list, and one case with where it waits, its procedure, timeline and audit trail."""

import streamlit as st

from passage.core.errors import PassageError
from passage.programme.registry import step_title
from passage.services.case_search import CaseRow
from passage.services.timeline import case_view
from ui import case_actions, case_amend, case_comments, case_search, prefect_link, views
from ui.export import export_buttons
from ui.gate_text import title
from ui.i18n import case_title, isolated, t
from ui.state import current_user, session
from ui.text import code, explain_md, plain


def case_list(user: str) -> None:
    st.title(t("Cases"))
    case_search.filter_bar()
    try:
        page = case_search.found(user)
    except PassageError as exc:  # a refusal of the search (none of the choices can be wrong as offered)
        st.error(explain_md(exc))
        return
    # One button per case, its line of text, as in the inbox: a row of columns (reference, title, status,
    # an "Open" button) made 200 cases about 2,000 elements, which the browser also had to take down
    # when the user went on to another page (the inbox's render benchmark starts here).
    with st.container(key="case-list"):
        for row in page.rows:
            if st.button(case_label(row), key=f"case-{row.ref}", type="tertiary"):
                st.query_params["case"] = row.ref
                st.rerun()
    if not page.rows:
        st.caption(t("No case found."))
    case_search.pager(page)
    export_buttons(
        [
            {
                "ref": row.ref,
                "title": row.title,
                "programme": row.programme,
                "status": row.status.value,
                "step": row.step or "",
                "opened": row.opened_at,  # a date cell in Excel, on the office clock (passage.core.tabular)
            }
            for row in page.rows
        ],
        name="cases",
    )
    case_actions.bulk_bar(user, [row.ref for row in page.rows])


def case_label(row: CaseRow) -> str:
    """One line: reference, title, status and the step the case is at."""
    step = f" · {plain(title(step_title(row.step)))}" if row.step else ""  # the gate's title, not its code
    return f"{code(row.ref)} **{plain(isolated(case_title(row.title)))}** — {plain(t(row.status.value))}{step}"


def case_page(user: str, ref: str) -> None:
    if st.button(t("← Cases"), key="back"):
        del st.query_params["case"]
        st.rerun()
    try:
        with session() as s:
            view = case_view(session=s, ref=ref, actor=user)
    except PassageError as exc:  # unknown, or a case of a programme the user has no role in
        st.error(explain_md(exc))
        return
    st.title(plain(isolated(case_title(view.title))))
    views.case_summary(view)
    prefect_link.flow_run_link(view)
    case_actions.actions(user, view)
    process, history = st.columns([1, 2])
    with process:
        st.subheader(t("Process"))
        views.process(view)
    with history:
        st.subheader(t("Timeline"))
        views.timeline(view)
    case_amend.amend_panel(user, view)
    case_comments.thread(user, view)
    st.subheader(t("Audit trail"))
    views.trail(view)


user = current_user()
if user is not None:
    # Statements, not a conditional expression: Streamlit's magic would print the expression's value (None).
    selected = st.query_params.get("case")
    if selected:
        case_page(user, selected)
    else:
        case_list(user)
