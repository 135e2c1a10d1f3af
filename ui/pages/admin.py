"""Administration: users, their roles per programme, disabling, and delegations (administrators only)."""

from collections.abc import Callable
from datetime import date, timedelta

import streamlit as st
from sqlmodel import Session

from models import Role
from passage.programmes import all_programmes
from passage.services import assignment
from passage.services.errors import PassageError
from passage.services.users import Grant, UserCreate, add_user, revoke_grant, set_active, user_rows
from ui.i18n import explain
from ui.state import current_user, session


def users(actor: str) -> None:
    with session() as s:
        rows = user_rows(session=s, actor=actor)
    st.dataframe(
        [
            {
                "user": r.username,
                "name": r.full_name,
                "active": "yes" if r.active else "disabled",
                "locked": "locked" if r.locked else "",
                "roles": ", ".join(f"{g.role.value}@{g.programme}" for g in r.grants),
            }
            for r in rows
        ],
        hide_index=True,
    )
    names = [r.username for r in rows]
    st.subheader("Add a user or a role")
    with st.form("add-user"):
        username = st.text_input("Username", key="new-username")
        full_name = st.text_input("Full name", key="new-full-name")
        email = st.text_input("E-mail", key="new-email")
        role = st.selectbox("Role", [r.value for r in Role], key="new-role")
        programme = st.selectbox("Programme", ["*", *all_programmes()], key="new-programme")
        password = st.text_input("Initial password (8-72 characters)", type="password", key="new-password")
        if st.form_submit_button("Save user"):
            run(
                lambda s: add_user(
                    session=s,
                    actor=actor,
                    user_create=UserCreate(
                        username=username,
                        full_name=full_name,
                        email=email,
                        grants=[Grant(role=Role(role), programme=programme)],
                        password=password or None,
                    ),
                )
            )
    st.subheader("Disable, enable, remove a role")
    who = st.selectbox("User", names, key="manage-user")
    off, on, revoke = st.columns(3)
    if off.button("Disable", key="disable"):
        run(lambda s: set_active(session=s, actor=actor, username=who, active=False))
    if on.button("Enable", key="enable"):
        run(lambda s: set_active(session=s, actor=actor, username=who, active=True))
    grant = revoke.text_input("Role to remove (role@programme)", key="revoke-grant")
    if revoke.button("Remove role", key="revoke") and "@" in grant:
        role_name, _, programme_name = grant.partition("@")
        revoked = Grant(role=Role(role_name), programme=programme_name)
        run(lambda s: revoke_grant(session=s, actor=actor, username=who, grant=revoked))


def delegations(actor: str) -> None:
    st.subheader("Delegation while on leave")
    with session() as s:
        rows = assignment.delegations(session=s, actor=actor)
        names = [r.username for r in user_rows(session=s, actor=actor)]
    st.dataframe(
        [
            {
                "id": d.id,
                "on leave": d.delegator,
                "stand-in": d.delegate,
                "from": d.starts_on,
                "until": d.ends_on,
                "revoked": "yes" if d.revoked else "",
            }
            for d in rows
        ],
        hide_index=True,
    )
    with st.form("delegate"):
        delegator = st.selectbox("On leave", names, key="delegator")
        delegate = st.selectbox("Stand-in", names, key="delegate")
        starts = st.date_input("From", value=date.today(), key="starts-on")
        ends = st.date_input("Until (inclusive)", value=date.today() + timedelta(days=14), key="ends-on")
        if st.form_submit_button("Delegate"):
            request = assignment.DelegationCreate(
                delegator=delegator,
                delegate=delegate,
                starts_on=starts,
                ends_on=ends,
            )
            run(lambda s: assignment.delegate(session=s, actor=actor, request=request))


def run(action: Callable[[Session], object]) -> None:
    """Run one admin action in its own session; show a refusal where the admin looks."""
    try:
        with session() as s:
            action(s)
    except (PassageError, ValueError) as exc:
        st.error(explain(exc))
        return
    st.rerun()


user = current_user()
if user is not None:
    st.title("Administration")
    try:
        users(user)
        delegations(user)
    except PassageError as exc:  # not an administrator: the services refuse, the page says so
        st.error(explain(exc))
