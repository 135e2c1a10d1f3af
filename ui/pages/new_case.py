"""New case: a case worker opens a case of any registered programme from its case file (JSON)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from passage.core import json_text
from passage.core.errors import FormInvalid, NotPermitted, PassageError
from passage.programme import Programme
from passage.programme.registry import all_programmes
from passage.services.delivery import start_case
from ui import forms
from ui.i18n import explain, explain_reason, t
from ui.state import current_user, session
from ui.text import explain_md, plain, t_md

CASES = Path(__file__).parent / "cases.py"
OPENED = "new-case-opened"
PROGRAMME = "new-case-programme"


class BadCaseFile(ValueError):
    """The case file could not be read as a JSON object; the message says where and why."""


@dataclass(frozen=True)
class Opened:
    """The case just opened, kept for the next run so its link survives the rerun."""

    ref: str
    title: str
    started: bool


def example_text(programme: Programme) -> str:
    """The programme's first example case file, pretty-printed, as the editor's starting point."""
    case_file = programme.examples[0].case_file if programme.examples else {}
    # ensure_ascii=False: names in Arabic or Dari script stay readable (and editable) in the editor.
    return json.dumps(case_file, ensure_ascii=False, indent=2)


def json_kind(value: object) -> str:
    """What a JSON value is, as the sentence "must be a JSON object, not ..." ends."""
    if isinstance(value, list):
        return t("an array")
    if isinstance(value, str):
        return t("a string")
    if isinstance(value, bool):
        return t("a boolean")
    if isinstance(value, int | float):
        return t("a number")
    return "null"


def read_case_file(text: str, source: str) -> dict[str, Any]:
    """The JSON object in `text`, or BadCaseFile saying where the syntax breaks (`source`: the file's name,
    or the editor's "The case file")."""
    try:
        value = json_text.loads(text)
    except json.JSONDecodeError as exc:
        # json's own reason ("Expecting value") is English: explain_reason finds its Dutch in new_case.toml.
        # Some of its reasons end in " at" ("Invalid control character at"), which the place follows anyway.
        reason = explain_reason(exc.msg.removesuffix(" at"))
        message = t(
            "{source} is not valid JSON: {reason} at line {line}, column {column}.",
            source=source,
            reason=reason,
            line=exc.lineno,
            column=exc.colno,
        )
        raise BadCaseFile(message) from None
    if not isinstance(value, dict):
        raise BadCaseFile(
            t("{source} must be a JSON object ({{...}}), not {kind}.", source=source, kind=json_kind(value))
        )
    return value


def upload_text(upload: UploadedFile) -> str:
    try:
        return upload.getvalue().decode("utf-8")
    except UnicodeDecodeError as exc:  # e.g. Arabic names saved in a Windows code page
        message = t(
            "{file} is not UTF-8 text ({reason} at byte {byte}); save it as UTF-8.",
            file=upload.name,
            reason=explain_reason(exc.reason),
            byte=exc.start,
        )
        raise BadCaseFile(message) from None


def submit(user: str, programme: Programme, text: str, upload: UploadedFile | None) -> None:
    """Open the case through the same service as the CLI; on any refusal show why and store nothing."""
    try:
        case_file = (
            read_case_file(upload_text(upload), upload.name) if upload else read_case_file(text, t("The case file"))
        )
        with session() as s:
            case = start_case(session=s, programme=programme.slug, case_file=case_file, actor=user)
            opened = Opened(ref=case.ref, title=case.title, started=case.flow_run_id is not None)
    except BadCaseFile as exc:
        st.error(plain(str(exc)))
        return
    except FormInvalid as exc:
        st.error(t("The case file was not accepted; correct these fields and submit again."))
        forms.show_field_errors(exc.fields)
        return
    except NotPermitted as exc:
        st.error(
            t_md(
                "Refused: {reason}. Only a case worker of {programme} can open its cases.",
                reason=explain(exc),
                programme=t(programme.title),
            )
        )
        return
    except PassageError as exc:
        st.error(explain_md(exc))
        return
    st.session_state[OPENED] = opened
    st.rerun()


def opened_note(user: str) -> None:
    """The case opened last, with whether its flow runs, and a button to its case page."""
    opened: Opened | None = st.session_state.get(OPENED)
    if opened is None:
        return
    if opened.started:
        st.success(t("Case `{ref}` opened: {title}; its flow has started.", ref=opened.ref, title=plain(opened.title)))
    else:
        st.success(
            t(
                "Case `{ref}` opened: {title}; Prefect did not answer, the reconciler will start its flow.",
                ref=opened.ref,
                title=plain(opened.title),
            )
        )
    if st.button(t("Go to case {ref}", ref=opened.ref), key="go-to-case"):
        del st.session_state[OPENED]
        st.switch_page(CASES, query_params={"case": opened.ref, "as": user})


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
    # One editor and one upload per programme: switching programme starts from that programme's example.
    text = st.text_area(t("Case file (JSON)"), value=example_text(programme), height=420, key=f"case-file-{slug}")
    upload = st.file_uploader(t("Or upload a case file (JSON, UTF-8)"), type=["json"], key=f"upload-{slug}")
    if upload is not None:
        st.caption(t_md("{file} is submitted instead of the editor's text.", file=upload.name))
    if st.button(t("Open case"), type="primary", key="open-case"):
        submit(user, programme, text, upload)


user = current_user()
if user is not None:
    new_case_page(user)
