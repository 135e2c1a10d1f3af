"""Render any gate form from its pydantic fields, so a new programme needs no UI code.

Labels, help and choices are read from the fields as the New case form reads a case file's (ui/intake_fields.py):
English keys of the catalogue (passage/core/locales/nl/gate_forms.toml), shown in the reader's language.
"""

from datetime import date
from typing import Any

import streamlit as st
from pydantic.fields import FieldInfo

from passage.programme import GateForm
from ui.i18n import explain_reason, t
from ui.intake_fields import choices, date_format, field_label, help_text, item_type, option_labels, unwrap
from ui.text import code, plain


def _widget(name: str, field: FieldInfo, key: str) -> Any:
    annotation, label, help_ = unwrap(field.annotation), t(field_label(name, field)), help_text(field)
    default = None if field.is_required() else field.get_default(call_default_factory=True)
    if (kind := item_type(annotation)) is not None:
        allowed = choices(kind) or []
        shown = option_labels(allowed)  # not in format_func: see ui/intake_fields.py
        chosen = [getattr(v, "value", v) for v in default or []]
        return st.multiselect(
            label,
            allowed,
            default=chosen,
            format_func=shown.__getitem__,
            key=key,
            help=help_,
            placeholder=t("Choose one or more"),
        )
    if (options := choices(annotation)) is not None:
        labels = option_labels(options)
        index = options.index(getattr(default, "value", default)) if default is not None else None
        return st.selectbox(
            label, options, index=index, format_func=labels.__getitem__, key=key, help=help_, placeholder=t("Choose")
        )
    if annotation is bool:
        return st.checkbox(label, value=bool(default), key=key, help=help_)
    if annotation is date:
        picked = st.date_input(label, value=default, key=key, format=date_format(), help=help_)
        return picked.isoformat() if isinstance(picked, date) else None
    if annotation is int:
        return st.number_input(label, value=int(default or 0), step=1, key=key, help=help_)
    return st.text_input(label, value=default or "", key=key, help=help_)


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
