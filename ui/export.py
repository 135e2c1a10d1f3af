"""Export any list on a page to CSV: one button, one CSV builder (passage.core.tabular, shared with the reports).

Usage on a page: `csv_button(rows, name="cases")` under the list, where `rows` are the dicts (or
pydantic models) the page shows; the file is `<name>-<date>.csv`.

Every table on a page is shown by `table`, never by st.dataframe directly: Streamlit's own table toolbar
can copy or download the cells as they are, so a name typed as `=HYPERLINK(...)` would reach a
spreadsheet as a formula. The app's config (ui/.streamlit/config.toml) turns that download off; `table`
also shows each text cell as the CSV export writes it, so no copy of the table carries a formula either.
"""

from collections.abc import Mapping, Sequence
from datetime import date

import streamlit as st
from pydantic import BaseModel

from passage.core.tabular import cell_text, to_csv
from ui.i18n import t


def csv_button(rows: Sequence[Mapping[str, object] | BaseModel], *, name: str, key: str | None = None) -> None:
    """A download button for `rows` as CSV (disabled when there is nothing to export)."""
    st.download_button(
        t("Export CSV"),
        data=to_csv(rows).encode("utf-8"),
        file_name=f"{name}-{date.today().isoformat()}.csv",
        mime="text/csv",
        key=key or f"export-{name}",
        icon=":material/download:",
        disabled=not rows,
        on_click="ignore",  # a download needs no rerun of the page
    )


def table(rows: Sequence[Mapping[str, object]], *, hide_index: bool = True) -> None:
    """`rows` (dicts of one shape) as a table, each text cell neutralised by the CSV export's own rule."""
    shown = [
        {name: cell_text(value) if isinstance(value, str) else value for name, value in row.items()} for row in rows
    ]
    st.dataframe(shown, hide_index=hide_index)
