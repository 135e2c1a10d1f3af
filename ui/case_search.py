"""The Cases page's search: a search box, programme, status and step, and the page of cases found.

The choices live in the browser session, not the URL: a name typed into the search box is personal
data, which a URL carries into the browser's history and a proxy's logs. They survive opening a case
and coming back; a new choice goes back to page 1.
"""

from typing import Any

import streamlit as st

from models import CaseStatus
from passage.programme.registry import all_programmes
from passage.services.case_search import CasePage, search_cases
from ui.i18n import t
from ui.state import session

PAGE_SIZE = 50
STATE = "cases.search"  # the choices: text, programme, status, step, page
FIELDS = ("text", "programme", "status", "step")
ALL = ""  # "all programmes / statuses / steps": a selectbox shows None as an empty "Choose an option"


def choices() -> dict[str, Any]:
    chosen: dict[str, Any] = st.session_state.setdefault(
        STATE, {"text": "", "programme": ALL, "status": ALL, "step": ALL, "page": 1}
    )
    return chosen


def _changed(field: str) -> None:
    """A widget's callback: its new value into the choices, back to page 1 (a new programme: any step)."""
    chosen = choices()
    chosen[field], chosen["page"] = st.session_state[f"cases-{field}"], 1
    if field == "programme":
        chosen["step"] = ALL


def _turn(by: int) -> None:
    choices()["page"] += by


def _select(label: str, field: str, labels: dict[str, str], where: Any) -> None:
    """A selectbox showing the choice. Labels made before the widget, not in format_func: AppTest formats a
    chosen value outside the page's run, where the reader's language is not known."""
    value = choices()[field]
    st.session_state[f"cases-{field}"] = value if value in labels else ALL
    where.selectbox(
        label, list(labels), format_func=labels.__getitem__, key=f"cases-{field}", on_change=_changed, args=(field,)
    )


def filter_bar() -> None:
    chosen = choices()
    st.session_state["cases-text"] = chosen["text"]
    st.text_input(
        t("Search"),
        key="cases-text",
        placeholder=t("A case reference, a UNHCR, embassy or IND number, or a name in any script"),
        on_change=_changed,
        args=("text",),
    )
    programme, status, step = st.columns(3)
    programmes = all_programmes()
    _select(
        t("Programme"),
        "programme",
        {ALL: t("All programmes")} | {slug: t(p.title) for slug, p in programmes.items()},
        programme,
    )
    _select(t("Status"), "status", {ALL: t("All statuses")} | {s.value: t(s.value) for s in CaseStatus}, status)
    shown = [programmes[chosen["programme"]]] if chosen["programme"] in programmes else list(programmes.values())
    gates = {gate.step: gate.title for p in shown for gate in p.gates}
    _select(t("Step"), "step", {ALL: t("All steps")} | gates, step)


def found(user: str) -> CasePage:
    """The page of cases the choices find, as `user` may see them."""
    chosen = choices()
    with session() as s:
        return search_cases(
            session=s,
            actor=user,
            text=chosen["text"] or None,
            programme=chosen["programme"] or None,
            status=chosen["status"] or None,
            step=chosen["step"] or None,
            page=chosen["page"],
            page_size=PAGE_SIZE,
        )


def pager(page: CasePage) -> None:
    if page.page == 1 and not page.has_more:
        return
    st.caption(t("Page {page}", page=page.page))
    back, forward = st.columns(2)
    if page.page > 1:
        back.button(t("Previous page"), key="cases-back", on_click=_turn, args=(-1,))
    if page.has_more:
        forward.button(t("Next page"), key="cases-next", on_click=_turn, args=(1,))
