"""Workbooks and CSV files from a plain description of their sheets and cells.

The one writer of the files villages send that the project makes itself: the sample
generator's, the tests', the reader's committed corpus and the benchmarks' inputs. A sheet is
a list of rows (rows[0] is Excel row 1, column A first); a cell's Python type says how it is
written:

    None             left empty
    str              text, always: never a formula, a number or a link, whatever it looks like
    int, float       a number
    bool             a logical cell (TRUE / FALSE)
    date             a date cell, in the sheet's date format
    datetime         a date cell with its time, in the sheet's date-time format
    Formula          a formula, with the result Excel would have cached when it saved the file

A file is byte-identical from run to run: the workbook's creation time is given, never "now",
and the file's modification time, which the township reads as the moment it received the file
(Asia/Shanghai), is set when given.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

__all__ = [
    "COVER",
    "COVER_HEADER",
    "Formula",
    "Merge",
    "Sheet",
    "cover_sheet",
    "csv_bytes",
    "set_received",
    "write_csv",
    "write_workbook",
]

# China has had no daylight saving time since 1991: a fixed offset is Asia/Shanghai exactly.
SHANGHAI = timezone(timedelta(hours=8))

COVER = "封面"  # the sheet most villages put first: who reports, for which month
COVER_HEADER = ["项目", "内容"]

TITLE = {"bold": True, "align": "center"}
HEADER = {"bold": True, "border": 1}


@dataclass(frozen=True)
class Formula:
    """A formula cell (=…) with the result Excel would have cached when it last saved the file."""

    text: str
    value: object = ""


@dataclass(frozen=True)
class Merge:
    """Cells shown as one, bold and centred: a title, or a line typed across a printed form.

    Without `text` the merged cell shows what the rows hold in its top-left cell, written in
    its place among the rows; with `text` it shows that, written after the rows. The order in
    which a workbook's texts are first written is the order of its shared strings, so it is
    part of the file's bytes."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    text: object = None  # None: the merge shows its top-left cell of the rows
    font_size: int | None = None  # None: the workbook's default size

    @classmethod
    def cells(cls, a1_range: str, text: object = None, font_size: int | None = None) -> Merge:
        """The merge of an A1 range, e.g. Merge.cells("A1:G1", "出生登记表")."""
        first, last = (xl_cell_to_rowcol(ref) for ref in a1_range.split(":"))
        return cls(*first, *last, text=text, font_size=font_size)

    def __post_init__(self) -> None:
        if (self.first_row, self.first_col) == (self.last_row, self.last_col):
            raise ValueError("a merge needs at least two cells")


@dataclass
class Sheet:
    """A worksheet described cell by cell: rows[0] is Excel row 1, column A first."""

    name: str
    rows: list[list[object]] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    header_rows: frozenset[int] = frozenset()  # rows shown bold with borders (0-based)
    columns: tuple[int, float] | None = None  # (n, width): columns A … the n-th this wide
    date_format: str = "yyyy-mm-dd"
    datetime_format: str | None = None  # None: date-times shown in the date format
    hidden: bool = False


def cover_sheet(items: Iterable[tuple[str, object]], header: bool = True) -> Sheet:
    """The 封面: one label and its value a row, under a 项目 | 内容 header unless told not to."""
    rows: list[list[object]] = [list(COVER_HEADER)] if header else []
    return Sheet(COVER, rows + [[label, value] for label, value in items])


