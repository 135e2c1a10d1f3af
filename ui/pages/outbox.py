"""The notification outbox, for administrators: what was sent, what waits, what failed and why."""

import streamlit as st

from models import NotificationStatus, Role
from passage.services.notifications import list_outbox, outbox_counts, retry_failed
from passage.services.users import ANY_PROGRAMME, has_role
from ui.state import current_user, session


def outbox_page() -> None:
    st.title("Notifications")
    with session() as s:
        counts = outbox_counts(session=s)
    columns = st.columns(len(NotificationStatus))
    for column, status in zip(columns, NotificationStatus, strict=True):
        column.metric(status.value, counts.get(status.value, 0))
    choices = ["", *(status.value for status in NotificationStatus)]
    chosen = st.selectbox("Status", choices, format_func=lambda s: s or "all")
    if counts.get(NotificationStatus.FAILED.value) and st.button("Retry failed messages", key="retry-failed"):
        with session() as s:
            again = retry_failed(session=s)
        st.session_state["flash"] = f"{again} failed message(s) queued again."
        st.rerun()
    if flash := st.session_state.pop("flash", None):
        st.success(flash)
    with session() as s:
        rows = list_outbox(session=s, status=NotificationStatus(chosen) if chosen else None)
    st.caption(f"{len(rows)} message(s), newest first")
    st.dataframe(
        [
            {
                "id": row.id,
                "kind": row.kind.value,
                "to": row.recipient,
                "title": row.title,
                "status": row.status.value,
                "attempts": row.attempts,
                "created (UTC)": row.created_at.strftime("%Y-%m-%d %H:%M"),
                "sent (UTC)": row.sent_at.strftime("%Y-%m-%d %H:%M") if row.sent_at else "",
                "next attempt (UTC)": row.next_attempt_at.strftime("%Y-%m-%d %H:%M")
                if row.status == NotificationStatus.PENDING
                else "",
                "reason": row.last_error or "",
            }
            for row in rows
        ],
        hide_index=True,
    )


user = current_user()
if user is not None:
    with session() as s:
        allowed = has_role(session=s, username=user, role=Role.ADMINISTRATOR, programme=ANY_PROGRAMME)
    if allowed:
        outbox_page()
    else:
        st.warning("The notification outbox is for administrators.")
