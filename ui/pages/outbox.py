"""The notification outbox, for administrators: what was sent, what waits, what failed and why."""

import streamlit as st

from models import NotificationStatus, Role
from passage.services.notifications import list_outbox, outbox_counts, retry_failed
from passage.services.users import ANY_PROGRAMME, has_role
from ui.export import table
from ui.i18n import format_datetime, t
from ui.state import current_user, session


def outbox_page() -> None:
    st.title(t("Notifications"))
    with session() as s:
        counts = outbox_counts(session=s)
    columns = st.columns(len(NotificationStatus))
    for column, status in zip(columns, NotificationStatus, strict=True):
        column.metric(t(status.value), counts.get(status.value, 0))
    # Labels translated here, not in format_func: AppTest formats a chosen value outside the page's run.
    choices = {"": t("all"), **{status.value: t(status.value) for status in NotificationStatus}}
    chosen = st.selectbox(t("Status"), list(choices), format_func=choices.__getitem__)
    if counts.get(NotificationStatus.FAILED.value) and st.button(t("Retry failed messages"), key="retry-failed"):
        with session() as s:
            again = retry_failed(session=s)
        st.session_state["flash"] = t("{n} failed message(s) queued again.", n=again)
        st.rerun()
    if flash := st.session_state.pop("flash", None):
        st.success(flash)
    with session() as s:
        rows = list_outbox(session=s, status=NotificationStatus(chosen) if chosen else None)
    st.caption(t("{n} message(s), newest first", n=len(rows)))
    table(
        [
            {
                t("id"): row.id,
                t("kind"): t(row.kind.value),
                t("to"): row.recipient,
                t("title"): row.title,
                t("status"): t(row.status.value),
                t("attempts"): row.attempts,
                t("created at"): format_datetime(row.created_at),
                t("sent at"): format_datetime(row.sent_at),
                t("next attempt"): format_datetime(row.next_attempt_at)
                if row.status == NotificationStatus.PENDING
                else "",
                # The sender's own words (an Apprise or SMTP error), for the administrator who fixes it.
                t("reason"): row.last_error or "",
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
        st.warning(t("The notification outbox is for administrators."))
