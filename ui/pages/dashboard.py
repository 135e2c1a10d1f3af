"""Dashboards: one programme's quota, cases by step, overdue tasks, time per step and arrivals, as charts."""

import altair as alt
import streamlit as st

from passage.core.errors import PassageError
from passage.programme.registry import get_programme
from passage.services import charts
from passage.services.dashboard import Dashboard, dashboard, figures, visible_programmes
from ui.export import export_buttons
from ui.i18n import format_datetime, t
from ui.state import current_user, session
from ui.text import explain_md


def show(chart: alt.Chart | None, empty: str) -> None:
    if chart is None:
        st.caption(empty)
    else:
        st.altair_chart(chart, width="stretch")


def figures_page(board: Dashboard) -> None:
    st.caption(t("Figures at {moment}", moment=format_datetime(board.at)))
    st.metric(t("Open cases"), board.open_cases)
    if board.quota:
        show(charts.quota_chart(board, t), "")
    show(charts.funnel_chart(board, t), t("No cases yet."))
    by_step, by_person = st.columns(2)
    with by_step:
        show(charts.overdue_chart(board, "step", t), t("No overdue tasks."))
    with by_person:
        show(charts.overdue_chart(board, "person", t), t("No overdue tasks."))
    times, arrivals = st.columns(2)
    with times:
        show(charts.step_time_chart(board, t), t("No decisions yet."))
    with arrivals:
        show(charts.arrivals_chart(board, t), t("No arrivals yet."))
    export_buttons(figures(board), name=f"dashboard-{board.programme}")


def dashboard_page(user: str) -> None:
    st.title(t("Dashboards"))
    with session() as s:
        programmes = visible_programmes(session=s, actor=user)
    if not programmes:
        st.warning(t("Dashboards show the programmes you have a role in; you have none."))
        return
    titles = {slug: t(get_programme(slug).title) for slug in programmes}  # not in format_func: see admin.py
    programme = st.selectbox(t("Programme"), programmes, format_func=titles.__getitem__)
    try:
        with session() as s:
            board = dashboard(session=s, programme=programme, actor=user)
    except PassageError as exc:
        st.error(explain_md(exc))
        return
    figures_page(board)


user = current_user()
if user is not None:
    dashboard_page(user)
