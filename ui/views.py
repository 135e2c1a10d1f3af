"""Pieces of page shared by the inbox and the case pages."""

import streamlit as st

from passage.services.timeline import CaseView


def status_line(view: CaseView) -> str:
    waiting = f" · waiting at **{view.waiting_at}**" if view.waiting_at else ""
    outcome = f" · {view.outcome}" if view.outcome else ""
    return f"`{view.ref}` · {view.programme} · **{view.status.value}**{waiting}{outcome}"


def case_summary(view: CaseView) -> None:
    """Who travels, which flags, where the case stands."""
    st.markdown(status_line(view))
    if view.flags:
        st.markdown(" ".join(f":orange-badge[{flag.replace('_', ' ')}]" for flag in view.flags))
    if view.persons:
        # Names are shown exactly as stored (Arabic, Dari or Latin script); st.dataframe escapes them.
        st.dataframe(
            [
                {
                    "name": p.full_name,
                    "nationality": p.nationality,
                    "born": p.birth_date or "",
                    "principal": "yes" if p.is_principal else "",
                }
                for p in view.persons
            ],
            hide_index=True,
        )


def timeline(view: CaseView) -> None:
    """Steps done and gates decided, by whom and when."""
    rows = [
        {
            "when (UTC)": event.at.strftime("%Y-%m-%d %H:%M"),
            "what": event.title,
            "who": event.actor,
            "note": event.detail,
            "form": ", ".join(f"{name}: {value}" for name, value in event.data.items()),
        }
        for event in view.timeline
    ]
    # st.dataframe shows every cell as text: a comment typed as HTML or script is never rendered.
    st.dataframe(rows, hide_index=True)


def trail(view: CaseView) -> None:
    """The case's audit trail: who saw and did what, oldest first (hash-chained: `passage audit verify`)."""
    rows = [
        {
            "when (UTC)": event.at.strftime("%Y-%m-%d %H:%M:%S"),
            "who": event.actor,
            "what": event.action,
            "task": event.task_id or "",
            "detail": ", ".join(f"{k}: {v}" for k, v in event.detail.items()),
        }
        for event in view.trail
    ]
    st.dataframe(rows, hide_index=True)
