"""Rows to CSV and to Excel, the one way every list, dashboard, report and import template is exported.

Both are written the way a Dutch Excel opens them. CSV: UTF-8 with a byte-order mark (without one Excel
reads the file as Windows-1252 and garbles a name in Arabic script), ';' between cells (Dutch Excel's list
separator: with ',' it shows one column), decimals with a comma, times on the office's clock. Excel
(.xlsx): typed cells (dates as dates, numbers as numbers), a bold frozen header, columns as wide as their
text. Rows are dicts (or pydantic models) of one shape; the header is `columns`, else the first row's keys.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from passage.core.i18n import local

Row = Mapping[str, object] | BaseModel
SEPARATOR = ";"
BOM = "\ufeff"
LIST_SEPARATOR = "; "  # several values in one cell, as the import reads a list column
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
WIDTHS = (8, 60)  # a column's width in characters: at least the first, at most the second

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): a name typed
# as "=HYPERLINK(...)" must stay text. In a CSV such a cell is prefixed with a quote; in an .xlsx it is a
# text cell (never a formula) marked "quote prefix", so that Excel keeps it text when it is edited.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START) and not _is_number(text)


def _plain(value: object) -> object:
    """An enum as its value, a list as one text, a time on the office's clock (Excel knows no time zones)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(_plain(item)) for item in value)
    if isinstance(value, datetime):
        return local(value).replace(tzinfo=None, microsecond=0)
    return value


def _cell(value: object) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as the import reads a yes/no column
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")  # Dutch Excel reads 2.5 as a date or text, 2,5 as a number
    text = str(value)
    return "'" + text if _is_formula_like(text) else text


def cell_text(value: object) -> str:
    """One value as the CSV export writes it (a formula-leading text quoted); the inbox's tables show the same."""
    return _cell(value)


def _dicts(rows: Iterable[Row]) -> list[dict[str, object]]:
    return [row.model_dump() if isinstance(row, BaseModel) else dict(row) for row in rows]


def to_csv(rows: Iterable[Row], *, columns: Sequence[str] | None = None) -> bytes:
    """The CSV file's bytes (BOM, UTF-8, ';'); empty when there is no header (no columns and no rows)."""
    dicts = _dicts(rows)
    header = list(columns) if columns is not None else list(dicts[0]) if dicts else []
    if not header:
        return b""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(header)
    for row in dicts:
        writer.writerow([_cell(row.get(name)) for name in header])
    return (BOM + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Mapping[str, Iterable[Row]], *, columns: Sequence[str] | None = None) -> bytes:
    """An Excel workbook with one sheet per entry of `sheets` (title -> rows), in order."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        dicts = _dicts(rows)
        header = list(columns) if columns is not None else list(dicts[0]) if dicts else []
        sheet = book.create_sheet(_sheet_title(title))
        widths = [len(name) for name in header]
        for number, name in enumerate(header, start=1):
            sheet.cell(row=1, column=number, value=name).font = Font(bold=True)
        for row_number, row in enumerate(dicts, start=2):
            for number, name in enumerate(header, start=1):
                shown = _put(sheet.cell(row=row_number, column=number), row.get(name))
                widths[number - 1] = max(widths[number - 1], len(shown))
        sheet.freeze_panes = "A2"
        for number, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = min(max(width, WIDTHS[0]), WIDTHS[1]) + 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """Excel's rule: at most 31 characters, none of []:*?/\\."""
    return "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "export"


def _put(cell: Cell, value: object) -> str:
    """`value` into `cell` with its type; returns the text it shows (for the column's width)."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        cell.value = value
        return str(value)
    if isinstance(value, datetime | date):
        cell.value = value
        cell.number_format = TIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
        return TIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
    text: str = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters: an .xlsx cannot hold them
    cell.value = text
    cell.data_type = "s"  # text as it is, never a formula (openpyxl would take "=..." for one)
    if _is_formula_like(text):
        cell.quotePrefix = True
    return text
