"""Hypothesis strategies for bad input: what people paste, mistype and attack with, per kind of field."""

import typing
from datetime import date
from enum import Enum
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from models.common import FIRST_DATE, LAST_DATE

Path = tuple[str | int, ...]

# Names as people are called: every script the office meets, combining marks, emoji, joiners.
NAMES = [
    "Zoë Ångström-Ødegård",
    "محمد الأحمد",
    "زینب‌احمدی",  # Dari, with a zero-width non-joiner
    "Юлия Тимошенко",
    "王秀英",
    "अमित शर्मा",
    "ሰላም ተስፋዬ",
    "Nguyễn Thị Minh Khai",
    "Z̷a̶l̸g̴o̵ n̶a̷m̸e",
    "e\u0301lise",  # a combining acute accent, not the composed é
    "Amina 👩🏽‍⚕️",
    "\u200fأحمد\u200e",  # right-to-left and left-to-right marks around a name
]
# Strings that break naive code and must be stored exactly as given when the field accepts them.
HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "Robert'); DROP TABLE case;--",
    "' OR '1'='1",
    "1; DELETE FROM human_task WHERE 1=1",
    "%s %(name)s {0} {{x}} $1",
    "\\x00 \\u0000 (a backslash, not a NUL)",
    "../../etc/passwd",
    "null",
    "NaN",
]
# JSON that broke the case-file reader with a traceback (RecursionError, ValueError) or passed though not JSON.
BROKEN_JSON = {
    "RecursionError": ("[" * 100_000, "nested too deeply"),
    "ValueError-long-number": ("1" * 5_000, "Exceeds the limit (4300 digits)"),
    "NaN-accepted-though-not-JSON": ('{"a": NaN}', "NaN is not a JSON number"),
}
# Control characters refused everywhere (tab and line breaks are allowed), and lone surrogates.
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\udfff"]

visible_text = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs")), min_size=1, max_size=40
) | st.sampled_from(NAMES + HOSTILE)
"""Text a valid free-text field keeps exactly: printable, no surrounding whitespace."""


@st.composite
def with_control(draw: st.DrawFn) -> str:
    """A string holding a refused control character somewhere."""
    return draw(st.text(max_size=20)) + draw(st.sampled_from(CONTROLS)) + draw(st.text(max_size=20))


huge_text = st.integers(min_value=8_001, max_value=20_000).map(lambda n: "x" * n)
"""Longer than any text field allows (the longest is a report's narrative, 8,000)."""

junk_object = st.dictionaries(st.sampled_from(["junk", "$where", "__proto__"]), st.integers(), min_size=1)
"""An object where a field expects a value (no field expects these keys)."""

universally_bad = st.one_of(with_control(), huge_text, junk_object)
"""Refused by every field of every form, whatever its type."""

far_dates = st.one_of(
    st.dates(max_value=date(FIRST_DATE.year - 1, 12, 31)), st.dates(min_value=date(LAST_DATE.year + 1, 1, 1))
).map(date.isoformat)
not_dates = st.sampled_from(["2026-02-30", "31/12/2025", "yesterday", "", "2026-13-01", "0000-00-00", "20260101T"])


def _unwrapped(annotation: Any) -> Any:
    """`X | None` as `X` (None is valid where a field is optional, so it is not a bad value there)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, type(int | str)) and len(args) == 1:
        return args[0]
    return annotation


def _bounds(field: FieldInfo) -> st.SearchStrategy[int]:
    """Integers just outside the field's bounds, and far outside any."""
    outside: list[int] = [10**30, -(10**30)]
    for meta in field.metadata:
        if getattr(meta, "ge", None) is not None:
            outside.append(meta.ge - 1)
        if getattr(meta, "le", None) is not None:
            outside.append(meta.le + 1)
    return st.sampled_from(outside)


def _not_one_of(allowed: list[str]) -> st.SearchStrategy[str]:
    return (st.text(max_size=30) | st.sampled_from([a.upper() for a in allowed])).filter(lambda v: v not in allowed)


def bad_value(field: FieldInfo) -> st.SearchStrategy[Any]:
    """Values this field must refuse: the universal ones and those wrong for its type."""
    kind = _unwrapped(field.annotation)
    origin = typing.get_origin(kind)
    specific: st.SearchStrategy[Any]
    if origin is typing.Literal:
        specific = _not_one_of([str(v) for v in typing.get_args(kind)])
    elif origin is list:
        specific = st.sampled_from(["a string", 7, True])
    elif isinstance(kind, type) and issubclass(kind, Enum):
        specific = _not_one_of([str(m.value) for m in kind])
    elif kind is bool:
        specific = st.sampled_from(["maybe", 2, -1, 0.5, "ja"])
    elif kind is int:
        specific = _bounds(field) | st.sampled_from(["12a", 1.5, "", "1e3"])
    elif kind is date:
        specific = far_dates | not_dates | st.sampled_from([1.5, True])
    elif kind is str:
        specific = _too_long_or_blank(field)
    elif isinstance(kind, type) and issubclass(kind, BaseModel):
        specific = st.sampled_from(["a name", 3, []])
    else:
        raise TypeError(f"no bad values for {kind}")  # a new kind of field: teach this module about it
    return st.one_of(universally_bad, specific)


def _too_long_or_blank(field: FieldInfo) -> st.SearchStrategy[Any]:
    longest = next((m.max_length for m in field.metadata if getattr(m, "max_length", None)), None)
    shortest = next((m.min_length for m in field.metadata if getattr(m, "min_length", None)), None)
    bad: list[st.SearchStrategy[Any]] = [st.sampled_from([12, 1.5, True, ["list"]])]
    if longest is not None:
        bad.append(st.integers(longest + 1, longest + 50).map(lambda n: "ن" * n))
    if shortest:
        bad.append(st.sampled_from(["", "   ", "\t\n", " \u3000 "]))  # blank is empty once stripped
    return st.one_of(bad)


def field_paths(model: type[BaseModel], example: Any = None) -> list[tuple[Path, FieldInfo]]:
    """Every field of `model`, nested ones included (the first element of a list, where `example` has one)."""
    found: list[tuple[Path, FieldInfo]] = []
    for name, field in model.model_fields.items():
        found.append(((name,), field))
        kind = _unwrapped(field.annotation)
        value = example.get(name) if isinstance(example, dict) else None
        if typing.get_origin(kind) is list:
            [item] = typing.get_args(kind)
            if isinstance(item, type) and issubclass(item, BaseModel) and isinstance(value, list) and value:
                found += [((name, 0, *path), f) for path, f in field_paths(item, value[0])]
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            found += [((name, *path), f) for path, f in field_paths(kind, value)]
    return found


def replaced(document: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A deep copy of `document` with the value at `path` replaced."""
    if len(path) == 1:
        return {**document, str(path[0]): value}
    head, index, *rest = path
    if isinstance(index, int):
        items = list(document[str(head)])
        items[index] = replaced(items[index], tuple(rest), value) if rest else value
        return {**document, str(head): items}
    return {**document, str(head): replaced(document[str(head)], (index, *rest), value)}


def dotted(path: Path) -> str:
    """A path as FormInvalid names it: persons.0.full_name."""
    return ".".join(str(part) for part in path)


def names_field(fields: dict[str, str], path: Path) -> bool:
    """Whether a FormInvalid's fields name `path` (or a part inside it, e.g. one element of a list)."""
    name = dotted(path)
    return any(key == name or key.startswith(name + ".") for key in fields)
