"""A programme's case file as a form, built from its intake model: a new programme needs no page code.

Each field gets the widget its type asks for (ui/intake_fields.py says what a field is): text, a number,
a date picker, a select (a country by its name), a multiselect, a checkbox; a nested model (the sponsor)
its group of fields, a list of persons an editable table (ui/intake_table.py). The values come back as
the case file, which the service validates as it validates a JSON case file; its refusals, by field
path, are shown under their fields.
"""

from datetime import date
from typing import Any

import streamlit as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from models.common import FIRST_DATE, LAST_DATE
from passage.programme import Intake
from ui.i18n import explain_reason, t
from ui.intake_fields import (
    choices,
    constraint,
    countries,
    date_format,
    help_text,
    is_country,
    is_model,
    item_type,
    label,
    option_labels,
    unwrap,
)
from ui.intake_table import render_table
from ui.text import plain

Errors = dict[str, str]
# A case file that names one person on their own (the family's sponsor, the diaspora expert) has them as its
# principal (Intake.people says so): a principal tick anywhere in it would mean nothing.
PRINCIPAL = frozenset({"is_principal"})


def render(model: type[BaseModel], seed: dict[str, Any], *, key: str, errors: Errors) -> dict[str, Any]:
    """Widgets for the fields of `model` started from `seed` (a case file, or {}); returns the case file as
    entered, without the fields left empty. `errors` (path → reason) are shown under their fields."""
    single = any(is_model(unwrap(field.annotation)) for field in model.model_fields.values())
    return _fields(model, seed, key=key, path="", errors=errors, hide=PRINCIPAL if single else frozenset())


def placed(model: type[BaseModel], errors: Errors) -> Errors:
    """The errors as the form shows them: a rule across fields ("form") that names its field first
    ("persons: exactly one person must be the principal applicant") moves to that field."""
    moved: Errors = {}
    for path, reason in errors.items():
        field, _, rest = reason.partition(": ")
        if path == "form" and rest and field.split(".")[0] in model.model_fields:
            moved.setdefault(field, rest)
        else:
            moved.setdefault(path, reason)
    return moved


def unplaced(model: type[BaseModel], errors: Errors) -> Errors:
    """The errors no field of the form shows (an unknown field, a rule across fields): shown apart."""
    return {path: reason for path, reason in errors.items() if path.split(".")[0] not in model.model_fields}


def _ordered(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """The model's fields in their order, those every case file has (the optional title) last."""
    return sorted(model.model_fields.items(), key=lambda item: item[0] in Intake.model_fields)


def _fields(
    model: type[BaseModel], seed: dict[str, Any], *, key: str, path: str, errors: Errors, hide: frozenset[str]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, field in _ordered(model):
        if name in hide:
            continue
        here = f"{path}{name}"
        mine = {where: why for where, why in errors.items() if where == here or where.startswith(f"{here}.")}
        value = _field(name, field, seed.get(name), key=key, path=here, errors=mine, hide=hide)
        if value is not None:
            values[name] = value
    return values


def _field(name: str, field: FieldInfo, seed: Any, *, key: str, path: str, errors: Errors, hide: frozenset[str]) -> Any:
    """One field's widgets (keyed `key`-path) and its errors; its value in the case file (None: left empty)."""
    annotation, shown = unwrap(field.annotation), t(label(name))
    item = item_type(annotation)
    if item is not None and is_model(item):
        st.markdown(f"**{plain(shown)}**", help=help_text(field))
        return render_table(item, seed or [], name=path, key=f"{key}-{path}", errors=errors, hide=hide)
    if is_model(annotation):
        with st.container(border=True):
            st.markdown(f"**{plain(shown)}**", help=help_text(field))
            value = _fields(annotation, seed or {}, key=key, path=f"{path}.", errors=errors, hide=hide)
            _show({path: errors[path]} if path in errors else {})
        return value
    value = _widget(field, seed if seed is not None else _default(field), shown=shown, key=f"{key}-{path}")
    _show(errors)
    return value


def _default(field: FieldInfo) -> Any:
    """The field's default as its widget takes it (an enum member as its value); None for a required field."""
    if field.is_required():
        return None
    default = field.get_default(call_default_factory=True)
    if isinstance(default, list):
        return [getattr(value, "value", value) for value in default]
    return getattr(default, "value", default)


def _widget(field: FieldInfo, start: Any, *, shown: str, key: str) -> Any:
    annotation, help_ = unwrap(field.annotation), help_text(field)
    item = item_type(annotation)
    if item is not None and (options := choices(item)) is not None:
        labels = option_labels(options)
        return st.multiselect(
            shown,
            options,
            default=start or [],
            format_func=labels.__getitem__,
            help=help_,
            key=key,
            placeholder=t("Choose one or more"),
        )
    if (options := choices(annotation)) is not None or is_country(field):
        labels = option_labels(options) if options is not None else countries()
        index = list(labels).index(start) if start in labels else None
        return st.selectbox(
            shown,
            list(labels),
            index=index,
            format_func=labels.__getitem__,
            help=help_,
            key=key,
            placeholder=t("Choose"),
        )
    if annotation is bool:
        return st.checkbox(shown, value=bool(start), help=help_, key=key)
    if annotation is int:
        low, high = constraint(field, "ge"), constraint(field, "le")
        return st.number_input(shown, value=start, min_value=low, max_value=high, step=1, help=help_, key=key)
    if annotation is date:
        day = date.fromisoformat(start) if isinstance(start, str) else start
        picked = st.date_input(
            shown, value=day, min_value=FIRST_DATE, max_value=LAST_DATE, format=date_format(), help=help_, key=key
        )
        return picked.isoformat() if isinstance(picked, date) else None
    return st.text_input(shown, value=start or "", help=help_, key=key) or None


def _show(errors: Errors) -> None:
    for reason in errors.values():
        st.error(plain(explain_reason(reason)))
