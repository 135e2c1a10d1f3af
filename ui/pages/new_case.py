"""New case: a case worker opens a case of any registered programme from its case file (JSON)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from passage import json_text
from passage.programmes import Programme, all_programmes
from passage.services.delivery import start_case
from passage.services.errors import FormInvalid, NotPermitted, PassageError
from ui.i18n import explain
from ui.state import current_user, session

CASES = Path(__file__).parent / "cases.py"
OPENED = "new-case-opened"
SOURCE = "The case file"
PROGRAMME = "new-case-programme"
JSON_KINDS = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}


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


def read_case_file(text: str, source: str) -> dict[str, Any]:
    """The JSON object in `text`, or BadCaseFile saying where the syntax breaks."""
    try:
        value = json_text.loads(text)
    except json.JSONDecodeError as exc:
        raise BadCaseFile(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    if not isinstance(value, dict):
        kind = JSON_KINDS.get(type(value), "null")
        raise BadCaseFile(f"{source} must be a JSON object ({{...}}), not {kind}.")
    return value


def upload_text(upload: UploadedFile) -> str:
    try:
        return upload.getvalue().decode("utf-8")
    except UnicodeDecodeError as exc:  # e.g. Arabic names saved in a Windows code page
        reason = f"{exc.reason} at byte {exc.start}"
        raise BadCaseFile(f"{upload.name} is not UTF-8 text ({reason}); save it as UTF-8.") from None


def field_errors(fields: dict[str, str]) -> None:
    st.error("The case file was not accepted; correct these fields and submit again.")
    for path, reason in fields.items():
        # A rule across fields has no path of its own ("form"): its reason says what is wrong.
        st.error(reason if path == "form" else f"`{path}`: {reason}")


def submit(user: str, programme: Programme, text: str, upload: UploadedFile | None) -> None:
    """Open the case through the same service as the CLI; on any refusal show why and store nothing."""
    try:
        case_file = read_case_file(upload_text(upload), upload.name) if upload else read_case_file(text, SOURCE)
        with session() as s:
            case = start_case(session=s, programme=programme.slug, case_file=case_file, actor=user)
            opened = Opened(ref=case.ref, title=case.title, started=case.flow_run_id is not None)
    except BadCaseFile as exc:
        st.error(str(exc))
        return
    except FormInvalid as exc:
        field_errors(exc.fields)
        return
    except NotPermitted as exc:
        st.error(f"Refused: {exc}. Only a case worker of {programme.title} can open its cases.")
        return
    except PassageError as exc:
        st.error(explain(exc))
        return
    st.session_state[OPENED] = opened
    st.rerun()


def opened_note(user: str) -> None:
    """The case opened last, with whether its flow runs, and a button to its case page."""
    opened: Opened | None = st.session_state.get(OPENED)
    if opened is None:
        return
    flow = "its flow has started" if opened.started else "Prefect did not answer, the reconciler will start its flow"
    st.success(f"Case `{opened.ref}` opened: {opened.title}; {flow}.")
    if st.button(f"Go to case {opened.ref}", key="go-to-case"):
        del st.session_state[OPENED]
        st.switch_page(CASES, query_params={"case": opened.ref, "as": user})


def new_case_page(user: str) -> None:
    st.title("New case")
    opened_note(user)
    programmes = all_programmes()
    slug = st.selectbox("Programme", list(programmes), format_func=lambda s: programmes[s].title, key=PROGRAMME)
    programme = programmes[slug]
    if programme.intake.__doc__:
        st.caption(programme.intake.__doc__)
    # One editor and one upload per programme: switching programme starts from that programme's example.
    text = st.text_area("Case file (JSON)", value=example_text(programme), height=420, key=f"case-file-{slug}")
    upload = st.file_uploader("Or upload a case file (JSON, UTF-8)", type=["json"], key=f"upload-{slug}")
    if upload is not None:
        st.caption(f"{upload.name} is submitted instead of the editor's text.")
    if st.button("Open case", type="primary", key="open-case"):
        submit(user, programme, text, upload)


user = current_user()
if user is not None:
    new_case_page(user)
