"""What a case file's field is, read from its pydantic declaration: its label, help, choices and kind.

The intake form (ui/intake_form.py) and its tables of persons (ui/intake_table.py) build their widgets
from these, so a new programme's case file needs no UI code. Labels, help and choices are English keys
of the translation catalogue (passage/core/locales/nl/intake_form.toml); countries are named by CLDR (Babel).
"""

import types
import typing
import unicodedata
from enum import Enum
from functools import cache
from typing import Any, TypeGuard

from babel import Locale
from babel.core import get_global
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ui.i18n import current_language, t

# Words of a field's name the agency writes in capitals ("ind_ref" reads "IND ref").
ACRONYMS = frozenset({"coa", "dna", "eu", "id", "ind", "learn", "mhac", "mvv", "szw", "tb", "unhcr"})
# st.date_input's and st.column_config.DateColumn's format, as each language writes a date (ui.i18n.format_date).
DATE_FORMATS = {"en": "YYYY-MM-DD", "nl": "DD-MM-YYYY"}


def label(name: str) -> str:
    """A field's label, from its name: "country_of_asylum" reads "Country of asylum", "is_principal" "Principal"."""
    words = [word.upper() if word in ACRONYMS else word for word in name.removeprefix("is_").split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def field_label(name: str, field: FieldInfo) -> str:
    """A field's label: its declared title (`Field(title=...)`, where the name reads badly), else from its name."""
    return field.title or label(name)


def option_label(value: object) -> str:
    """A choice's label, from its value: "women_and_children_at_risk" reads "Women and children at risk"."""
    return label(str(value))


def unwrap(annotation: Any) -> Any:
    """`X` of an optional `X | None`; any other annotation as it is."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def item_type(annotation: Any) -> Any | None:
    """The element type of a `list[X]`; None for anything else."""
    annotation = unwrap(annotation)
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else None


def is_model(annotation: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def choices(annotation: Any) -> list[Any] | None:
    """The values a Literal or an Enum allows; None for an open field."""
    annotation = unwrap(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [member.value for member in annotation]
    return None


def is_country(field: FieldInfo) -> bool:
    """A two-letter ISO country code: text of exactly two characters, or of two capitals by its pattern."""
    if unwrap(field.annotation) is not str:
        return False
    two = constraint(field, "min_length") == constraint(field, "max_length") == 2
    return bool(two or constraint(field, "pattern") == "^[A-Z]{2}$")


def constraint(field: FieldInfo, name: str) -> Any:
    """A constraint of the field (min_length, pattern...), None when it has none."""
    return next((getattr(item, name) for item in field.metadata if getattr(item, name, None) is not None), None)


def are_countries(values: list[Any]) -> bool:
    """Choices that are all country codes (e.g. the diaspora programme's four countries)."""
    return all(isinstance(value, str) and value in country_names("en") for value in values)


def help_text(field: FieldInfo) -> str | None:
    """The field's description, translated, as the widget's help; none for a country, whose description
    ("ISO code, e.g. LB") explains the code the select spares the reader."""
    if not field.description or is_country(field):
        return None
    return t(field.description)


def option_labels(values: list[Any]) -> dict[Any, str]:
    """Each choice's label in the reader's language: a country's name, or the value's label translated.
    Made during the page's run (a format_func runs where AppTest knows no language): pass `.__getitem__`."""
    if are_countries(values):
        names = countries()
        return {value: names[value] for value in values}
    return {value: t(option_label(value)) for value in values}


def countries() -> dict[str, str]:
    """Every country's ISO code with its name in the reader's language, in the order of the names."""
    return country_names(current_language())


@cache
def country_names(language: str) -> dict[str, str]:
    """Every country's ISO code with its name in `language`, in the order of the names."""
    # CLDR's territories hold regions ("001" World), groupings (EU, UN) and test codes (XA) as well:
    # a country is a two-letter territory with languages spoken in it.
    spoken = get_global("territory_languages")
    names = {code: name for code, name in Locale.parse(language).territories.items() if code in spoken}
    two_letters = {code: name for code, name in names.items() if len(code) == 2}
    return dict(sorted(two_letters.items(), key=lambda item: _sort_key(item[1])))


def _sort_key(name: str) -> str:
    """ "Åland" among the A's, "Égypte" among the E's: accents and case do not order the list."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)).casefold()


def date_format() -> str:
    return DATE_FORMATS.get(current_language(), DATE_FORMATS["en"])
