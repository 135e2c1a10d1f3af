"""What a case worker or manager can do to a case beyond deciding its gate: hold, resume, withdraw, reopen.

The page offers what the service says the user may do (lifecycle.actions_for); each service checks again,
audits the action, and refuses with a reason shown here.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st

from models.case import WithdrawReason
from passage.core.errors import FormInvalid, PassageError
from passage.services import lifecycle
from passage.services.lifecycle import CaseAction, Outcome
from passage.services.timeline import CaseView
from ui.export import table
from ui.i18n import explain_reason, format_datetime, t
from ui.state import session
from ui.text import explain_md, plain, t_md

FLASH, BULK_RESULT = "case-action-flash", "bulk-case-result"
REASONS = {
    WithdrawReason.APPLICANT: "withdrawn by the applicant",
    WithdrawReason.NO_SHOW: "no-show",
    WithdrawReason.DECEASED: "deceased",
    WithdrawReason.INELIGIBLE: "found ineligible",
    WithdrawReason.TRANSFERRED: "transferred to another programme",
    WithdrawReason.OTHER: "other (say what in the note)",
}


def actions(user: str, view: CaseView) -> None:
    """The case page's actions for `view`, as far as `user` may take them."""
    if view.held_at is not None:
        st.warning(
            t_md("On hold since {when}: {reason}", when=format_datetime(view.held_at), reason=view.hold_reason or "")
        )
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash)
    with session() as s:
        offered = lifecycle.actions_for(session=s, ref=view.ref, actor=user)
    if not offered:
        return
    with st.expander(t("Hold, withdraw or reopen the case"), expanded=False):
        if CaseAction.RESUME in offered and st.button(t("Resume the case"), key="case-resume"):
            _act(
                partial(lifecycle.resume, ref=view.ref, actor=user),
                t("Case resumed: its tasks are due later by the time it was held."),
            )
        if CaseAction.HOLD in offered:
            _hold_form(user, view.ref)
        if CaseAction.WITHDRAW in offered:
            _withdraw_form(user, view.ref)
        if CaseAction.REOPEN in offered:
            _reopen_form(user, view.ref)


def _act(action: Callable[..., Any], done: str) -> None:
    """Run a lifecycle service; say why it was refused (by field where a field was wrong), or rerun with `done`."""
    try:
        with session() as s:
            action(session=s)
    except FormInvalid as exc:
        for name, reason in exc.fields.items():
            st.error(f"{t(name)}: {plain(explain_reason(reason))}")
        return
    except PassageError as exc:
        st.error(explain_md(exc))
        return
    st.session_state[FLASH] = done
    st.rerun()


def _hold_form(user: str, ref: str) -> None:
    reason = st.text_input(t("Reason for the hold"), key="hold-reason")
    if st.button(t("Put on hold"), key="case-hold"):
        _act(
            partial(lifecycle.hold, ref=ref, actor=user, reason=reason),
            t("Case put on hold: its tasks wait until it is resumed."),
        )


def _withdraw_form(user: str, ref: str) -> None:
    labels = {reason: t(text) for reason, text in REASONS.items()}
    reason = st.selectbox(
        t("Reason for withdrawing"), list(labels), format_func=labels.__getitem__, key="withdraw-reason"
    )
    note = st.text_input(t("Note (required for another reason)"), key="withdraw-note")
    if st.button(t("Withdraw the case"), key="case-withdraw", type="primary"):
        _act(
            partial(lifecycle.withdraw, ref=ref, actor=user, reason=reason, note=note),
            t("Case withdrawn: its tasks are cancelled and what it reserved is given back."),
        )


def _reopen_form(user: str, ref: str) -> None:
    reason = st.text_input(t("Reason for reopening"), key="reopen-reason")
    if st.button(t("Reopen the case"), key="case-reopen", type="primary"):
        _act(
            partial(lifecycle.reopen, ref=ref, actor=user, reason=reason),
            t("Case reopened: its flow resumes where it ended."),
        )


def bulk_bar(user: str, refs: list[str]) -> None:
    """Hold or resume the cases `refs` (the Cases page's selection) at once."""
    if not refs:
        return
    with session() as s:
        if not lifecycle.manages_any(session=s, actor=user):
            return
    _bulk_result()
    with st.expander(t("Hold or resume several cases")):
        chosen = st.multiselect(t("Cases"), refs, key="bulk-cases")
        reason = st.text_input(t("Reason for the hold"), key="bulk-hold-reason")
        hold, resume = st.columns(2)
        act: Callable[..., list[Outcome]] | None = None
        if hold.button(t("Put on hold ({n})", n=len(chosen)), key="bulk-hold", disabled=not chosen):
            act = partial(lifecycle.hold_many, refs=chosen, actor=user, reason=reason)
        if resume.button(t("Resume ({n})", n=len(chosen)), key="bulk-resume", disabled=not chosen):
            act = partial(lifecycle.resume_many, refs=chosen, actor=user)
        if act is None:
            return
        try:
            with session() as s:
                outcomes = act(session=s)
        except FormInvalid as exc:
            for name, why in exc.fields.items():
                st.error(f"{t(name)}: {plain(explain_reason(why))}")
            return
        except PassageError as exc:
            st.error(explain_md(exc))
            return
    st.session_state[BULK_RESULT] = [outcome.model_dump() for outcome in outcomes]
    st.rerun()


def _bulk_result() -> None:
    """The last bulk hold or resume: each case, done or refused with its reason."""
    stored = st.session_state.pop(BULK_RESULT, None)
    if stored is None:
        return
    rows = [Outcome.model_validate(row) for row in stored]
    refused = [row for row in rows if not row.ok]
    (st.error if refused else st.success)(t("{done} of {n} case(s) done", done=len(rows) - len(refused), n=len(rows)))
    table(
        [
            {
                t("case"): row.ref,
                t("outcome"): (t("on hold") if row.on_hold else t("resumed")) if row.ok else t("refused"),
                t("reason"): explain_reason(row.reason),
            }
            for row in rows
        ],
        hide_index=True,
    )
