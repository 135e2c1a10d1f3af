"""One translation catalogue for everything a person reads: the inbox, the notifications, the CLI.

The English text is the key: `translate("nl", "Approve")` is the Dutch entry of
`passage/core/locales/nl/*.toml` (one file per page or area, so areas never edit one shared list),
and English is the text itself. A missing Dutch entry falls back to English; `tests/ui/test_i18n.py`
lists the ones missing. The inbox's `t()` (ui/i18n.py) reads the same catalogue in the user's language.
"""

import re
import tomllib
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, lists, numbers

from passage.core.settings import get_settings

LANGUAGES = {"en": "English", "nl": "Nederlands"}
DEFAULT = "en"
LOCALES = Path(__file__).parent / "locales"
# Placeholders that hold a field's name in a refusal: shown as the form names it, never translated.
IDENTIFIERS = frozenset({"field", "name"})
_LOCATED = re.compile(r"(?P<path>[\w.]+): (?P<reason>.+)", re.DOTALL)
_NUMBERED = re.compile(r"(?P<base>.+) \((?P<number>\d+)\)")


@cache
def catalog(language: str) -> dict[str, str]:
    """Every entry of the language's files; English has none (its keys are its text)."""
    entries: dict[str, str] = {}
    for path in sorted((LOCALES / language).glob("*.toml")):
        entries.update(tomllib.loads(path.read_text(encoding="utf-8")))
    return entries


def translate(language: str, text: str, /, **values: object) -> str:
    """`text` in `language`, with `{name}` placeholders filled from `values`."""
    translated = catalog(language).get(text, text) if language != DEFAULT else text
    return translated.format(**values) if values else translated


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


def title_in(language: str, text: str) -> str:
    """A gate's or step's stored English title in `language` (tasks and steps store the English title): as
    declared, numbered for a second round or a family member ("Collect DNA sample (2)"), or followed by what
    became of it ("…: approved") or by whom it is for ("…: <member's name>"); a title no entry knows as it is."""
    entries = catalog(language) if language != DEFAULT else {}
    if language == DEFAULT or text in entries:
        return translate(language, text)
    if (numbered := _NUMBERED.fullmatch(text)) and numbered["base"] in entries:
        return f"{translate(language, numbered['base'])} ({numbered['number']})"
    head, tail = text, ""
    while ": " in head:  # a title may hold ": " itself ("Health assessment: fit to travel"): longest first
        head, _, rest = head.rpartition(": ")
        tail = f"{rest}: {tail}" if tail else rest
        if (shown := title_in(language, head)) != head:
            return f"{shown}: {translate(language, tail)}"
    return text


def case_title_in(language: str, text: str) -> str:
    """A case's stored English title in `language`: cases store the title their intake's `summary()` made at
    opening ("Amina (+2) from LB, AF-1"), read here through the templates of `case_titles.toml` ("{who} uit
    {country}, {ref}"). A country's code reads as its name, a word of the form (a mode, a kind) translated;
    names and references stay. A title no template knows (typed by hand, cut to the column) as it is."""
    if language == DEFAULT:
        return text
    for pattern, template in _case_title_templates(language):
        if match := pattern.fullmatch(text):
            return template.format(
                **{name: _title_value(language, name, value) for name, value in match.groupdict().items()}
            )
    return text


def _title_value(language: str, name: str, value: str) -> str:
    if name == "country" and len(value) == 2 and value.isupper():
        return str(Locale.parse(language).territories.get(value, value))
    if name in _TITLE_WORDS:
        return translate(language, value)
    return value


_PLACEHOLDERS = {"country": "[A-Z]{2}"}
# The placeholders of a case title that hold a word of the form, not a name: shown translated.
_TITLE_WORDS = frozenset({"mode"})


@cache
def _case_title_templates(language: str) -> list[tuple[re.Pattern[str], str]]:
    path = LOCALES / language / "case_titles.toml"
    # A title's literal words can be short ("{who} to {country}"): its country code, two capitals, anchors it.
    return _compiled(tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}, shortest=2)


@cache
def _templates(language: str) -> list[tuple[re.Pattern[str], str]]:
    return _compiled(catalog(language))


def _compiled(entries: dict[str, str], *, shortest: int = 4) -> list[tuple[re.Pattern[str], str]]:
    """The entries with placeholders, as patterns that capture the values; longest first, so the most
    specific template wins. A template of placeholders alone ("{n}") would match anything: left out, as is one
    whose words are fewer than `shortest` letters. A country is an ISO code."""
    templates = []
    for key, value in entries.items():
        parts = re.split(r"\{(\w+)\}", key)
        literal = "".join(parts[0::2])
        if len(parts) == 1 or len(literal.strip()) < shortest:
            continue
        seen: set[str] = set()
        regex = ""
        for i, part in enumerate(parts):
            if i % 2 == 0:
                regex += re.escape(part)
            else:
                regex += f"(?P={part})" if part in seen else f"(?P<{part}>{_PLACEHOLDERS.get(part, '.*?')})"
                seen.add(part)
        templates.append((len(literal), re.compile(regex, re.DOTALL), value))
    return [(pattern, value) for _size, pattern, value in sorted(templates, key=lambda entry: -entry[0])]


# --- Formatting for a reader (Babel, CLDR). Times are stored in UTC and shown in the office's time zone.


def office_zone() -> ZoneInfo:
    """The office's time zone (PASSAGE_OFFICE_TIMEZONE, Europe/Amsterdam by default): every time shown."""
    return ZoneInfo(get_settings().office_timezone)


def local(moment: datetime, *, zone: ZoneInfo | None = None) -> datetime:
    """`moment` on the office's clock, or on `zone`'s (a naive datetime is UTC, as the database stores it)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone or office_zone())


def today() -> date:
    """Today's date on the office's clock (the server's own clock may be UTC)."""
    return datetime.now(office_zone()).date()


def format_date(language: str, day: date | None) -> str:
    """23-11-2026 in Dutch, 23 Nov 2026 in English (a datetime's date on the office's clock); empty for none."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = local(day).date()
    return dates.format_date(day, format=_DATE_FORMATS[language], locale=language)


def format_datetime(language: str, moment: datetime | None, *, zone: ZoneInfo | None = None) -> str:
    """The date as `format_date`, then the 24-hour time, on the office's clock (or `zone`'s); empty for none."""
    if moment is None:
        return ""
    on_clock = local(moment, zone=zone)
    return f"{format_date(language, on_clock.date())} {on_clock:%H:%M}"


def plural(language: str, count: int, one: str, other: str, /, **values: object) -> str:
    """`one` or `other` by CLDR's plural rule of `language`, translated, with `{count}` and `values` filled:
    `plural(lang, n, "{count} family member", "{count} family members")`. The Dutch entries are the two
    English texts as keys, each with its own Dutch form."""
    form = one if Locale.parse(language).plural_form(count) == "one" else other
    return translate(language, form, count=count, **values)


def format_list(language: str, items: list[str]) -> str:
    """ "a, b and c" / "a, b en c"."""
    return lists.format_list(items, locale=language)


def format_number(language: str, number: float) -> str:
    """1,234.5 / 1.234,5."""
    return numbers.format_decimal(number, locale=language)


def format_duration(language: str, duration: timedelta) -> str:
    """ "3 days" / "3 dagen": the largest unit that fits, as CLDR words it."""
    return dates.format_timedelta(duration, locale=language)


# Babel's pattern per language: Dutch offices write 23-11-2026; English readers 23 Nov 2026.
_DATE_FORMATS = {"en": "d MMM yyyy", "nl": "dd-MM-yyyy"}
