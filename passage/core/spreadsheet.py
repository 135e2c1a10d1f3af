"""Read an uploaded CSV or Excel file into a header and text rows; bad content is a `SheetError`, never a crash.

A CSV file's encoding is decided by a rule, not guessed: text that is valid UTF-8 (with or without a
byte-order mark) is UTF-8, anything else is Windows-1252, what a Dutch Excel writes for "CSV". A
Windows-1252 file is almost never valid UTF-8 by accident (an accented letter would have to be followed by
one of the few bytes UTF-8 continues with), so the rule does not misread real files, and it gives the same
answer on every machine. A statistical detector (charset-normalizer, chardet) can take a short list of
Dutch names for Latin-2 or Mac Roman and changes its guesses between versions; it is not used.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

SUFFIXES = (".csv", ".xlsx")
UTF8, UTF8_BOM, CP1252 = "UTF-8", "UTF-8 with BOM", "Windows-1252"


class SheetError(Exception):
    """The file as a whole cannot be read (format, encoding, size); its message is for the user."""


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[list[str]]  # the data rows, each as long as the header; row i is line i + 2 of the file
    encoding: str | None = None  # of a CSV file: UTF8, UTF8_BOM or CP1252; None for a workbook
    separator: str | None = None  # of a CSV file: ';' or ','


def read_sheet(*, content: bytes, filename: str, max_rows: int) -> Sheet:
    """The first sheet of an .xlsx file, or a CSV file (UTF-8 or Windows-1252, ';' or ',' separated)."""
    name = filename.lower()
    encoding = separator = None
    if name.endswith(".csv"):
        text, encoding = decode(content)
        table, separator = _csv_rows(text)
    elif name.endswith(".xlsx"):
        table = _xlsx_rows(content, max_rows)
    else:
        raise SheetError(f"'{filename}' is neither a .csv nor an .xlsx file")
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise SheetError("the file is empty: expected a header row and at least one row of data")
    if len(table) == 1:
        raise SheetError("the file has a header row but no data: add one row per person below the header")
    header = [cell.strip().lower() for cell in table[0]]
    if len(table) - 1 > max_rows:
        raise SheetError(f"the file has {len(table) - 1} rows; at most {max_rows} can be imported at once")
    width = len(header)
    rows = [(row + [""] * width)[:width] for row in table[1:]]
    return Sheet(header=header, rows=rows, encoding=encoding, separator=separator)


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 when it is valid UTF-8, else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        raise _not_text()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return _cp1252(content), CP1252
    return (text[1:], UTF8_BOM) if text.startswith("\ufeff") else (text, UTF8)


def _cp1252(content: bytes) -> str:
    if b"\x00" in content:  # UTF-16 without its mark, or no text at all: a code page would read NULs as letters
        raise _not_text()
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:  # one of the five bytes Windows-1252 leaves undefined
        line = content[: exc.start].count(b"\n") + 1  # where to look in the file, as an editor numbers lines
        raise SheetError(f"the file is neither UTF-8 nor Windows-1252 text (line {line}); save it as UTF-8") from None


def _not_text() -> SheetError:
    return SheetError("the file is not CSV text (UTF-16 or binary): save it as 'CSV UTF-8' and import that")


def _csv_rows(text: str) -> tuple[list[list[str]], str]:
    first_line = text.split("\n", 1)[0]
    # A Dutch Excel separates with ';', others with ',': the header line (names, no quotes) tells which.
    separator = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)], separator
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
