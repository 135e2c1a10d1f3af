"""Cases: the list, and one case with where it waits, its procedure, timeline and audit trail."""

import streamlit as st

from models import Case
from passage.core.errors import PassageError
from passage.programme.registry import all_programmes
from passage.services.cases import list_cases
from passage.services.timeline import case_view
from ui import case_actions, case_amend, views
from ui.export import csv_button
from ui.i18n import format_date, isolated, t
from ui.state import current_user, session
from ui.text import code, explain_md, plain


def case_list(user: str) -> None:
    st.title(t("Cases"))
    # Labels made before the widget, not in format_func: AppTest formats a chosen value outside the run.
    titles = {"": t("All programmes")} | {slug: t(p.title) for slug, p in all_programmes().items()}
    programme = st.selectbox(t("Programme"), list(titles), format_func=titles.__getitem__)
    with session() as s:
        rows = list_cases(session=s, actor=user, programme=programme or None)
    # One button per case, its line of text, as in the inbox: a row of columns (reference, title, status,
    # an "Open" button) made 200 cases about 2,000 elements, which the browser also had to take down
    # when the user went on to another page (the inbox's render benchmark starts here).
    with st.container(key="case-list"):
        for case in rows:
            if st.button(case_label(case), key=f"case-{case.ref}", type="tertiary"):
                st.query_params["case"] = case.ref
                st.rerun()
    csv_button(
        [
            {
                "ref": case.ref,
                "title": case.title,
                "programme": case.programme,
                "status": case.status.value,
                "step": case.current_step or "",
                "opened": format_date(case.created_at),
            }
            for case in rows
        ],
        name="cases",
    )


def case_label(case: Case) -> str:
    """One line: reference, title, status and the step the case is at."""
    step = f" · {plain(case.current_step)}" if case.current_step else ""
    return f"{code(case.ref)} **{plain(isolated(case.title))}** — {plain(t(case.status.value))}{step}"


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
    st.title(plain(isolated(view.title)))
    views.case_summary(view)
    case_actions.actions(user, view)
    process, history = st.columns([1, 2])
    with process:
        st.subheader(t("Process"))
        views.process(view)
    with history:
        st.subheader(t("Timeline"))
        views.timeline(view)
    case_amend.amend_panel(user, view)
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
