"""Read an uploaded CSV or Excel file into a header and text rows; bad content is a `SheetError`, never a crash."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

SUFFIXES = (".csv", ".xlsx")


class SheetError(Exception):
    """The file as a whole cannot be read (format, encoding, size); its message is for the user."""


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[list[str]]  # the data rows, each as long as the header; row i is line i + 2 of the file


def read_sheet(*, content: bytes, filename: str, max_rows: int) -> Sheet:
    """The first sheet of an .xlsx file, or a CSV file (UTF-8, comma or semicolon separated)."""
    name = filename.lower()
    if name.endswith(".csv"):
        table = _csv_rows(content)
    elif name.endswith(".xlsx"):
        table = _xlsx_rows(content, max_rows)
    else:
        raise SheetError(f"'{filename}' is neither a .csv nor an .xlsx file")
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise SheetError("the file is empty: expected a header row and at least one row of data")
    header = [cell.strip().lower() for cell in table[0]]
    if len(table) - 1 > max_rows:
        raise SheetError(f"the file has {len(table) - 1} rows; at most {max_rows} can be imported at once")
    width = len(header)
    return Sheet(header=header, rows=[(row + [""] * width)[:width] for row in table[1:]])


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")  # Excel writes UTF-8 CSV with a byte-order mark
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1  # where to look in the file, as an editor numbers lines
        raise SheetError(f"the file is not UTF-8 text (line {line}: {exc.reason}); save it as UTF-8") from None
    first_line = text.split("\n", 1)[0]
    # A Dutch Excel saves CSV with semicolons: the header line tells which separator is used.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise SheetError(f"the CSV file cannot be read: {exc}") from None


def _xlsx_rows(content: bytes, max_rows: int) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_text(value) for value in values])
            if len(rows) > max_rows + 1:  # the size is known to be too large: stop reading
                break
        book.close()
    # openpyxl raises many kinds of error for a damaged or foreign file (zip, XML, key and value
    # errors); every one of them means the same to the user: this is not a readable workbook.
    except Exception as exc:
        raise SheetError(f"the file is not a readable Excel workbook (.xlsx): {type(exc).__name__}") from None
    return rows


def _text(value: object) -> str:
    """A cell as the text a CSV would hold: dates as ISO dates, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
