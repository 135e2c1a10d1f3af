"""Export any list on a page to CSV: one button, one CSV builder (passage.core.tabular, shared with the reports).

Usage on a page: `csv_button(rows, name="cases")` under the list, where `rows` are the dicts (or
pydantic models) the page shows; the file is `<name>-<date>.csv`.
"""

from collections.abc import Mapping, Sequence
from datetime import date

import streamlit as st
from pydantic import BaseModel

from passage.core.tabular import to_csv
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
