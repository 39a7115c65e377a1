"""Files to rows: CSV, JSON, JSON lines, XLSX and XLS, each row a mapping of column to text.

In: a file and its :class:`~indexer.imports.mapping.SourceMapping` (encoding, separator,
sheet, header row, where JSON keeps its records). Out: (row number, row) pairs, numbered
as a person finds them in the file (spreadsheet rows; CSV data rows counted from the
header; JSON records from 1). Values are text: numbers as written, dates as ISO dates.
A row whose bytes are not valid in the declared encoding keeps them as surrogate escapes,
for :mod:`indexer.imports.normalise` to report; a JSON line or record that is not an object
is an :class:`UnreadableRow`, for the import to report. A file that cannot be read at all, or a
table (CSV, XLSX, XLS) whose header lacks a column the mapping names, raises :class:`ReadError`.
"""

import csv
import datetime as dt
import json
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import xlrd

from indexer.imports.mapping import SourceMapping

Row = dict[str, object]
# Summaries can be long: csv's default limit of 128 KiB a field is not a rule of the format.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class ReadError(ValueError):
    pass


@dataclass(frozen=True)
class UnreadableRow:
    """A JSON line that is not JSON, or a JSON line or record that is not an object: the file's
    other rows go on."""

    message: str
    field: str = "line"
    """What the row's number counts, for the report: a JSON-lines file's lines, a JSON file's records."""


def read_rows(path: Path, mapping: SourceMapping) -> Iterator[tuple[int, Row | UnreadableRow]]:
    readers = {"csv": _csv, "json": _json, "jsonl": _jsonl, "praxis": _jsonl, "xlsx": _xlsx, "xls": _xls}
    try:
        for number, row in readers[mapping.format](path, mapping):
            if mapping.last_row is not None and number > mapping.last_row:
                return
            yield number, row
    except ReadError:
        raise
    except (OSError, csv.Error, LookupError, ValueError, zipfile.BadZipFile, xlrd.XLRDError) as error:
        raise ReadError(f"{path}: cannot read as {mapping.format} ({type(error).__name__}: {error})") from None


def _csv(path: Path, mapping: SourceMapping) -> Iterator[tuple[int, Row]]:
    # utf-8-sig: a byte order mark is not part of the first column's name.
    encoding = "utf-8-sig" if mapping.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else mapping.encoding
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as handle:
        rows = csv.reader(handle, delimiter=mapping.separator)
        for _ in range(mapping.header_row - 1):
            next(rows, None)
        header = [name.strip() for name in next(rows, [])]
        _check_header(path, header, mapping)
        for number, values in enumerate(rows, start=mapping.header_row + 1):
            if any(value.strip() for value in values):
                yield number, dict(zip(header, values, strict=False))


def _check_header(path: Path, header: list[str], mapping: SourceMapping) -> None:
    """Refuse a header without a column the mapping names: every row would lack that field, or be
    kept when skip_when meant to leave it out (a renamed column, or a wrong header_row or separator)."""
    missing = [name for name in mapping.named_columns() if name not in header]
    if missing:
        found = ", ".join(f"'{name}'" for name in header if name) or "none"
        raise ReadError(
            f"{path}: the header (row {mapping.header_row}) has no column {', '.join(map(repr, missing))} of the "
            f"mapping; found {found}: correct the mapping's columns, header_row or separator, or the file"
        )


def _records(data: object, path: str | None) -> list:
    for key in path.split(".") if path else []:
        if not isinstance(data, dict) or key not in data:
            found = f"an object without '{key}'" if isinstance(data, dict) else f"a {type(data).__name__}"
            raise ValueError(f"`records` is '{path}', but on its way is {found}: correct `records` in the mapping")
        data = data[key]
    if not isinstance(data, list):
        raise ValueError(f"expected a list of records at '{path or 'the top level'}', found {type(data).__name__}")
    return data


def _json(path: Path, mapping: SourceMapping) -> Iterator[tuple[int, Row | UnreadableRow]]:
    data = json.loads(path.read_text(encoding=mapping.encoding, errors="surrogateescape"))
    for number, record in enumerate(_records(data, mapping.records), start=1):
        yield number, record if isinstance(record, dict) else _not_an_object(record, "record")


def _jsonl(path: Path, mapping: SourceMapping) -> Iterator[tuple[int, Row | UnreadableRow]]:
    with path.open(encoding=mapping.encoding, errors="surrogateescape") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, _json_line(line)


def _json_line(line: str) -> Row | UnreadableRow:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return UnreadableRow(f"not JSON ({error}): correct the line or remove it")
    return value if isinstance(value, dict) else _not_an_object(value, "line")


def _not_an_object(value: object, unit: str) -> UnreadableRow:
    """A JSON `unit` (a line, a record) that is a number, a string, a list...: only an object has columns."""
    return UnreadableRow(f"a JSON {type(value).__name__}, not an object: correct the {unit} or remove it", unit)


def _cell(value: object) -> object:
    """Dates as ISO text; numbers stay numbers (their separators are not the sheet's text)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def _table(path: Path, rows: Iterator[list], mapping: SourceMapping) -> Iterator[tuple[int, Row]]:
    header: list[str] = []
    for number, values in enumerate(rows, start=1):
        if number < mapping.header_row:
            continue
        cells = [_cell(value) for value in values]
        if number == mapping.header_row:
            header = [str(name).strip() for name in cells]
            _check_header(path, header, mapping)
        elif any(str(cell).strip() for cell in cells):
            yield number, dict(zip(header, cells, strict=False))
    if not header:  # the sheet ends before its header row
        _check_header(path, header, mapping)


def _xlsx(path: Path, mapping: SourceMapping) -> Iterator[tuple[int, Row]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book[mapping.sheet] if isinstance(mapping.sheet, str) else book.worksheets[mapping.sheet]
        yield from _table(path, sheet.iter_rows(values_only=True), mapping)
    finally:
        book.close()


def _xls(path: Path, mapping: SourceMapping) -> Iterator[tuple[int, Row]]:
    book = xlrd.open_workbook(str(path), on_demand=True)
    sheet = book.sheet_by_name(mapping.sheet) if isinstance(mapping.sheet, str) else book.sheet_by_index(mapping.sheet)

    def values(row: int) -> list:
        cells = sheet.row(row)
        return [
            xlrd.xldate_as_datetime(cell.value, book.datemode) if cell.ctype == xlrd.XL_CELL_DATE else cell.value
            for cell in cells
        ]

    yield from _table(path, (values(row) for row in range(sheet.nrows)), mapping)
