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
        }
        for event in view.timeline
    ]
    st.dataframe(rows, hide_index=True)
