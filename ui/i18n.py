"""Dutch and English in the inbox: the one catalogue (passage/core/i18n.py) in the logged-in user's language.

The English text is the key: `t("Approve")` shows "Approve" in English and the Dutch entry of
`passage/core/locales/nl/*.toml` in Dutch. A missing Dutch entry falls back to English;
`tests/ui/test_i18n.py` lists the ones missing.
"""

import re
from datetime import date, datetime

import streamlit as st

from passage.core import i18n
from passage.core.errors import PassageError
from passage.core.i18n import DEFAULT, LANGUAGES, case_title_in, reason_in, translate
from passage.core.settings import get_settings

LANGUAGE_KEY = "passage.language"
# A run of right-to-left words (Hebrew, Arabic, Syriac, Thaana, N'Ko... and Arabic presentation forms).
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
_RTL_RUN = re.compile(f"[{_RTL}]+(?:[ \u200c\u200d]+[{_RTL}]+)*")


def current_language() -> str:
    """The logged-in user's language (set at login and by the language switch); before login the browser's,
    when it is one Passage speaks, else the office's (PASSAGE_LANGUAGE): a Dutch office's login page is Dutch."""
    language = st.session_state.get(LANGUAGE_KEY) or _browser_language() or get_settings().language
    return language if language in LANGUAGES else DEFAULT


def _browser_language() -> str | None:
    """The language of the browser's locale ("nl-NL" is Dutch), None when there is none or it is another."""
    locale = st.context.locale or ""
    language = locale.split("-")[0].lower()
    return language if language in LANGUAGES else None


def set_language(language: str) -> None:
    st.session_state[LANGUAGE_KEY] = language if language in LANGUAGES else DEFAULT


def t(text: str, /, **values: object) -> str:
    """`text` in the user's language, with `{name}` placeholders filled from `values`."""
    return translate(current_language(), text, **values)


def explain(exc: Exception) -> str:
    """A refusal in the reader's language: a service's template translated, and the words among its values
    (a task's status, "decided"); names, numbers and dates stay as they are. Other errors as they read."""
    if not isinstance(exc, PassageError):
        return str(exc)
    values = {name: t(value) if isinstance(value, str) else value for name, value in exc.values.items()}
    return t(exc.template, **values)


def explain_reason(reason: str) -> str:
    """A reason given as English text (a field's validation error, a refusal in a bulk result's row) in the
    reader's language (see `reason_in`)."""
    return reason_in(current_language(), reason)


def case_title(text: str) -> str:
    """A case's stored English title in the reader's language (passage.core.i18n.case_title_in)."""
    return case_title_in(current_language(), text)


def isolated(text: str) -> str:
    """`text` with each right-to-left run (a name in Arabic script) isolated, so that the left-to-right
    text around it keeps its order: "احمد نوری (+2) from PK", not "(2+) احمد نوری from PK"."""
    return _RTL_RUN.sub(lambda run: f"\u2068{run.group()}\u2069", text)


def format_date(day: date | None) -> str:
    """23-11-2026 in Dutch, 23 Nov 2026 in English (a moment's date on the office's clock); empty for none."""
    return i18n.format_date(current_language(), day)


def format_datetime(moment: datetime | None) -> str:
    """Date as `format_date`, then the 24-hour time, on the office's clock (storage is UTC); empty for none."""
    return i18n.format_datetime(current_language(), moment)
