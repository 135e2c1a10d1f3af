"""Cases: the list, and one case with its persons and timeline."""

import streamlit as st

from passage.programmes import all_programmes
from passage.services.cases import list_cases
from passage.services.errors import PassageError
from passage.services.timeline import case_view
from ui import views
from ui.state import current_user, session


def case_list(user: str) -> None:
    st.title("Cases")
    programme = st.selectbox(
        "Programme",
        ["", *all_programmes()],
        format_func=lambda s: s or "all programmes",
    )
    with session() as s:
        rows = list_cases(session=s, actor=user, programme=programme or None)
    for case in rows:
        ref, title, status, action = st.columns([2, 5, 2, 1])
        ref.markdown(f"`{case.ref}`")
        title.markdown(case.title)
        status.markdown(f"{case.status.value}" + (f" · {case.current_step}" if case.current_step else ""))
        if action.button("Open", key=f"case-{case.ref}"):
            st.query_params["case"] = case.ref
            st.rerun()


def case_page(user: str, ref: str) -> None:
    if st.button("← Cases"):
        del st.query_params["case"]
        st.rerun()
    try:
        with session() as s:
            view = case_view(session=s, ref=ref, actor=user)
    except PassageError as exc:  # unknown, or a case of a programme the user has no role in
        st.error(str(exc))
        return
    st.title(view.title)
    views.case_summary(view)
    st.subheader("Timeline")
    views.timeline(view)
    st.subheader("Audit trail")
    views.trail(view)


user = current_user()
if user is not None:
    # Statements, not a conditional expression: Streamlit's magic would print the expression's value (None).
    selected = st.query_params.get("case")
    if selected:
        case_page(user, selected)
    else:
        case_list(user)
