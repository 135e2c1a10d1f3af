"""Pieces of page shared by the inbox, the task page and the case page."""

from datetime import date

import streamlit as st

from passage.core.i18n import today as office_today
from passage.programme.registry import get_programme, step_title
from passage.services.audit import ORIGIN
from passage.services.process import StepState
from passage.services.timeline import CaseView, Event
from ui.export import table
from ui.gate_text import summary, title
from ui.i18n import explain_reason, format_date, format_datetime, t
from ui.text import code, plain, t_md

ADULT_AGE = 18
STATE_MARK = {StepState.DONE: ":green[✔]", StepState.CURRENT: ":orange[▶]", StepState.TO_COME: ":gray[○]"}


def duration(seconds: float | None) -> str:
    """3 d 4 h, 2 h 10 min, 5 min, 12 s: the two largest units are enough to read a wait."""
    if seconds is None:
        return ""
    minutes, hours, days = int(seconds // 60), int(seconds // 3600), int(seconds // 86400)
    if days:
        return t("{days} d {hours} h", days=days, hours=hours % 24)
    if hours:
        return t("{hours} h {minutes} min", hours=hours, minutes=minutes % 60)
    return t("{minutes} min", minutes=minutes) if minutes else t("{seconds} s", seconds=int(seconds))


def status_line(view: CaseView) -> str:
    waiting = " · " + t_md("waiting at **{step}**", step=title(step_title(view.waiting_at))) if view.waiting_at else ""
    outcome = f" · {plain(explain_reason(view.outcome))}" if view.outcome else ""  # stored in English
    programme = t(get_programme(view.programme).title)
    return f"{code(view.ref)} · {plain(programme)} · **{plain(t(view.status.value))}**{waiting}{outcome}"


def _is_minor(born: str | None) -> bool:
    if not born:
        return False
    birth, today = date.fromisoformat(born), office_today()
    return (today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))) < ADULT_AGE


def case_summary(view: CaseView) -> None:
    """Who travels, which flags (vulnerabilities, minors), where the case stands."""
    st.markdown(status_line(view))
    # A minor as of today, from the birth dates (the case's own flag says so as of its last change).
    flags = [t(flag.replace("_", " ")) for flag in view.flags if flag != "minor"]
    if any(_is_minor(p.birth_date) for p in view.persons):
        flags.append(t("minor"))
    if flags:
        st.markdown(" ".join(f":orange-badge[{plain(flag)}]" for flag in flags))
    if view.persons:
        # Names are shown exactly as stored (Arabic, Dari or Latin script): a table's cells are text.
        table(
            [
                {
                    t("name"): p.full_name,
                    t("nationality"): p.nationality,
                    t("born"): format_date(date.fromisoformat(p.birth_date)) if p.birth_date else "",
                    t("minor"): t("yes") if _is_minor(p.birth_date) else "",
                    t("principal"): t("yes") if p.is_principal else "",
                }
                for p in view.persons
            ],
            hide_index=True,
        )
    documents(view)


def documents(view: CaseView) -> None:
    """Each document's latest recorded state; the facts only (no scan is ever stored)."""
    if not view.documents:
        st.caption(t("Documents: none recorded yet."))
        return
    table(
        [
            {
                t("document"): t(d.document.replace("_", " ")),
                t("state"): t(d.state.value),
                t("reference"): d.reference,
                t("recorded at"): title(d.step),
                t("on"): format_date(d.at),
            }
            for d in view.documents
        ],
        hide_index=True,
    )


def process(view: CaseView) -> None:
    """The programme's steps in order: done, the one the case waits at, and those to come."""
    current = [p for p in view.process if p.state == StepState.CURRENT]
    for step in current:
        st.warning(
            t_md("Waiting at: **{title}** for {wait}", title=title(step.title), wait=duration(step.duration_seconds))
        )
    lines = [
        f"{STATE_MARK[p.state]} {plain(title(p.title))}"
        + (f" — {plain(t(p.outcome))}" if p.outcome else "")
        + (f" · {plain(duration(p.duration_seconds))}" if p.duration_seconds is not None else "")
        for p in view.process
    ]
    st.markdown("  \n".join(lines))
    st.caption(t("✔ done · ▶ waiting here · ○ to come (a gate to come may not apply to this case)"))


def _note(event: Event) -> str:
    if event.kind == "case":  # a closed case's outcome, stored in English
        return explain_reason(event.detail)
    if event.role is None or event.due_at is None:
        return event.detail
    return t("for {role}, due {date}", role=t(event.role.value.replace("_", " ")), date=format_date(event.due_at))


def _row(event: Event) -> dict[str, str]:
    return {
        t("when"): format_datetime(event.at),
        t("what"): f"{title(event.title)} — {t('for review')}" if event.review else title(event.title),
        t("who"): event.actor,
        t("took"): duration(event.duration_seconds),
        t("note"): _note(event),
        t("form"): summary(event.data),
    }


def timeline(view: CaseView) -> None:
    """Steps done and gates decided, by whom, when and how long they took."""
    # A table shows every cell as text: a comment typed as HTML or script is never rendered.
    table([_row(event) for event in view.timeline], hide_index=True)


def decisions(view: CaseView) -> None:
    """The case's earlier decisions (special-category form fields already masked for the reader)."""
    decided = [event for event in view.timeline if event.kind in ("gate-decided", "gate-approval")]
    if not decided:
        st.caption(t("No decisions yet."))
        return
    table([_row(event) for event in decided], hide_index=True)


def trail(view: CaseView) -> None:
    """The case's audit trail: who saw and did what, oldest first (hash-chained: `passage audit verify`)."""
    rows = [
        {
            t("when"): f"{format_datetime(event.at)}:{event.at:%S}",
            t("who"): event.who or event.actor,
            t("what"): event.action,
            t("task"): str(event.task_id or ""),  # one type per column: Arrow refuses ints beside ""
            t("detail"): ", ".join(f"{k}: {v}" for k, v in event.detail.items() if k != ORIGIN),  # in "who"
        }
        for event in view.trail
    ]
    table(rows, hide_index=True)
