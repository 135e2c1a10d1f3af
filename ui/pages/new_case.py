"""New case: a case worker opens a case of any registered programme with a form built from its case file's
model (ui/intake_form.py) or, the advanced path, from its case file as JSON."""

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import streamlit as st

from passage.core.errors import DuplicateCase, FormInvalid, LikelyDuplicates, NotPermitted, PassageError
from passage.programme import Programme
from passage.programme.registry import all_programmes
from passage.services.delivery import start_case_file
from passage.services.duplicates import DuplicateMatch
from ui import forms, intake_form
from ui.case_file_json import BadCaseFile, case_file_of, example_text
from ui.i18n import explain, format_date, t
from ui.state import current_user, session
from ui.text import explain_md, plain, t_md

CASES = Path(__file__).parent / "cases.py"
OPENED = "new-case-opened"
REFUSED = "new-case-refused"
PROGRAMME = "new-case-programme"
FORM, JSON = "form", "json"  # where a case file was submitted, and so where its refusal is shown


@dataclass(frozen=True)
class Opened:
    """The case just opened, kept for the next run so its link survives the rerun."""

    ref: str
    title: str
    started: bool
    new: bool  # False: the same case file opened this case before, and nothing was opened again


@dataclass(frozen=True)
class Refused:
    """Why the last case file opened no case, kept for the runs after it: the form's errors, the buttons."""

    slug: str
    origin: str  # FORM or JSON: shown under that one's button
    case_file: dict[str, Any]
    fields: dict[str, str] = field(default_factory=dict)  # each wrong field's reason
    matches: tuple[DuplicateMatch, ...] = ()  # people of existing cases the new case's people may be
    existing: str | None = None  # the case that has the same external reference
    message: str = ""  # any other refusal, as shown


def submit(user: str, programme: Programme, case_file: dict[str, Any], origin: str, *, anyway: bool = False) -> None:
    """Open the case through the same service as the CLI; on a refusal keep why (nothing is stored)."""
    refused = Refused(slug=programme.slug, origin=origin, case_file=case_file)
    try:
        with session() as s:
            case, new = start_case_file(
                session=s, programme=programme.slug, case_file=case_file, actor=user, open_anyway=anyway
            )
            opened = Opened(ref=case.ref, title=case.title, started=case.flow_run_id is not None, new=new)
    except FormInvalid as exc:
        refused = replace(refused, fields=exc.fields)
    except LikelyDuplicates as exc:
        refused = replace(refused, matches=tuple(m for m in exc.matches if isinstance(m, DuplicateMatch)))
    except DuplicateCase as exc:
        refused = replace(refused, existing=exc.existing, message=explain_md(exc))
    except NotPermitted as exc:
        message = t_md(
            "Refused: {reason}. Only a case worker of {programme} can open its cases.",
            reason=explain(exc),
            programme=t(programme.title),
        )
        refused = replace(refused, message=message)
    except PassageError as exc:
        refused = replace(refused, message=explain_md(exc))
    else:
        st.session_state[OPENED] = opened
        st.session_state.pop(REFUSED, None)
        if origin == FORM:
            start_form(programme.slug, {})  # the next case starts from an empty form
        st.rerun()
    st.session_state[REFUSED] = refused
    st.rerun()


def go_to_case(user: str, ref: str, *, key: str) -> None:
    if st.button(t("Go to case {ref}", ref=ref), key=key):
        st.session_state.pop(OPENED, None)
        st.session_state.pop(REFUSED, None)
        st.switch_page(CASES, query_params={"case": ref, "as": user})


def opened_note(user: str) -> None:
    """The case opened last, with whether its flow runs, and a button to its case page."""
    opened: Opened | None = st.session_state.get(OPENED)
    if opened is None:
        return
    if not opened.new:
        st.info(
            t(
                "This case file opened case `{ref}` before: {title}. No second case was opened.",
                ref=opened.ref,
                title=plain(opened.title),
            )
        )
    elif opened.started:
        st.success(t("Case `{ref}` opened: {title}; its flow has started.", ref=opened.ref, title=plain(opened.title)))
    else:
        st.success(
            t(
                "Case `{ref}` opened: {title}; Prefect did not answer, the reconciler will start its flow.",
                ref=opened.ref,
                title=plain(opened.title),
            )
        )
    go_to_case(user, opened.ref, key="go-to-case")


