"""Administration: users, their roles per programme, disabling, and delegations (administrators only)."""

from collections.abc import Callable
from datetime import timedelta

import streamlit as st
from pydantic import ValidationError
from sqlmodel import Session

from models import Role
from passage.core.errors import FormInvalid, PassageError
from passage.core.i18n import today
from passage.programme.registry import all_programmes
from passage.services import assignment
from passage.services.staff import add_user, grant_role, revoke_grant, set_active, unlock, user_rows
from passage.services.users import ANY_PROGRAMME, Grant, UserCreate
from ui import forms
from ui.export import table
from ui.i18n import format_date, t
from ui.intake_fields import date_format
from ui.state import current_user, session
from ui.text import explain_md


def grant_label(role: str, programme: str) -> str:
    """A role in a programme as the reader says it: "programmamanager (Alle programma's)"."""
    return f"{role_label(role)} ({t('All programmes') if programme == '*' else programme})"


def role_label(role: str) -> str:
    """A role as the inbox names it: "programme_manager" reads "programme manager" ("programmamanager")."""
    return t(role.replace("_", " "))


def users(actor: str) -> None:
    with session() as s:
        rows = user_rows(session=s, actor=actor)
    table(
        [
            {
                t("user"): r.username,
                t("name"): r.full_name,
                t("active"): t("yes") if r.active else t("disabled"),
                t("locked"): t("locked") if r.locked else "",
                t("roles"): ", ".join(grant_label(g.role.value, g.programme) for g in r.grants),
            }
            for r in rows
        ],
        hide_index=True,
    )
    names = [r.username for r in rows]
    st.subheader(t("Add a user"))
    with st.form("add-user"):
        username = st.text_input(t("Username"), key="new-username")
        full_name = st.text_input(t("Full name"), key="new-full-name")
        email = st.text_input(t("E-mail"), key="new-email")
        # Labels translated here, not in format_func: AppTest formats a chosen value outside the page's run.
        roles = {r.value: role_label(r.value) for r in Role}
        role = st.selectbox(t("Role"), list(roles), format_func=roles.__getitem__, key="new-role")
        programme = st.selectbox(t("Programme"), ["*", *all_programmes()], key="new-programme")
        password = st.text_input(t("Initial password (8-72 characters)"), type="password", key="new-password")
        if st.form_submit_button(t("Save user")):
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
    st.subheader(t("Disable, enable, unlock, add or remove a role"))
    who = st.selectbox(t("User"), names, key="manage-user")
    off, on, unlocked, revoke = st.columns(4)
    if off.button(t("Disable"), key="disable"):
        run(lambda s: set_active(session=s, actor=actor, username=who, active=False))
    if on.button(t("Enable"), key="enable"):
        run(lambda s: set_active(session=s, actor=actor, username=who, active=True))
    # Forgets the user's failed logins, so a name an attacker kept failing can log in at once.
    if unlocked.button(t("Unlock"), key="unlock"):
        run(lambda s: unlock(session=s, actor=actor, username=who))
    # The chosen user's own grants, to pick from (no role typed as text); labels built here, not in format_func.
    held = next((r.grants for r in rows if r.username == who), [])
    grants = {f"{g.role.value}@{g.programme}": g for g in held}
    labels = {key: grant_label(g.role.value, g.programme) for key, g in grants.items()}
    grant = revoke.selectbox(t("Role to remove"), list(labels), format_func=labels.__getitem__, key="revoke-grant")
    if revoke.button(t("Remove role"), key="revoke", disabled=not grants) and grant in grants:
        run(lambda s: revoke_grant(session=s, actor=actor, username=who, grant=grants[grant]))
    granted_role, granted_programme, give = st.columns(3)
    roles = {r.value: role_label(r.value) for r in Role}
    role = granted_role.selectbox(t("Role to add"), list(roles), format_func=roles.__getitem__, key="grant-role")
    programmes = {ANY_PROGRAMME: t("All programmes")} | {slug: slug for slug in all_programmes()}
    programme = granted_programme.selectbox(
        t("In programme"), list(programmes), format_func=programmes.__getitem__, key="grant-programme"
    )
    if give.button(t("Add role"), key="grant"):
        run(
            lambda s: grant_role(
                session=s, actor=actor, username=who, grant=Grant(role=Role(role), programme=programme)
            )
        )


def delegations(actor: str) -> None:
    st.subheader(t("Delegation while on leave"))
    with session() as s:
        rows = assignment.delegations(session=s, actor=actor)
        names = [r.username for r in user_rows(session=s, actor=actor) if r.active]  # a disabled user acts for no one
    table(
        [
            {
                t("id"): d.id,
                t("on leave"): d.delegator,
                t("stand-in"): d.delegate,
                t("from"): format_date(d.starts_on),
                t("until"): format_date(d.ends_on),
                t("revoked"): t("yes") if d.revoked else "",
            }
            for d in rows
        ],
        hide_index=True,
    )
    with st.form("delegate"):
        delegator = st.selectbox(t("On leave"), names, key="delegator")
        delegate = st.selectbox(t("Stand-in"), names, key="delegate")
        starts = st.date_input(t("From"), value=today(), format=date_format(), key="starts-on")
        ends = st.date_input(
            t("Until (inclusive)"), value=today() + timedelta(days=14), format=date_format(), key="ends-on"
        )
        if st.form_submit_button(t("Delegate")):
            # Built inside run: a delegation that ends before it starts is refused on the page, not a traceback.
            run(
                lambda s: assignment.delegate(
                    session=s,
                    actor=actor,
                    request=assignment.DelegationCreate(
                        delegator=delegator,
                        delegate=delegate,
                        starts_on=starts,
                        ends_on=ends,
                    ),
                )
            )


def run(action: Callable[[Session], object]) -> None:
    """Run one admin action in its own session; show a refusal where the admin looks."""
    try:
        with session() as s:
            action(s)
    except ValidationError as exc:  # the form's values: an e-mail address, a password too short
        forms.show_field_errors(FormInvalid.from_validation(exc).fields)
        return
    except FormInvalid as exc:
        forms.show_field_errors(exc.fields)
        return
    except (PassageError, ValueError) as exc:
        st.error(explain_md(exc))
        return
    st.rerun()


user = current_user()
if user is not None:
    st.title(t("Administration"))
    try:
        users(user)
        delegations(user)
    except PassageError as exc:  # not an administrator: the services refuse, the page says so
        st.error(explain_md(exc))
