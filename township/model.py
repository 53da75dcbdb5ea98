"""The plain data that passes between stages: what was read, and what was found wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

ERROR = "error"
WARNING = "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告"}
# A submission's status, and what the village reads for it.
STATUS_ZH = {
    "accepted": "通过",
    "accepted_with_warnings": "有警告",
    "has_errors": "有错误",
    "rejected": "已拒收",
}


@lru_cache(maxsize=65536)  # asked of each file for each of its rows and findings
def submission_id(report_month: str, village_code: str | None, sha256: str) -> str:
    """One per (report month, village, file content): the same bytes sent again by a village
    for the same month are the same submission; two villages may send byte-identical files
    (an all-zero form), and each is its village's own submission."""
    key = f"{report_month}/{village_code or ''}/{sha256}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a submission, pointing at a cell where there is one."""

    rule_id: str
    severity: str  # ERROR | WARNING
    message_zh: str
    fix_zh: str
    sheet: str | None = None
    row: int | None = None  # Excel row number, 1-based
    cell: str | None = None  # A1 reference within the sheet, e.g. "E7"
    field: str | None = None
    value: str | None = None

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""


@dataclass(frozen=True)
class Rejection:
    code: str  # English code for the log, e.g. "password_protected"
    message_zh: str  # what the village officer reads
    # The same without what the file itself says (a 封面 may hold anything, a name or an ID
    # number typed in the wrong cell): what the analysts' tables keep. None: message_zh has
    # nothing of the file's own.
    public_zh: str | None = None

    @property
    def public_message(self) -> str:
        return self.public_zh or self.message_zh


@dataclass
class SheetRead:
    """One form found in a file: its records, each with the Excel row and cells it came from."""

    form: str
    sheet: str
    header_row: int | None
    layout: str  # table | list
    records: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cells: list[dict[str, str]] = field(default_factory=list)
    # a one-record form's rows of figures not read (Excel row, the cell of its first figure)
    unread: list[tuple[int, str]] = field(default_factory=list)
    # a person form's rows end where another table's header starts (its Excel row)
    other_table_at: int | None = None
    # a person form's row saying there is nobody this month (本月无出生, 无)
    says_none: bool = False
    # the words above the header saying the form is an example (宣传服务填报示例), said if read
    example_title: str = ""
    example_cell: str = ""
    # (row, column, words) of its title, and a one-record form's header and row labels: whose
    # it says it is
    named_cells: list[tuple[int, int, str]] = field(default_factory=list)
    # rows marked as an example or cancelled (a register's read, and kept out by an error; a
    # one-record form's not read): (Excel row, cell, the mark)
    left_out: list[tuple[int, str, str]] = field(default_factory=list)
    # the words above a copy's header, when a sheet holds two copies of the form (上月, 本月),
    # and the cell its block starts at (where the copy is said when not read)
    title: str = ""
    title_cell: str = ""
    # the title taken is a note saying whose the figures are (注：本表数据为上月末数)
    title_is_note: bool = False
    # a one-record table's rows labelled by villages (桃园村 | 498 …, 复合村 | 300 …): (label,
    # record, Excel row, cells, the label's column), of which the file's own village's is read
    village_rows: list[tuple[str, dict, int, dict, int]] = field(default_factory=list)
    # what the heading of those rows' labels says they are: "groups" (组别), "villages" (村名)
    labelled_by: str | None = None


@dataclass
class FileRead:
    path: Path
    sha256: str
    size: int
    received_at: datetime
    report_month: str
    village_code: str | None = None
    village_name: str | None = None
    rejection: Rejection | None = None
    sheets: dict[str, SheetRead] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    cover: dict = field(default_factory=dict)
    cover_cells: tuple[str, dict[str, str]] | None = None  # the 封面's sheet and field cells
    # form -> (sheet, data rows read), kept when the file is refused after it was read (its
    # identities disagree, another month's 封面): the row ledger counts them as refused
    rows_read: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def submission_id(self) -> str:
        """One per (report month, village, file content): see `submission_id`."""
        return submission_id(self.report_month, self.village_code, self.sha256)
