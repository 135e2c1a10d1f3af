"""Rows to CSV, the one way every list, dashboard and report is exported."""

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): a name typed
# as "=HYPERLINK(...)" must stay text, so such a cell is prefixed with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def cell_text(value: object) -> str:
    """One value as every export writes it (a formula-leading text quoted); the inbox's tables show the same."""
    return _cell(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(rows: Iterable[Mapping[str, object] | BaseModel]) -> str:
    """CSV with a header from the first row's keys (UTF-8 text; names in any script kept as they are)."""
    dicts = [row.model_dump() if isinstance(row, BaseModel) else dict(row) for row in rows]
    if not dicts:
        return ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(dicts[0]))
    for row in dicts:
        writer.writerow([_cell(row.get(name)) for name in dicts[0]])
    return out.getvalue()
