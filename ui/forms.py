"""Render any gate form from its pydantic fields, so a new programme needs no UI code."""

import types
import typing
from datetime import date
from enum import Enum
from typing import Any

import streamlit as st
from pydantic.fields import FieldInfo

from passage.programme import GateForm
from ui.i18n import explain_reason
from ui.text import code, plain


def _choices(annotation: Any) -> list[Any] | None:
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [member.value for member in annotation]
    return None


def _label(name: str, field: FieldInfo) -> str:
    label = name.replace("_", " ").capitalize()
    return f"{label} — {field.description}" if field.description else label


def _widget(name: str, field: FieldInfo, key: str) -> Any:
    annotation, label = field.annotation, _label(name, field)
    default = None if field.is_required() else field.get_default(call_default_factory=True)
    if typing.get_origin(annotation) in (list, types.GenericAlias) and typing.get_args(annotation):
        return st.multiselect(
            label,
            _choices(typing.get_args(annotation)[0]) or [],
            default=[getattr(v, "value", v) for v in default or []],
            key=key,
        )
    if (options := _choices(annotation)) is not None:
        index = options.index(getattr(default, "value", default)) if default is not None else None
        return st.selectbox(label, options, index=index, key=key)
    if annotation is bool:
        return st.checkbox(label, value=bool(default), key=key)
    if annotation is date:
        picked = st.date_input(label, value=default, key=key, format="YYYY-MM-DD")
        return picked.isoformat() if isinstance(picked, date) else None
    if annotation is int:
        return st.number_input(label, value=int(default or 0), step=1, key=key)
    return st.text_input(label, value=default or "", key=key)


def show_field_errors(fields: dict[str, str]) -> None:
    """Each wrong field with its reason, in the reader's language; a rule across fields ("form") has no
    path of its own, and its reason says what is wrong."""
    for path, reason in fields.items():
        st.error(plain(explain_reason(reason)) if path == "form" else f"{code(path)}: {plain(explain_reason(reason))}")


def render(form: type[GateForm], *, key: str, errors: dict[str, str]) -> dict[str, Any]:
    """Widgets for the form's own fields; returns their values (None for a field left empty)."""
    values: dict[str, Any] = {}
    for name in form.field_names():
        values[name] = _widget(name, form.model_fields[name], key=f"{key}-{name}")
        if name in errors:
            st.error(f"{name}: {plain(explain_reason(errors[name]))}")
    return {name: value for name, value in values.items() if value is not None}