def refusal_note(user: str, programme: Programme, origin: str) -> None:
    """Why the case file submitted here opened no case, with the way on: a field to correct, a case to go to,
    or (likely duplicates) opening it anyway."""
    refused: Refused | None = st.session_state.get(REFUSED)
    if refused is None or (refused.slug, refused.origin) != (programme.slug, origin):
        return
    if refused.fields and origin == FORM:
        st.error(t("The case was not opened; correct the fields marked above and submit again."))
        forms.show_field_errors(
            intake_form.unplaced(programme.intake, intake_form.placed(programme.intake, refused.fields))
        )
    elif refused.fields:
        st.error(t("The case file was not accepted; correct these fields and submit again."))
        forms.show_field_errors(refused.fields)
    if refused.message:
        st.error(refused.message)
    if refused.existing:
        go_to_case(user, refused.existing, key="existing-case")
    if refused.matches:
        duplicates_note(user, programme, refused)


def duplicates_note(user: str, programme: Programme, refused: Refused) -> None:
    """The likely duplicates as a warning: follow one to its case, or open the new case anyway (audited)."""
    titles = {slug: t(spec.title) for slug, spec in all_programmes().items()}
    lines = [
        t_md(
            "- {new} looks like {name}, born {born}, of case {ref} ({programme}, {status})",
            new=match.new_name,
            name=match.name,
            born=format_date(match.birth_date) or "?",
            ref=match.case_ref,
            programme=titles.get(match.programme, match.programme),
            status=t(match.status),
        )
        for match in refused.matches
    ]
    header = t("Not opened yet: people of this case look like people of existing cases.")
    st.warning("\n".join([header, "", *lines]))
    for number, match in enumerate(refused.matches):
        go_to_case(user, match.case_ref, key=f"duplicate-{number}")
    if st.button(t("Open anyway"), key="open-anyway", type="primary"):
        submit(user, programme, refused.case_file, refused.origin, anyway=True)


def form_state(slug: str) -> tuple[dict[str, Any], int]:
    """The case file the form starts from, and its generation (part of every widget's key)."""
    state: tuple[dict[str, Any], int] = st.session_state.get(f"new-case-form-{slug}", ({}, 0))
    return state


def start_form(slug: str, case_file: dict[str, Any]) -> None:
    """Start the form afresh from `case_file`: new widget keys, so no widget keeps what was typed before."""
    _seed, generation = form_state(slug)
    st.session_state[f"new-case-form-{slug}"] = (case_file, generation + 1)


def case_form(user: str, programme: Programme) -> None:
    """The programme's case file as a form, empty or filled with its first demo case."""
    if programme.examples and st.button(t("Fill in the example"), key="fill-example"):
        start_form(programme.slug, programme.examples[0].case_file)
        st.session_state.pop(REFUSED, None)
        st.rerun()
    seed, generation = form_state(programme.slug)
    refused: Refused | None = st.session_state.get(REFUSED)
    mine = refused is not None and (refused.slug, refused.origin) == (programme.slug, FORM)
    errors = intake_form.placed(programme.intake, refused.fields) if refused and mine else {}
    key = f"form-{programme.slug}-{generation}"
    # A form: what is typed reruns nothing (a rerun per cell would redraw the whole page) until it is submitted;
    # Enter in a field does not submit it half filled.
    with st.form(key, border=False, enter_to_submit=False):
        case_file = intake_form.render(programme.intake, seed, key=key, errors=errors)
        submitted = st.form_submit_button(t("Open case"), type="primary", key="open-case-form")
    if submitted:
        submit(user, programme, case_file, FORM)
    refusal_note(user, programme, FORM)


def case_file_json(user: str, programme: Programme) -> None:
    """The advanced path: the case file as JSON, typed (from the programme's example) or uploaded."""
    with st.expander(t("Advanced: case file as JSON")):
        # One editor and one upload per programme: switching programme starts from that programme's example.
        text = st.text_area(
            t("Case file (JSON)"), value=example_text(programme), height=420, key=f"case-file-{programme.slug}"
        )
        upload = st.file_uploader(
            t("Or upload a case file (JSON, UTF-8)"), type=["json"], key=f"upload-{programme.slug}"
        )
        if upload is not None:
            st.caption(t_md("{file} is submitted instead of the editor's text.", file=upload.name))
        if st.button(t("Open case"), key="open-case"):
            try:
                case_file = case_file_of(text, upload)
            except BadCaseFile as exc:
                st.error(plain(str(exc)))
            else:
                submit(user, programme, case_file, JSON)
        refusal_note(user, programme, JSON)


def new_case_page(user: str) -> None:
    st.title(t("New case"))
    opened_note(user)
    programmes = all_programmes()
    # Labels translated here, not in format_func: AppTest formats a chosen value outside the page's run.
    titles = {slug: t(programme.title) for slug, programme in programmes.items()}
    slug = st.selectbox(t("Programme"), list(titles), format_func=titles.__getitem__, key=PROGRAMME)
    programme = programmes[slug]
    if programme.intake.__doc__:  # what the case file describes; its Dutch in new_case.toml
        st.caption(t(programme.intake.__doc__))
    case_form(user, programme)
    case_file_json(user, programme)


user = current_user()
if user is not None:
    new_case_page(user)
