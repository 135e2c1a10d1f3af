"""A list of persons in a case file (`persons`, `members`) as an editable table: one row per person."""

from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from models.common import FIRST_DATE, LAST_DATE
from ui.i18n import explain_reason, t
from ui.intake_fields import choices, countries, date_format, help_text, is_country, label, option_labels, unwrap
from ui.text import plain

Errors = dict[str, str]


def _column(name: str, field: FieldInfo) -> Any:
    """The column's editor, as the form's own widget for the same field would be."""
    annotation, shown, help_ = unwrap(field.annotation), t(label(name)), help_text(field)
    if is_country(field):
        names: dict[Any, str] = countries()
        return st.column_config.SelectboxColumn(shown, help=help_, options=list(names), format_func=names.__getitem__)
    if (options := choices(annotation)) is not None:
        labels = option_labels(options)
        return st.column_config.SelectboxColumn(shown, help=help_, options=options, format_func=labels.__getitem__)
    if annotation is bool:
        return st.column_config.CheckboxColumn(shown, help=help_, default=False)
    if annotation is date:
        return st.column_config.DateColumn(
            shown, help=help_, format=date_format(), min_value=FIRST_DATE, max_value=LAST_DATE
        )
    if annotation is int:
        return st.column_config.NumberColumn(shown, help=help_, step=1)
    return st.column_config.TextColumn(shown, help=help_)


def _cell(field: FieldInfo, value: Any) -> Any:
    """A stored value as the column's editor takes it: a date as a date, the rest as it is."""
    if unwrap(field.annotation) is date and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _value(cell: Any) -> Any:
    """A cell as the case file takes it; None for an empty cell (NaN, NaT, blank text)."""
    if cell is None or (pd.api.types.is_scalar(cell) and pd.isna(cell)) or cell == "":
        return None
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return cell.item() if hasattr(cell, "item") else cell  # numpy's bool and int as Python's


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as the case file's list, each without its empty cells (a required one is refused)."""
    rows = []
    for record in frame.to_dict("records"):
        values = {str(name): _value(cell) for name, cell in record.items()}
        rows.append({name: value for name, value in values.items() if value is not None})
    return rows


def render_table(
    item: type[BaseModel],
    rows: list[dict[str, Any]],
    *,
    name: str,
    key: str,
    errors: Errors,
    hide: frozenset[str],
) -> list[dict[str, Any]]:
    """The persons as an editable table (rows added and deleted by the user; the columns `hide` left out);
    returns them as the case file's list. `errors` (path → reason) of the list and of its cells are shown
    under the table."""
    fields = {column: field for column, field in item.model_fields.items() if column not in hide}
    # Cells of any type (object): an empty table's columns would otherwise be numbers, and a bool column could
    # not take the empty cell of a row just added.
    frame = pd.DataFrame(
        [{column: _cell(field, row.get(column)) for column, field in fields.items()} for row in rows],
        columns=list(fields),
        dtype=object,
    )
    config = {column: _column(column, field) for column, field in fields.items()}
    # placeholder="": an empty cell shows empty, not as "None".
    edited = st.data_editor(frame, key=key, num_rows="dynamic", column_config=config, hide_index=True, placeholder="")
    for path, reason in errors.items():
        st.error(_where(path.removeprefix(name), reason))
    return _rows(edited)


def _where(place: str, reason: str) -> str:
    """`.1.birth_date` (row 2's birth date), `.0` (row 1) or `` (the list) with the reason, for a reader."""
    parts = place.strip(".").split(".", 1) if place else []
    why = plain(explain_reason(reason))
    if not parts:
        return why
    row = int(parts[0]) + 1 if parts[0].isdigit() else parts[0]
    if len(parts) == 1:
        return t("Row {row}: {reason}", row=row, reason=why)
    return t("Row {row}, {column}: {reason}", row=row, column=t(label(parts[1])), reason=why)
