"""Export any list on a page to CSV and Excel: one pair of buttons, one builder of each (passage.core.tabular,
shared with the reports).

Usage on a page: `export_buttons(rows, name="cases")` under the list, where `rows` are the dicts (or
pydantic models) the page shows; the files are `<name>-<date>.csv` (UTF-8 with a BOM, ';' separated: as a
Dutch Excel opens it) and `<name>-<date>.xlsx` (typed cells, frozen header).

Every table on a page is shown by `table`, never by st.dataframe directly: Streamlit's own table toolbar
can copy or download the cells as they are, so a name typed as `=HYPERLINK(...)` would reach a
spreadsheet as a formula. The app's config (ui/.streamlit/config.toml) turns that download off; `table`
also shows each text cell as the CSV export writes it, so no copy of the table carries a formula either.
"""

from collections.abc import Mapping, Sequence
from datetime import date

import streamlit as st
from pydantic import BaseModel

from passage.core.tabular import cell_text, to_csv, to_xlsx
from ui.i18n import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_buttons(rows: Sequence[Mapping[str, object] | BaseModel], *, name: str, key: str | None = None) -> None:
    """Download buttons for `rows` as CSV and as Excel, side by side (disabled when there is nothing to export)."""
    stem, key = f"{name}-{date.today().isoformat()}", key or f"export-{name}"
    with st.container(horizontal=True):
        download_button(t("Export CSV"), to_csv(rows), file_name=f"{stem}.csv", key=f"{key}-csv", disabled=not rows)
        download_button(
            t("Export Excel"), to_xlsx({name: rows}), file_name=f"{stem}.xlsx", key=f"{key}-xlsx", disabled=not rows
        )


def download_button(label: str, data: bytes, *, file_name: str, key: str, disabled: bool = False) -> None:
    """One file to download, CSV or Excel by its name."""
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime="text/csv" if file_name.endswith(".csv") else XLSX,
        key=key,
        icon=":material/download:",
        disabled=disabled,
        on_click="ignore",  # a download needs no rerun of the page
    )


def table(rows: Sequence[Mapping[str, object]], *, hide_index: bool = True) -> None:
    """`rows` (dicts of one shape) as a table, each text cell neutralised by the CSV export's own rule."""
    shown = [
        {name: cell_text(value) if isinstance(value, str) else value for name, value in row.items()} for row in rows
    ]
    st.dataframe(shown, hide_index=hide_index)