def write_workbook(
    path: Path,
    sheets: Iterable[Sheet],
    *,
    created: datetime,
    author: str | None = None,
    received: datetime | None = None,
) -> Path:
    """Write an .xlsx file of the sheets, in order; `received` becomes its modification time."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})  # no temporary files
    # A fixed creation time (instead of "now") keeps the file byte-identical from run to run.
    workbook.set_properties({"created": created} | ({"author": author} if author else {}))
    formats = _Formats(workbook)
    sheets = list(sheets)
    for sheet in sheets:
        _write_sheet(workbook.add_worksheet(sheet.name), sheet, formats)
    if any(s.hidden for s in sheets):  # Excel hides no sheet that is open: open the first shown
        shown = next(i for i, s in enumerate(sheets) if not s.hidden)
        workbook.worksheets()[shown].activate()
        for worksheet, sheet in zip(workbook.worksheets(), sheets, strict=True):
            if sheet.hidden:
                worksheet.hide()
    workbook.close()
    return path if received is None else set_received(path, received)


def csv_bytes(rows: Iterable[Iterable[object]], encoding: str) -> bytes:
    """A CSV file's bytes as Excel writes them on Windows: CRLF line ends, quotes when needed.

    "utf-8-sig" starts the file with a byte order mark; None is an empty field, a date is
    written as Excel writes dates to CSV, a Formula as its cached result."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for cells in rows:
        writer.writerow(["" if v is None else _csv_text(v) for v in cells])
    return buffer.getvalue().encode(encoding)


def write_csv(
    path: Path,
    rows: Iterable[Iterable[object]],
    encoding: str = "utf-8-sig",
    received: datetime | None = None,
) -> Path:
    """Write a CSV file of the rows (see csv_bytes); `received` becomes its modification time."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(rows, encoding))
    return path if received is None else set_received(path, received)


def set_received(path: Path, received: datetime) -> Path:
    """Give a file the modification time the township reads as its receipt: `received` is a
    naive Asia/Shanghai time."""
    stamp = received.replace(tzinfo=SHANGHAI).timestamp()
    os.utime(path, (stamp, stamp))
    return path


# ---------------------------------------------------------------------------------------------


class _Formats:
    """xlsxwriter formats, made once per distinct set of properties."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self.made: dict[tuple, object] = {}

    def __call__(self, props: dict):
        if not props:
            return None
        key = tuple(sorted(props.items()))
        if key not in self.made:
            self.made[key] = self.workbook.add_format(props)
        return self.made[key]


def _write_sheet(ws, sheet: Sheet, formats: _Formats) -> None:
    if sheet.columns:
        n, width = sheet.columns
        ws.set_column(0, n - 1, width)
    in_rows = {(m.first_row, m.first_col): m for m in sheet.merges if m.text is None}
    for r, cells in enumerate(sheet.rows):
        for c, value in enumerate(cells):
            merge = in_rows.pop((r, c), None)
            if merge:
                props = _merge(ws, merge, formats)
            else:
                props = HEADER if r in sheet.header_rows else {}
            _write_cell(ws, r, c, value, props, sheet, formats)
    if in_rows:
        raise ValueError(f"{sheet.name}: merges without text over cells not in the rows")
    for merge in sheet.merges:
        if merge.text is not None:  # a number or a date merged down a column stays one
            props = _merge(ws, merge, formats)
            _write_cell(ws, merge.first_row, merge.first_col, merge.text, props, sheet, formats)


def _merge(ws, merge: Merge, formats: _Formats) -> dict:
    """Merge the cells, empty; the caller writes the text, as text (merge_range would take a
    text starting with "=" for a formula). Returns the merged cell's format properties."""
    props = TITLE | ({"font_size": merge.font_size} if merge.font_size else {})
    first, last = (merge.first_row, merge.first_col), (merge.last_row, merge.last_col)
    ws.merge_range(*first, *last, "", formats(props))
    return props


def _write_cell(
    ws, r: int, c: int, value: object, props: dict, sheet: Sheet, formats: _Formats
) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        ws.write_formula(r, c, value.text, formats(props), value.value)
    elif isinstance(value, str):
        ws.write_string(r, c, value, formats(props))  # IDs and codes stay text
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, formats(props))
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, formats(props))
    elif isinstance(value, datetime):
        shown = sheet.datetime_format or sheet.date_format
        ws.write_datetime(r, c, value, formats(props | {"num_format": shown}))
    elif isinstance(value, date):
        day = datetime.combine(value, time())
        ws.write_datetime(r, c, day, formats(props | {"num_format": sheet.date_format}))
    else:
        raise TypeError(f"cannot write {value!r} to a cell")


def _csv_text(value: object) -> str:
    if isinstance(value, Formula):
        return _csv_text(value.value)
    if isinstance(value, date):
        return f"{value.year}/{value.month}/{value.day}"  # Excel's own CSV date form
    return str(value)
