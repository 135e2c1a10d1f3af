"""Amend a case's persons: correct one, add one (a newborn), remove one (a member who stays behind).

The fields are the programme's own (ui/intake_form.py renders a person of its case file), the service
checks the amended case file as a whole and names a wrong field, shown under it. Above the form: the
decisions an amendment marked for review, each cleared by a programme manager.
"""

from typing import Any

import streamlit as st
from sqlmodel import Session

from models import CaseStatus
from passage.core.errors import FormInvalid, PassageError
from passage.programme import Intake
from passage.programme.registry import get_programme
from passage.services import amend, amend_file, reviews
from passage.services.timeline import CaseView, PersonView
from ui import intake_form
from ui.forms import show_field_errors
from ui.i18n import format_datetime, t
from ui.state import session
from ui.text import explain_md, t_md

OPEN = (CaseStatus.NEW, CaseStatus.ACTIVE)
ERRORS = "passage.amend.errors"  # (action, person id, field errors) of the last refused amendment
DONE = "passage.amend.done"


def amend_panel(user: str, view: CaseView) -> None:
    """The case page's amend section for `view`, as far as `user` may amend it."""
    if not view.persons:
        return
    with session() as s:
        marked = reviews.reviews_of(session=s, ref=view.ref, actor=user)
        may_amend = amend.may_amend(session=s, actor=user, programme=view.programme)
        may_clear = reviews.may_clear(session=s, actor=user, programme=view.programme)
    for_review(user, marked, may_clear)
    if done := st.session_state.pop(DONE, None):
        st.success(done)
    if may_amend and view.status in OPEN:
        with st.expander(t("Amend the persons (correct, add, remove)")):
            amend_form(user, view)


def for_review(user: str, marked: list[reviews.Review], may_clear: bool) -> None:
    """The decisions taken before an amendment changed a person they concern; a manager clears each."""
    if not marked:
        return
    st.warning(t("{count} decision(s) to review: taken before the persons were amended", count=len(marked)))
    for review in marked:
        text, button = st.columns([5, 1])
        text.markdown(
            t_md(
                "**{title}**, decided by {who} on {when}; amended: {reason}",
                title=review.title,
                who=review.decided_by,
                when=format_datetime(review.decided_at),
                reason=review.reason,
            )
        )
        if may_clear and button.button(t("Reviewed"), key=f"reviewed-{review.id}"):
            try:
                with session() as s:
                    reviews.clear(session=s, review_id=review.id, actor=user)
            except PassageError as exc:
                st.error(explain_md(exc))
                return
            st.rerun()


def amend_form(user: str, view: CaseView) -> None:
    labels = {"correct": t("Correct a person"), "add": t("Add a person"), "remove": t("Remove a person")}
    action = st.radio(t("Amendment"), list(labels), format_func=labels.__getitem__, horizontal=True, key="amend")
    intake = get_programme(view.programme).intake
    names = {p.id: f"{p.full_name} ({p.nationality})" for p in view.persons}
    person = (
        None if action == "add" else st.selectbox(t("Person"), list(names), format_func=names.__getitem__, key="who")
    )
    refused = st.session_state.get(ERRORS)
    errors: dict[str, str] = refused[2] if refused and refused[:2] == (action, person) else {}
    with st.form(key=f"amend-{action}"):
        seed, values, fields = _fields(intake, view, action, person, errors)
        reason = st.text_area(t("Reason (kept in the audit trail)"), max_chars=amend.REASON_LENGTH, key=f"why-{action}")
        show_field_errors({path: why for path, why in errors.items() if path not in fields})  # the rest: under theirs
        if not st.form_submit_button(labels[action], type="primary"):
            return
    try:
        with session() as s:
            done = _submit(s, user, view.ref, action, person, seed or {}, values, reason)
    except FormInvalid as exc:
        st.session_state[ERRORS] = (action, person, exc.fields)
        st.rerun()
    except PassageError as exc:  # e.g. the quota has no room, or the case was closed meanwhile
        st.error(explain_md(exc))
        return
    st.session_state.pop(ERRORS, None)
    review = t(" {count} decision(s) marked for review.", count=len(done.for_review)) if done.for_review else ""
    st.session_state[DONE] = t("The case is amended: person {change}.", change=t(done.change.value)) + review
    st.rerun()


def _fields(
    intake: type[Intake], view: CaseView, action: str, person: int | None, errors: dict[str, str]
) -> tuple[dict[str, Any] | None, dict[str, Any], set[str]]:
    """The person's fields as the case file holds them (None when adding), as entered, and those shown."""
    if action == "remove":
        return None, {}, set()
    if action == "add":
        joins = amend_file.newcomers(intake)
        if joins is None:
            st.caption(t("This programme's case has no list of persons to add to."))
            return None, {}, set()
        model = amend_file.person_model(intake, (joins, 0))
        return None, intake_form.render(model, {}, key="amend-new", errors=errors), set(model.model_fields)
    place = amend_file.places(intake, view.data)[_index(view.persons, person)]
    seed = amend_file.entry(view.data, place)
    model = amend_file.person_model(intake, place)
    values = intake_form.render(model, seed, key=f"amend-{person}", errors=errors)
    return seed, values, set(model.model_fields)


def _index(persons: list[PersonView], person: int | None) -> int:
    return next(n for n, p in enumerate(persons) if p.id == person)


def _submit(
    s: Session,
    user: str,
    ref: str,
    action: str,
    person: int | None,
    seed: dict[str, Any],
    values: dict[str, Any],
    reason: str,
) -> amend.Amendment:
    if action == "add":
        return amend.add_person(session=s, ref=ref, actor=user, person=values, reason=reason)
    if action == "remove":
        return amend.remove_person(session=s, ref=ref, actor=user, person_id=person or 0, reason=reason)
    return amend.correct_person(
        session=s, ref=ref, actor=user, person_id=person or 0, values=_changes(seed, values), reason=reason
    )


def _changes(seed: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The fields entered differently from the case file; a field emptied is cleared (None)."""
    changed = {name: value for name, value in values.items() if seed.get(name) != value}
    return changed | {name: None for name, value in seed.items() if name not in values and value not in (None, "")}
