"""A gate's words in the reader's language, made at display time: tasks and steps store the English title.

A title is an English key of the catalogue (passage/core/locales/nl/gates.toml), shown as declared, numbered
for a second round or a family member ("Collect DNA sample (2)"), or followed by what became of it
("…: approved") or by whom it is for ("…: <member's name>"). A decision's fields read as its form labels them.
"""

from datetime import date
from functools import cache
from typing import Any

from pydantic.fields import FieldInfo

from passage.core.i18n import title_in
from passage.programme.registry import form_types
from ui.i18n import current_language, format_date, t
from ui.intake_fields import choices, field_label, item_type, label, option_labels, unwrap


def title(text: str) -> str:
    """A gate's or step's stored English title in the reader's language (passage.core.i18n.title_in)."""
    return title_in(current_language(), text)


@cache
def gate_fields() -> dict[str, FieldInfo]:
    """Every gate form's field by name: a stored decision names its fields, not its form (one name, one
    meaning across the programmes)."""
    return {name: field for form in form_types().values() for name, field in form.model_fields.items()}


def field_name(name: str) -> str:
    """A decision's field as its form labels it, in the reader's language; a name no gate form declares (a
    task's context holds the case file's too) as a label made from it."""
    field = gate_fields().get(name)
    return t(field_label(name, field) if field is not None else label(name))


def field_value(name: str, value: Any) -> str:
    """A decision's stored value as the form offered it: a choice's label, a date as the reader writes it,
    yes or no; a masked value's word ("withheld") translated; typed text as it is."""
    field = gate_fields().get(name)
    annotation = unwrap(field.annotation) if field is not None else None
    options = choices(item_type(annotation) or annotation) if annotation is not None else None
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, list):
        return ", ".join(field_value(name, item) for item in value)
    if isinstance(value, dict):  # counts by group, a nested record: "Employers: 12, Educators: 3"
        return summary(value)
    if options is not None and value in options:
        return option_labels(options)[value]
    if annotation is date and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:  # a masked date, or one an earlier release stored otherwise
            return t(value)
    return t(value) if isinstance(value, str) else str(value)


def review(context: dict[str, Any]) -> list[str]:
    """A task's context, what its reader reviews before deciding, one "label: value" line per field."""
    return [f"{field_name(name)}: {field_value(name, value)}" for name, value in context.items()]


def summary(data: dict[str, Any]) -> str:
    """A decision's fields and values on one line, in the reader's language."""
    return ", ".join(f"{field_name(name)}: {field_value(name, value)}" for name, value in data.items())
