"""A case file given as JSON (typed, or uploaded): read as a JSON object, or refused saying where and why."""

import json
from typing import Any

from streamlit.runtime.uploaded_file_manager import UploadedFile

from passage.core import json_text
from passage.programme import Programme
from ui.i18n import explain_reason, t


class BadCaseFile(ValueError):
    """The case file could not be read as a JSON object; the message says where and why."""


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


def case_file_of(text: str, upload: UploadedFile | None) -> dict[str, Any]:
    """The uploaded file's case file if there is one, else the editor's."""
    return read_case_file(upload_text(upload), upload.name) if upload else read_case_file(text, t("The case file"))
