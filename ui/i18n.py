"""Dutch and English in the inbox.

The English text is the key: `t("Approve")` shows "Approve" in English and the Dutch entry of
`ui/locales/nl/*.toml` in Dutch (one file per page or area, so pages never edit one shared list).
A missing Dutch entry falls back to English; `tests/ui/test_i18n.py` lists the ones missing.
"""

import re
import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path

import streamlit as st

from passage.core.errors import PassageError

LANGUAGES = {"en": "English", "nl": "Nederlands"}
DEFAULT = "en"
LANGUAGE_KEY = "passage.language"
LOCALES = Path(__file__).parent / "locales"
# A run of right-to-left words (Hebrew, Arabic, Syriac, Thaana, N'Ko... and Arabic presentation forms).
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
_RTL_RUN = re.compile(f"[{_RTL}]+(?:[ \u200c\u200d]+[{_RTL}]+)*")
# Placeholders that hold a field's name in a refusal: shown as the form names it, never translated.
IDENTIFIERS = frozenset({"field", "name"})
_LOCATED = re.compile(r"(?P<path>[\w.]+): (?P<reason>.+)", re.DOTALL)
_MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


@cache
def catalog(language: str) -> dict[str, str]:
    """Every entry of the language's files; English has none (its keys are its text)."""
    entries: dict[str, str] = {}
    for path in sorted((LOCALES / language).glob("*.toml")):
        entries.update(tomllib.loads(path.read_text(encoding="utf-8")))
    return entries


def current_language() -> str:
    """The logged-in user's language (set at login and by the language switch)."""
    language = st.session_state.get(LANGUAGE_KEY, DEFAULT)
    return language if language in LANGUAGES else DEFAULT


def set_language(language: str) -> None:
    st.session_state[LANGUAGE_KEY] = language if language in LANGUAGES else DEFAULT


def t(text: str, /, **values: object) -> str:
    """`text` in the user's language, with `{name}` placeholders filled from `values`."""
    translated = catalog(current_language()).get(text, text) if current_language() != DEFAULT else text
    return translated.format(**values) if values else translated


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


def reason_in(language: str, reason: str) -> str:
    """`reason` in `language`: looked up as it is, else matched against the catalog's templates, so that
    pydantic's "String should have at least {min_length} character{expected_plural}" and a service's
    "task {task_id} is {status}" read in Dutch with their values. The values are translated the same way
    (pydantic's date errors nest one sentence in another), except a field's name, which stays as the form
    calls it. Text without an entry stays as it is."""
    if language == DEFAULT:
        return reason
    entries = catalog(language)
    if reason in entries:
        return entries[reason]
    for pattern, template in _templates(language):
        if match := pattern.fullmatch(reason):
            values = {
                name: value if name in IDENTIFIERS else reason_in(language, value)
                for name, value in match.groupdict().items()
            }
            if "expected" in values:  # pydantic's choices: "'fit', 'fit_with_escort' or 'unfit'"
                values["expected"] = values["expected"].replace("' or '", f"' {entries.get('or', 'or')} '")
            return template.format(**values)
    if match := _LOCATED.fullmatch(reason):  # "persons.0.birth_date: <reason>": the field's path stays
        return f"{match['path']}: {reason_in(language, match['reason'])}"
    return reason


@cache
def _templates(language: str) -> list[tuple[re.Pattern[str], str]]:
    """The catalog's entries with placeholders, as patterns that capture the values; longest first, so the
    most specific template wins. A template of placeholders alone ("{n}") would match anything: left out."""
    templates = []
    for key, value in catalog(language).items():
        parts = re.split(r"\{(\w+)\}", key)
        literal = "".join(parts[0::2])
        if len(parts) == 1 or len(literal.strip()) < 4:
            continue
        seen: set[str] = set()
        regex = ""
        for i, part in enumerate(parts):
            if i % 2 == 0:
                regex += re.escape(part)
            else:
                regex += f"(?P={part})" if part in seen else f"(?P<{part}>.*?)"
                seen.add(part)
        templates.append((len(literal), re.compile(regex, re.DOTALL), value))
    return [(pattern, value) for _size, pattern, value in sorted(templates, key=lambda entry: -entry[0])]


def isolated(text: str) -> str:
    """`text` with each right-to-left run (a name in Arabic script) isolated, so that the left-to-right
    text around it keeps its order: "احمد نوری (+2) from PK", not "(2+) احمد نوری from PK"."""
    return _RTL_RUN.sub(lambda run: f"\u2068{run.group()}\u2069", text)


def format_date(day: date | None) -> str:
    """23-11-2026 in Dutch, 23 Nov 2026 in English; empty for no date."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.date()
    if current_language() == "nl":
        return day.strftime("%d-%m-%Y")
    return day.strftime("%d %b %Y")


def format_datetime(moment: datetime | None) -> str:
    """Date as `format_date`, then the 24-hour time (both languages)."""
    if moment is None:
        return ""
    return f"{format_date(moment)} {moment:%H:%M}"
